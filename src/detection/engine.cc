#include "detection/engine.h"

#include <algorithm>
#include <string>

namespace imeiguard {
namespace {

// The walk along one parcel's timeline: events in event-time order, with the silence and overdue
// deadlines fired in between as time passes.
class Timeline {
 public:
  Timeline(const ParcelRecord& parcel, const DetectionPolicy& policy)
      : policy_(policy), overdue_at_(parcel.promised_by + policy.overdue_grace) {}

  // Fires every deadline that falls before `t`.
  void PassTimeUntil(Timestamp t) {
    // Silence and overdue can both fall before `t`; fire them in time order.
    while (!closed_) {
      std::optional<Timestamp> silence = SilenceDeadline();
      std::optional<Timestamp> overdue = OverdueDeadline();
      bool silence_first = silence && (!overdue || *silence <= *overdue);
      if (silence_first && *silence < t) {
        silence_fired_for_ = last_scan_;
        Fire(policy_.silence, kRuleSilence, *silence, "",
             "no scan since " + FormatRfc3339(*last_scan_));
      } else if (overdue && *overdue < t) {
        overdue_fired_ = true;
        Fire(policy_.overdue, kRuleOverdue, *overdue, "",
             "not delivered by the promised time plus grace");
      } else {
        return;
      }
    }
  }

  void Apply(const ScanEvent& event) {
    if (closed_) return;
    if (!seen_any_) {
      seen_any_ = true;
      assessment_.since = event.time;
    }
    // A claim is the recipient's word, not a scan of the parcel: it neither shows the parcel is
    // still moving nor restarts the silence timer.
    if (event.type == ScanType::kClaimNotReceived) return;
    if (event.type == ScanType::kDeclaredLost) {
      Fire(RuleOutcome::kLost, kRuleManual, event.time, event.event_id,
           "declared lost by " +
               (event.handler.empty() ? std::string("an officer") : event.handler) +
               (event.detail.empty() ? std::string() : ": " + event.detail));
      return;
    }
    if (IsDeliveryScan(event.type)) {
      Close(Verdict::kDelivered, kRuleDelivered, event);
      return;
    }
    if (event.type == ScanType::kReturned) {
      Close(Verdict::kReturned, kRuleReturned, event);
      return;
    }

    RuleOutcome exception = ExceptionOutcome(event.type);
    if (exception != RuleOutcome::kIgnore) {
      last_scan_ = event.time;
      Fire(exception, kRuleExceptionScan, event.time, event.event_id,
           std::string(ScanTypeName(event.type)) + " scan at " + NodeOrUnknown(event));
      return;
    }

    // A parcel seen again is not lost, at least not yet: a customer may be holding the phone.
    if (assessment_.verdict == Verdict::kLost || assessment_.verdict == Verdict::kSuspect) {
      Transition(Verdict::kRecovered, event.time);
      assessment_.evidence.push_back(
          {std::string(kRuleSeenAgain), event.time, event.event_id,
           std::string(ScanTypeName(event.type)) + " scan at " + NodeOrUnknown(event)});
    }
    last_scan_ = event.time;
  }

  Assessment Finish(Timestamp now) {
    PassTimeUntil(now + Duration(1));
    if (!closed_) {
      std::optional<Timestamp> silence = SilenceDeadline();
      std::optional<Timestamp> overdue = OverdueDeadline();
      if (silence && overdue) {
        assessment_.next_deadline = std::min(*silence, *overdue);
      } else if (silence) {
        assessment_.next_deadline = silence;
      } else {
        assessment_.next_deadline = overdue;
      }
    }
    return std::move(assessment_);
  }

 private:
  static std::string NodeOrUnknown(const ScanEvent& event) {
    return event.node.empty() ? std::string("an unnamed node") : event.node;
  }

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

  // Silence runs from the last scan, once per scan: a parcel already declared silent stays so until
  // it is scanned again.
  std::optional<Timestamp> SilenceDeadline() const {
    if (!last_scan_ || policy_.silence == RuleOutcome::kIgnore) return std::nullopt;
    if (silence_fired_for_ == last_scan_) return std::nullopt;
    return *last_scan_ + policy_.silence_limit;
  }

  // Overdue runs only once the carrier has scanned the parcel: a parcel it never took in may still
  // be in the shipper's warehouse, and its phones with the shipper.
  std::optional<Timestamp> OverdueDeadline() const {
    if (overdue_fired_ || policy_.overdue == RuleOutcome::kIgnore) return std::nullopt;
    if (!last_scan_) return std::nullopt;
    return overdue_at_;
  }

  void Fire(RuleOutcome outcome, std::string_view rule, Timestamp at, const std::string& event_id,
            std::string detail) {
    if (outcome == RuleOutcome::kIgnore) return;
    assessment_.evidence.push_back({std::string(rule), at, event_id, std::move(detail)});
    Verdict target = outcome == RuleOutcome::kLost ? Verdict::kLost : Verdict::kSuspect;
    // A suspect rule never softens a lost verdict.
    if (assessment_.verdict == Verdict::kLost) return;
    if (assessment_.verdict != target) Transition(target, at);
  }

  void Close(Verdict verdict, std::string_view rule, const ScanEvent& event) {
    Transition(verdict, event.time);
    assessment_.evidence.push_back(
        {std::string(rule), event.time, event.event_id,
         std::string(ScanTypeName(event.type)) + " scan at " + NodeOrUnknown(event)});
    closed_ = true;
  }

  void Transition(Verdict verdict, Timestamp at) {
    assessment_.verdict = verdict;
    assessment_.since = at;
  }

  const DetectionPolicy& policy_;
  Timestamp overdue_at_;
  std::optional<Timestamp> last_scan_;
  std::optional<Timestamp> silence_fired_for_;
  bool overdue_fired_ = false;
  bool seen_any_ = false;
  bool closed_ = false;
  Assessment assessment_;
};

}  // namespace

Assessment Assess(const ParcelRecord& parcel, std::span<const ScanEvent> history, Timestamp now,
                  const DetectionPolicy& policy) {
  Timeline timeline(parcel, policy);
  for (const ScanEvent& event : history) {
    timeline.PassTimeUntil(event.time);
    timeline.Apply(event);
  }
  return timeline.Finish(now);
}

}  // namespace imeiguard
