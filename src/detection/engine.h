// Loss detection: turns a parcel's scan history into a verdict with its evidence.
//
// The assessment is a pure function of the manifest record, the history sorted by event time, the
// clock time and the policy. Events that arrive late, out of order or twice therefore give the same
// verdict as the same events in order, and a replay gives the same verdicts on every machine.
#pragma once

#include <span>

#include "core/time.h"
#include "detection/flow_statistics.h"
#include "detection/verdict.h"
#include "events/scan_event.h"
#include "registry/manifest.h"

namespace imeiguard {

// What a rule concludes when it fires.
enum class RuleOutcome { kIgnore, kSuspect, kLost };

// Rule settings of one shipper. Defaults are the product's starting point; configuration overrides.
struct DetectionPolicy {
  // Overdue: no delivery by promised_by plus this grace. About 2 % of parcels are late and 0.1 %
  // stolen, so lateness alone only raises suspicion.
  Duration overdue_grace = std::chrono::hours(24);
  RuleOutcome overdue = RuleOutcome::kSuspect;
  // Silence: no scan for this long after the last one.
  Duration silence_limit = std::chrono::hours(72);
  RuleOutcome silence = RuleOutcome::kLost;
  // Exception scans. Damage is common in transit and rarely theft, so it only raises suspicion.
  RuleOutcome exception_missing = RuleOutcome::kLost;
  RuleOutcome exception_opened = RuleOutcome::kLost;
  RuleOutcome exception_damaged = RuleOutcome::kSuspect;
  // A weighing lighter than the declared weight by at least a phone's mass, less the scale's
  // tolerance. A smaller shortfall is scale noise or packaging.
  RuleOutcome light_reweigh = RuleOutcome::kLost;
  std::int32_t phone_mass_g = 140;  // The lightest phone that ships.
  std::int32_t scale_tolerance_g = 20;
  // A broken scan chain: departed towards a node and not scanned there within the leg's transit
  // limit, or stayed at a terminal, hub or vehicle past its node type's dwell limit. Each makes the
  // parcel suspect at its limit and fires this outcome later, as ChainLimits sets.
  RuleOutcome missed_arrival = RuleOutcome::kLost;
  RuleOutcome dwell = RuleOutcome::kLost;
  // A parcel at a terminal or hub not scanned again within the time the node's parcels take after
  // the same kind of scan (ChainLimits::quiet_*), evidence named dwell. Only suspect by default:
  // on simulated weeks, locking on it soon after the limit locked about one innocent phone in two
  // hundred, mostly parcels held at a node longer than any in the last two days.
  RuleOutcome quiet_wait = RuleOutcome::kSuspect;
  // A parcel quiet past its wait, with enough others at the node that went quiet after the same
  // kind of scan by the same handler (ChainLimits::handler_*). Checked once the quiet wait passes
  // its limit, and again while the parcel stays
  // quiet, for at most the outage horizon: whenever another parcel of the handler has been quiet as
  // long, and every 12 h.
  RuleOutcome same_handler = RuleOutcome::kLost;
  ChainLimits chain;
  // After available_for_pickup the parcel waits for its recipient: silence waits this long.
  Duration pickup_wait = std::chrono::hours(24 * 16);
  // The recipient's claim of non-receipt after a delivery scan. Weak proof is a delivery to a
  // mailbox or an address; strong proof a locker or service-point pickup. Recipients who claim
  // wrongly usually find the parcel within two days, so a claim after weak proof makes the parcel
  // suspect and fires its outcome claim_confirm_after later unless the parcel turns up. A claim
  // after evidence that the phone was taken (a light weighing or an opened box) makes it lost.
  RuleOutcome claim_after_weak_proof = RuleOutcome::kLost;
  RuleOutcome claim_after_strong_proof = RuleOutcome::kSuspect;
  Duration claim_confirm_after = std::chrono::hours(48);
};

// Rule names as they appear in evidence and reports.
inline constexpr std::string_view kRuleExceptionScan = "exception_scan";
inline constexpr std::string_view kRuleOverdue = "overdue";
inline constexpr std::string_view kRuleSilence = "silence";
inline constexpr std::string_view kRuleSeenAgain = "seen_again";
inline constexpr std::string_view kRuleDelivered = "delivered";
inline constexpr std::string_view kRuleReturned = "returned";
inline constexpr std::string_view kRuleManual = "manual";
inline constexpr std::string_view kRuleLightReweigh = "light_reweigh";
inline constexpr std::string_view kRuleMissedArrival = "missed_arrival";
inline constexpr std::string_view kRuleDwell = "dwell";
inline constexpr std::string_view kRuleClaimNotReceived = "claim_not_received";
inline constexpr std::string_view kRuleSameHandler = "same_handler";
// Context, not a rule that fires: the parcel is one of many stuck at a node at once.
inline constexpr std::string_view kRuleNodeOutage = "node_outage";

// Every rule name the engine may write into evidence. Configuration that names rules (such as a
// shipper's auto_lock_rules) is checked against this list, so a rule added above belongs here too.
inline constexpr std::string_view kRuleNames[] = {
    kRuleExceptionScan,    kRuleOverdue,     kRuleSilence,      kRuleSeenAgain,     kRuleDelivered,
    kRuleReturned,         kRuleManual,      kRuleLightReweigh, kRuleMissedArrival, kRuleDwell,
    kRuleClaimNotReceived, kRuleSameHandler, kRuleNodeOutage};

// Outcome names in evidence.
inline constexpr std::string_view kOutcomeLost = "lost";
inline constexpr std::string_view kOutcomeSuspect = "suspect";
inline constexpr std::string_view kOutcomeContext = "context";

// Assesses a parcel as of event time `as_of`, the carrier feed's watermark: time-based rules
// fire only at deadlines before it. `history` must be sorted by EventTimeOrder; events after
// `as_of` are considered too, since a scanner's clock may run ahead. `flow` supplies the learned
// transit and dwell limits and the node-wide context. Rules:
// - A delivery scan (delivered, picked_up) closes the parcel as delivered at its event time,
//   whatever came before or after it; a returned scan closes it as returned.
// - A claim of non-receipt after a delivery reopens the parcel with the outcome for that proof.
// - An exception scan or a light weighing fires its rule at its event time.
// - Silence fires at last scan + silence_limit, overdue at promised_by + grace (once), a missed
//   arrival or a dwell at its learned limit, when nothing closed the parcel before. All wait for
//   the carrier's first scan. A silence or dwell only makes the parcel suspect, with node_outage
//   evidence, when many parcels are overdue at the node then or when the dwell first fired. So
//   does a missed arrival at a node that scanned no arrival in the last two hours.
// - A quiet wait fires same_handler when the parcels quiet at the node since the same kind of scan
//   are mostly those of the handler who scanned this one.
// - A security officer's declaration (declared_lost) makes the parcel lost at its time; it is not a
//   scan, so it neither restarts the silence timer nor reopens a parcel.
// - Any scan after a suspect or lost verdict reopens the parcel as recovered.
Assessment Assess(const ParcelRecord& parcel, std::span<const ScanEvent> history, Timestamp as_of,
                  const DetectionPolicy& policy, const FlowStatistics& flow);

// Assesses with no learned statistics: every transit and dwell limit is its ceiling.
Assessment Assess(const ParcelRecord& parcel, std::span<const ScanEvent> history, Timestamp as_of,
                  const DetectionPolicy& policy);

// Whether the evidence shows the phone is no longer in the parcel: a light weighing, or an
// exception scan of an opened box.
bool EvidenceShowsPhoneRemoved(const Assessment& assessment);

// Whether the parcel is suspect because its recipient claimed it was not received after a weak
// proof of delivery, and it has not turned up since.
bool ClaimAfterWeakProofOpen(const Assessment& assessment);

}  // namespace imeiguard
