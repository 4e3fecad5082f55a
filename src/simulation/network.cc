#include "simulation/network.h"

#include <array>
#include <cstdio>

namespace imeiguard::simulation {
namespace {

struct TerminalSpec {
  std::string_view code;
  int weight;           // Parts per thousand of the flow.
  int hub;              // Index into kHubCodes.
  int minutes_to_hub;   // Linehaul driving time to its hub.
  int postcode_prefix;  // First two digits of its postcodes.
  bool has_scale;
};

constexpr std::array<std::string_view, 3> kHubCodes = {"STO", "JKG", "SUN"};
// Driving minutes between the hubs, in kHubCodes order.
constexpr int kHubMinutes[3][3] = {{0, 240, 270}, {240, 0, 480}, {270, 480, 0}};

// Thirteen terminals, weighted roughly by the population they serve.
constexpr std::array<TerminalSpec, 13> kTerminalSpecs = {{
    {"STO", 290, 0, 40, 11, true},
    {"UPP", 50, 0, 60, 75, false},
    {"VST", 40, 0, 90, 72, false},
    {"ORB", 40, 1, 150, 70, false},
    {"NRK", 40, 1, 120, 60, true},
    {"LPI", 40, 1, 100, 58, false},
    {"JKP", 40, 1, 20, 55, false},
    {"GBG", 150, 1, 130, 41, true},
    {"MMA", 110, 1, 240, 21, true},
    {"HBG", 60, 1, 200, 25, false},
    {"SDL", 40, 2, 20, 85, false},
    {"UME", 50, 2, 200, 90, true},
    {"LLA", 50, 2, 420, 97, false},
}};

constexpr int kVehiclesPerLane = 6;
constexpr int kDepartureInterval = 120;
constexpr int kMaxSortingNodes = 64;

std::string Numbered(const char* format, std::string_view code, int number) {
  char text[40];
  std::snprintf(text, sizeof text, format, static_cast<int>(code.size()), code.data(), number);
  return text;
}

}  // namespace

Network::Network() {
  for (const TerminalSpec& spec : kTerminalSpecs) {
    terminal_nodes_.push_back(AddNode("SE-TERM-" + std::string(spec.code), NodeType::kTerminal,
                                      static_cast<int>(terminal_nodes_.size()), spec.has_scale));
  }
  for (std::string_view code : kHubCodes) {
    // Every hub has a scale on its sorter.
    hub_nodes_.push_back(AddNode("SE-HUB-" + std::string(code), NodeType::kHub, 0, true));
  }

  // Lanes: each terminal to and from its hub, and every hub to every other.
  lane_index_.assign(kMaxSortingNodes * kMaxSortingNodes, -1);
  for (int t = 0; t < terminals(); ++t) {
    const TerminalSpec& spec = kTerminalSpecs[t];
    AddLane(terminal_nodes_[t], hub_nodes_[spec.hub], spec.minutes_to_hub, 60 + 10 * t);
    AddLane(hub_nodes_[spec.hub], terminal_nodes_[t], spec.minutes_to_hub, 30 + 10 * t);
  }
  for (int a = 0; a < hubs(); ++a) {
    for (int b = 0; b < hubs(); ++b) {
      if (a != b) AddLane(hub_nodes_[a], hub_nodes_[b], kHubMinutes[a][b], 20 + 15 * (a + b));
    }
  }

  // Last-mile vans, lockers and service points, more of each where the flow is larger.
  for (int t = 0; t < terminals(); ++t) {
    const TerminalSpec& spec = kTerminalSpecs[t];
    const auto add_set = [&](const char* format, NodeType type, int count) {
      PickupSet set{static_cast<NodeIndex>(nodes_.size()), count};
      for (int k = 1; k <= count; ++k) AddNode(Numbered(format, spec.code, k), type, t, false);
      return set;
    };
    vans_.push_back(add_set("SE-VAN-%.*s-%02d", NodeType::kVehicle, 4 + spec.weight / 8));
    lockers_.push_back(add_set("SE-LCK-%.*s-%03d", NodeType::kLocker, 6 + spec.weight / 4));
    service_points_.push_back(
        add_set("SE-SP-%.*s-%03d", NodeType::kServicePoint, 3 + spec.weight / 10));
  }
}

NodeIndex Network::AddNode(std::string id, NodeType type, int terminal, bool has_scale) {
  nodes_.push_back({std::move(id), type, static_cast<std::uint16_t>(terminal), has_scale});
  return static_cast<NodeIndex>(nodes_.size() - 1);
}

void Network::AddLane(NodeIndex from, NodeIndex to, int transit_minutes, int first_departure) {
  Lane lane;
  lane.from = from;
  lane.to = to;
  lane.transit_minutes = transit_minutes;
  lane.first_departure = first_departure % kDepartureInterval;
  lane.departure_interval = kDepartureInterval;
  lane.first_vehicle = static_cast<NodeIndex>(nodes_.size());
  lane.vehicles = kVehiclesPerLane;
  for (int k = 0; k < kVehiclesPerLane; ++k) {
    char id[24];
    std::snprintf(id, sizeof id, "SE-LH-%04zu",
                  nodes_.size() - hub_nodes_.size() - terminal_nodes_.size() + 1);
    AddNode(id, NodeType::kVehicle, nodes_[from].terminal, false);
  }
  lane_index_[from * kMaxSortingNodes + to] = static_cast<int>(lanes_.size());
  lanes_.push_back(lane);
}

int Network::HubOf(int terminal) const { return kTerminalSpecs[terminal].hub; }
int Network::TerminalWeight(int terminal) const { return kTerminalSpecs[terminal].weight; }
int Network::PostcodePrefix(int terminal) const { return kTerminalSpecs[terminal].postcode_prefix; }
std::string_view Network::TerminalCode(int terminal) const { return kTerminalSpecs[terminal].code; }

int Network::LaneNumber(NodeIndex from, NodeIndex to) const {
  return lane_index_[from * kMaxSortingNodes + to];
}

const Lane& Network::LaneBetween(NodeIndex from, NodeIndex to) const {
  return lanes_[LaneNumber(from, to)];
}

NodeIndex Network::Van(int terminal, std::uint64_t pick) const {
  return vans_[terminal].first + static_cast<NodeIndex>(pick % vans_[terminal].count);
}

NodeIndex Network::Locker(int terminal, std::uint64_t pick) const {
  return lockers_[terminal].first + static_cast<NodeIndex>(pick % lockers_[terminal].count);
}

NodeIndex Network::ServicePoint(int terminal, std::uint64_t pick) const {
  return service_points_[terminal].first +
         static_cast<NodeIndex>(pick % service_points_[terminal].count);
}

}  // namespace imeiguard::simulation
