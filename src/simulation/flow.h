// The simulator of a carrier's parcel flow. Parcels with and without phones travel the network of
// network.h over some days. Their scans are labelled with what really happened to each phone,
// benign trouble and thefts alike, so that a replay of the flow can be scored.
//
// Everything is a pure function of SimulationOptions: the same options give the same flow on every
// machine (random.h describes how).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "events/scan_event.h"
#include "simulation/network.h"

namespace imeiguard::simulation {

// The story of a parcel, as its label names it. A parcel has one scenario, chosen in this
// precedence: a theft, the node outage, a late upload batch, then the parcel's own drawn trouble.
enum class Scenario : std::uint8_t {
  kOnTime,
  kDelayed,             // Held for hours or days at one node: a missed or full linehaul.
  kNodeOutage,          // At the hub while its sorter was broken down.
  kMissedScan,          // Every scan at one node of its route is missing.
  kLateUpload,          // Scanned at a node whose scanners uploaded hours late, in one batch.
  kDuplicate,           // Several of its scans were sent twice.
  kReturned,            // Refused at the door or not collected, and returned.
  kScaleNoise,          // Reweighed at every scale, each reading off by 12 to 20 g.
  kFalseClaim,          // Recipient claimed non-receipt after delivery, then found the parcel.
  kTheftVanished,       // Stolen at a terminal or hub: no scan after it.
  kTheftEmptied,        // The phone taken out and the box sent on: lighter, or scanned as opened.
  kTheftFalseDelivery,  // Kept by the driver behind a mailbox or doorstep delivery scan.
  kTheftVehicle,        // On the linehaul vehicle that was stolen with its whole load.
  kTheftInsider,        // Taken by one handler on one shift at one hub, over several days.
};
inline constexpr int kScenarioCount = 14;

std::string_view ScenarioName(Scenario scenario);
bool IsTheft(Scenario scenario);

enum class ServiceKind : std::uint8_t { kHome, kServicePoint, kLocker, kMailbox, kBusiness };
std::string_view ServiceKindName(ServiceKind service);

// The end of a parcel's story as of the end of the flow.
enum class Outcome : std::uint8_t { kInFlow, kDelivered, kReturned, kStolen };
std::string_view OutcomeName(Outcome outcome);

struct SimulationOptions {
  std::uint64_t seed = 1;
  int days = 7;  // Days over which parcels are accepted.
  // Days the flow runs on after the last acceptance: the parcels already in the network keep
  // moving and scanning, and no new ones come. Without it a theft late in the week could not be
  // locked by a rule that waits for its deadline, however good the rule.
  int tail_days = 4;
  std::int64_t parcels = 200000;  // All parcels, those with phones included.
  std::int64_t phone_parcels = 20000;
  // Share of phone parcels stolen. A fifth of it goes to each single-parcel theft (vanished,
  // emptied, false delivery) and to the insider; the stolen vehicle takes what it carried.
  double theft_rate = 0.001;
  // At least this many phone parcels of each single-parcel theft and the insider, so that every
  // kind can be measured on a small flow.
  int min_thefts_per_scenario = 10;
  // Unix seconds of local midnight of the first day; the flow's times are in UTC+01:00.
  std::int64_t start = 1772406000;  // 2026-03-02T00:00:00+01:00
};

// Checks ranges; returns kInvalidInput naming the option otherwise.
Status ValidateOptions(const SimulationOptions& options);

// Extra text on a scan, written as its detail field.
enum class ScanDetail : std::uint8_t {
  kNone,
  kDoorstep,
  kMailbox,
  kSigned,
  kRefused,
  kNotHome,
  kNotCollected,
  kSorterStopped,
  kFoundByRecipient,
  kRecipientClaim,
  kBoxOpened,
};
std::string_view ScanDetailText(ScanDetail detail);

// Marks a scan's node as the parcel's own address or mailbox instead of a network node.
inline constexpr NodeIndex kAddressNode = 0xfffffff0u;
inline constexpr NodeIndex kMailboxNode = 0xfffffff1u;
inline constexpr NodeIndex kNoNode = 0xffffffffu;

struct SimulatedEvent {
  std::int64_t time = 0;      // Unix seconds when it happened.
  std::int64_t received = 0;  // Unix seconds when the carrier's systems recorded it.
  std::uint32_t parcel = 0;
  std::uint32_t number = 0;  // Unique per scan; a resent duplicate repeats it.
  NodeIndex node = kNoNode;
  NodeIndex next_node = kNoNode;
  std::uint32_t handler = 0;  // 0 when no handler scanned it (a claim, a locker).
  std::int32_t weight_g = -1;
  ScanType type = ScanType::kAccepted;
  ScanDetail detail = ScanDetail::kNone;
  std::uint16_t sequence = 0;  // Position in the parcel's story, which breaks ties in sorting.
};

struct SimulatedDevice {
  std::string imei;
  std::string imei2;  // Empty unless dual-SIM.
  std::string serial;
  std::string_view model;
  std::int32_t mass_g = 0;
  std::int32_t value_sek = 0;
};

struct SimulatedParcel {
  std::string parcel_id;  // An 18-digit SSCC.
  std::string_view shipper_id;
  ServiceKind service = ServiceKind::kHome;
  std::int32_t origin = 0;       // Terminal number.
  std::int32_t destination = 0;  // Terminal number.
  std::int32_t postcode = 0;
  std::int64_t accepted = 0;
  std::int64_t promised_day = 0;  // Unix seconds of the promised date's local midnight.
  std::int32_t declared_weight_g = 0;
  std::uint32_t first_device = 0;  // Index into SimulatedFlow::devices.
  std::uint8_t device_count = 0;   // 0 for a parcel without a phone.
  Scenario scenario = Scenario::kOnTime;
  Outcome outcome = Outcome::kInFlow;
  std::int64_t theft_time = -1;      // When the phones were taken; -1 unless stolen.
  std::int64_t delivered_time = -1;  // When the recipient got the phones; -1 if not by the end.
  // Clock time at which the log first closes the parcel (the received time of its first delivered,
  // picked_up or returned scan); -1 when the log never closes it.
  std::int64_t closed_received = -1;
};

struct SimulatedFlow {
  SimulationOptions options;
  std::int64_t end = 0;  // Unix seconds at which the log stops: nothing later is recorded.
  std::vector<SimulatedParcel> parcels;
  std::vector<SimulatedDevice> devices;
  // Every recorded scan, duplicates included, sorted by received time as a carrier's feed sends
  // them.
  std::vector<SimulatedEvent> events;
};

// Simulates a flow. Returns kInvalidInput when ValidateOptions does.
Result<SimulatedFlow> Simulate(const SimulationOptions& options, const Network& network);

}  // namespace imeiguard::simulation
