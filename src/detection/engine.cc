#include "detection/engine.h"

#include <algorithm>
#include <string>
#include <vector>

#include "detection/proof_of_delivery.h"

namespace imeiguard {
namespace {

// Node types the carrier runs itself, where a parcel moves on within a learnable time. Pickup
// places and addresses hold parcels for their recipients.
bool HasDwellLimit(NodeType type) {
  return type == NodeType::kTerminal || type == NodeType::kHub || type == NodeType::kVehicle;
}

std::string_view OutcomeName(RuleOutcome outcome) {
  return outcome == RuleOutcome::kLost ? kOutcomeLost : kOutcomeSuspect;
}

// Ends the detail of a claim's evidence after a weak proof of delivery.
constexpr std::string_view kWeakProofNote = " (weak proof of delivery)";

std::string NodeOrUnknown(const ScanEvent& event) {
  return event.node.empty() ? std::string("an unnamed node") : event.node;
}

std::string Hours(Duration duration) {
  return std::to_string(std::chrono::duration_cast<std::chrono::minutes>(duration).count() / 60) +
         " h";
}

// While a leg's destination has scanned nothing past the time the leg would count in full, its
// feed may only be behind: the leg is looked at again this much later.
constexpr Duration kFeedRecheck = std::chrono::hours(1);

// A quiet parcel's handler is looked at again when another parcel of the handler has been quiet
// as long, and at least this often, as other handlers' quiet parcels turn up and raise the share.
constexpr Duration kHandlerRecheck = std::chrono::hours(12);

// One link of the scan chain that must end within a limit: a leg towards a node, a stay at one, or
// the wait there since the parcel's last scan.
struct ChainLink {
  enum class Kind { kLeg, kStay, kQuiet };
  Kind kind = Kind::kStay;
  std::string node;  // The node the parcel is at or headed to.
  std::string from;  // For a leg: the node it departed.
  NodeType type = NodeType::kUnknown;
  ScanType scan = ScanType::kArrived;  // For a wait: the scan it waits after.
  Timestamp since;
  // A leg's or stay's limit is learned only once the walk passes since + its floor, because most
  // parcels move on sooner. Until then `limit` is the floor, and no deadline can come before it.
  Duration limit{0};
  bool limit_learned = true;
  int stage = 0;              // 0: nothing fired, 1: suspect fired, 2: done.
  Duration confirm_after{0};  // From the limit to the full outcome, set when stage 1 fires.
  Timestamp due;              // When the full outcome first fell due.
};

// The walk along one parcel's timeline: events in event-time order, with the time-based deadlines
// fired in between as the watermark passes them.
class Timeline {
 public:
  Timeline(const ParcelRecord& parcel, const DetectionPolicy& policy, const FlowStatistics& flow)
      : parcel_(parcel),
        policy_(policy),
        flow_(flow),
        overdue_at_(parcel.promised_by + policy.overdue_grace) {}

  // Fires every deadline that falls before `t`.
  void PassTimeUntil(Timestamp t) {
    LearnLimits(t);
    while (!closed_) {
      std::optional<Deadline> next = NextDeadline();
      if (!next || next->at >= t) return;
      FireDeadline(*next);
    }
  }

