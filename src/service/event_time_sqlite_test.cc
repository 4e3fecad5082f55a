// Event-time semantics through the service: time-based rules fire against the carrier feed's
// watermark, so a backlog, late, shuffled or repeated events give the verdicts of the same events
// in order.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <random>

#include "service/guard_service.h"
#include "store/sqlite_store.h"

namespace imeiguard {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

Timestamp At(std::string_view text) { return ParseRfc3339(text).value(); }

// A platform that applies every order at once and counts lock orders.
class CountingPlatform final : public LockConnector {
 public:
  const std::string& name() const override { return name_; }
  ConnectorReply Submit(const LockOrder& order) override {
    if (order.action == LockAction::kLock) ++locks;
    return {ConnectorReply::Kind::kApplied, order.idempotency_key, std::nullopt, ""};
  }
  ConnectorReply Poll(const LockOrder& order) override { return Submit(order); }

  int locks = 0;

 private:
  std::string name_ = "dm";
};

struct LogEvent {
  Timestamp time;
  std::string line;
};

std::string ParcelId(int i) {
  char id[19];
  std::snprintf(id, sizeof id, "3735%014d", 200000 + i);
  return id;
}

LogEvent Event(const std::string& parcel, int n, std::string_view type, Timestamp time,
               std::string_view node, std::string_view node_type) {
  std::string line = R"({"event_id":")" + parcel + "-" + std::to_string(n) + R"(","parcel_id":")" +
                     parcel + R"(","type":")" + std::string(type) + R"(","time":")" +
                     FormatRfc3339(time) + R"(","node":")" + std::string(node) +
                     R"(","node_type":")" + std::string(node_type) + "\"}";
  return {time, line};
}

// A parcel's scans from acceptance at `start` to delivery about a day later.
void AddDeliveredFlow(std::vector<LogEvent>& log, const std::string& parcel, Timestamp start) {
  log.push_back(Event(parcel, 1, "accepted", start, "SE-TERM-A", "terminal"));
  log.push_back(Event(parcel, 2, "departed", start + hours(1), "SE-TERM-A", "terminal"));
  log.push_back(Event(parcel, 3, "arrived", start + hours(4), "SE-HUB-B", "hub"));
  log.push_back(Event(parcel, 4, "departed", start + hours(5), "SE-HUB-B", "hub"));
  log.push_back(Event(parcel, 5, "arrived", start + hours(9), "SE-TERM-C", "terminal"));
  log.push_back(Event(parcel, 6, "out_for_delivery", start + hours(20), "SE-VEH-1", "vehicle"));
  log.push_back(Event(parcel, 7, "delivered", start + hours(26), "ADDR-1", "address"));
}

class EventTimeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("imeiguard-event-time-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    config_ = DefaultConfig();
  }
  void TearDown() override {
    service_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Opens a fresh store under `name` with the clock at `start` and imports a manifest of
  // `parcels` one-phone parcels.
  void OpenFresh(const std::string& name, Timestamp start, int parcels) {
    service_.reset();
    store_.reset();
    clock_.AdvanceTo(start);
    auto store = SqliteStore::Open((dir_ / name).string());
    ASSERT_TRUE(store.ok()) << store.error().message;
    store_ = std::move(*store);
    platform_ = CountingPlatform();
    service_ = std::make_unique<GuardService>(
        config_, *store_, clock_, std::map<std::string, LockConnector*>{{"dm", &platform_}});
    ASSERT_TRUE(service_->Recover().ok());
    std::string manifest = "parcel_id,shipper_id,service,promised_by,destination_postcode,imei\n";
    for (int i = 0; i < parcels; ++i) {
      manifest += ParcelId(i) + ",telco-a,home,2026-03-20,41301," +
                  Imei::FromCoreValue(35847212000000 + i).WithCheckDigit() + "\n";
    }
    auto report = service_->ImportManifest(manifest, "", ExportCheck::kEnforce);
    ASSERT_TRUE(report.ok()) << report.error().message;
    ASSERT_TRUE(report->errors.empty()) << report->errors[0].message;
  }

  void Upload(const std::vector<LogEvent>& batch) {
    std::string ndjson;
    for (const LogEvent& event : batch) ndjson += event.line + "\n";
    auto report = service_->IngestEvents(ndjson);
    ASSERT_TRUE(report.ok()) << report.error().message;
    ASSERT_TRUE(report->errors.empty()) << report->errors[0].message;
  }

  // Moves the clock by `step`, fires due deadlines and lets the outbox work.
  void Tick(Duration step) {
    clock_.AdvanceTo(clock_.Now() + step);
    ASSERT_TRUE(service_->RunDeadlines(clock_.Now()).ok());
    while (service_->RunOutboxOnce(clock_.Now()) > 0) {
    }
  }

  // Each parcel's final verdict with the rules of its evidence.
  std::map<std::string, std::string> Verdicts(int parcels) {
    std::map<std::string, std::string> verdicts;
    for (int i = 0; i < parcels; ++i) {
      auto parcel = service_->GetParcel(ParcelId(i));
      EXPECT_TRUE(parcel.ok());
      if (!parcel.ok() || !parcel->has_value()) continue;
      const Assessment& assessment = (*parcel)->parcel.assessment;
      std::string text(VerdictName(assessment.verdict));
      for (const Evidence& evidence : assessment.evidence) {
        text += " " + evidence.rule + "@" + FormatRfc3339(evidence.at);
      }
      verdicts[ParcelId(i)] = text;
    }
    return verdicts;
  }

  std::filesystem::path dir_;
  Config config_;
  ManualClock clock_{At("2026-03-01T00:00:00Z")};
  CountingPlatform platform_;
  std::unique_ptr<SqliteStore> store_;
  std::unique_ptr<GuardService> service_;
};

TEST_F(EventTimeTest, BacklogInTwentyBatchesLocksNothingDelivered) {
  // Two weeks after the scans, the carrier uploads them in 20 batches a minute apart. Judged at
  // the wall clock, every parcel would look silent after the first batch.
  constexpr int kParcels = 12;
  std::vector<LogEvent> log;
  for (int i = 0; i < kParcels; ++i) {
    AddDeliveredFlow(log, ParcelId(i), At("2026-03-01T06:00:00Z") + hours(7 * i));
  }
  std::stable_sort(log.begin(), log.end(),
                   [](const LogEvent& a, const LogEvent& b) { return a.time < b.time; });
  OpenFresh("backlog.db", At("2026-03-20T00:00:00Z"), kParcels);

  const std::size_t batch = (log.size() + 19) / 20;
  for (std::size_t first = 0; first < log.size(); first += batch) {
    std::size_t last = std::min(log.size(), first + batch);
    Upload(std::vector<LogEvent>(log.begin() + first, log.begin() + last));
    Tick(minutes(1));
  }
  Tick(hours(24 * 10));

  EXPECT_EQ(platform_.locks, 0);
  for (const auto& [parcel, verdict] : Verdicts(kParcels)) {
    EXPECT_EQ(verdict.substr(0, verdict.find(' ')), "delivered") << parcel << ": " << verdict;
  }
  auto audit = store_->LoadAudit("", 10000);
  ASSERT_TRUE(audit.ok());
  for (const AuditEntry& entry : *audit) {
    EXPECT_NE(entry.action, "lock_order_created") << entry.entity;
  }
}

