// GuardService: cases, the officers' approval of locks (four eyes where a person starts the lock or
// the unlock of a confirmed theft), and the blast-radius guard on automatic locks.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json.hpp>

#include "locking/lock_planner.h"
#include "service/guard_service.h"

namespace imeiguard {
namespace {

constexpr std::size_t kMaxStepReasonLength = 500;
constexpr std::size_t kMaxPoliceReportLength = 64;
constexpr int kMaxCaseSteps = 1000;

Status CheckReason(std::string_view reason, std::string_view step) {
  if (reason.empty() || reason.size() > kMaxStepReasonLength) {
    return Error::InvalidInput("invalid_reason", std::string(step) + " needs a reason of 1 to " +
                                                     std::to_string(kMaxStepReasonLength) +
                                                     " bytes");
  }
  return Status::Ok();
}

AuditEntry Step(Timestamp at, std::string_view actor, std::string_view action,
                boost::json::object detail) {
  AuditEntry entry;
  entry.at = at;
  entry.actor = std::string(actor);
  entry.action = std::string(action);
  entry.detail = boost::json::serialize(detail);
  return entry;
}

std::string CaseName(std::int64_t case_id) { return "case " + std::to_string(case_id); }

Error SecondOfficerRequired(const CaseRecord& record, std::string_view what) {
  return Error::Conflict("second_officer_required",
                         "key " + record.requested_by + " " + std::string(what) + " in " +
                             CaseName(record.case_id) +
                             "; a second, different security officer must approve it");
}

// The officer's key behind a declaration of loss: the handler of its event.
std::string DeclaringOfficer(const TrackedParcel& parcel, const std::string& event_id) {
  for (const ScanEvent& event : parcel.events) {
    if (event.event_id == event_id) return event.handler;
  }
  return {};
}

std::int64_t DevicesValue(const TrackedParcel& parcel) {
  std::int64_t value = 0;
  for (const DeviceRow& device : parcel.devices) value += device.record.value_ore.value_or(0);
  return value;
}

}  // namespace

Status GuardService::LoadCases(const std::vector<ParcelSnapshot>& open) {
  auto cases = store_.LoadActiveCases();
  if (!cases.ok()) return cases.error();
  cases_.clear();
  for (CaseRecord& record : *cases) {
    std::string parcel_id = record.parcel_id;
    cases_[parcel_id] = std::move(record);
  }
  // The guard's windows live in memory, so a restart refills them from the first lock of each
  // open parcel that no officer approved.
  // NOTE: locks of parcels closed before the restart are not counted again, so after a restart
  // the guard may admit more automatic locks within the window than max_auto_locks.
  std::vector<std::pair<Timestamp, std::string>> locks;
  for (const ParcelSnapshot& snapshot : open) {
    auto it = cases_.find(snapshot.parcel.record.parcel_id);
    if (it != cases_.end() && it->second.lock != CaseLock::kAutomatic) continue;
    std::optional<Timestamp> first;
    for (const LockOrder& order : snapshot.orders) {
      if (order.action != LockAction::kLock) continue;
      if (!first || order.created_at < *first) first = order.created_at;
    }
    if (first) locks.emplace_back(*first, snapshot.parcel.record.shipper_id);
  }
  std::sort(locks.begin(), locks.end());
  for (const auto& [at, shipper_id] : locks) blast_guard_.RecordLock(shipper_id, at);
  return Status::Ok();
}

GuardService::LockDecision GuardService::FreshDecision(const TrackedParcel& parcel,
                                                       const Assessment& assessment, Timestamp now,
                                                       bool consult_guard) {
  const ShipperPolicy& policy = config_.PolicyFor(parcel.parcel.record.shipper_id);
  LockDecision decision;
  std::string first_rule;
  std::string auto_rule;
  // The facts since the verdict became lost, each of which keeps it lost.
  for (const Evidence& evidence : assessment.evidence) {
    if (evidence.at < assessment.since) continue;
    if (evidence.rule == kRuleManual) {
      if (decision.requested_by.empty()) {
        decision.requested_by = DeclaringOfficer(parcel, evidence.event_id);
      }
      continue;
    }
    if (first_rule.empty()) first_rule = evidence.rule;
    if (auto_rule.empty() && policy.LocksOnItsOwn(evidence.rule)) auto_rule = evidence.rule;
  }
  if (!auto_rule.empty() && consult_guard) {
    decision.rule = auto_rule;
    decision.trip = blast_guard_.Check(parcel.parcel.record.shipper_id, now);
    if (decision.trip) {
      decision.hold = true;
      decision.hold_reason = std::string(kHoldBlastRadiusGuard);
    } else {
      decision.automatic = true;
    }
    return decision;
  }
  decision.hold = true;
  if (first_rule.empty()) {
    decision.rule = std::string(kRuleManual);
    decision.hold_reason = std::string(kHoldSecondOfficer);
  } else {
    decision.rule = first_rule;
    decision.hold_reason = std::string(kHoldRuleNeedsApproval);
  }
  return decision;
}

Verdict GuardService::DecideLock(const TrackedParcel& parcel, const Assessment& assessment,
                                 Timestamp now) {
  auto it = cases_.find(parcel.parcel.record.parcel_id);
  const CaseRecord* record = it == cases_.end() ? nullptr : &it->second;
  if (record != nullptr && record->lock_since == assessment.since) {
    switch (record->lock) {
      case CaseLock::kApproved:
      case CaseLock::kUnlockAwaitingApproval:
        return Verdict::kLost;
      case CaseLock::kUnlocked:
        return Verdict::kRecovered;
      case CaseLock::kRejected:
        // NOTE: a declaration of loss made after the rejection, while the verdict stays lost,
        // does not reopen the decision; the officer's declaration response shows "rejected".
        return Verdict::kSuspect;
      case CaseLock::kAwaitingApproval:
        if (record->hold_reason == kHoldBlastRadiusGuard) {
          // The trip's batch decides, so a new fact does not take the lock out of it. A
          // declaration still names its officer, who may then not approve the lock.
          LockDecision kept = FreshDecision(parcel, assessment, now, false);
          kept.hold = true;
          kept.hold_reason = record->hold_reason;
          kept.rule = record->hold_rule;
          lock_decision_ = std::move(kept);
          return Verdict::kSuspect;
        }
        break;
      case CaseLock::kAutomatic:
        break;
    }
  }
  // A lock already live serves any later trigger, a declaration included: it attaches.
  if (AnyLockLive(parcel.orders)) return Verdict::kLost;
  lock_decision_ = FreshDecision(parcel, assessment, now, true);
  return lock_decision_->hold ? Verdict::kSuspect : Verdict::kLost;
}

std::optional<CaseRecord> GuardService::CaseAfter(const TrackedParcel& parcel, Timestamp now,
                                                  std::vector<AuditEntry>& guard_audit) {
  const std::string& parcel_id = parcel.parcel.record.parcel_id;
  const Assessment& assessment = parcel.parcel.assessment;
  bool dirty = case_dirty_;
  case_dirty_ = false;
  CaseRecord record;
  if (auto it = cases_.find(parcel_id); it != cases_.end()) {
    record = it->second;
  } else {
    if (assessment.verdict != Verdict::kSuspect && assessment.verdict != Verdict::kLost) {
      return std::nullopt;
    }
    boost::json::array rules;
    for (const Evidence& evidence : assessment.evidence) rules.push_back(evidence.rule.c_str());
    // A parcel has one case for life, so a closed case (delivered, then a claim of non-receipt)
    // is reopened with its history.
    auto stored = store_.LoadParcelCase(parcel_id);
    if (stored.ok() && stored->has_value()) {
      record = **stored;
      case_steps_.push_back(
          Step(now, "engine", "case_reopened",
               {{"verdict", VerdictName(assessment.verdict)}, {"rules", std::move(rules)}}));
    } else {
      if (!stored.ok()) {
        spdlog::error("reading the case of parcel {} failed: {}", parcel_id,
                      stored.error().message);
      }
      record.parcel_id = parcel_id;
      record.shipper_id = parcel.parcel.record.shipper_id;
      record.opened_at = now;
      record.value_ore = DevicesValue(parcel);
      case_steps_.push_back(Step(now, "engine", "case_opened",
                                 {{"parcel_id", parcel_id},
                                  {"verdict", VerdictName(assessment.verdict)},
                                  {"rules", std::move(rules)}}));
    }
    dirty = true;
  }

  if (lock_decision_ && lock_decision_->hold) {
    const LockDecision& decision = *lock_decision_;
    bool new_hold =
        record.lock != CaseLock::kAwaitingApproval || record.lock_since != assessment.since;
    if (new_hold || record.hold_reason != decision.hold_reason ||
        record.requested_by != decision.requested_by || record.hold_rule != decision.rule) {
      record.lock = CaseLock::kAwaitingApproval;
      record.lock_since = assessment.since;
      record.hold_reason = decision.hold_reason;
      record.hold_rule = decision.rule;
      record.requested_by = decision.requested_by;
      if (decision.trip) record.guard_trip = decision.trip->trip_id;
      case_steps_.push_back(Step(now, "engine", "lock_held",
                                 {{"reason", record.hold_reason},
                                  {"rule", record.hold_rule},
                                  {"requested_by", record.requested_by},
                                  {"guard_trip", record.guard_trip}}));
      if (new_hold) ++locks_held_;
      dirty = true;
    }
    if (decision.trip && decision.trip->opened) {
      const GuardTrip& trip = *decision.trip;
      ++guard_trips_;
      AuditEntry entry =
          Step(now, "engine", "blast_radius_guard",
               {{"rule", decision.rule},
                {"count", trip.count},
                {"limit", trip.limit},
                {"window_seconds",
                 std::chrono::duration_cast<std::chrono::seconds>(trip.window).count()},
                {"scope", trip.scope},
                {"first_parcel_id", parcel_id}});
      entry.entity = "guard_trip:" + std::to_string(trip.trip_id);
      guard_audit.push_back(std::move(entry));
      spdlog::error(
          "ALERT blast-radius guard tripped ({}): {} automatic locks within {} s reached the "
          "limit of {}; locks by rule {} now wait for a security officer (guard trip {})",
          trip.scope, trip.count,
          std::chrono::duration_cast<std::chrono::seconds>(trip.window).count(), trip.limit,
          decision.rule, trip.trip_id);
    }
  } else if (record.lock == CaseLock::kAwaitingApproval &&
             (assessment.verdict != Verdict::kLost || AnyLockLive(parcel.orders))) {
    // The parcel was seen again or delivered, or a rule locked it on its own: nothing waits.
    case_steps_.push_back(
        Step(now, "engine", "lock_withdrawn",
             {{"verdict", VerdictName(assessment.verdict)}, {"reason", record.hold_reason}}));
    record.lock = CaseLock::kAutomatic;
    record.hold_reason.clear();
    record.hold_rule.clear();
    record.requested_by.clear();
    record.guard_trip = 0;
    dirty = true;
  }
  if (!dirty) return std::nullopt;
  record.updated_at = now;
  return record;
}

Status GuardService::PersistWithCase(const std::string& parcel_id, Timestamp now,
                                     std::optional<AssessmentChange> change) {
  const TrackedParcel* parcel = tracker_.Find(parcel_id);
  std::vector<AuditEntry> guard_audit;
  std::optional<CaseRecord> record =
      parcel == nullptr ? std::nullopt : CaseAfter(*parcel, now, guard_audit);
  std::vector<AuditEntry> steps = std::move(case_steps_);
  case_steps_.clear();
  bool automatic = lock_decision_ && lock_decision_->automatic;
  lock_decision_.reset();

  if (change) {
    for (AuditEntry& entry : guard_audit) change->audit.push_back(std::move(entry));
    guard_audit.clear();
    if (record) {
      change->case_record = *record;
      change->case_audit = steps;
    }
    if (Status s = Persist(*change); !s.ok()) return s;
    if (automatic) {
      bool locked = std::any_of(change->new_orders.begin(), change->new_orders.end(),
                                [](const LockOrder& o) { return o.action == LockAction::kLock; });
      if (locked) blast_guard_.RecordLock(parcel->parcel.record.shipper_id, now);
    }
  } else if (record) {
    auto saved = store_.SaveCase(*record, steps);
    if (!saved.ok()) {
      ++store_failures_;
      spdlog::error("saving the case of parcel {} failed: {}", parcel_id, saved.error().message);
      return saved.error();
    }
    record->case_id = *saved;
  }
  for (const AuditEntry& entry : guard_audit) {
    if (Status s = store_.AppendAudit(entry); !s.ok()) {
      ++store_failures_;
      spdlog::error("recording the blast-radius guard trip failed: {}", s.error().message);
    }
  }
  if (record && record->case_id == 0) {
    auto stored = store_.LoadParcelCase(parcel_id);
    if (!stored.ok()) return stored.error();
    if (stored->has_value()) record->case_id = (*stored)->case_id;
  }
  if (record) cases_[parcel_id] = std::move(*record);
  // A closed parcel's case is read from the store from now on, unless an officer still owes it a
  // decision.
  auto kept = cases_.find(parcel_id);
  if (kept != cases_.end() && parcel != nullptr &&
      VerdictIsClosed(parcel->parcel.assessment.verdict) &&
      kept->second.lock != CaseLock::kAwaitingApproval &&
      kept->second.lock != CaseLock::kUnlockAwaitingApproval) {
    cases_.erase(kept);
  }
  return Status::Ok();
}

Result<CaseRecord> GuardService::CaseForStep(std::int64_t case_id) {
  for (const auto& [parcel_id, record] : cases_) {
    if (record.case_id == case_id) return record;
  }
  auto stored = store_.LoadCase(case_id);
  if (!stored.ok()) return stored.error();
  if (!stored->has_value()) {
    return Error::NotFound("case_not_found", "no " + CaseName(case_id) + " is stored");
  }
  return **stored;
}

Result<CaseRecord> GuardService::ApplyCaseStep(CaseRecord proposed, AuditEntry step,
                                               Timestamp now) {
  const std::string parcel_id = proposed.parcel_id;
  proposed.updated_at = now;
  if (!tracker_.Tracks(parcel_id)) {
    // A closed parcel's case: nothing to plan, only the case and its step to store.
    auto saved = store_.SaveCase(proposed, std::span(&step, 1));
    if (!saved.ok()) {
      ++store_failures_;
      return saved.error();
    }
    return proposed;
  }
  auto slot = cases_.find(parcel_id);
  std::optional<CaseRecord> before;
  if (slot != cases_.end()) before = slot->second;
  cases_[parcel_id] = proposed;
  case_dirty_ = true;
  case_steps_ = {std::move(step)};
  if (Status s = ReassessLocked(parcel_id, now); !s.ok()) {
    case_dirty_ = false;
    case_steps_.clear();
    if (before) {
      cases_[parcel_id] = *before;
    } else {
      cases_.erase(parcel_id);
    }
    return s.error();
  }
  return cases_[parcel_id];
}

Result<CaseRecord> GuardService::ApproveLock(std::int64_t case_id, std::string_view actor,
                                             std::string_view reason) {
  if (Status s = CheckReason(reason, "approving a lock"); !s.ok()) return s.error();
  std::lock_guard lock(mutex_);
  auto record = CaseForStep(case_id);
  if (!record.ok()) return record.error();
  if (record->lock != CaseLock::kAwaitingApproval) {
    return Error::Conflict("no_lock_awaiting", CaseName(case_id) +
                                                   " has no lock awaiting approval; its lock is " +
                                                   std::string(CaseLockName(record->lock)));
  }
  if (record->requested_by == actor) {
    return SecondOfficerRequired(*record, "declared the parcel lost");
  }
  CaseRecord proposed = *record;
  proposed.lock = CaseLock::kApproved;
  Timestamp now = clock_.Now();
  AuditEntry step = Step(now, actor, "lock_approved",
                         {{"reason", reason},
                          {"hold_reason", record->hold_reason},
                          {"rule", record->hold_rule},
                          {"requested_by", record->requested_by},
                          {"guard_trip", record->guard_trip}});
  proposed.hold_reason.clear();
  proposed.requested_by.clear();
  proposed.guard_trip = 0;
  spdlog::info("{}: lock of parcel {} approved by {}", CaseName(case_id), record->parcel_id, actor);
  return ApplyCaseStep(std::move(proposed), std::move(step), now);
}

Result<CaseRecord> GuardService::RejectLock(std::int64_t case_id, std::string_view actor,
                                            std::string_view reason) {
  if (Status s = CheckReason(reason, "rejecting a lock"); !s.ok()) return s.error();
  std::lock_guard lock(mutex_);
  auto record = CaseForStep(case_id);
  if (!record.ok()) return record.error();
  if (record->lock != CaseLock::kAwaitingApproval) {
    return Error::Conflict("no_lock_awaiting", CaseName(case_id) +
                                                   " has no lock awaiting approval; its lock is " +
                                                   std::string(CaseLockName(record->lock)));
  }
  CaseRecord proposed = *record;
  proposed.lock = CaseLock::kRejected;
  Timestamp now = clock_.Now();
  AuditEntry step = Step(now, actor, "lock_rejected",
                         {{"reason", reason},
                          {"hold_reason", record->hold_reason},
                          {"rule", record->hold_rule},
                          {"guard_trip", record->guard_trip}});
  proposed.hold_reason.clear();
  proposed.requested_by.clear();
  proposed.guard_trip = 0;
  return ApplyCaseStep(std::move(proposed), std::move(step), now);
}

Result<CaseRecord> GuardService::OrderUnlock(std::int64_t case_id, std::string_view actor,
                                             std::string_view reason) {
  if (Status s = CheckReason(reason, "an unlock"); !s.ok()) return s.error();
  std::lock_guard lock(mutex_);
  auto record = CaseForStep(case_id);
  if (!record.ok()) return record.error();
  const TrackedParcel* parcel = tracker_.Find(record->parcel_id);
  if (parcel == nullptr || parcel->lock_verdict != Verdict::kLost) {
    return Error::Conflict("not_locked", CaseName(case_id) + " has no lock to undo");
  }
  CaseRecord proposed = *record;
  Timestamp now = clock_.Now();
  AuditEntry step;
  if (record->lock == CaseLock::kUnlockAwaitingApproval) {
    if (record->requested_by == actor)
      return SecondOfficerRequired(*record, "requested the unlock");
    proposed.lock = CaseLock::kUnlocked;
    step = Step(now, actor, "unlock_approved",
                {{"reason", reason},
                 {"requested_by", record->requested_by},
                 {"request_reason", record->request_reason}});
    proposed.requested_by.clear();
    proposed.request_reason.clear();
  } else if (record->theft_confirmed) {
    proposed.lock = CaseLock::kUnlockAwaitingApproval;
    proposed.lock_since = parcel->parcel.assessment.since;
    proposed.requested_by = std::string(actor);
    proposed.request_reason = std::string(reason);
    step = Step(now, actor, "unlock_requested",
                {{"reason", reason}, {"police_report", record->police_report}});
  } else {
    proposed.lock = CaseLock::kUnlocked;
    proposed.lock_since = parcel->parcel.assessment.since;
    step = Step(now, actor, "unlock_ordered", {{"reason", reason}});
  }
  spdlog::info("{}: {} of parcel {} by {}", CaseName(case_id), step.action, record->parcel_id,
               actor);
  return ApplyCaseStep(std::move(proposed), std::move(step), now);
}

Result<CaseRecord> GuardService::RecordPoliceReport(std::int64_t case_id, std::string_view actor,
                                                    std::string_view report_number) {
  bool printable = std::all_of(report_number.begin(), report_number.end(),
                               [](unsigned char c) { return c >= 0x20 && c != 0x7f; });
  if (report_number.empty() || report_number.size() > kMaxPoliceReportLength || !printable) {
    return Error::InvalidInput("invalid_report_number", "a police report number has 1 to " +
                                                            std::to_string(kMaxPoliceReportLength) +
                                                            " printable characters");
  }
  std::lock_guard lock(mutex_);
  auto record = CaseForStep(case_id);
  if (!record.ok()) return record.error();
  CaseRecord proposed = *record;
  proposed.police_report = std::string(report_number);
  proposed.theft_confirmed = true;
  Timestamp now = clock_.Now();
  AuditEntry step = Step(now, actor, "police_report_recorded",
                         {{"report_number", report_number}, {"previous", record->police_report}});
  return ApplyCaseStep(std::move(proposed), std::move(step), now);
}

Result<CaseRecord> GuardService::ConfirmTheft(std::int64_t case_id, std::string_view actor,
                                              std::string_view reason) {
  if (Status s = CheckReason(reason, "confirming a theft"); !s.ok()) return s.error();
  std::lock_guard lock(mutex_);
  auto record = CaseForStep(case_id);
  if (!record.ok()) return record.error();
  CaseRecord proposed = *record;
  proposed.theft_confirmed = true;
  Timestamp now = clock_.Now();
  AuditEntry step = Step(now, actor, "theft_confirmed", {{"reason", reason}});
  return ApplyCaseStep(std::move(proposed), std::move(step), now);
}

Result<GuardTripDecision> GuardService::DecideGuardTrip(std::int64_t trip_id, bool approve,
                                                        std::string_view actor,
                                                        std::string_view reason) {
  if (Status s = CheckReason(reason, approve ? "approving a guard trip" : "rejecting a guard trip");
      !s.ok()) {
    return s.error();
  }
  std::lock_guard lock(mutex_);
  std::vector<CaseRecord> held;
  for (const auto& [parcel_id, record] : cases_) {
    if (record.lock == CaseLock::kAwaitingApproval && record.guard_trip == trip_id &&
        record.hold_reason == kHoldBlastRadiusGuard) {
      held.push_back(record);
    }
  }
  if (held.empty()) {
    return Error::NotFound(
        "guard_trip_not_found",
        "blast-radius guard trip " + std::to_string(trip_id) + " holds no lock awaiting approval");
  }
  std::sort(held.begin(), held.end(),
            [](const CaseRecord& a, const CaseRecord& b) { return a.case_id < b.case_id; });
  GuardTripDecision decision;
  decision.trip_id = trip_id;
  decision.approved = approve;
  int skipped = 0;
  Timestamp now = clock_.Now();
  for (const CaseRecord& record : held) {
    // An officer's own declaration stays for a second officer, batch or not.
    if (approve && record.requested_by == actor) {
      ++skipped;
      continue;
    }
    CaseRecord proposed = record;
    proposed.lock = approve ? CaseLock::kApproved : CaseLock::kRejected;
    proposed.hold_reason.clear();
    proposed.requested_by.clear();
    proposed.guard_trip = 0;
    AuditEntry step = Step(now, actor, approve ? "lock_approved" : "lock_rejected",
                           {{"reason", reason},
                            {"hold_reason", record.hold_reason},
                            {"rule", record.hold_rule},
                            {"guard_trip", trip_id}});
    auto applied = ApplyCaseStep(std::move(proposed), std::move(step), now);
    if (!applied.ok()) return applied.error();
    decision.cases.push_back(std::move(applied).value());
  }
  AuditEntry summary = Step(now, actor, approve ? "guard_trip_approved" : "guard_trip_rejected",
                            {{"reason", reason},
                             {"cases", static_cast<std::int64_t>(decision.cases.size())},
                             {"left_for_another_officer", skipped}});
  summary.entity = "guard_trip:" + std::to_string(trip_id);
  if (Status s = store_.AppendAudit(summary); !s.ok()) {
    ++store_failures_;
    spdlog::error("recording the decision on guard trip {} failed: {}", trip_id, s.error().message);
  }
  spdlog::info("blast-radius guard trip {} {} by {}: {} cases", trip_id,
               approve ? "approved" : "rejected", actor, decision.cases.size());
  return decision;
}

Result<std::vector<CaseSummary>> GuardService::ListCases(std::int64_t after_case_id, int limit) {
  auto cases = store_.ListCases(after_case_id, limit);
  if (!cases.ok()) return cases.error();
  std::vector<CaseSummary> summaries;
  summaries.reserve(cases->size());
  for (CaseRecord& record : *cases) {
    CaseSummary summary;
    std::optional<Verdict> verdict;
    {
      std::lock_guard lock(mutex_);
      if (const TrackedParcel* parcel = tracker_.Find(record.parcel_id)) {
        verdict = parcel->parcel.assessment.verdict;
      }
    }
    if (!verdict) {
      auto parcel = store_.LoadParcel(record.parcel_id);
      if (!parcel.ok()) return parcel.error();
      if (parcel->has_value()) verdict = (*parcel)->parcel.assessment.verdict;
    }
    summary.verdict = verdict.value_or(Verdict::kInFlow);
    summary.record = std::move(record);
    summaries.push_back(std::move(summary));
  }
  return summaries;
}

Result<std::optional<CaseDetail>> GuardService::GetCase(std::int64_t case_id) {
  auto record = store_.LoadCase(case_id);
  if (!record.ok()) return record.error();
  if (!record->has_value()) return std::optional<CaseDetail>();
  auto parcel = store_.LoadParcel((*record)->parcel_id);
  if (!parcel.ok()) return parcel.error();
  if (!parcel->has_value()) {
    return Error::Internal(
        "case_without_parcel",
        CaseName(case_id) + " names parcel " + (*record)->parcel_id + ", which is not stored");
  }
  auto steps = store_.LoadAudit("case:" + std::to_string(case_id), kMaxCaseSteps);
  if (!steps.ok()) return steps.error();
  std::reverse(steps->begin(), steps->end());
  CaseDetail detail{std::move(**record), std::move(**parcel), std::move(*steps)};
  return std::optional<CaseDetail>(std::move(detail));
}

}  // namespace imeiguard
