// An order as a device-management platform reports it: in a callback, a poll or an order listing.
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"
#include "core/time.h"
#include "locking/lock_state.h"

namespace imeiguard {

// How far the platform has got with an order. Only moves forward: pending, then applied or
// rejected.
enum class PlatformOrderStatus { kPending, kApplied, kRejected };
std::string_view PlatformOrderStatusName(PlatformOrderStatus status);  // "pending", ...

// The fields of the platform's order JSON that imeiguard acts on (tools/dm_simulator/README.md
// shows the whole order).
struct PlatformOrder {
  std::string order_id;  // The platform's id, such as "ord-000001".
  LockAction action = LockAction::kLock;
  PlatformOrderStatus status = PlatformOrderStatus::kPending;
  std::string reason;           // The platform's reason for a rejection; empty otherwise.
  std::string idempotency_key;  // The key imeiguard sent, which names the imeiguard order.
  std::optional<Timestamp> finished_at;
};

// Reads one order object. Returns kInvalidInput with reason "invalid_platform_order" naming the
// field when order_id, action, status or idempotency_key is missing or invalid, or when
// finished_at is not RFC 3339. Other fields are ignored, so that a platform may send more.
Result<PlatformOrder> ParsePlatformOrder(std::string_view json_text);
Result<PlatformOrder> ParsePlatformOrder(const boost::json::object& object);

}  // namespace imeiguard
