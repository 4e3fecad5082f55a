#include "epcis/scan_mapping.h"

#include <algorithm>
#include <optional>

namespace imeiguard::epcis {
namespace {

std::optional<ScanType> DispositionScanType(std::string_view disposition, NodeType node_type) {
  if (disposition == "damaged") return ScanType::kExceptionDamaged;
  if (disposition == "container_open") return ScanType::kExceptionOpened;
  if (disposition == "stolen" || disposition == "unknown") return ScanType::kExceptionMissing;
  if (disposition == "completeness_verified" &&
      (node_type == NodeType::kAddress || node_type == NodeType::kLocker)) {
    return ScanType::kDelivered;
  }
  return std::nullopt;
}

std::optional<ScanType> StepScanType(const Event& event, const MappingRules& rules) {
  const std::string& step = event.biz_step;
  if (step == "accepting") return ScanType::kAccepted;
  if (step == "arriving") return ScanType::kArrived;
  if (step == "departing") return ScanType::kDeparted;
  if (step == "loading") return ScanType::kLoaded;
  if (step == "unloading") return ScanType::kUnloaded;
  if (step == "returning") return ScanType::kReturned;
  if (step == "receiving") return ScanType::kDelivered;
  if (step == "inspecting" && event.weight_g) return ScanType::kReweighed;
  auto configured = rules.biz_steps.find(step);
  if (configured != rules.biz_steps.end()) return configured->second;
  return std::nullopt;
}

NodeType NodeTypeOf(std::string_view node, const MappingRules& rules) {
  auto it = rules.node_types.find(node);
  return it == rules.node_types.end() ? NodeType::kUnknown : it->second;
}

std::string ScanEventId(const Event& event, const std::string& parcel_id, std::size_t parcels) {
  return parcels == 1 ? event.Identity() : event.Identity() + "#" + parcel_id;
}

}  // namespace

std::vector<std::string> ParcelsOf(const Event& event) {
  std::vector<std::string> parcels;
  if (event.type == EventType::kObject) {
    for (const std::string& epc : event.epc_list) {
      if (auto sscc = SsccOf(epc)) parcels.push_back(std::move(*sscc));
    }
  } else if (event.type == EventType::kAggregation) {
    if (auto sscc = SsccOf(event.parent_id)) parcels.push_back(std::move(*sscc));
  }
  std::sort(parcels.begin(), parcels.end());
  parcels.erase(std::unique(parcels.begin(), parcels.end()), parcels.end());
  return parcels;
}

void MapEvent(const Event& event, const MappingRules& rules, Timestamp recorded_at, Mapped& out) {
  std::vector<std::string> parcels = ParcelsOf(event);
  if (parcels.empty()) return;

  if (event.error_declaration) {
    for (const std::string& parcel_id : parcels) {
      out.withdrawals.push_back({ScanEventId(event, parcel_id, parcels.size()), parcel_id,
                                 event.error_declaration->declaration_time,
                                 event.error_declaration->reason});
    }
    return;
  }

  const std::string& node = event.read_point.empty() ? event.biz_location : event.read_point;
  NodeType node_type = NodeTypeOf(node, rules);
  std::optional<ScanType> type = DispositionScanType(event.disposition, node_type);
  if (!type) type = StepScanType(event, rules);
  if (!type) return;

  for (const std::string& parcel_id : parcels) {
    ScanEvent scan;
    scan.event_id = ScanEventId(event, parcel_id, parcels.size());
    scan.parcel_id = parcel_id;
    scan.type = *type;
    scan.time = event.event_time;
    scan.node = node;
    scan.node_type = node_type;
    scan.weight_g = event.weight_g;
    scan.detail = "EPCIS " + std::string(EventTypeName(event.type)) +
                  (event.biz_step.empty() ? "" : " " + event.biz_step);
    scan.recorded_at = recorded_at;
    out.scans.push_back(std::move(scan));
  }
}

}  // namespace imeiguard::epcis