  // `next_scan` is the event time of the next event that may move the parcel on, if any.
  void Apply(const ScanEvent& event, std::optional<Timestamp> next_scan) {
    next_scan_ = next_scan;
    if (closed_) {
      if (event.type == ScanType::kClaimNotReceived) ReopenByClaim(event);
      return;
    }
    if (!seen_any_) {
      seen_any_ = true;
      assessment_.since = event.time;
    }
    // A claim before any delivery scan is the recipient's word, not a scan of the parcel: it
    // neither shows the parcel is still moving nor restarts the silence timer.
    if (event.type == ScanType::kClaimNotReceived) return;
    if (event.type == ScanType::kDeclaredLost) {
      Fire(RuleOutcome::kLost, kRuleManual, event.time, event.event_id,
           "declared lost by " +
               (event.handler.empty() ? std::string("an officer") : event.handler) +
               (event.detail.empty() ? std::string() : ": " + event.detail));
      return;
    }
    if (IsDeliveryScan(event.type)) {
      delivery_ = &event;
      Close(Verdict::kDelivered, kRuleDelivered, event);
      return;
    }
    if (event.type == ScanType::kReturned) {
      Close(Verdict::kReturned, kRuleReturned, event);
      return;
    }

    CheckWeight(event);
    RuleOutcome exception = ExceptionOutcome(event.type);
    if (event.type == ScanType::kExceptionOpened) phone_removed_ = true;
    if (exception != RuleOutcome::kIgnore) {
      Fire(exception, kRuleExceptionScan, event.time, event.event_id,
           std::string(ScanTypeName(event.type)) + " scan at " + NodeOrUnknown(event));
    } else if ((assessment_.verdict == Verdict::kLost ||
                assessment_.verdict == Verdict::kSuspect) &&
               !phone_removed_) {
      // A parcel seen again is not lost, at least not yet: a customer may be holding the phone.
      // Evidence that the phone left the parcel still counts, though, however far the box travels.
      Transition(Verdict::kRecovered, event.time);
      assessment_.evidence.push_back(
          {std::string(kRuleSeenAgain), event.time, event.event_id,
           std::string(ScanTypeName(event.type)) + " scan at " + NodeOrUnknown(event), ""});
    }
    claim_deadline_.reset();
    last_scan_ = event.time;
    last_node_ = event.node;
    last_type_ = event.type;
    last_handler_ = event.handler;
    awaiting_pickup_ = event.type == ScanType::kAvailableForPickup;
    FollowChain(event);
  }

  Assessment Finish(Timestamp as_of) {
    PassTimeUntil(as_of + Duration(1));
    if (!closed_) {
      LearnLimits(Timestamp::max());
      std::optional<Deadline> next = NextDeadline();
      if (next) assessment_.next_deadline = next->at;
    }
    return std::move(assessment_);
  }

 private:
  enum class DeadlineKind { kSilence, kOverdue, kLeg, kStay, kQuiet, kHandler, kClaim };
  struct Deadline {
    Timestamp at;
    DeadlineKind kind;
  };

  RuleOutcome ExceptionOutcome(ScanType type) const {
    switch (type) {
      case ScanType::kExceptionMissing:
        return policy_.exception_missing;
      case ScanType::kExceptionOpened:
        return policy_.exception_opened;
      case ScanType::kExceptionDamaged:
        return policy_.exception_damaged;
      default:
        return RuleOutcome::kIgnore;
    }
  }

  // A weighing short of the declared weight by a phone's mass, less the scale's tolerance. It
  // fires once: later weighings of the same light parcel add nothing.
  void CheckWeight(const ScanEvent& event) {
    if (!event.weight_g || !parcel_.declared_weight_g || phone_removed_) return;
    if (policy_.light_reweigh == RuleOutcome::kIgnore) return;
    std::int32_t shortfall = *parcel_.declared_weight_g - *event.weight_g;
    if (shortfall < policy_.phone_mass_g - policy_.scale_tolerance_g) return;
    phone_removed_ = true;
    Fire(policy_.light_reweigh, kRuleLightReweigh, event.time, event.event_id,
         "weighed " + std::to_string(*event.weight_g) + " g at " + NodeOrUnknown(event) + ", " +
             std::to_string(shortfall) + " g less than the declared " +
             std::to_string(*parcel_.declared_weight_g) + " g");
  }

