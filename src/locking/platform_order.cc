#include "locking/platform_order.h"

#include <boost/json.hpp>

#include "core/enum_names.h"

namespace imeiguard {
namespace {

namespace json = boost::json;

constexpr EnumNameTable<PlatformOrderStatus, 3> kStatusNames = {{
    {PlatformOrderStatus::kPending, "pending"},
    {PlatformOrderStatus::kApplied, "applied"},
    {PlatformOrderStatus::kRejected, "rejected"},
}};

constexpr EnumNameTable<LockAction, 2> kActionNames = {{
    {LockAction::kLock, "lock"},
    {LockAction::kUnlock, "unlock"},
}};

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
  return NameOf(kStatusNames, status);
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
  std::optional<LockAction> parsed_action = ValueOf(kActionNames, *action);
  if (!parsed_action) {
    return Invalid("invalid action \"" + action->substr(0, 32) + "\": expected lock or unlock");
  }
  order.action = *parsed_action;

  Result<std::string> status = RequiredString(object, "status");
  if (!status.ok()) return status.error();
  std::optional<PlatformOrderStatus> parsed_status = ValueOf(kStatusNames, *status);
  if (!parsed_status) {
    return Invalid("invalid status \"" + status->substr(0, 32) +
                   "\": expected pending, applied or rejected");
  }
  order.status = *parsed_status;

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
