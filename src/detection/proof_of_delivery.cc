#include "detection/proof_of_delivery.h"

namespace imeiguard {

Proof ProofOf(const ScanEvent& delivery, const ParcelRecord& parcel) {
  if (delivery.type == ScanType::kPickedUp) return Proof::kStrong;
  switch (delivery.node_type) {
    case NodeType::kLocker:
    case NodeType::kServicePoint:
      return Proof::kStrong;
    case NodeType::kUnknown:
      return parcel.service == Service::kLocker || parcel.service == Service::kServicePoint
                 ? Proof::kStrong
                 : Proof::kWeak;
    default:
      return Proof::kWeak;
  }
}

std::optional<std::string_view> HandoverKind(const ScanEvent& delivery,
                                             const ParcelRecord& parcel) {
  if (delivery.type != ScanType::kDelivered && delivery.type != ScanType::kPickedUp) {
    return std::nullopt;
  }
  switch (delivery.node_type) {
    case NodeType::kLocker:
      return "locker";
    case NodeType::kServicePoint:
      return "service_point";
    case NodeType::kMailbox:
      return "mailbox";
    case NodeType::kUnknown:
      break;
    default:
      // A pickup at a terminal counter proves like a service point does.
      return delivery.type == ScanType::kPickedUp ? "service_point" : "doorstep";
  }
  switch (parcel.service) {
    case Service::kLocker:
      return "locker";
    case Service::kServicePoint:
      return "service_point";
    case Service::kMailbox:
      return "mailbox";
    default:
      return delivery.type == ScanType::kPickedUp ? "service_point" : "doorstep";
  }
}

}  // namespace imeiguard
