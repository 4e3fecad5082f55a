// A device's lock state and the orders that move it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/time.h"
#include "identifiers/imei.h"

namespace imeiguard {

// The state a person sees for a device. It follows what platforms have confirmed, never what was
// merely requested.
enum class LockState {
  kWatched,        // In a parcel that is in flow.
  kGreylisted,     // Its parcel is suspect: traced, not locked.
  kLockPending,    // A lock order exists and no platform has confirmed it yet.
  kLocked,         // The platform confirmed the lock.
  kUnlockPending,  // An unlock order exists and is not confirmed yet.
  kReleased,       // No longer watched: delivered, returned or unlocked.
};

// "watched", "greylisted", "lock_pending", "locked", "unlock_pending", "released".
std::string_view LockStateName(LockState state);
std::optional<LockState> ParseLockState(std::string_view text);

enum class LockAction { kLock, kUnlock };
std::string_view LockActionName(LockAction action);  // "lock", "unlock"

// Where an order is on its way to the platform.
enum class OrderStatus {
  kPending,       // Waiting in the outbox to be sent (or re-sent after a failure).
  kSent,          // The platform accepted it and has not confirmed it yet.
  kAcknowledged,  // The platform confirmed it is applied.
  kCancelled,     // Withdrawn before it was sent, because the verdict that caused it was withdrawn.
  kFailed,        // Gave up after the retry budget; an alert says so.
};
std::string_view OrderStatusName(OrderStatus status);
std::optional<OrderStatus> ParseOrderStatus(std::string_view text);

// One lock or unlock for one device through one connector: the unit of the durable outbox.
struct LockOrder {
  std::int64_t order_id = 0;  // Assigned by the store.
  std::int64_t device_id = 0;
  std::string parcel_id;
  std::string shipper_id;
  std::string connector;  // Connector name from the configuration, such as "dm-telco-a".
  LockAction action = LockAction::kLock;
  Imei imei = Imei::FromCoreValue(0);  // First IMEI; a platform locks the device, not each IMEI.
  std::optional<Imei> imei2;
  OrderStatus status = OrderStatus::kPending;
  // Sent with every attempt so that a platform that deduplicates applies the order once.
  std::string idempotency_key;
  std::string platform_order_id;  // The platform's id once it accepted the order.
  std::string reason;             // Why: "lost: silence", "recovered", ...
  int attempts = 0;
  Timestamp created_at;
  Timestamp next_attempt_at;
  std::optional<Timestamp> sent_at;
  std::optional<Timestamp> acknowledged_at;
  std::string last_error;
  // For an unlock that follows a lock the platform may hold: that lock's order_id.
  std::optional<std::int64_t> supersedes_order_id;
  // Never sent after this instant, which the platform also receives as not_after; nullopt: never.
  std::optional<Timestamp> expires_at;
};

// Whether the order is final: the outbox and the platform's reports no longer change it.
inline bool OrderIsFinal(OrderStatus status) {
  return status == OrderStatus::kAcknowledged || status == OrderStatus::kFailed ||
         status == OrderStatus::kCancelled;
}

// Whether a request for the order may have reached the platform without its reply being
// recorded: it was attempted, and no platform order id is known. Such an order is looked up on the
// platform before it is submitted again, so that a platform that does not deduplicate by
// idempotency key never applies it twice.
inline bool OrderInDoubt(const LockOrder& order) {
  return order.attempts > 0 && order.platform_order_id.empty() && !OrderIsFinal(order.status);
}

}  // namespace imeiguard
