// A carrier's track-and-trace scan of one parcel.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/time.h"

namespace imeiguard {

enum class ScanType : std::uint8_t {
  kAccepted,
  kArrived,
  kSorted,
  kDeparted,
  kLoaded,
  kUnloaded,
  kOutForDelivery,
  kDeliveryAttempted,
  kDelivered,
  kAvailableForPickup,
  kPickedUp,
  kReturned,
  kReweighed,
  kExceptionDamaged,
  kExceptionOpened,
  kExceptionMissing,
  kClaimNotReceived,
  kFound,
  // Not a carrier scan: a security officer's declaration that the parcel is lost, kept in the
  // parcel's history so that the engine weighs it in event-time order like any other fact.
  kDeclaredLost,
};

// The carrier's wire names ("accepted", ..., "found"), and "declared_lost" for kDeclaredLost.
std::string_view ScanTypeName(ScanType type);
std::optional<ScanType> ParseScanType(std::string_view text);

// Whether a carrier's feed may send the type: every type but kDeclaredLost.
inline bool IsCarrierScanType(ScanType type) { return type != ScanType::kDeclaredLost; }

enum class NodeType : std::uint8_t {
  kUnknown,
  kTerminal,
  kHub,
  kVehicle,
  kServicePoint,
  kLocker,
  kMailbox,
  kAddress,
};

std::string_view NodeTypeName(NodeType type);  // "" for kUnknown.
std::optional<NodeType> ParseNodeType(std::string_view text);

// A scan whose text fields point into a buffer owned by someone else (the parser's line, a database
// row). Valid only as long as that buffer; copy into ScanEvent to keep it.
struct ScanEventView {
  std::string_view event_id;
  std::string_view parcel_id;
  ScanType type = ScanType::kAccepted;
  Timestamp time;
  std::optional<Timestamp> received;  // When the carrier's systems recorded it.
  std::string_view node;
  NodeType node_type = NodeType::kUnknown;
  std::string_view handler;
  std::optional<std::int32_t> weight_g;
  std::string_view next_node;
  std::string_view detail;
};

// An owned scan event, as the detection engine keeps it for phone parcels.
struct ScanEvent {
  std::string event_id;
  std::string parcel_id;
  ScanType type = ScanType::kAccepted;
  Timestamp time;
  std::optional<Timestamp> received;
  std::string node;
  NodeType node_type = NodeType::kUnknown;
  std::string handler;
  std::optional<std::int32_t> weight_g;
  std::string next_node;
  std::string detail;
  Timestamp recorded_at;  // When imeiguard accepted it.

  static ScanEvent FromView(const ScanEventView& view, Timestamp recorded_at);
  ScanEventView View() const;
  // The replay clock: `received` when present, else `time`.
  Timestamp ClockTime() const { return received.value_or(time); }
};

// Orders events by event time, then event id, so every machine sorts one history the same way.
inline bool EventTimeOrder(const ScanEvent& a, const ScanEvent& b) {
  if (a.time != b.time) return a.time < b.time;
  return a.event_id < b.event_id;
}

bool IsDeliveryScan(ScanType type);   // delivered, picked_up
bool IsExceptionScan(ScanType type);  // exception_damaged, exception_opened, exception_missing

}  // namespace imeiguard
