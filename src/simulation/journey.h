// One parcel's journey through the network: the scans it leaves, and its label fields.
#pragma once

#include <cstdint>
#include <vector>

#include "simulation/flow.h"
#include "simulation/network.h"
#include "simulation/random.h"

namespace imeiguard::simulation {

inline constexpr std::int64_t kMinute = 60;
inline constexpr std::int64_t kHour = 3600;
inline constexpr std::int64_t kDay = 86400;
// The flow's times are local times in UTC+01:00 (Swedish winter time).
inline constexpr std::int64_t kLocalOffset = kHour;

// Unix seconds of local midnight before `t`, and the local hour of `t`.
inline std::int64_t LocalMidnight(std::int64_t t) { return t - (t + kLocalOffset) % kDay; }
inline int LocalHour(std::int64_t t) { return static_cast<int>((t + kLocalOffset) % kDay / kHour); }

// Scanners at `node` that could not upload from `start` to `end`: their scans are recorded at end.
struct UploadWindow {
  NodeIndex node = 0;
  std::int64_t start = 0;
  std::int64_t end = 0;
};

// The flow's network-wide incidents, drawn before any parcel moves.
struct Incidents {
  NodeIndex outage_node = 0;  // Sorter down from outage_start to outage_end.
  std::int64_t outage_start = 0;
  std::int64_t outage_end = 0;
  std::vector<UploadWindow> upload_windows;
  int stolen_lane = 0;  // The linehaul run that is stolen with its load: a lane and a departure.
  std::int64_t stolen_departure = 0;
  NodeIndex insider_node = 0;  // Where, on which shift and which handler steals phones.
  int insider_shift = 0;
  int insider_handler = 0;
  std::int64_t insider_from = 0;  // The days the insider steals on.
  std::int64_t insider_to = 0;
  int insider_quota = 0;  // Phones the insider takes, at most.
};

// The state that journeys share: the network, the incidents, the flow they add to, and counters.
struct JourneyContext {
  const Network& network;
  const Incidents& incidents;
  SimulatedFlow& flow;
  std::uint32_t next_event_number = 0;
  int insider_quota_left = 0;
};

// Appends the scans of parcel `index` to context.flow.events, unsorted, and fills its scenario,
// outcome and label times. `true_weight_g` is what the parcel weighs before any theft.
void BuildJourney(JourneyContext& context, std::uint32_t index, std::int32_t true_weight_g,
                  Random& random);

}  // namespace imeiguard::simulation
