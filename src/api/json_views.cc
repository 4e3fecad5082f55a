#include "api/json_views.h"

#include "api/console_views.h"

namespace imeiguard {
namespace {

boost::json::value OptionalTime(const std::optional<Timestamp>& t) {
  if (!t) return nullptr;
  return boost::json::string(FormatRfc3339(*t));
}

boost::json::object EventJson(const ScanEvent& event) {
  boost::json::object json{{"event_id", event.event_id},
                           {"type", ScanTypeName(event.type)},
                           {"time", FormatRfc3339(event.time)},
                           {"recorded_at", FormatRfc3339(event.recorded_at)}};
  if (event.received) json["received"] = FormatRfc3339(*event.received);
  if (!event.node.empty()) json["node"] = event.node;
  if (event.node_type != NodeType::kUnknown) json["node_type"] = NodeTypeName(event.node_type);
  if (!event.handler.empty()) json["handler"] = event.handler;
  if (event.weight_g) json["weight_g"] = *event.weight_g;
  if (!event.next_node.empty()) json["next_node"] = event.next_node;
  if (!event.detail.empty()) json["detail"] = event.detail;
  return json;
}

}  // namespace

boost::json::object DeviceJson(const DeviceRow& device, ImeiDisclosure disclosure) {
  auto shown = [disclosure](Imei imei) {
    return disclosure == ImeiDisclosure::kRevealed ? imei.WithCheckDigit() : imei.Masked();
  };
  boost::json::object json{{"device_id", device.device_id},
                           {"parcel_id", device.parcel_id},
                           {"shipper_id", device.shipper_id},
                           {"imei", shown(device.record.imei)},
                           {"imei_masked", disclosure == ImeiDisclosure::kMasked},
                           {"state", LockStateName(device.state)},
                           {"state_since", FormatRfc3339(device.state_since)}};
  if (device.record.imei2) json["imei2"] = shown(*device.record.imei2);
  if (!device.record.serial.empty()) json["serial"] = device.record.serial;
  if (!device.record.model.empty()) json["model"] = device.record.model;
  if (device.record.value_ore) {
    json["value_sek"] = static_cast<double>(*device.record.value_ore) / 100.0;
  }
  return json;
}

boost::json::object OrderJson(const LockOrder& order) {
  return {{"order_id", order.order_id},
          {"device_id", order.device_id},
          {"parcel_id", order.parcel_id},
          {"connector", order.connector},
          {"action", LockActionName(order.action)},
          {"status", OrderStatusName(order.status)},
          {"idempotency_key", order.idempotency_key},
          {"platform_order_id", order.platform_order_id},
          {"reason", order.reason},
          {"attempts", order.attempts},
          {"created_at", FormatRfc3339(order.created_at)},
          {"sent_at", OptionalTime(order.sent_at)},
          {"acknowledged_at", OptionalTime(order.acknowledged_at)},
          {"last_error", order.last_error},
          {"supersedes_order_id", order.supersedes_order_id
                                      ? boost::json::value(*order.supersedes_order_id)
                                      : boost::json::value(nullptr)},
          {"expires_at", OptionalTime(order.expires_at)}};
}

boost::json::object ParcelJson(const ParcelSnapshot& snapshot, ImeiDisclosure disclosure) {
  const ParcelRecord& record = snapshot.parcel.record;
  const Assessment& assessment = snapshot.parcel.assessment;
  boost::json::array evidence;
  for (const Evidence& item : assessment.evidence) {
    evidence.push_back(boost::json::object{{"rule", item.rule},
                                           {"at", FormatRfc3339(item.at)},
                                           {"event_id", item.event_id},
                                           {"detail", item.detail},
                                           {"outcome", item.outcome}});
  }
  boost::json::array devices;
  for (const DeviceRow& device : snapshot.devices) {
    devices.push_back(DeviceJson(device, disclosure));
  }
  boost::json::array events;
  for (const ScanEvent& event : snapshot.events) events.push_back(EventJson(event));
  boost::json::array orders;
  for (const LockOrder& order : snapshot.orders) orders.push_back(OrderJson(order));

  boost::json::object json{{"parcel_id", record.parcel_id},
                           {"shipper_id", record.shipper_id},
                           {"service", ServiceName(record.service)},
                           {"promised_by", FormatRfc3339(record.promised_by)},
                           {"destination_postcode", record.destination_postcode},
                           {"verdict", VerdictName(assessment.verdict)},
                           {"verdict_since", FormatRfc3339(assessment.since)},
                           {"next_deadline", OptionalTime(assessment.next_deadline)},
                           {"evidence", std::move(evidence)},
                           {"devices", std::move(devices)},
                           {"events", std::move(events)},
                           {"orders", std::move(orders)}};
  if (!record.origin.empty()) json["origin"] = record.origin;
  if (record.declared_weight_g) json["declared_weight_g"] = *record.declared_weight_g;
  return json;
}

boost::json::object ManifestReportJson(const ManifestImportReport& report) {
  boost::json::array errors;
  for (const RowError& error : report.errors) {
    errors.push_back(boost::json::object{{"line", error.line},
                                         {"column", error.column},
                                         {"reason", error.reason},
                                         {"message", error.message}});
  }
  return {{"rows_read", report.rows_read},
          {"parcels_new", report.parcels_new},
          {"parcels_unchanged", report.parcels_unchanged},
          {"devices_new", report.devices_new},
          {"devices_unchanged", report.devices_unchanged},
          {"errors", std::move(errors)}};
}

boost::json::object EventReportJson(const EventIngestReport& report) {
  boost::json::array errors;
  for (const EventError& error : report.errors) {
    errors.push_back(boost::json::object{{"line", error.line},
                                         {"field", error.field},
                                         {"reason", error.reason},
                                         {"message", error.message}});
  }
  return {{"lines", report.lines},
          {"stored", report.stored},
          {"pending", report.pending},
          {"duplicates", report.duplicates},
          {"errors", std::move(errors)}};
}

boost::json::object LossDeclarationJson(std::string_view parcel_id,
                                        const LossDeclaration& declaration) {
  boost::json::array orders;
  for (const DeclaredLockOrder& served : declaration.orders) {
    boost::json::object order = OrderJson(served.order);
    order["attached"] = served.attached;
    orders.push_back(std::move(order));
  }
  boost::json::object json{{"parcel_id", parcel_id},
                           {"verdict", VerdictName(declaration.verdict)},
                           {"event_id", declaration.event_id},
                           {"orders", std::move(orders)}};
  if (declaration.case_record) {
    json["case_id"] = declaration.case_record->case_id;
    json["lock"] = CaseLockName(declaration.case_record->lock);
  }
  return json;
}

boost::json::object CaseJson(const CaseRecord& record) {
  return {{"case_id", record.case_id},
          {"parcel_id", record.parcel_id},
          {"shipper_id", record.shipper_id},
          {"opened_at", FormatRfc3339(record.opened_at)},
          {"updated_at", FormatRfc3339(record.updated_at)},
          {"value_sek", static_cast<double>(record.value_ore) / 100.0},
          {"lock", CaseLockName(record.lock)},
          {"lock_since", OptionalTime(record.lock_since)},
          {"hold_reason", record.hold_reason},
          {"hold_rule", record.hold_rule},
          {"requested_by", record.requested_by},
          {"guard_trip", record.guard_trip},
          {"theft_confirmed", record.theft_confirmed},
          {"police_report", record.police_report}};
}

boost::json::object CaseSummaryJson(const CaseSummary& summary) {
  boost::json::object json = CaseJson(summary.record);
  json["verdict"] = VerdictName(summary.verdict);
  return json;
}

boost::json::object CaseDetailJson(const CaseDetail& detail, ImeiDisclosure disclosure,
                                   Duration late_after) {
  boost::json::object json = CaseJson(detail.record);
  json["verdict"] = VerdictName(detail.parcel.parcel.assessment.verdict);
  json["parcel"] = ParcelJson(detail.parcel, disclosure);
  json["evidence"] = EvidenceFindingsJson(detail.parcel, late_after);
  boost::json::array steps;
  for (const AuditEntry& entry : detail.steps) {
    boost::system::error_code error;
    boost::json::value facts = boost::json::parse(entry.detail, error);
    if (error || !facts.is_object()) facts = boost::json::object{};
    steps.push_back(boost::json::object{{"sequence", entry.sequence},
                                        {"at", FormatRfc3339(entry.at)},
                                        {"actor", entry.actor},
                                        {"action", entry.action},
                                        {"detail", std::move(facts)}});
  }
  json["steps"] = std::move(steps);
  return json;
}

boost::json::object GuardTripDecisionJson(const GuardTripDecision& decision) {
  boost::json::array cases;
  for (const CaseRecord& record : decision.cases) cases.push_back(CaseJson(record));
  return {{"guard_trip", decision.trip_id},
          {"decision", decision.approved ? "approved" : "rejected"},
          {"cases", std::move(cases)}};
}

}  // namespace imeiguard
