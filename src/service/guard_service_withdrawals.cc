// GuardService: scan events withdrawn by an EPCIS errorDeclaration.
#include <spdlog/spdlog.h>

#include <set>

#include "service/guard_service.h"

namespace imeiguard {

Status GuardService::ApplyWithdrawals(std::span<const EventWithdrawal> withdrawals) {
  if (withdrawals.empty()) return Status::Ok();
  {
    std::lock_guard lock(mutex_);
    Timestamp now = clock_.Now();
    std::set<std::string> parcels;
    for (const EventWithdrawal& withdrawal : withdrawals) {
      if (tracker_.Tracks(withdrawal.parcel_id)) {
        tracker_.RemoveEvent(withdrawal.parcel_id, withdrawal.event_id);
        parcels.insert(withdrawal.parcel_id);
        continue;
      }
      // A closed parcel has left the engine. Without the withdrawn event it may be open again
      // (after a withdrawn delivery), so it is loaded again from the store, which has deleted it.
      auto stored = store_.LoadParcel(withdrawal.parcel_id);
      if (!stored.ok()) return stored.error();
      if (!stored->has_value()) continue;  // An event of a parcel no manifest names yet.
      tracker_.Adopt(std::move(**stored));
      parcels.insert(withdrawal.parcel_id);
    }
    for (const std::string& parcel_id : parcels) {
      if (Status s = ReassessLocked(parcel_id, now); !s.ok()) return s;
      spdlog::info("parcel {}: re-assessed without the events declared in error", parcel_id);
    }
  }
  return store_.MarkWithdrawalsApplied(withdrawals);
}

Status GuardService::ResumeWithdrawals() {
  auto unapplied = store_.LoadUnappliedWithdrawals();
  if (!unapplied.ok()) return unapplied.error();
  if (!unapplied->empty()) {
    spdlog::info("applying {} withdrawals of events declared in error", unapplied->size());
  }
  return ApplyWithdrawals(*unapplied);
}

}  // namespace imeiguard