  // Follows the parcel from node to node: a departure opens a leg towards its next node, a scan
  // at a node opens or continues a stay there.
  void FollowChain(const ScanEvent& event) {
    if (event.node.empty()) return;
    // A scan after a chain rule fired shows where the parcel is, so that link starts over.
    if (leg_ && (event.node != leg_->from || leg_->stage > 0)) leg_.reset();
    if (stay_ && (stay_->node != event.node || stay_->stage > 0)) stay_.reset();
    // Every scan starts the wait for the next one afresh.
    quiet_.reset();
    handler_check_.reset();
    bool departs = event.type == ScanType::kDeparted || event.type == ScanType::kLoaded;
    if (departs) {
      stay_.reset();
      if (!event.next_node.empty()) {
        leg_ = ChainLink{};
        leg_->kind = ChainLink::Kind::kLeg;
        leg_->node = event.next_node;
        leg_->from = event.node;
        leg_->since = event.time;
        leg_->limit = policy_.chain.transit_floor;
        leg_->limit_learned = false;
      }
      return;
    }
    if (!HasDwellLimit(event.node_type) || awaiting_pickup_) return;
    if (!stay_) {
      stay_ = ChainLink{};
      stay_->node = event.node;
      stay_->type = event.node_type;
      stay_->since = event.time;
      stay_->limit = policy_.chain.dwell_floor;
      stay_->limit_learned = false;
    }
    const ChainLimits& chain = policy_.chain;
    // A wait that ends sooner than any limit can cannot fire: skip learning its limit.
    Duration shortest = chain.dwell_floor;
    if (policy_.same_handler != RuleOutcome::kIgnore) {
      shortest = std::min(shortest, chain.handler_wait_floor);
    }
    if (next_scan_ && *next_scan_ - event.time < shortest) return;
    // A wait learned from the node's own parcels is more precise than the stay's limit.
    std::optional<Duration> learned = flow_.LearnedWait(event.node, event.type, event.time, chain);
    if (!learned || *learned >= chain.dwell_ceiling) return;
    quiet_ = ChainLink{};
    quiet_->kind = ChainLink::Kind::kQuiet;
    quiet_->node = event.node;
    quiet_->type = event.node_type;
    quiet_->scan = event.type;
    quiet_->since = event.time;
    quiet_->limit = std::max(*learned, chain.dwell_floor);
    StartHandlerCheck(std::max(*learned, chain.handler_wait_floor));
  }

  void ReopenByClaim(const ScanEvent& claim) {
    if (delivery_ == nullptr || assessment_.verdict != Verdict::kDelivered) return;
    Proof proof = ProofOf(*delivery_, parcel_);
    RuleOutcome outcome =
        proof == Proof::kStrong ? policy_.claim_after_strong_proof : policy_.claim_after_weak_proof;
    if (phone_removed_) outcome = RuleOutcome::kLost;
    if (outcome == RuleOutcome::kIgnore) return;
    closed_ = false;
    handed_over_ = true;
    std::string detail = "the recipient reports the parcel not received after " +
                         std::string(ScanTypeName(delivery_->type)) + " at " +
                         NodeOrUnknown(*delivery_);
    if (phone_removed_) {
      detail += ", and the evidence shows the phone was taken";
    } else if (proof == Proof::kStrong) {
      detail += " (strong proof of delivery)";
    } else {
      detail += kWeakProofNote;
      if (outcome == RuleOutcome::kLost && policy_.claim_confirm_after > Duration(0)) {
        claim_deadline_ = claim.time + policy_.claim_confirm_after;
        outcome = RuleOutcome::kSuspect;
      }
    }
    Fire(outcome, kRuleClaimNotReceived, claim.time, claim.event_id, std::move(detail));
  }

  std::optional<Deadline> NextDeadline() const {
    std::optional<Deadline> next;
    auto consider = [&](std::optional<Timestamp> at, DeadlineKind kind) {
      if (at && (!next || *at < next->at)) next = Deadline{*at, kind};
    };
    // Once handed over, the parcel is no longer in the carrier's flow: only a claim speaks.
    if (handed_over_) {
      consider(claim_deadline_, DeadlineKind::kClaim);
      return next;
    }
    consider(SilenceDeadline(), DeadlineKind::kSilence);
    consider(OverdueDeadline(), DeadlineKind::kOverdue);
    consider(ChainDeadline(leg_, policy_.missed_arrival), DeadlineKind::kLeg);
    consider(ChainDeadline(stay_, policy_.dwell), DeadlineKind::kStay);
    consider(ChainDeadline(quiet_, policy_.quiet_wait), DeadlineKind::kQuiet);
    consider(handler_check_, DeadlineKind::kHandler);
    return next;
  }

