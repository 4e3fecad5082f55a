// Scores a replay report against the simulator's labels: how many stolen phones were locked and
// how fast, and how many innocent phones were locked, for how long, and whether they were released.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scoring/score_input.h"

namespace imeiguard::scoring {

// The locking policy the engine ran with, which decides what a good result is.
enum class HoldPolicy {
  kOnLoss,       // Lock a phone once its parcel is judged lost.
  kTransitHold,  // Hold every phone locked while in transit and release it at delivery.
};
std::optional<HoldPolicy> ParseHoldPolicy(std::string_view text);  // "on-loss", "transit-hold"
std::string_view HoldPolicyName(HoldPolicy policy);

// How far the release time implied by locked_seconds may be from the delivery scan's clock time
// and still count as a release at delivery.
inline constexpr std::int64_t kReleaseToleranceSeconds = 60;

// The thefts whose detection had its whole time inside the flow: those stolen at least `window`
// before the flow's end. A theft later than that may still be locked by a rule whose deadline
// falls after the end, so recall over these alone shows how much the end of the flow cuts off.
struct DetectionWindow {
  Timestamp flow_end;
  Duration window{0};
};

// The figures of one scenario, or of all phones.
struct ScenarioScore {
  std::string scenario;  // "all" for every phone.
  std::int64_t devices = 0;
  std::int64_t missing_from_report = 0;  // Labelled phones the report has no row for.
  std::int64_t stolen = 0;
  std::int64_t stolen_locked = 0;         // Stolen phones that had a lock order.
  std::int64_t stolen_locked_at_end = 0;  // Stolen phones locked or lock_pending at the end.
  std::int64_t innocent = 0;
  std::int64_t false_locks = 0;  // Innocent phones that had a lock order.
  std::int64_t innocent_locked_at_end = 0;
  double innocent_locked_hours = 0;
  // Hours from theft to the first lock order of each stolen phone that had one; 0 when the lock
  // came first, as under a transit hold.
  std::vector<double> theft_to_lock_hours;
  // Stolen phones whose detection window closed before the flow's end, and those of them locked;
  // counted only when the scorecard has a DetectionWindow.
  std::int64_t stolen_window_closed = 0;
  std::int64_t stolen_window_closed_locked = 0;
  // Innocent phones whose parcel the log shows delivered, those released at the end, and those
  // released whose locked time ends at the delivery scan's clock time.
  std::int64_t delivered = 0;
  std::int64_t delivered_released = 0;
  std::int64_t delivered_released_at_delivery = 0;

  std::optional<double> Recall() const;  // stolen_locked / stolen
  std::optional<double> RecallWindowClosed() const;
  std::optional<double> FalseLockRate() const;  // false_locks / innocent
  std::optional<double> TheftToLockMedianHours() const;
  std::optional<double> TheftToLockP90Hours() const;  // Nearest-rank 90th percentile.
};

struct Scorecard {
  HoldPolicy policy = HoldPolicy::kOnLoss;
  std::vector<ScenarioScore> scenarios;  // Scenarios without thefts first, then by name.
  ScenarioScore overall;
  std::int64_t unlabelled_report_rows = 0;  // Report rows whose IMEI no label names.
  std::optional<DetectionWindow> window;
};

// Joins labels and report rows by IMEI and adds up every figure. A labelled phone without a report
// row counts as never locked and in `missing_from_report`.
// With `window`, also counts the thefts whose detection window closed before the flow's end.
Scorecard Score(const std::vector<DeviceLabel>& labels, const std::vector<ReportRow>& report,
                HoldPolicy policy, std::optional<DetectionWindow> window = std::nullopt);

}  // namespace imeiguard::scoring
