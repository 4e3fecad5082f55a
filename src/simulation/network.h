// The carrier's network as the simulator models it: terminals and hubs, the linehaul vehicles on
// the lanes between them, last-mile vans, lockers and service points, and the handlers who scan
// parcels on three shifts a day.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "events/scan_event.h"

namespace imeiguard::simulation {

struct NetworkNode {
  std::string id;  // "SE-TERM-STO", "SE-HUB-JKG", "SE-LH-0042", "SE-VAN-GBG-07", ...
  NodeType type = NodeType::kTerminal;
  std::uint16_t terminal = 0;  // The terminal it belongs to (its own index for a terminal).
  bool has_scale = false;      // Terminals and hubs with a scale reweigh parcels.
};

// Index of a node in Network::nodes().
using NodeIndex = std::uint32_t;

// Handlers work at one node on one shift: 06-14, 14-22 or 22-06 local time.
inline constexpr int kShifts = 3;
inline constexpr int kHandlersPerShift = 8;
// The shift of a local hour of the day: 0 for 06-14, 1 for 14-22, 2 for 22-06.
inline int ShiftOfHour(int local_hour) {
  if (local_hour >= 6 && local_hour < 14) return 0;
  if (local_hour >= 14 && local_hour < 22) return 1;
  return 2;
}

// A directed route between two sorting nodes, served by a small fleet of linehaul vehicles.
struct Lane {
  NodeIndex from = 0;
  NodeIndex to = 0;
  int transit_minutes = 0;     // Typical driving time.
  int first_departure = 0;     // Minutes after local midnight of the first departure of a day.
  int departure_interval = 0;  // Minutes between departures.
  NodeIndex first_vehicle = 0;
  int vehicles = 0;
};

// The fixed network: the same on every run and seed, so that node ids mean the same in every flow.
class Network {
 public:
  Network();

  const std::vector<NetworkNode>& nodes() const { return nodes_; }
  const NetworkNode& node(NodeIndex index) const { return nodes_[index]; }

  int terminals() const { return static_cast<int>(terminal_nodes_.size()); }
  int hubs() const { return static_cast<int>(hub_nodes_.size()); }
  NodeIndex TerminalNode(int terminal) const { return terminal_nodes_[terminal]; }
  NodeIndex HubNode(int hub) const { return hub_nodes_[hub]; }
  int HubOf(int terminal) const;
  // The share of the flow that starts or ends at a terminal, in parts per thousand.
  int TerminalWeight(int terminal) const;
  // The first two digits of the terminal's postcodes.
  int PostcodePrefix(int terminal) const;
  std::string_view TerminalCode(int terminal) const;

  // The lane from sorting node `from` to `to`; every route step has one.
  const Lane& LaneBetween(NodeIndex from, NodeIndex to) const;
  int LaneNumber(NodeIndex from, NodeIndex to) const;
  const Lane& lane(int number) const { return lanes_[number]; }

  NodeIndex Van(int terminal, std::uint64_t pick) const;
  NodeIndex Locker(int terminal, std::uint64_t pick) const;
  NodeIndex ServicePoint(int terminal, std::uint64_t pick) const;

  // The pseudonymous id number of handler `k` (0 to kHandlersPerShift - 1) on `shift` at `node`;
  // written as "h-%05u".
  static std::uint32_t HandlerId(NodeIndex node, int shift, int k) {
    return node * 100 + static_cast<std::uint32_t>(shift * 10 + k);
  }

 private:
  struct PickupSet {
    NodeIndex first = 0;
    int count = 0;
  };

  NodeIndex AddNode(std::string id, NodeType type, int terminal, bool has_scale);
  void AddLane(NodeIndex from, NodeIndex to, int transit_minutes, int first_departure);

  std::vector<NetworkNode> nodes_;
  std::vector<NodeIndex> terminal_nodes_;
  std::vector<NodeIndex> hub_nodes_;
  std::vector<Lane> lanes_;
  std::vector<int> lane_index_;  // lanes_ number by from * nodes + to, or -1.
  std::vector<PickupSet> vans_, lockers_, service_points_;
};

}  // namespace imeiguard::simulation