  // Silence runs from the last scan, once per scan: a parcel already declared silent stays so until
  // it is scanned again. A parcel waiting for pickup is quiet by design.
  std::optional<Timestamp> SilenceDeadline() const {
    if (!last_scan_ || policy_.silence == RuleOutcome::kIgnore) return std::nullopt;
    if (silence_fired_for_ == last_scan_) return std::nullopt;
    return *last_scan_ + (awaiting_pickup_ ? policy_.pickup_wait : policy_.silence_limit);
  }

  // Overdue runs only once the carrier has scanned the parcel: a parcel it never took in may still
  // be in the shipper's warehouse, and its phones with the shipper. A parcel waiting for pickup is
  // where its recipient can get it, however late.
  std::optional<Timestamp> OverdueDeadline() const {
    if (overdue_fired_ || policy_.overdue == RuleOutcome::kIgnore) return std::nullopt;
    if (!last_scan_ || awaiting_pickup_) return std::nullopt;
    return overdue_at_;
  }

  // Learns the limits of the open leg and stay whose floor has passed by `t`. Each limit comes from
  // the flow before the link's start, so the time it is learned does not change it.
  void LearnLimits(Timestamp t) {
    const ChainLimits& chain = policy_.chain;
    if (leg_ && !leg_->limit_learned && t > leg_->since + chain.transit_floor) {
      leg_->limit = flow_.TransitLimit(leg_->from, leg_->node, leg_->since, chain);
      leg_->limit_learned = true;
    }
    if (stay_ && !stay_->limit_learned && t > stay_->since + chain.dwell_floor) {
      stay_->limit = flow_.DwellLimit(stay_->type, stay_->since, chain);
      stay_->limit_learned = true;
    }
  }

  std::optional<Timestamp> ChainDeadline(const std::optional<ChainLink>& link,
                                         RuleOutcome outcome) const {
    if (!link || outcome == RuleOutcome::kIgnore || link->stage >= 2) return std::nullopt;
    Timestamp at = link->since + link->limit;
    if (link->stage == 1) at += link->confirm_after;
    return at;
  }

  void FireDeadline(const Deadline& deadline) {
    switch (deadline.kind) {
      case DeadlineKind::kSilence:
        silence_fired_for_ = last_scan_;
        FireUnlessOutage(policy_.silence, kRuleSilence, deadline.at,
                         OverdueContext(last_node_, deadline.at),
                         "no scan since " + FormatRfc3339(*last_scan_));
        return;
      case DeadlineKind::kOverdue:
        overdue_fired_ = true;
        Fire(policy_.overdue, kRuleOverdue, deadline.at, "",
             "not delivered by the promised time plus grace");
        return;
      case DeadlineKind::kLeg:
        FireChain(*leg_, policy_.missed_arrival, kRuleMissedArrival, deadline.at,
                  "departed " + leg_->from + " towards " + leg_->node + " at " +
                      FormatRfc3339(leg_->since) + " and not scanned since; the leg's limit is " +
                      Hours(leg_->limit));
        return;
      case DeadlineKind::kClaim:
        claim_deadline_.reset();
        Fire(policy_.claim_after_weak_proof, kRuleClaimNotReceived, deadline.at, "",
             "the parcel has not turned up " + Hours(policy_.claim_confirm_after) +
                 " after the recipient's claim");
        return;
      case DeadlineKind::kStay:
        FireChain(*stay_, policy_.dwell, kRuleDwell, deadline.at,
                  "at " + stay_->node + " since " + FormatRfc3339(stay_->since) + ", past the " +
                      Hours(stay_->limit) + " limit of a " +
                      std::string(NodeTypeName(stay_->type)));
        return;
      case DeadlineKind::kQuiet:
        FireChain(*quiet_, policy_.quiet_wait, kRuleDwell, deadline.at,
                  "not scanned since its " + std::string(ScanTypeName(quiet_->scan)) + " scan at " +
                      quiet_->node + " at " + FormatRfc3339(quiet_->since) +
                      "; parcels there are scanned again within " + Hours(quiet_->limit) +
                      " after one");
        return;
      case DeadlineKind::kHandler:
        CheckHandler(deadline.at);
        return;
    }
  }

