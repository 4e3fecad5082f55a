// The whole pipeline on a tiny flow: simulate, replay through the engine, score.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "cli/score_command.h"
#include "cli/simulate_command.h"
#include "scoring/scorecard.h"
#include "service/replay.h"

namespace imeiguard {
namespace {

namespace fs = std::filesystem;

std::string ReadText(const fs::path& path) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

class SimulateScoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("imeiguard-simulate-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Simulates a tiny flow into dir_; returns the --until time that simulate prints.
  std::string SimulateTinyFlow() {
    simulation::SimulationOptions options;
    options.seed = 11;
    options.days = 4;
    options.parcels = 3000;
    options.phone_parcels = 400;
    options.min_thefts_per_scenario = 2;
    std::ostringstream out, err;
    EXPECT_EQ(RunSimulate(options, dir_.string(), out, err), 0) << err.str();
    const std::string marker = "--until ";
    const std::string summary = out.str();
    const std::size_t at = summary.find(marker);
    EXPECT_NE(at, std::string::npos) << summary;
    return summary.substr(at + marker.size(), summary.find('\n', at) - at - marker.size());
  }

  void Replay(const std::string& until) {
    ReplayOptions options;
    options.manifest_paths = {(dir_ / "manifest.csv").string()};
    options.events_path = (dir_ / "events.ndjson").string();
    auto parsed_until = ParseRfc3339(until);
    ASSERT_TRUE(parsed_until.ok());
    options.until = *parsed_until;
    std::ofstream report(dir_ / "report.csv", std::ios::binary);
    std::ostringstream diagnostics;
    auto summary = RunReplay(DefaultConfig(), options, report, diagnostics);
    ASSERT_TRUE(summary.ok()) << summary.error().message;
    EXPECT_EQ(summary->events_rejected, 0) << diagnostics.str();
    EXPECT_EQ(summary->manifest_rows_rejected, 0) << diagnostics.str();
  }

  fs::path dir_;
};

TEST_F(SimulateScoreTest, ReplayReportCoversEveryLabelledPhone) {
  Replay(SimulateTinyFlow());
  auto labels = scoring::ParseLabelsCsv(ReadText(dir_ / "labels.csv"), "labels.csv");
  auto report = scoring::ParseReportCsv(ReadText(dir_ / "report.csv"), "report.csv");
  ASSERT_TRUE(labels.ok()) << labels.error().message;
  ASSERT_TRUE(report.ok()) << report.error().message;

  const scoring::Scorecard card = scoring::Score(*labels, *report, scoring::HoldPolicy::kOnLoss);
  EXPECT_EQ(card.overall.devices, static_cast<std::int64_t>(labels->size()));
  EXPECT_EQ(card.overall.missing_from_report, 0);
  EXPECT_EQ(card.unlabelled_report_rows, 0);
  EXPECT_GT(card.overall.stolen, 0);

  // The scorer's recall and false locks, counted again straight from the two files.
  std::map<std::string, const scoring::ReportRow*> rows;
  for (const scoring::ReportRow& row : *report) rows[row.imei] = &row;
  std::int64_t stolen_locked = 0, false_locks = 0;
  for (const scoring::DeviceLabel& label : *labels) {
    const bool locked = rows.at(label.imei)->first_locked_at.has_value();
    if (label.stolen && locked) ++stolen_locked;
    if (!label.stolen && locked) ++false_locks;
  }
  EXPECT_EQ(card.overall.stolen_locked, stolen_locked);
  EXPECT_EQ(card.overall.false_locks, false_locks);
}

TEST_F(SimulateScoreTest, HandMadeReportScoresExactly) {
  SimulateTinyFlow();
  auto labels = scoring::ParseLabelsCsv(ReadText(dir_ / "labels.csv"), "labels.csv");
  ASSERT_TRUE(labels.ok()) << labels.error().message;

  // A perfect engine: every stolen phone locked two hours after its theft, nothing else.
  std::ostringstream report;
  report << "imei,parcel_id,verdict,state,first_locked_at,locked_seconds,rules\n";
  std::int64_t stolen = 0;
  for (const scoring::DeviceLabel& label : *labels) {
    if (label.stolen) {
      ++stolen;
      report << label.imei << ",P,lost,locked,"
             << FormatRfc3339(*label.theft_time + std::chrono::hours(2)) << ",3600,silence\n";
    } else {
      report << label.imei << ",P,delivered,released,,0,\n";
    }
  }
  const fs::path report_path = dir_ / "hand-made.csv";
  std::ofstream(report_path, std::ios::binary) << report.str();

  ScoreCommandOptions options;
  options.labels_path = (dir_ / "labels.csv").string();
  options.report_path = report_path.string();
  options.format = "csv";
  std::ostringstream out, err;
  ASSERT_EQ(RunScore(options, out, err), 0) << err.str();
  const std::string expected_all = "\nall," + std::to_string(labels->size()) + "," +
                                   std::to_string(stolen) + "," + std::to_string(stolen) +
                                   ",1.000000," + std::to_string(stolen) +
                                   ",0,0.000000,0,0.000,2.000,2.000,0\n";
  EXPECT_NE(out.str().find(expected_all), std::string::npos) << out.str();
}

TEST_F(SimulateScoreTest, ScoreRejectsUnknownPolicy) {
  ScoreCommandOptions options;
  options.labels_path = "unused";
  options.report_path = "unused";
  options.policy = "sometimes";
  std::ostringstream out, err;
  EXPECT_EQ(RunScore(options, out, err), 2);
  EXPECT_EQ(err.str(),
            "imeiguard score: --policy must be on-loss or transit-hold, not 'sometimes'\n");
}

}  // namespace
}  // namespace imeiguard
