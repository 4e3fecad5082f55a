#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <sstream>

#include "scoring/score_output.h"
#include "scoring/scorecard.h"

namespace imeiguard::scoring {
namespace {

constexpr std::string_view kLabelsHeader =
    "imei,imei2,parcel_id,shipper_id,service,scenario,stolen,theft_time,delivered_time,"
    "closed_received,outcome,value_sek\n";
constexpr std::string_view kReportHeader =
    "imei,parcel_id,verdict,state,first_locked_at,locked_seconds,rules\n";

// Eight phones whose figures are worked out by hand in the tests below.
const std::string kLabels =
    std::string(kLabelsHeader) +
    "A,,P1,t,home,on_time,0,,2026-03-03T10:00:00Z,"
    "2026-03-03T10:05:00Z,delivered,100\n"
    "B,,P2,t,home,on_time,0,,,,in_flow,100\n"
    "C,,P3,t,home,delayed,0,,2026-03-05T12:00:00Z,"
    "2026-03-05T12:10:00Z,delivered,100\n"
    "D,,P4,t,home,theft_vanished_at_node,1,2026-03-03T00:00:00Z,,,stolen,1\n"
    "E,,P5,t,home,theft_vanished_at_node,1,2026-03-03T06:00:00Z,,,stolen,1\n"
    "F,,P6,t,home,theft_vanished_at_node,1,2026-03-04T00:00:00Z,,,stolen,1\n"
    "G,,P7,t,home,theft_vehicle,1,2026-03-04T00:00:00Z,,,stolen,1\n"
    "H,,P8,t,home,on_time,0,,2026-03-03T11:00:00Z,"
    "2026-03-03T12:00:00Z,delivered,100\n";
// G has no row; Z has no label. C was locked 24 h 10 min until its delivery scan's clock time;
// H was released, but after 24 h where its delivery scan came after 12 h.
const std::string kReport = std::string(kReportHeader) +
                            "A,P1,delivered,released,,0,\n"
                            "B,P2,lost,locked,2026-03-05T00:00:00Z,7200,silence\n"
                            "C,P3,delivered,released,2026-03-04T12:00:00Z,87000,overdue\n"
                            "D,P4,lost,locked,2026-03-06T00:00:00Z,3600,silence\n"
                            "E,P5,lost,lock_pending,2026-03-03T18:00:00Z,3600,silence\n"
                            "F,P6,in_flow,watched,,0,\n"
                            "H,P8,delivered,released,2026-03-03T00:00:00Z,86400,silence\n"
                            "Z,P9,in_flow,watched,,0,\n";

Scorecard ScoreHandMade(HoldPolicy policy) {
  auto labels = ParseLabelsCsv(kLabels, "labels.csv");
  auto report = ParseReportCsv(kReport, "report.csv");
  EXPECT_TRUE(labels.ok()) << labels.error().message;
  EXPECT_TRUE(report.ok()) << report.error().message;
  return Score(*labels, *report, policy);
}

const ScenarioScore& ScenarioNamed(const Scorecard& card, std::string_view name) {
  for (const ScenarioScore& score : card.scenarios) {
    if (score.scenario == name) return score;
  }
  ADD_FAILURE() << "no scenario " << name;
  return card.overall;
}

TEST(ScoreTest, WindowCountsOnlyTheftsWhoseDetectionTimeEndedInsideTheFlow) {
  // The flow ends 2026-03-05T12:00Z and detection may take 48 h: D and E (stolen on 2026-03-03)
  // had their whole window inside the flow, F and G (stolen on 2026-03-04) did not. Of D and E
  // both were locked; of all four, two.
  auto labels = ParseLabelsCsv(kLabels, "labels.csv");
  auto report = ParseReportCsv(kReport, "report.csv");
  ASSERT_TRUE(labels.ok());
  ASSERT_TRUE(report.ok());
  const Scorecard card =
      Score(*labels, *report, HoldPolicy::kOnLoss,
            DetectionWindow{ParseRfc3339("2026-03-05T12:00:00Z").value(), std::chrono::hours(48)});
  EXPECT_EQ(card.overall.stolen_window_closed, 2);
  EXPECT_EQ(card.overall.stolen_window_closed_locked, 2);
  EXPECT_DOUBLE_EQ(*card.overall.RecallWindowClosed(), 1.0);
  EXPECT_DOUBLE_EQ(*card.overall.Recall(), 0.5);
  EXPECT_FALSE(ScenarioNamed(card, "theft_vehicle").RecallWindowClosed().has_value());

  std::ostringstream out;
  WriteScorecard(card, ScoreFormat::kCsv, out);
  const std::string text = out.str();
  EXPECT_NE(text.find(",recall,stolen_window_closed,recall_window_closed,"), std::string::npos)
      << text;
  EXPECT_NE(text.find("\nall,8,4,2,0.500000,2,1.000000,"), std::string::npos) << text;
}

TEST(ScoreTest, CountsStolenAndInnocentPhones) {
  const Scorecard card = ScoreHandMade(HoldPolicy::kOnLoss);
  EXPECT_EQ(card.overall.devices, 8);
  EXPECT_EQ(card.overall.stolen, 4);
  EXPECT_EQ(card.overall.innocent, 4);
  EXPECT_EQ(card.overall.missing_from_report, 1);
  EXPECT_EQ(card.unlabelled_report_rows, 1);
}

TEST(ScoreTest, RecallCountsStolenPhonesWithALockOrder) {
  const Scorecard card = ScoreHandMade(HoldPolicy::kOnLoss);
  EXPECT_EQ(card.overall.stolen_locked, 2);
  EXPECT_DOUBLE_EQ(*card.overall.Recall(), 0.5);
  const ScenarioScore& vanished = ScenarioNamed(card, "theft_vanished_at_node");
  EXPECT_EQ(vanished.stolen, 3);
  EXPECT_EQ(vanished.stolen_locked, 2);
  EXPECT_DOUBLE_EQ(*vanished.Recall(), 2.0 / 3.0);
  const ScenarioScore& vehicle = ScenarioNamed(card, "theft_vehicle");
  EXPECT_EQ(vehicle.missing_from_report, 1);
  EXPECT_DOUBLE_EQ(*vehicle.Recall(), 0.0);
}

TEST(ScoreTest, FalseLocksCountInnocentPhonesEverLocked) {
  const Scorecard card = ScoreHandMade(HoldPolicy::kOnLoss);
  EXPECT_EQ(card.overall.false_locks, 3);
  EXPECT_DOUBLE_EQ(*card.overall.FalseLockRate(), 0.75);
  EXPECT_EQ(card.overall.innocent_locked_at_end, 1);
  EXPECT_DOUBLE_EQ(card.overall.innocent_locked_hours, (7200.0 + 87000.0 + 86400.0) / 3600.0);
  const ScenarioScore& on_time = ScenarioNamed(card, "on_time");
  EXPECT_EQ(on_time.false_locks, 2);
  EXPECT_EQ(on_time.innocent_locked_at_end, 1);
}

TEST(ScoreTest, TheftToLockMedianAndP90) {
  const Scorecard card = ScoreHandMade(HoldPolicy::kOnLoss);
  // D: 72 h after its theft, E: 12 h; F was never locked and G has no row.
  ASSERT_EQ(card.overall.theft_to_lock_hours.size(), 2u);
  EXPECT_DOUBLE_EQ(*card.overall.TheftToLockMedianHours(), 42.0);
  EXPECT_DOUBLE_EQ(*card.overall.TheftToLockP90Hours(), 72.0);
  EXPECT_FALSE(ScenarioNamed(card, "theft_vehicle").TheftToLockMedianHours().has_value());
}

TEST(ScoreTest, P90UsesNearestRank) {
  ScenarioScore score;
  for (int hours = 1; hours <= 20; ++hours) score.theft_to_lock_hours.push_back(hours);
  EXPECT_DOUBLE_EQ(*score.TheftToLockP90Hours(), 18.0);
  EXPECT_DOUBLE_EQ(*score.TheftToLockMedianHours(), 10.5);
}

TEST(ScoreTest, LockBeforeTheftCountsAsZeroHours) {
  auto labels = ParseLabelsCsv(
      std::string(kLabelsHeader) + "A,,P1,t,home,theft_emptied,1,2026-03-03T10:00:00Z,,,stolen,1\n",
      "labels.csv");
  auto report = ParseReportCsv(
      std::string(kReportHeader) + "A,P1,in_flow,locked,2026-03-03T08:00:00Z,60,\n", "report.csv");
  ASSERT_TRUE(labels.ok());
  ASSERT_TRUE(report.ok());
  const Scorecard card = Score(*labels, *report, HoldPolicy::kTransitHold);
  EXPECT_DOUBLE_EQ(*card.overall.TheftToLockMedianHours(), 0.0);
}

TEST(ScoreTest, StolenLockedAtEndCountsBlockingStates) {
  const Scorecard card = ScoreHandMade(HoldPolicy::kOnLoss);
  // D is locked and E lock_pending; F is watched and G has no row.
  EXPECT_EQ(card.overall.stolen_locked_at_end, 2);
}

TEST(ScoreTest, TransitHoldChecksReleaseAtDelivery) {
  const Scorecard card = ScoreHandMade(HoldPolicy::kTransitHold);
  EXPECT_EQ(card.overall.delivered, 3);
  EXPECT_EQ(card.overall.delivered_released, 3);
  // A was never locked and C was released at its delivery; H's locked time runs 12 h past it.
  EXPECT_EQ(card.overall.delivered_released_at_delivery, 2);
}

TEST(ScoreTest, BenignScenariosComeBeforeThefts) {
  const Scorecard card = ScoreHandMade(HoldPolicy::kOnLoss);
  ASSERT_EQ(card.scenarios.size(), 4u);
  EXPECT_EQ(card.scenarios[0].scenario, "delayed");
  EXPECT_EQ(card.scenarios[1].scenario, "on_time");
  EXPECT_EQ(card.scenarios[2].scenario, "theft_vanished_at_node");
  EXPECT_EQ(card.scenarios[3].scenario, "theft_vehicle");
}

TEST(ScoreOutputTest, CsvOmitsTransitHoldColumnsOnLoss) {
  std::ostringstream out;
  WriteScorecard(ScoreHandMade(HoldPolicy::kOnLoss), ScoreFormat::kCsv, out);
  const std::string text = out.str();
  EXPECT_EQ(text.substr(0, text.find('\n')),
            "scenario,devices,stolen,stolen_locked,recall,stolen_locked_at_end,false_locks,"
            "false_lock_rate,"
            "innocent_locked_at_end,innocent_locked_hours,theft_to_lock_median_h,"
            "theft_to_lock_p90_h,missing_from_report");
  EXPECT_NE(text.find("\nall,8,4,2,0.500000,2,3,0.750000,1,50.167,42.000,72.000,1\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("\ndelayed,1,0,0,,0,1,1.000000,0,24.167,,,0\n"), std::string::npos) << text;
}

TEST(ScoreOutputTest, JsonHasTransitHoldFigures) {
  std::ostringstream out;
  WriteScorecard(ScoreHandMade(HoldPolicy::kTransitHold), ScoreFormat::kJson, out);
  const boost::json::object document = boost::json::parse(out.str()).as_object();
  EXPECT_EQ(document.at("policy").as_string(), "transit-hold");
  const boost::json::array& scenarios = document.at("scenarios").as_array();
  const boost::json::object& all = scenarios.back().as_object();
  EXPECT_EQ(all.at("scenario").as_string(), "all");
  EXPECT_EQ(all.at("released_at_delivery").as_int64(), 2);
  EXPECT_DOUBLE_EQ(all.at("recall").as_double(), 0.5);
  EXPECT_TRUE(scenarios.front().as_object().at("recall").is_null());
}

TEST(ScoreOutputTest, TableShowsPercentagesAndDashes) {
  std::ostringstream out;
  WriteScorecard(ScoreHandMade(HoldPolicy::kOnLoss), ScoreFormat::kTable, out);
  const std::string text = out.str();
  EXPECT_NE(text.find("50.00%"), std::string::npos) << text;
  EXPECT_NE(text.find(" -"), std::string::npos) << text;
  EXPECT_NE(text.find("1 report rows without a label"), std::string::npos) << text;
}

TEST(ScoreInputTest, RejectsStolenThatIsNotABit) {
  auto labels = ParseLabelsCsv(
      std::string(kLabelsHeader) + "A,,P1,t,home,on_time,yes,,,,in_flow,1\n", "labels.csv");
  ASSERT_FALSE(labels.ok());
  EXPECT_EQ(labels.error().kind, ErrorKind::kInvalidInput);
  EXPECT_EQ(labels.error().message, "labels.csv:2: column stolen: must be 0 or 1, not 'yes'");
}

TEST(ScoreInputTest, RejectsMissingColumn) {
  auto labels = ParseLabelsCsv("imei,scenario,stolen\nA,on_time,0\n", "labels.csv");
  ASSERT_FALSE(labels.ok());
  EXPECT_EQ(labels.error().message, "labels.csv:1: column theft_time: has no column 'theft_time'");
}

TEST(ScoreInputTest, RejectsStolenWithoutTheftTime) {
  auto labels = ParseLabelsCsv(
      std::string(kLabelsHeader) + "A,,P1,t,home,theft_emptied,1,,,,stolen,1\n", "labels.csv");
  ASSERT_FALSE(labels.ok());
  EXPECT_EQ(labels.error().message, "labels.csv:2: column theft_time: is empty for a stolen phone");
}

TEST(ScoreInputTest, RejectsBadTime) {
  auto report =
      ParseReportCsv(std::string(kReportHeader) + "A,P1,lost,locked,yesterday,0,\n", "report.csv");
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.error().message,
            "report.csv:2: column first_locked_at: 'yesterday' is not an RFC 3339 time");
}

TEST(ScoreInputTest, RejectsFractionalSeconds) {
  auto report = ParseReportCsv(std::string(kReportHeader) + "A,P1,lost,locked,,1.5,\n", "r.csv");
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.error().message,
            "r.csv:2: column locked_seconds: '1.5' is not a whole number of seconds");
}

TEST(ScoreInputTest, RejectsUnknownLockState) {
  auto report = ParseReportCsv(std::string(kReportHeader) + "A,P1,lost,frozen,,0,\n", "r.csv");
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.error().message, "r.csv:2: column state: 'frozen' is not a lock state");
}

TEST(ScoreInputTest, RejectsRepeatedImei) {
  auto report = ParseReportCsv(
      std::string(kReportHeader) + "A,P1,in_flow,watched,,0,\nA,P1,in_flow,watched,,0,\n", "r.csv");
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.error().message, "r.csv:3: column imei: IMEI A appears twice");
}

TEST(ScoreInputTest, RejectsEmptyFile) {
  auto report = ParseReportCsv("", "r.csv");
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.error().message, "r.csv:1: is empty; expected a header row");
}

TEST(ScoreInputTest, AcceptsCrlfAndExtraColumns) {
  auto report = ParseReportCsv(
      "extra,imei,verdict,state,first_locked_at,locked_seconds\r\nx,A,lost,locked,,5\r\n", "r.csv");
  ASSERT_TRUE(report.ok()) << report.error().message;
  ASSERT_EQ(report->size(), 1u);
  EXPECT_EQ((*report)[0].locked_seconds, 5);
}

}  // namespace
}  // namespace imeiguard::scoring