  // Schedules the check of the last scan's handler for when the parcel has been quiet for `wait`,
  // a wait learned at the node after that kind of scan. A stay's limit is learned per node type,
  // so at a terminal it would count every parcel that missed the morning's vans.
  void StartHandlerCheck(Duration wait) {
    if (policy_.same_handler == RuleOutcome::kIgnore || last_handler_.empty()) return;
    handler_wait_ = wait;
    handler_check_ = *last_scan_ + wait;
  }

  // Fires same_handler when most parcels quiet at the node since the last scan's kind of scan were
  // scanned by its handler. Otherwise it looks again later, until the wait leaves the horizon that
  // the count covers.
  void CheckHandler(Timestamp at) {
    const ChainLimits& chain = policy_.chain;
    // A node that scanned nothing in the last hour may only be late uploading: its parcels look
    // quiet together, and those one handler unloaded or sorted last may be most of them.
    std::optional<Timestamp> latest = flow_.LatestScanAt(last_node_);
    if (!latest || *latest < at - kFeedRecheck) {
      ScheduleHandlerCheck(at + kFeedRecheck);
      return;
    }
    // Scans at the node since this parcel's came in a late upload: while it is ingested, parcels
    // whose later scans are still on their way look quiet together in the same way.
    if (flow_.LateRecordsAt(last_node_, *last_scan_, at) > 0) {
      handler_check_.reset();
      return;
    }
    FlowStatistics::HandlerShare share =
        flow_.QuietSince(last_node_, last_type_, last_handler_, at, handler_wait_, chain);
    if (share.by_handler >= chain.handler_min_parcels &&
        share.by_handler >= chain.handler_min_share * share.all &&
        share.spread >= chain.handler_min_spread) {
      handler_check_.reset();
      Fire(policy_.same_handler, kRuleSameHandler, at, "",
           std::to_string(share.by_handler) + " of the " + std::to_string(share.all) +
               " parcels quiet at " + last_node_ + " for " + Hours(handler_wait_) +
               " or more since a " + std::string(ScanTypeName(last_type_)) + " scan within " +
               Hours(chain.outage_horizon) + " were scanned by " + last_handler_ + " over " +
               Hours(share.spread));
      return;
    }
    ScheduleHandlerCheck(
        std::min(at + kHandlerRecheck, share.next_by_handler.value_or(Timestamp::max())));
  }

  // Looks at the handler again at `next`, unless the parcel's last scan is then older than the
  // horizon that the count covers.
  void ScheduleHandlerCheck(Timestamp next) {
    if (next - *last_scan_ > policy_.chain.outage_horizon) {
      handler_check_.reset();
    } else {
      handler_check_ = next;
    }
  }

  // A broken chain first makes the parcel suspect, then, some time later, fires its outcome.
  void FireChain(ChainLink& link, RuleOutcome outcome, std::string_view rule, Timestamp at,
                 std::string detail) {
    const ChainLimits& chain = policy_.chain;
    bool is_leg = link.kind == ChainLink::Kind::kLeg;
    if (link.stage == 0) {
      link.confirm_after = link.kind == ChainLink::Kind::kQuiet ? chain.quiet_confirm_after
                                                                : chain.dwell_confirm_after;
      if (is_leg) {
        FlowStatistics::Load load = flow_.LoadOf(link.from, link.node, link.since, at, link.limit);
        bool with_load = load.vanished >= chain.load_min_parcels &&
                         load.vanished >= chain.load_min_share * load.departed;
        link.confirm_after = with_load ? chain.load_confirm_after : chain.transit_confirm_after;
        if (with_load) {
          detail += "; " + std::to_string(load.vanished) + " of the " +
                    std::to_string(load.departed) + " parcels of its load vanished with it";
        }
      }
      link.due = at + link.confirm_after;
    } else if (is_leg && DestinationBehind(link, at)) {
      link.confirm_after += kFeedRecheck;
      return;
    }
    // A wait that only makes the parcel suspect has nothing to confirm.
    bool confirm = link.stage == 1 || link.confirm_after <= Duration(0) ||
                   (link.kind == ChainLink::Kind::kQuiet && outcome != RuleOutcome::kLost);
    link.stage = confirm ? 2 : 1;
    if (!confirm) {
      Fire(RuleOutcome::kSuspect, rule, at, "", std::move(detail));
      return;
    }
    std::optional<std::string> outage;
    if (is_leg) {
      outage = DestinationFeedContext(link, at);
    } else {
      // A parcel caught in an outage when its stay or wait first passed the limit may stay behind
      // the backlog for a day or two, longer than the link waits to count in full.
      outage = OverdueContext(link.node, at);
      if (!outage) outage = OverdueContext(link.node, link.since + link.limit);
    }
    FireUnlessOutage(outcome, rule, at, std::move(outage), std::move(detail));
  }

