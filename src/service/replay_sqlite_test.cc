#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "service/replay.h"

namespace imeiguard {
namespace {

namespace fs = std::filesystem;

class ReplayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("imeiguard-replay-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Write(const std::string& name, std::string_view text) {
    std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }

  std::string Replay(std::optional<Timestamp> until = std::nullopt) {
    ReplayOptions options;
    options.manifest_paths = {Write("manifest.csv", kManifest)};
    options.events_path = Write("events.ndjson", events_);
    options.until = until;
    std::ostringstream report;
    std::ostringstream diagnostics;
    auto summary = RunReplay(DefaultConfig(), options, report, diagnostics);
    EXPECT_TRUE(summary.ok()) << summary.error().message;
    diagnostics_ = diagnostics.str();
    return report.str();
  }

  static constexpr std::string_view kManifest =
      "parcel_id,shipper_id,service,promised_by,destination_postcode,imei,imei2\n"
      "373500000000000001,telco-a,home,2026-03-03,41301,867315042291587,867315042291660\n"
      "373500000000000002,telco-a,home,2026-03-03,41301,358472100042174,\n"
      "373500000000000003,telco-a,home,2026-03-03,41301,356938035643809,\n";

  fs::path dir_;
  std::string events_;
  std::string diagnostics_;
};

TEST_F(ReplayTest, ReportsEveryDeviceWithVerdictAndLockTime) {
  events_ =
      R"({"event_id":"1","parcel_id":"373500000000000001","type":"accepted","time":"2026-03-01T08:00:00Z"})"
      "\n"
      R"({"event_id":"2","parcel_id":"373500000000000002","type":"accepted","time":"2026-03-01T08:00:00Z"})"
      "\n"
      R"({"event_id":"3","parcel_id":"373500000000000003","type":"accepted","time":"2026-03-01T08:00:00Z"})"
      "\n"
      R"({"event_id":"4","parcel_id":"373500000000000002","type":"exception_missing","time":"2026-03-01T10:00:00Z"})"
      "\n"
      R"({"event_id":"5","parcel_id":"373500000000000001","type":"delivered","time":"2026-03-02T09:00:00Z"})"
      "\n"
      R"({"event_id":"6","parcel_id":"373500000000000002","type":"found","time":"2026-03-01T12:00:00Z"})"
      "\n"
      R"({"event_id":"7","parcel_id":"999999999999999999","type":"arrived","time":"2026-03-02T12:00:00Z"})"
      "\n";
  std::string report = Replay(ParseRfc3339("2026-03-06T00:00:00Z").value());
  EXPECT_EQ(report,
            "imei,parcel_id,verdict,state,first_locked_at,locked_seconds,rules\n"
            "867315042291587,373500000000000001,delivered,released,,0,\n"
            "358472100042174,373500000000000002,lost,locked,2026-03-01T10:00:00Z,212400,"
            "exception_scan;silence;overdue\n"
            "356938035643809,373500000000000003,lost,locked,2026-03-04T08:00:00Z,144000,"
            "silence;overdue\n");
}

TEST_F(ReplayTest, SameLogGivesSameReportTwice) {
  for (int i = 0; i < 200; ++i) {
    std::string parcel = i % 2 ? "373500000000000001" : "373500000000000002";
    events_ += R"({"event_id":"e)" + std::to_string(i) + R"(","parcel_id":")" + parcel +
               R"(","type":"arrived","time":"2026-03-01T)" + std::to_string(10 + i % 10) +
               ":00:00Z\"}\n";
  }
  std::string first = Replay();
  std::string second = Replay();
  EXPECT_EQ(first, second);
}

