#include "service/blast_radius_guard.h"

#include <algorithm>

namespace imeiguard {

std::optional<GuardTrip> BlastRadiusGuard::CheckWindow(Window& window, const AutoLockLimit& limit,
                                                       const std::string& scope, Timestamp now) {
  while (!window.locks.empty() && window.locks.front() <= now - limit.window) {
    window.locks.pop_front();
  }
  if (limit.max_auto_locks <= 0 || static_cast<int>(window.locks.size()) < limit.max_auto_locks) {
    window.open_trip.reset();
    return std::nullopt;
  }
  if (window.open_trip) {
    GuardTrip joined = *window.open_trip;
    joined.opened = false;
    return joined;
  }
  // Trip ids follow the clock, so they stay unique across restarts without being stored as long
  // as the clock does not go back.
  GuardTrip trip;
  trip.trip_id = std::max(ToMillis(now), last_trip_id_ + 1);
  last_trip_id_ = trip.trip_id;
  trip.scope = scope;
  trip.count = static_cast<int>(window.locks.size());
  trip.limit = limit.max_auto_locks;
  trip.window = limit.window;
  trip.opened = true;
  window.open_trip = trip;
  return trip;
}

std::optional<GuardTrip> BlastRadiusGuard::Check(const std::string& shipper_id, Timestamp now) {
  if (auto trip = CheckWindow(global_, config_.auto_lock_limit, "global", now)) return trip;
  const AutoLockLimit& limit = config_.PolicyFor(shipper_id).auto_lock_limit;
  return CheckWindow(shippers_[shipper_id], limit, "shipper:" + shipper_id, now);
}

void BlastRadiusGuard::RecordLock(const std::string& shipper_id, Timestamp at) {
  global_.locks.push_back(at);
  shippers_[shipper_id].locks.push_back(at);
}

}  // namespace imeiguard
