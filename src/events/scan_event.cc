#include "events/scan_event.h"

#include "core/enum_names.h"

namespace imeiguard {
namespace {

constexpr EnumNameTable<ScanType, 19> kScanTypeNames = {{
    {ScanType::kAccepted, "accepted"},
    {ScanType::kArrived, "arrived"},
    {ScanType::kSorted, "sorted"},
    {ScanType::kDeparted, "departed"},
    {ScanType::kLoaded, "loaded"},
    {ScanType::kUnloaded, "unloaded"},
    {ScanType::kOutForDelivery, "out_for_delivery"},
    {ScanType::kDeliveryAttempted, "delivery_attempted"},
    {ScanType::kDelivered, "delivered"},
    {ScanType::kAvailableForPickup, "available_for_pickup"},
    {ScanType::kPickedUp, "picked_up"},
    {ScanType::kReturned, "returned"},
    {ScanType::kReweighed, "reweighed"},
    {ScanType::kExceptionDamaged, "exception_damaged"},
    {ScanType::kExceptionOpened, "exception_opened"},
    {ScanType::kExceptionMissing, "exception_missing"},
    {ScanType::kClaimNotReceived, "claim_not_received"},
    {ScanType::kFound, "found"},
    {ScanType::kDeclaredLost, "declared_lost"},
}};

// kUnknown has no wire name: it is what an event without node_type gets.
constexpr EnumNameTable<NodeType, 7> kNodeTypeNames = {{
    {NodeType::kTerminal, "terminal"},
    {NodeType::kHub, "hub"},
    {NodeType::kVehicle, "vehicle"},
    {NodeType::kServicePoint, "service_point"},
    {NodeType::kLocker, "locker"},
    {NodeType::kMailbox, "mailbox"},
    {NodeType::kAddress, "address"},
}};

}  // namespace

std::string_view ScanTypeName(ScanType type) { return NameOf(kScanTypeNames, type); }

std::optional<ScanType> ParseScanType(std::string_view text) {
  return ValueOf(kScanTypeNames, text);
}

std::string_view NodeTypeName(NodeType type) {
  if (type == NodeType::kUnknown) return "";
  return NameOf(kNodeTypeNames, type);
}

std::optional<NodeType> ParseNodeType(std::string_view text) {
  return ValueOf(kNodeTypeNames, text);
}

ScanEvent ScanEvent::FromView(const ScanEventView& view, Timestamp recorded_at) {
  ScanEvent event;
  event.event_id = std::string(view.event_id);
  event.parcel_id = std::string(view.parcel_id);
  event.type = view.type;
  event.time = view.time;
  event.received = view.received;
  event.node = std::string(view.node);
  event.node_type = view.node_type;
  event.handler = std::string(view.handler);
  event.weight_g = view.weight_g;
  event.next_node = std::string(view.next_node);
  event.detail = std::string(view.detail);
  event.recorded_at = recorded_at;
  return event;
}

ScanEventView ScanEvent::View() const {
  ScanEventView view;
  view.event_id = event_id;
  view.parcel_id = parcel_id;
  view.type = type;
  view.time = time;
  view.received = received;
  view.node = node;
  view.node_type = node_type;
  view.handler = handler;
  view.weight_g = weight_g;
  view.next_node = next_node;
  view.detail = detail;
  return view;
}

bool IsDeliveryScan(ScanType type) {
  return type == ScanType::kDelivered || type == ScanType::kPickedUp;
}

bool IsExceptionScan(ScanType type) {
  return type == ScanType::kExceptionDamaged || type == ScanType::kExceptionOpened ||
         type == ScanType::kExceptionMissing;
}

}  // namespace imeiguard
