#include "records.h"

#include <boost/json.hpp>
#include <cstdio>

namespace imeiguard::dm_simulator {
namespace {

namespace json = boost::json;

void PutIfNotEmpty(json::object& object, std::string_view key, const std::string& value) {
  if (!value.empty()) object[key] = value;
}

std::optional<std::string> GetString(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  if (value == nullptr) return std::string();
  if (!value->is_string()) return std::nullopt;
  return std::string(value->get_string());
}

std::optional<Timestamp> GetTime(const json::object& object, std::string_view key) {
  std::optional<std::string> text = GetString(object, key);
  if (!text || text->empty()) return std::nullopt;
  Result<Timestamp> time = ParseRfc3339(*text);
  if (!time.ok()) return std::nullopt;
  return *time;
}

std::optional<std::uint64_t> GetCount(const json::object& object, std::string_view key,
                                      std::uint64_t absent) {
  const json::value* value = object.if_contains(key);
  if (value == nullptr) return absent;
  json::error_code ec;
  std::uint64_t count = value->is_number() ? value->to_number<std::uint64_t>(ec) : 0;
  if (!value->is_number() || ec) return std::nullopt;
  return count;
}

std::optional<bool> GetFlag(const json::object& object, std::string_view key, bool absent) {
  const json::value* value = object.if_contains(key);
  if (value == nullptr) return absent;
  if (!value->is_bool()) return std::nullopt;
  return value->get_bool();
}

}  // namespace

std::string FormatPreciseTime(PreciseTime time) {
  auto seconds = std::chrono::floor<std::chrono::seconds>(time);
  std::string text = FormatRfc3339(std::chrono::time_point_cast<Duration>(seconds));
  char fraction[8];
  std::snprintf(fraction, sizeof fraction, ".%06lld",
                static_cast<long long>((time - seconds).count()));
  text.insert(text.size() - 1, fraction);  // Before the "Z".
  return text;
}

std::optional<PreciseTime> ParsePreciseTime(std::string_view text) {
  Result<Timestamp> whole = ParseRfc3339(text);
  if (!whole.ok()) return std::nullopt;
  PreciseTime time = std::chrono::floor<std::chrono::seconds>(*whole);
  size_t dot = text.find('.');
  if (dot == std::string_view::npos) return time;
  std::int64_t micros = 0;
  int digits = 0;
  for (size_t i = dot + 1; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
    if (digits == 6) break;
    micros = micros * 10 + (text[i] - '0');
    ++digits;
  }
  for (; digits < 6; ++digits) micros *= 10;
  return time + std::chrono::microseconds(micros);
}

json::object OrderToJson(const DmOrder& order) {
  json::object object;
  object["order_id"] = order.order_id;
  object["imei"] = order.imei;
  PutIfNotEmpty(object, "imei2", order.imei2);
  object["action"] = DmActionName(order.action);
  object["status"] = DmOrderStatusName(order.status);
  PutIfNotEmpty(object, "message", order.message);
  PutIfNotEmpty(object, "contact", order.contact);
  PutIfNotEmpty(object, "reference", order.reference);
  PutIfNotEmpty(object, "idempotency_key", order.idempotency_key);
  object["created_at"] = FormatRfc3339(order.created_at);
  if (order.finished_at) object["finished_at"] = FormatRfc3339(*order.finished_at);
  PutIfNotEmpty(object, "reason", order.rejection_reason);
  if (order.not_after) object["not_after"] = FormatRfc3339(*order.not_after);
  object["received_at"] = FormatPreciseTime(order.received_at);
  return object;
}

json::object DeviceToJson(const DmDevice& device) {
  json::object object;
  object["imei"] = device.imei;
  PutIfNotEmpty(object, "imei2", device.imei2);
  object["state"] = device.locked ? "locked" : "unlocked";
  PutIfNotEmpty(object, "message", device.message);
  PutIfNotEmpty(object, "contact", device.contact);
  PutIfNotEmpty(object, "last_order_id", device.last_order_id);
  PutIfNotEmpty(object, "pending_order_id", device.pending_order_id);
  object["updated_at"] = FormatRfc3339(device.updated_at);
  object["online"] = device.online;
  object["enrolment"] = device.enrolment;
  return object;
}

json::object OrderRecord(const DmOrder& order) {
  json::object record = OrderToJson(order);
  record["record"] = "order";
  record["tenant"] = order.tenant;
  record["sequence"] = order.sequence;
  record["fingerprint"] = order.fingerprint;
  record["apply_at"] = FormatRfc3339(order.apply_at);
  record["enrolment"] = order.enrolment;
  record["awaiting_device"] = order.awaiting_device;
  return record;
}

json::object DeviceRecord(const DmDevice& device) {
  json::object record = DeviceToJson(device);
  record["record"] = "device";
  record["tenant"] = device.tenant;
  record["unsupported"] = device.unsupported;
  record["applied_locks"] = device.applied_locks;
  record["applied_unlocks"] = device.applied_unlocks;
  return record;
}

std::optional<DmOrder> OrderFromRecord(const json::object& record) {
  DmOrder order;
  auto order_id = GetString(record, "order_id");
  auto tenant = GetString(record, "tenant");
  auto imei = GetString(record, "imei");
  auto imei2 = GetString(record, "imei2");
  auto action = GetString(record, "action");
  auto status = GetString(record, "status");
  auto message = GetString(record, "message");
  auto contact = GetString(record, "contact");
  auto reference = GetString(record, "reference");
  auto key = GetString(record, "idempotency_key");
  auto fingerprint = GetString(record, "fingerprint");
  auto reason = GetString(record, "reason");
  auto created_at = GetTime(record, "created_at");
  auto apply_at = GetTime(record, "apply_at");
  const json::value* sequence = record.if_contains("sequence");
  if (!order_id || order_id->empty() || !tenant || !imei || imei->empty() || !imei2 || !action ||
      !status || !message || !contact || !reference || !key || !fingerprint || !reason ||
      !created_at || !apply_at || sequence == nullptr || !sequence->is_number()) {
    return std::nullopt;
  }
  auto parsed_action = ParseDmAction(*action);
  auto parsed_status = ParseDmOrderStatus(*status);
  if (!parsed_action || !parsed_status) return std::nullopt;

  json::error_code ec;
  order.sequence = sequence->to_number<std::uint64_t>(ec);
  if (ec) return std::nullopt;
  order.order_id = *order_id;
  order.tenant = *tenant;
  order.imei = *imei;
  order.imei2 = *imei2;
  order.action = *parsed_action;
  order.status = *parsed_status;
  order.message = *message;
  order.contact = *contact;
  order.reference = *reference;
  order.idempotency_key = *key;
  order.fingerprint = *fingerprint;
  order.rejection_reason = *reason;
  order.created_at = *created_at;
  order.apply_at = *apply_at;
  order.finished_at = GetTime(record, "finished_at");
  order.not_after = GetTime(record, "not_after");
  auto enrolment = GetCount(record, "enrolment", 1);
  auto awaiting = GetFlag(record, "awaiting_device", false);
  auto received_at = GetString(record, "received_at");
  if (!enrolment || !awaiting || !received_at) return std::nullopt;
  order.enrolment = *enrolment;
  order.awaiting_device = *awaiting;
  if (!received_at->empty()) {
    auto precise = ParsePreciseTime(*received_at);
    if (!precise) return std::nullopt;
    order.received_at = *precise;
  }
  return order;
}

std::optional<DmDevice> DeviceFromRecord(const json::object& record) {
  auto tenant = GetString(record, "tenant");
  auto imei = GetString(record, "imei");
  auto imei2 = GetString(record, "imei2");
  auto state = GetString(record, "state");
  auto message = GetString(record, "message");
  auto contact = GetString(record, "contact");
  auto last_order_id = GetString(record, "last_order_id");
  auto pending_order_id = GetString(record, "pending_order_id");
  auto updated_at = GetTime(record, "updated_at");
  if (!tenant || !imei || imei->empty() || !imei2 || !state ||
      (*state != "locked" && *state != "unlocked") || !message || !contact || !last_order_id ||
      !pending_order_id || !updated_at) {
    return std::nullopt;
  }
  DmDevice device;
  device.tenant = *tenant;
  device.imei = *imei;
  device.imei2 = *imei2;
  device.locked = *state == "locked";
  device.message = *message;
  device.contact = *contact;
  device.last_order_id = *last_order_id;
  device.pending_order_id = *pending_order_id;
  device.updated_at = *updated_at;
  auto online = GetFlag(record, "online", true);
  auto unsupported = GetFlag(record, "unsupported", false);
  auto enrolment = GetCount(record, "enrolment", 1);
  auto locks = GetCount(record, "applied_locks", 0);
  auto unlocks = GetCount(record, "applied_unlocks", 0);
  if (!online || !unsupported || !enrolment || !locks || !unlocks) return std::nullopt;
  device.online = *online;
  device.unsupported = *unsupported;
  device.enrolment = *enrolment;
  device.applied_locks = static_cast<std::int64_t>(*locks);
  device.applied_unlocks = static_cast<std::int64_t>(*unlocks);
  return device;
}

}  // namespace imeiguard::dm_simulator