  // Whether the leg's destination has scanned nothing at or after the time the leg fell due, so
  // that its feed may only be behind, and the leg has not waited as long as a lone leg does.
  bool DestinationBehind(const ChainLink& leg, Timestamp at) const {
    if (at >= leg.due + policy_.chain.transit_confirm_after) return false;
    std::optional<Timestamp> latest = flow_.LatestScanAt(leg.node);
    return !latest || *latest < leg.due;
  }

  // Describes why the destination's feed does not show where the parcel is: scans there came in
  // a late upload since the parcel departed, the destination scanned nothing past the due time,
  // or it scanned no arrival lately.
  std::optional<std::string> DestinationFeedContext(const ChainLink& leg, Timestamp at) const {
    if (int late = flow_.LateRecordsAt(leg.node, leg.since, at); late > 0) {
      return std::to_string(late) + " scans at " + leg.node + " since " + FormatRfc3339(leg.since) +
             " were recorded an hour or more late";
    }
    std::optional<Timestamp> latest = flow_.LatestScanAt(leg.node);
    if (!latest || *latest < leg.due) {
      return "nothing scanned at " + leg.node + " since " +
             (latest ? FormatRfc3339(*latest) : std::string("ever"));
    }
    return ArrivalsStoppedContext(leg.node, at);
  }

  // Describes an outage at `node` when many parcels there are overdue at once.
  std::optional<std::string> OverdueContext(const std::string& node, Timestamp at) const {
    if (node.empty()) return std::nullopt;
    int overdue = flow_.OverdueAt(node, at, policy_.chain);
    if (overdue < policy_.chain.outage_min_parcels) return std::nullopt;
    return std::to_string(overdue) + " parcels overdue at " + node + " at " + FormatRfc3339(at);
  }

  // Describes an outage of `node`'s scanners, or of their uploads, when no parcel at all was
  // scanned arriving there in the two hours before `at`. A stolen load leaves the node scanning
  // others.
  std::optional<std::string> ArrivalsStoppedContext(const std::string& node, Timestamp at) const {
    constexpr Duration kRecent = std::chrono::hours(2);
    if (flow_.ArrivalsAt(node, at - kRecent, at) > 0) return std::nullopt;
    return "no parcel scanned arriving at " + node + " since " + FormatRfc3339(at - kRecent);
  }

  // Fires a rule, but when `outage` describes an outage where the parcel is, a lost outcome only
  // makes the parcel suspect: an outage holds up many parcels and is not their theft.
  void FireUnlessOutage(RuleOutcome outcome, std::string_view rule, Timestamp at,
                        std::optional<std::string> outage, std::string detail) {
    if (outcome == RuleOutcome::kLost && outage) {
      assessment_.evidence.push_back(
          {std::string(kRuleNodeOutage), at, "", std::move(*outage), std::string(kOutcomeContext)});
      outcome = RuleOutcome::kSuspect;
    }
    Fire(outcome, rule, at, "", std::move(detail));
  }

  void Fire(RuleOutcome outcome, std::string_view rule, Timestamp at, const std::string& event_id,
            std::string detail) {
    if (outcome == RuleOutcome::kIgnore) return;
    assessment_.evidence.push_back(
        {std::string(rule), at, event_id, std::move(detail), std::string(OutcomeName(outcome))});
    Verdict target = outcome == RuleOutcome::kLost ? Verdict::kLost : Verdict::kSuspect;
    // A suspect rule never softens a lost verdict.
    if (assessment_.verdict == Verdict::kLost) return;
    if (assessment_.verdict != target) Transition(target, at);
  }