// The same story as an EPCIS 2.0 document: the parcel's theft report is declared in error, so
// only the delivery counts.
TEST_F(ReplayTest, EpcisDocumentReplayed) {
  events_ = R"({"type": "EPCISDocument", "schemaVersion": "2.0",
    "creationDate": "2026-03-03T00:00:00Z", "epcisBody": {"eventList": [
    {"type": "ObjectEvent", "action": "OBSERVE", "eventID": "a-1", "bizStep": "accepting",
     "eventTime": "2026-03-01T08:00:00Z", "eventTimeZoneOffset": "+00:00",
     "epcList": ["https://id.gs1.org/00/373500000000000001"]},
    {"type": "ObjectEvent", "action": "OBSERVE", "eventID": "s-1", "bizStep": "inspecting",
     "disposition": "stolen", "eventTime": "2026-03-01T10:00:00Z",
     "eventTimeZoneOffset": "+00:00", "epcList": ["https://id.gs1.org/00/373500000000000001"]},
    {"type": "ObjectEvent", "action": "OBSERVE", "eventID": "s-1", "bizStep": "inspecting",
     "disposition": "stolen", "eventTime": "2026-03-01T10:00:00Z",
     "eventTimeZoneOffset": "+00:00", "epcList": ["https://id.gs1.org/00/373500000000000001"],
     "errorDeclaration": {"declarationTime": "2026-03-01T11:00:00Z"}},
    {"type": "ObjectEvent", "action": "OBSERVE", "eventID": "d-1", "bizStep": "receiving",
     "eventTime": "2026-03-02T09:00:00Z", "eventTimeZoneOffset": "+00:00",
     "epcList": ["https://id.gs1.org/00/373500000000000001"]},
    {"type": "ObjectEvent", "action": "OBSERVE", "eventID": "x-1", "eventTime": "not a time",
     "eventTimeZoneOffset": "+00:00"}]}})";
  std::string report = Replay();
  EXPECT_NE(report.find("867315042291587,373500000000000001,delivered,released,,0,"),
            std::string::npos)
      << report;
  EXPECT_NE(diagnostics_.find("events.ndjson: event 4: eventTime:"), std::string::npos)
      << diagnostics_;
}

TEST_F(ReplayTest, BadLinesListedAndSkipped) {
  events_ =
      "garbage\n"
      R"({"event_id":"1","parcel_id":"373500000000000001","type":"delivered","time":"2026-03-01T08:00:00Z"})"
      "\n";
  std::string report = Replay();
  EXPECT_NE(diagnostics_.find("events.ndjson:1"), std::string::npos) << diagnostics_;
  EXPECT_NE(report.find("867315042291587,373500000000000001,delivered"), std::string::npos);
}

// The bundled demo sample, scans and the late batch together: its story is the one the README
// describes, so a change to the engine that breaks the story fails here first.
TEST(ReplaySample, LostParcelsLockedLateDeliveryReleased) {
  fs::path dir = fs::temp_directory_path() / ("imeiguard-sample-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  fs::path sample = fs::path(IMEIGUARD_SOURCE_DIR) / "sample";
  std::string events_path = (dir / "all.ndjson").string();
  {
    std::ofstream all(events_path, std::ios::binary);
    for (const char* name : {"events.ndjson", "late-events.ndjson"}) {
      std::ifstream part(sample / name, std::ios::binary);
      ASSERT_TRUE(part) << "cannot read " << (sample / name);
      all << part.rdbuf();
    }
  }
  ReplayOptions options;
  options.manifest_paths = {(sample / "manifest.csv").string()};
  options.events_path = events_path;
  options.until = ParseRfc3339("2026-03-10T00:00:00Z").value();
  std::ostringstream report;
  std::ostringstream diagnostics;
  auto summary = RunReplay(DefaultConfig(), options, report, diagnostics);
  fs::remove_all(dir);
  ASSERT_TRUE(summary.ok()) << summary.error().message;

  std::map<std::string, std::pair<std::string, std::string>> outcome;  // parcel -> verdict, state
  int never_locked = 0;
  int rows = 0;
  std::istringstream lines(report.str());
  std::string line;
  std::getline(lines, line);  // Header.
  while (std::getline(lines, line)) {
    std::vector<std::string> cells;
    std::stringstream fields(line);
    for (std::string cell; std::getline(fields, cell, ',');) cells.push_back(cell);
    ASSERT_GE(cells.size(), 6u) << line;
    ++rows;
    if (cells[4].empty()) {
      ++never_locked;
      EXPECT_EQ(cells[2], "delivered") << line;
      EXPECT_EQ(cells[3], "released") << line;
    } else {
      outcome[cells[1]] = {cells[2], cells[3]};
    }
  }
  EXPECT_EQ(rows, 41);
  EXPECT_EQ(never_locked, 36);
  using Outcome = std::pair<std::string, std::string>;
  EXPECT_EQ(outcome, (std::map<std::string, Outcome>{
                         {"073501234040628391", {"delivered", "released"}},
                         {"073501234749594119", {"lost", "locked"}},
                         {"073501236516269787", {"lost", "locked"}},
                         {"073501237318209032", {"lost", "locked"}},
                         {"073501238773555580", {"lost", "locked"}},
                     }));
}

}  // namespace
}  // namespace imeiguard
