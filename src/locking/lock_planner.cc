#include "locking/lock_planner.h"

#include <string_view>

namespace imeiguard {

const LockOrder* LatestLiveOrder(std::span<const LockOrder> orders, std::int64_t device_id,
                                 const std::string& connector) {
  const LockOrder* latest = nullptr;
  for (const LockOrder& order : orders) {
    if (order.device_id != device_id || order.connector != connector) continue;
    // A failed order stays live: the platform may have applied it before the failure, so a failed
    // lock is followed by an unlock when the verdict is withdrawn, and is not re-sent while lost.
    if (order.status == OrderStatus::kCancelled) continue;
    if (latest == nullptr || order.created_at > latest->created_at ||
        (order.created_at == latest->created_at && order.order_id > latest->order_id)) {
      latest = &order;
    }
  }
  return latest;
}

namespace {

int CountOrders(std::span<const LockOrder> orders, std::int64_t device_id,
                const std::string& connector, LockAction action) {
  int count = 0;
  for (const LockOrder& order : orders) {
    if (order.device_id == device_id && order.connector == connector && order.action == action) {
      ++count;
    }
  }
  return count;
}

LockOrder NewOrder(const PlannedDevice& device, const std::string& connector, LockAction action,
                   int generation, Timestamp now, const std::string& reason,
                   std::optional<Duration> order_expiry) {
  LockOrder order;
  order.device_id = device.device_id;
  order.parcel_id = device.parcel_id;
  order.shipper_id = device.shipper_id;
  order.connector = connector;
  order.action = action;
  order.imei = device.imei;
  order.imei2 = device.imei2;
  order.status = OrderStatus::kPending;
  // Stable across crashes and re-planning: the same decision always yields the same key, so a
  // platform that deduplicates applies it once.
  order.idempotency_key = device.parcel_id + ":" + std::to_string(device.device_id) + ":" +
                          connector + ":" + std::string(LockActionName(action)) + ":" +
                          std::to_string(generation);
  order.reason = reason;
  order.created_at = now;
  order.next_attempt_at = now;
  // Only a lock goes stale: applied late, it would lock a phone that may have reached its owner.
  // An unlock applied late does no harm, and one that expired would leave a phone locked.
  if (order_expiry && action == LockAction::kLock) order.expires_at = now + *order_expiry;
  return order;
}

}  // namespace

DevicePlan PlanDevice(Verdict verdict, const PlannedDevice& device,
                      std::span<const LockOrder> orders, std::span<const std::string> connectors,
                      Timestamp now, const std::string& reason,
                      std::optional<Duration> order_expiry) {
  DevicePlan plan;
  bool want_lock = VerdictLocks(verdict);
  for (const std::string& connector : connectors) {
    const LockOrder* live = LatestLiveOrder(orders, device.device_id, connector);
    bool lock_in_force = live != nullptr && live->action == LockAction::kLock;
    if (want_lock == lock_in_force) continue;

    bool waiting = live != nullptr && live->status == OrderStatus::kPending;
    if (waiting) plan.cancelled_orders.push_back(live->order_id);
    if (waiting && live->attempts == 0) {
      // Cancelling a pending unlock leaves the earlier acknowledged lock in force; cancelling a
      // pending lock leaves the device as it was before it.
      continue;
    }
    if (!want_lock && live == nullptr) continue;

    LockAction action = want_lock ? LockAction::kLock : LockAction::kUnlock;
    int generation = CountOrders(orders, device.device_id, connector, action) + 1;
    LockOrder order = NewOrder(device, connector, action, generation, now, reason, order_expiry);
    // The platform may hold `live` (it was attempted), so the new order names what it undoes.
    if (live != nullptr) order.supersedes_order_id = live->order_id;
    plan.new_orders.push_back(std::move(order));
  }
  return plan;
}

bool AnyLockLive(std::span<const LockOrder> orders) {
  for (const LockOrder& order : orders) {
    if (order.action != LockAction::kLock || order.status == OrderStatus::kCancelled) continue;
    if (LatestLiveOrder(orders, order.device_id, order.connector) == &order) return true;
  }
  return false;
}

LockState DeriveLockState(Verdict verdict, std::span<const LockOrder> device_orders) {
  bool any_lock = false;
  bool all_locks_acknowledged = true;
  bool any_unlock_pending = false;
  // The newest live order per connector decides; connectors are told apart by name.
  for (const LockOrder& order : device_orders) {
    if (order.status == OrderStatus::kCancelled) continue;
    const LockOrder* latest = LatestLiveOrder(device_orders, order.device_id, order.connector);
    if (latest != &order) continue;
    if (order.action == LockAction::kLock) {
      any_lock = true;
      if (order.status != OrderStatus::kAcknowledged) all_locks_acknowledged = false;
    } else if (order.status != OrderStatus::kAcknowledged) {
      any_unlock_pending = true;
    }
  }

  if (any_lock) return all_locks_acknowledged ? LockState::kLocked : LockState::kLockPending;
  if (any_unlock_pending) return LockState::kUnlockPending;
  switch (verdict) {
    case Verdict::kLost:
      return LockState::kLockPending;  // No connector serves the shipper: wanted, not in force.
    case Verdict::kSuspect:
      return LockState::kGreylisted;
    case Verdict::kDelivered:
    case Verdict::kReturned:
      return LockState::kReleased;
    case Verdict::kInFlow:
    case Verdict::kRecovered:
      return LockState::kWatched;
  }
  return LockState::kWatched;
}

}  // namespace imeiguard