  void Close(Verdict verdict, std::string_view rule, const ScanEvent& event) {
    Transition(verdict, event.time);
    assessment_.evidence.push_back(
        {std::string(rule), event.time, event.event_id,
         std::string(ScanTypeName(event.type)) + " scan at " + NodeOrUnknown(event), ""});
    closed_ = true;
  }

  void Transition(Verdict verdict, Timestamp at) {
    assessment_.verdict = verdict;
    assessment_.since = at;
  }

  const ParcelRecord& parcel_;
  const DetectionPolicy& policy_;
  const FlowStatistics& flow_;
  Timestamp overdue_at_;
  std::optional<Timestamp> last_scan_;
  std::string last_node_;
  std::optional<Timestamp> silence_fired_for_;
  std::optional<ChainLink> leg_;    // The leg the parcel departed on, until it is scanned again.
  std::optional<ChainLink> stay_;   // Its stay at a terminal, hub or vehicle.
  std::optional<ChainLink> quiet_;  // Its wait there since its last scan, when learned.
  ScanType last_type_ = ScanType::kAccepted;
  std::string last_handler_;
  std::optional<Timestamp> handler_check_;  // When to look at the last scan's handler next.
  Duration handler_wait_{0};  // How long the parcels counted have been quiet, at least.
  std::optional<Timestamp> next_scan_;
  const ScanEvent* delivery_ = nullptr;
  std::optional<Timestamp> claim_deadline_;  // When an unanswered claim after weak proof counts.
  bool overdue_fired_ = false;
  bool seen_any_ = false;
  bool closed_ = false;
  bool handed_over_ = false;      // Delivered, then claimed not received.
  bool awaiting_pickup_ = false;  // The last scan made it available for pickup.
  bool phone_removed_ = false;    // A light weighing fired, or the box was found opened.
  Assessment assessment_;
};

}  // namespace

Assessment Assess(const ParcelRecord& parcel, std::span<const ScanEvent> history, Timestamp as_of,
                  const DetectionPolicy& policy, const FlowStatistics& flow) {
  Timeline timeline(parcel, policy, flow);
  // Walks backwards first to find, for each event, the next one that may move the parcel on.
  std::vector<std::optional<Timestamp>> next_scan(history.size());
  std::optional<Timestamp> later;
  for (std::size_t i = history.size(); i-- > 0;) {
    next_scan[i] = later;
    ScanType type = history[i].type;
    if (type != ScanType::kClaimNotReceived && type != ScanType::kDeclaredLost) {
      later = history[i].time;
    }
  }
  for (std::size_t i = 0; i < history.size(); ++i) {
    timeline.PassTimeUntil(history[i].time);
    timeline.Apply(history[i], next_scan[i]);
  }
  return timeline.Finish(as_of);
}

Assessment Assess(const ParcelRecord& parcel, std::span<const ScanEvent> history, Timestamp as_of,
                  const DetectionPolicy& policy) {
  static const FlowStatistics kNothingLearned;
  return Assess(parcel, history, as_of, policy, kNothingLearned);
}

bool EvidenceShowsPhoneRemoved(const Assessment& assessment) {
  return std::any_of(
      assessment.evidence.begin(), assessment.evidence.end(), [](const Evidence& evidence) {
        return evidence.rule == kRuleLightReweigh ||
               (evidence.rule == kRuleExceptionScan &&
                evidence.detail.starts_with(ScanTypeName(ScanType::kExceptionOpened)));
      });
}

bool ClaimAfterWeakProofOpen(const Assessment& assessment) {
  if (assessment.verdict != Verdict::kSuspect || assessment.evidence.empty()) return false;
  const Evidence& last = assessment.evidence.back();
  return last.rule == kRuleClaimNotReceived && last.detail.ends_with(kWeakProofNote);
}

}  // namespace imeiguard
