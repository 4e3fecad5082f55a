#include "scoring/scorecard.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <unordered_map>

#include "core/enum_names.h"

namespace imeiguard::scoring {
namespace {

constexpr EnumNameTable<HoldPolicy, 2> kHoldPolicyNames = {{
    {HoldPolicy::kOnLoss, "on-loss"},
    {HoldPolicy::kTransitHold, "transit-hold"},
}};

bool StateBlocksDevice(std::string_view state) {
  return state == "locked" || state == "lock_pending";
}

double HoursBetween(Timestamp from, Timestamp to) {
  return std::chrono::duration<double, std::ratio<3600>>(to - from).count();
}

// Whether a released phone's locked time is what a lock held until the delivery scan gives.
bool ReleasedAtDelivery(const DeviceLabel& label, const ReportRow& row) {
  std::int64_t expected = 0;
  if (row.first_locked_at && *row.first_locked_at < *label.closed_received) {
    expected = std::chrono::duration_cast<std::chrono::seconds>(*label.closed_received -
                                                                *row.first_locked_at)
                   .count();
  }
  return std::abs(row.locked_seconds - expected) <= kReleaseToleranceSeconds;
}

void AddDevice(ScenarioScore& score, const DeviceLabel& label, const ReportRow* row,
               const std::optional<DetectionWindow>& window) {
  ++score.devices;
  if (!row) ++score.missing_from_report;
  const bool locked = row && row->first_locked_at.has_value();
  const bool blocks_at_end = row && StateBlocksDevice(row->state);

  if (label.stolen) {
    ++score.stolen;
    if (blocks_at_end) ++score.stolen_locked_at_end;
    if (window && *label.theft_time + window->window <= window->flow_end) {
      ++score.stolen_window_closed;
      if (locked) ++score.stolen_window_closed_locked;
    }
    if (locked) {
      ++score.stolen_locked;
      score.theft_to_lock_hours.push_back(
          std::max(0.0, HoursBetween(*label.theft_time, *row->first_locked_at)));
    }
    return;
  }

  ++score.innocent;
  if (locked) ++score.false_locks;
  if (blocks_at_end) ++score.innocent_locked_at_end;
  if (row) score.innocent_locked_hours += static_cast<double>(row->locked_seconds) / 3600.0;
  if (label.outcome == "delivered" && label.closed_received) {
    ++score.delivered;
    if (row && row->state == "released") {
      ++score.delivered_released;
      if (ReleasedAtDelivery(label, *row)) ++score.delivered_released_at_delivery;
    }
  }
}

std::optional<double> Share(std::int64_t part, std::int64_t whole) {
  if (whole == 0) return std::nullopt;
  return static_cast<double>(part) / static_cast<double>(whole);
}

std::vector<double> Sorted(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values;
}

}  // namespace

std::optional<HoldPolicy> ParseHoldPolicy(std::string_view text) {
  return ValueOf(kHoldPolicyNames, text);
}

std::string_view HoldPolicyName(HoldPolicy policy) { return NameOf(kHoldPolicyNames, policy); }

std::optional<double> ScenarioScore::Recall() const { return Share(stolen_locked, stolen); }

std::optional<double> ScenarioScore::RecallWindowClosed() const {
  return Share(stolen_window_closed_locked, stolen_window_closed);
}

std::optional<double> ScenarioScore::FalseLockRate() const { return Share(false_locks, innocent); }

std::optional<double> ScenarioScore::TheftToLockMedianHours() const {
  if (theft_to_lock_hours.empty()) return std::nullopt;
  const std::vector<double> sorted = Sorted(theft_to_lock_hours);
  const std::size_t middle = sorted.size() / 2;
  if (sorted.size() % 2 == 1) return sorted[middle];
  return (sorted[middle - 1] + sorted[middle]) / 2.0;
}

std::optional<double> ScenarioScore::TheftToLockP90Hours() const {
  if (theft_to_lock_hours.empty()) return std::nullopt;
  const std::vector<double> sorted = Sorted(theft_to_lock_hours);
  // Nearest rank: the smallest value with at least 90 % of the values at or below it.
  const std::size_t rank = (sorted.size() * 9 + 9) / 10;
  return sorted[rank - 1];
}

Scorecard Score(const std::vector<DeviceLabel>& labels, const std::vector<ReportRow>& report,
                HoldPolicy policy, std::optional<DetectionWindow> window) {
  std::unordered_map<std::string_view, const ReportRow*> rows;
  rows.reserve(report.size());
  for (const ReportRow& row : report) rows.emplace(row.imei, &row);

  Scorecard card;
  card.policy = policy;
  card.window = window;
  card.overall.scenario = "all";
  std::map<std::string, ScenarioScore> by_scenario;
  std::int64_t matched = 0;
  for (const DeviceLabel& label : labels) {
    auto found = rows.find(label.imei);
    const ReportRow* row = found == rows.end() ? nullptr : found->second;
    if (row) ++matched;
    ScenarioScore& score = by_scenario[label.scenario];
    score.scenario = label.scenario;
    AddDevice(score, label, row, window);
    AddDevice(card.overall, label, row, window);
  }
  card.unlabelled_report_rows = static_cast<std::int64_t>(report.size()) - matched;

  for (auto& [name, score] : by_scenario) card.scenarios.push_back(std::move(score));
  std::stable_sort(card.scenarios.begin(), card.scenarios.end(),
                   [](const ScenarioScore& a, const ScenarioScore& b) {
                     return (a.stolen > 0) < (b.stolen > 0);
                   });
  return card;
}

}  // namespace imeiguard::scoring
