// Loss detection: turns a parcel's scan history into a verdict with its evidence.
//
// The assessment is a pure function of the manifest record, the history sorted by event time, the
// clock time and the policy. Events that arrive late, out of order or twice therefore give the same
// verdict as the same events in order, and a replay gives the same verdicts on every machine.
#pragma once

#include <span>

#include "core/time.h"
#include "detection/verdict.h"
#include "events/scan_event.h"
#include "registry/manifest.h"

namespace imeiguard {

// What a rule concludes when it fires.
enum class RuleOutcome { kIgnore, kSuspect, kLost };

// Rule settings of one shipper. Defaults are the product's starting point; configuration overrides.
struct DetectionPolicy {
  // Overdue: no delivery by promised_by plus this grace.
  Duration overdue_grace = std::chrono::hours(24);
  RuleOutcome overdue = RuleOutcome::kLost;
  // Silence: no scan for this long after the last one.
  Duration silence_limit = std::chrono::hours(72);
  RuleOutcome silence = RuleOutcome::kLost;
  // Exception scans. Damage is common in transit and rarely theft, so it only raises suspicion.
  RuleOutcome exception_missing = RuleOutcome::kLost;
  RuleOutcome exception_opened = RuleOutcome::kLost;
  RuleOutcome exception_damaged = RuleOutcome::kSuspect;
};

// Rule names as they appear in evidence and reports.
inline constexpr std::string_view kRuleExceptionScan = "exception_scan";
inline constexpr std::string_view kRuleOverdue = "overdue";
inline constexpr std::string_view kRuleSilence = "silence";
inline constexpr std::string_view kRuleSeenAgain = "seen_again";
inline constexpr std::string_view kRuleDelivered = "delivered";
inline constexpr std::string_view kRuleReturned = "returned";
inline constexpr std::string_view kRuleManual = "manual";

// Every rule name the engine may write into evidence. Configuration that names rules (such as a
// shipper's auto_lock_rules) is checked against this list, so a rule added above belongs here too.
inline constexpr std::string_view kRuleNames[] = {kRuleExceptionScan, kRuleOverdue,   kRuleSilence,
                                                  kRuleSeenAgain,     kRuleDelivered, kRuleReturned,
                                                  kRuleManual};

// Assesses a parcel as of clock time `now`. `history` must be sorted by EventTimeOrder; events
// after `now` are considered too, since a scanner's clock may run ahead. Rules:
// - A delivery scan (delivered, picked_up) closes the parcel as delivered at its event time,
// whatever
//   came before or after it; a returned scan closes it as returned.
// - An exception scan fires its rule at its event time.
// - Silence fires at last scan + silence_limit, overdue at promised_by + grace (once), when nothing
//   closed the parcel before. Both wait for the carrier's first scan.
// - A security officer's declaration (declared_lost) makes the parcel lost at its time; it is not a
//   scan, so it neither restarts the silence timer nor reopens a parcel.
// - Any scan after a suspect or lost verdict reopens the parcel as recovered.
Assessment Assess(const ParcelRecord& parcel, std::span<const ScanEvent> history, Timestamp now,
                  const DetectionPolicy& policy);

}  // namespace imeiguard
