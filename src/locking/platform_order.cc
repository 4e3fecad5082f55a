#include "locking/platform_order.h"

#include <boost/json.hpp>

namespace imeiguard {
namespace {

namespace json = boost::json;

Error Invalid(std::string message) {
  return Error::InvalidInput("invalid_platform_order", std::move(message));
}

// The string member `key`, or an error naming it when it is absent, empty or not a string.
Result<std::string> RequiredString(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  if (value == nullptr || !value->is_string() || value->get_string().empty()) {
    return Invalid("the platform's order has no string \"" + std::string(key) + "\"");
  }
  return std::string(value->get_string());
}

}  // namespace

std::string_view PlatformOrderStatusName(PlatformOrderStatus status) {
  switch (status) {
    case PlatformOrderStatus::kPending:
      return "pending";
    case PlatformOrderStatus::kApplied:
      return "applied";
    case PlatformOrderStatus::kRejected:
      return "rejected";
  }
  return "pending";
}

Result<PlatformOrder> ParsePlatformOrder(std::string_view json_text) {
  json::error_code ec;
  json::value parsed = json::parse(json_text, ec);
  if (ec || !parsed.is_object()) {
    return Invalid("the platform's order is not a JSON object" +
                   (ec ? ": " + ec.message() : std::string()));
  }
  return ParsePlatformOrder(parsed.get_object());
}

Result<PlatformOrder> ParsePlatformOrder(const json::object& object) {
  PlatformOrder order;
  Result<std::string> order_id = RequiredString(object, "order_id");
  if (!order_id.ok()) return order_id.error();
  order.order_id = std::move(*order_id);

  Result<std::string> key = RequiredString(object, "idempotency_key");
  if (!key.ok()) return key.error();
  order.idempotency_key = std::move(*key);

  Result<std::string> action = RequiredString(object, "action");
  if (!action.ok()) return action.error();
  if (*action == "lock") {
    order.action = LockAction::kLock;
  } else if (*action == "unlock") {
    order.action = LockAction::kUnlock;
  } else {
    return Invalid("invalid action \"" + action->substr(0, 32) + "\": expected lock or unlock");
  }

  Result<std::string> status = RequiredString(object, "status");
  if (!status.ok()) return status.error();
  if (*status == "pending") {
    order.status = PlatformOrderStatus::kPending;
  } else if (*status == "applied") {
    order.status = PlatformOrderStatus::kApplied;
  } else if (*status == "rejected") {
    order.status = PlatformOrderStatus::kRejected;
  } else {
    return Invalid("invalid status \"" + status->substr(0, 32) +
                   "\": expected pending, applied or rejected");
  }

  if (const json::value* reason = object.if_contains("reason"); reason && reason->is_string()) {
    order.reason = std::string(reason->get_string());
  }
  if (const json::value* finished = object.if_contains("finished_at")) {
    Result<Timestamp> at = finished->is_string()
                               ? ParseRfc3339(std::string_view(finished->get_string()))
                               : Result<Timestamp>(Invalid("finished_at is not a string"));
    if (!at.ok()) {
      return Invalid("invalid finished_at: expected an RFC 3339 time such as 2026-03-02T05:14:09Z");
    }
    order.finished_at = *at;
  }
  return order;
}

}  // namespace imeiguard
