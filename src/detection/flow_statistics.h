// What the flow of phone parcels teaches about normal times: how long each leg between two nodes
// takes, how long parcels stay at each type of node, and how many parcels sit at a node at once.
// The detection engine reads it to judge a broken scan chain and to tell a node-wide outage from
// a theft.
//
// Pure: no I/O. Every query is by event time and counts only what happened before that time, so
// the same histories give the same results whatever order they arrived in. Not thread-safe.
#pragma once

#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/time.h"
#include "events/scan_event.h"

namespace imeiguard {

// The drawing of learned limits from the samples, and the bounds configuration puts on them.
struct ChainLimits {
  double quantile = 0.99;                         // Of the recent samples of a leg or node type.
  double margin = 1.5;                            // The limit is the quantile times this.
  int min_samples = 20;                           // With fewer recent samples the ceiling applies.
  int max_samples = 500;                          // Only the most recent ones count.
  Duration window = std::chrono::hours(24 * 14);  // Samples older than this do not count.
  Duration transit_floor = std::chrono::hours(2);
  Duration transit_ceiling = std::chrono::hours(36);
  Duration dwell_floor = std::chrono::hours(6);
  Duration dwell_ceiling = std::chrono::hours(48);
  // A broken chain first makes the parcel suspect, and counts in full this long after its limit.
  // A leg whose whole load vanished with it is a stolen trailer. A leg alone is most often a node
  // whose scans were all missed, so the parcel turns up at the next one, after an overnight stay
  // when that node was its delivery terminal. A stay waits longest,
  // because parcels held for a missed or full linehaul go up to two days without a scan.
  Duration load_confirm_after = std::chrono::hours(1);
  Duration transit_confirm_after = std::chrono::hours(30);
  Duration dwell_confirm_after = std::chrono::hours(40);
  // This many parcels that departed on one leg within two hours of each other and vanished are a
  // load that vanished together.
  int load_min_parcels = 3;
  // This many parcels held up at one node, having arrived there within outage_horizon of each
  // other, are an outage of that node rather than thefts.
  int outage_min_parcels = 20;
  Duration outage_horizon = std::chrono::hours(72);
};

class FlowStatistics {
 public:
  // Replaces what the parcel's history (sorted by EventTimeOrder) contributes: its completed legs,
  // its completed stays at nodes, and the stays still open.
  void Record(const std::string& parcel_id, std::span<const ScanEvent> history);

  // The time a parcel may take from departing `from` to its first scan at `to`, learned from legs
  // completed before `before`, within the floor and ceiling of `limits`.
  Duration TransitLimit(std::string_view from, std::string_view to, Timestamp before,
                        const ChainLimits& limits) const;

  // The time a parcel may stay at a node of `type`, learned from stays that ended before `before`.
  Duration DwellLimit(NodeType type, Timestamp before, const ChainLimits& limits) const;

  // Parcels held up at `node` at event time `at`: those that arrived there more than `max_stay`
  // before `at`, within limits.outage_horizon before that, and had not left by `at`. Parcels
  // stolen long ago therefore do not add up to an outage.
  int HeldUpAt(std::string_view node, Timestamp at, Duration max_stay,
               const ChainLimits& limits) const;

  // Parcels whose first scan at `node` of a stay there falls in [from, to).
  int ArrivalsAt(std::string_view node, Timestamp from, Timestamp to) const;

  // Parcels that departed `from` towards `to` within two hours of `departed`, at or before
  // `at - max_transit`, and were scanned nowhere since: the parcel's load, if it vanished with it.
  int VanishedWithLoad(std::string_view from, std::string_view to, Timestamp departed, Timestamp at,
                       Duration max_transit) const;

  // Drops samples and stays that ended before `before`, and the parcels with nothing left.
  void Prune(Timestamp before);

 private:
  struct Sample {
    Duration duration;
    const std::string* parcel_id;  // Points into contributions_' keys, which are stable.
  };
  struct Stay {
    Timestamp end;  // Timestamp::max() while the parcel is still there.
    const std::string* parcel_id;
  };
  struct Trip {
    std::string from;
    Timestamp end;  // The parcel's next scan anywhere; Timestamp::max() while none.
    const std::string* parcel_id;
  };
  using Trips = std::multimap<Timestamp, Trip>;      // Keyed by departure.
  using Samples = std::multimap<Timestamp, Sample>;  // Keyed by the time the sample completed.
  using Stays = std::multimap<Timestamp, Stay>;      // Keyed by arrival at the node.

  struct LegSample {
    std::string from, to;
    Timestamp completed;
    Duration duration;
  };
  struct StayRecord {
    std::string node;
    NodeType type;
    Timestamp start;
    std::optional<Timestamp> end;
  };
  struct TripRecord {
    std::string from, to;
    Timestamp start;
    std::optional<Timestamp> end;
  };
  struct Contribution {
    std::vector<LegSample> legs;
    std::vector<StayRecord> stays;
    std::vector<TripRecord> trips;
  };

  static Duration Limit(const Samples* samples, Timestamp before, const ChainLimits& limits,
                        Duration floor, Duration ceiling);
  void Remove(const std::string& parcel_id, const Contribution& contribution);
  void Add(const std::string* parcel_id, const Contribution& contribution);

  std::map<std::pair<std::string, std::string>, Samples, std::less<>> legs_;
  std::map<NodeType, Samples> dwells_;
  std::map<std::string, Stays, std::less<>> stays_;  // By node.
  std::map<std::string, Trips, std::less<>> trips_;  // By destination node.
  std::unordered_map<std::string, Contribution> contributions_;
};

}  // namespace imeiguard
