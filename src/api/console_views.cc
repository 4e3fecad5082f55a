#include "api/console_views.h"

#include <algorithm>

#include "detection/proof_of_delivery.h"

namespace imeiguard {
namespace {

std::int64_t Seconds(Duration duration) {
  return std::chrono::floor<std::chrono::seconds>(duration).count();
}

boost::json::value OptionalNumber(const std::optional<std::int64_t>& number) {
  if (!number) return nullptr;
  return *number;
}

boost::json::value ProofJson(const ScanEvent& event, const ParcelRecord& parcel) {
  std::optional<std::string_view> kind = HandoverKind(event, parcel);
  if (!kind) return nullptr;
  return boost::json::object{
      {"kind", *kind}, {"strength", ProofOf(event, parcel) == Proof::kStrong ? "strong" : "weak"}};
}

// An audit entry of an order as a step: the status, platform order id, attempts and error that
// the entry's detail records.
boost::json::object TransitionJson(const AuditEntry& entry) {
  boost::system::error_code error;
  boost::json::value parsed = boost::json::parse(entry.detail, error);
  const boost::json::object empty;
  const boost::json::object& facts = !error && parsed.is_object() ? parsed.as_object() : empty;
  auto text = [&facts](std::string_view name) -> std::string_view {
    const boost::json::value* value = facts.if_contains(name);
    return value != nullptr && value->is_string() ? std::string_view(value->get_string()) : "";
  };

  std::string_view status = text("status");
  // The creation and the cancellation entries name no status: they are the moves to pending and
  // to cancelled.
  if (status.empty() && entry.action == "lock_order_created") status = "pending";
  if (status.empty() && entry.action == "lock_order_cancelled") status = "cancelled";
  const boost::json::value* attempts = facts.if_contains("attempts");
  return {{"sequence", entry.sequence},
          {"at", FormatRfc3339(entry.at)},
          {"actor", entry.actor},
          {"action", entry.action},
          {"status", status},
          {"platform_order_id", text("platform_order_id")},
          {"attempts", attempts != nullptr && attempts->is_int64() ? boost::json::value(*attempts)
                                                                   : boost::json::value(nullptr)},
          {"error", text("error")}};
}

}  // namespace

boost::json::object TimelineEventJson(const ScanEvent& event, const ParcelRecord& parcel,
                                      Duration late_after) {
  Timestamp reached = event.received.value_or(event.recorded_at);
  std::optional<std::int64_t> upload_delay;
  if (event.received) upload_delay = Seconds(*event.received - event.time);
  std::optional<std::int64_t> weight;
  if (event.weight_g) weight = *event.weight_g;
  std::optional<std::int64_t> declared;
  if (event.weight_g && parcel.declared_weight_g) declared = *parcel.declared_weight_g;
  std::optional<std::int64_t> difference;
  if (weight && declared) difference = *weight - *declared;

  return {{"event_id", event.event_id},
          {"type", ScanTypeName(event.type)},
          {"time", FormatRfc3339(event.time)},
          {"recorded_at", FormatRfc3339(event.recorded_at)},
          {"received", event.received ? boost::json::value(FormatRfc3339(*event.received))
                                      : boost::json::value(nullptr)},
          {"record_delay_seconds", Seconds(event.recorded_at - event.time)},
          {"upload_delay_seconds", OptionalNumber(upload_delay)},
          {"late", reached - event.time > late_after},
          {"node", event.node},
          {"node_type", event.node_type == NodeType::kUnknown ? std::string_view()
                                                              : NodeTypeName(event.node_type)},
          {"handler", event.handler},
          {"next_node", event.next_node},
          {"detail", event.detail},
          {"weight_g", OptionalNumber(weight)},
          {"declared_weight_g", OptionalNumber(declared)},
          {"weight_difference_g", OptionalNumber(difference)},
          {"proof_of_delivery", ProofJson(event, parcel)}};
}

boost::json::object ParcelTimelineJson(const ParcelSnapshot& parcel, Duration late_after) {
  const ParcelRecord& record = parcel.parcel.record;
  boost::json::array events;
  for (const ScanEvent& event : parcel.events) {
    events.push_back(TimelineEventJson(event, record, late_after));
  }
  std::optional<std::int64_t> declared;
  if (record.declared_weight_g) declared = *record.declared_weight_g;
  return {{"parcel_id", record.parcel_id},
          {"shipper_id", record.shipper_id},
          {"service", ServiceName(record.service)},
          {"declared_weight_g", OptionalNumber(declared)},
          {"verdict", VerdictName(parcel.parcel.assessment.verdict)},
          {"verdict_since", FormatRfc3339(parcel.parcel.assessment.since)},
          {"late_after_seconds", Seconds(late_after)},
          {"events", std::move(events)}};
}

boost::json::array EvidenceFindingsJson(const ParcelSnapshot& parcel, Duration late_after) {
  boost::json::array findings;
  for (const Evidence& evidence : parcel.parcel.assessment.evidence) {
    auto event = std::find_if(
        parcel.events.begin(), parcel.events.end(),
        [&](const ScanEvent& candidate) { return candidate.event_id == evidence.event_id; });
    boost::json::value input = nullptr;
    if (!evidence.event_id.empty() && event != parcel.events.end()) {
      input = TimelineEventJson(*event, parcel.parcel.record, late_after);
    }
    findings.push_back(boost::json::object{{"rule", evidence.rule},
                                           {"outcome", evidence.outcome},
                                           {"at", FormatRfc3339(evidence.at)},
                                           {"detail", evidence.detail},
                                           {"event_id", evidence.event_id},
                                           {"event", std::move(input)}});
  }
  return findings;
}

boost::json::object DeviceLockHistoryJson(const DeviceLockHistory& history,
                                          ImeiDisclosure disclosure) {
  boost::json::array orders;
  for (const OrderHistory& order : history.orders) {
    boost::json::array transitions;
    for (const AuditEntry& step : order.steps) transitions.push_back(TransitionJson(step));
    orders.push_back(boost::json::object{{"order", OrderJson(order.order)},
                                         {"transitions", std::move(transitions)}});
  }
  return {{"device", DeviceJson(history.device, disclosure)}, {"orders", std::move(orders)}};
}

boost::json::object HotspotPageJson(const HotspotPage& page, const ShiftSchedule& shifts) {
  boost::json::array rows;
  for (const Hotspot& hotspot : page.rows) {
    const FlowTally& flow = hotspot.flow;
    rows.push_back(boost::json::object{
        {"key", hotspot.key},
        {"node", flow.node},
        {"to_node", flow.to_node},
        {"shift", shifts.Name(flow.shift)},
        {"handler", flow.handler},
        {"parcels", flow.parcels},
        {"losses", flow.losses},
        {"expected_losses", hotspot.expected_losses},
        {"ratio", hotspot.ratio ? boost::json::value(*hotspot.ratio) : boost::json::value(nullptr)},
        {"p_value", hotspot.p_value},
        {"q_value", hotspot.q_value}});
  }
  boost::json::array shift_names;
  for (std::size_t i = 0; i < shifts.start_hours.size(); ++i) {
    shift_names.push_back(boost::json::string(shifts.Name(static_cast<int>(i))));
  }
  return {{"dimension", HotspotDimensionName(page.dimension)},
          {"from", FormatRfc3339(page.from)},
          {"to", FormatRfc3339(page.to)},
          {"parcels", page.parcels},
          {"losses", page.losses},
          {"loss_rate", page.loss_rate},
          {"utc_offset", FormatUtcOffset(shifts.utc_offset_minutes)},
          {"shifts", std::move(shift_names)},
          {"rows_total", page.rows_total},
          {"rows", std::move(rows)},
          {"next_offset", OptionalNumber(page.next_offset)}};
}

}  // namespace imeiguard