TEST_F(EventTimeTest, SilenceFiresOnceBusyFeedPassesDeadline) {
  // Parcel 0 is accepted and never scanned again, while parcel 1's scans keep the feed moving.
  config_.default_policy.detection.dwell = RuleOutcome::kIgnore;
  OpenFresh("silence.db", At("2026-03-01T06:00:00Z"), 2);
  Upload({Event(ParcelId(0), 1, "accepted", At("2026-03-01T06:00:00Z"), "SE-TERM-A", "terminal")});
  Timestamp deadline = At("2026-03-04T06:00:00Z");
  for (int hour = 1; hour <= 100; ++hour) {
    Timestamp time = At("2026-03-01T06:00:00Z") + hours(hour);
    clock_.AdvanceTo(time);
    Upload({Event(ParcelId(1), hour, "sorted", time, "SE-TERM-A", "terminal")});
    Tick(minutes(1));
    // One hour of allowed lateness: the rule waits until the feed is past its deadline by that.
    if (time < deadline + hours(1)) {
      ASSERT_EQ(platform_.locks, 0) << FormatRfc3339(time);
    }
  }
  EXPECT_EQ(platform_.locks, 1);
  EXPECT_EQ(Verdicts(1)[ParcelId(0)], "lost silence@2026-03-04T06:00:00Z");
}

TEST_F(EventTimeTest, ShuffledRepeatedLateEventsGiveSameVerdicts) {
  constexpr int kParcels = 8;
  std::vector<LogEvent> log;
  for (int i = 0; i < kParcels; ++i) {
    std::string parcel = ParcelId(i);
    Timestamp start = At("2026-03-01T06:00:00Z") + hours(5 * i);
    switch (i % 4) {
      case 0:
        AddDeliveredFlow(log, parcel, start);
        break;
      case 1:  // Stolen at the hub: no scan after its arrival there.
        log.push_back(Event(parcel, 1, "accepted", start, "SE-TERM-A", "terminal"));
        log.push_back(Event(parcel, 2, "arrived", start + hours(4), "SE-HUB-B", "hub"));
        break;
      case 2:  // Opened at a terminal.
        log.push_back(Event(parcel, 1, "accepted", start, "SE-TERM-A", "terminal"));
        log.push_back(
            Event(parcel, 2, "exception_opened", start + hours(3), "SE-TERM-A", "terminal"));
        break;
      case 3:  // Four quiet days, then delivered.
        log.push_back(Event(parcel, 1, "accepted", start, "SE-TERM-A", "terminal"));
        log.push_back(Event(parcel, 2, "delivered", start + hours(100), "ADDR-2", "address"));
        break;
    }
  }
  std::stable_sort(log.begin(), log.end(),
                   [](const LogEvent& a, const LogEvent& b) { return a.time < b.time; });
  Timestamp end = At("2026-03-20T00:00:00Z");

  // In order, live: each scan uploaded a minute after it happened.
  OpenFresh("ordered.db", log.front().time, kParcels);
  for (const LogEvent& event : log) {
    clock_.AdvanceTo(std::max(clock_.Now(), event.time + minutes(1)));
    Upload({event});
    Tick(Duration(0));
  }
  clock_.AdvanceTo(end);
  Tick(minutes(1));
  std::map<std::string, std::string> ordered = Verdicts(kParcels);

  // Shuffled, every event twice, in batches of five, the last batch a day late.
  std::vector<LogEvent> shuffled = log;
  shuffled.insert(shuffled.end(), log.begin(), log.end());
  std::shuffle(shuffled.begin(), shuffled.end(), std::mt19937(7));
  OpenFresh("shuffled.db", log.front().time, kParcels);
  for (std::size_t first = 0; first < shuffled.size(); first += 5) {
    std::size_t last = std::min(shuffled.size(), first + 5);
    Upload(std::vector<LogEvent>(shuffled.begin() + first, shuffled.begin() + last));
    Tick(hours(2));
  }
  clock_.AdvanceTo(end);
  Tick(minutes(1));

  EXPECT_EQ(Verdicts(kParcels), ordered);
  EXPECT_EQ(ordered[ParcelId(0)].substr(0, 9), "delivered");
  EXPECT_EQ(ordered[ParcelId(1)].substr(0, 4), "lost");
  EXPECT_EQ(ordered[ParcelId(2)].substr(0, 4), "lost");
  EXPECT_EQ(ordered[ParcelId(3)].substr(0, 9), "delivered");
}

}  // namespace
}  // namespace imeiguard
