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
#include "detection/sample_series.h"
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
  // A parcel at a terminal or hub goes quiet past the time that the node's parcels take to their
  // next scan after the same kind of scan. That time is short after a sorting and long after an
  // unloading, when parcels wait for a full linehaul. Past it, it counts in full this much later.
  // The wait is the maximum of the waits that ended in the last quiet_history, at least
  // quiet_min_samples of them, times the margin. A quantile would call the few parcels in every
  // hundred that are held for hours stolen. The latest few hundred waits would cover only part of
  // the day at a busy node.
  // A wait counts once the node's waits of that kind reach back quiet_min_history: a whole day,
  // so that the night's long waits are in it. Until then, a node newly in the feed (or a system
  // newly started) would call the first night's parcels quiet.
  Duration quiet_confirm_after = std::chrono::hours(2);
  Duration quiet_history = std::chrono::hours(48);
  Duration quiet_min_history = std::chrono::hours(24);
  int quiet_min_samples = 100;
  // This many parcels that departed on one leg within half an hour of each other and vanished, and
  // at least this share of those that departed with them, are a load that vanished together. A
  // busy lane carries a few parcels whose next node missed its scans; a stolen vehicle takes all.
  int load_min_parcels = 3;
  double load_min_share = 0.5;
  // This many parcels at one node past the wait its parcels take after the same kind of scan, all
  // scanned there within outage_horizon, are an outage of that node rather than thefts. Counting
  // only parcels past their wait leaves out those that wait overnight for the morning's vans, which
  // outnumber this at a busy terminal every evening.
  int outage_min_parcels = 20;
  Duration outage_horizon = std::chrono::hours(72);
  // This many parcels at one node, quiet past their wait since a scan of one kind by one handler
  // within outage_horizon, and at least this share of all parcels quiet since that kind of scan
  // there, point to that handler. An outage stops every handler's parcels; a sorter who pockets
  // phones leaves only their own. Delays strike parcels at random, so four of them rarely share a
  // handler.
  int handler_min_parcels = 4;
  double handler_min_share = 0.5;
  // The span over which the handler's quiet parcels must have been scanned. Parcels that one
  // handler sorted within an hour or so came off one load and miss a connection together. A
  // sorter who pockets phones takes them over hours and shifts.
  Duration handler_min_spread = std::chrono::hours(2);
  // The handler's parcels count once quiet past the node's learned wait, or this long when that
  // is shorter. The pattern does not need dwell_floor, unlike the quiet-wait rule, because the
  // parcel is quiet past every wait at the node in two days and so are others of its handler's.
  Duration handler_wait_floor = std::chrono::hours(2);
};

// A scan recorded this long after its event time came in a late upload: its node's feed was
// behind, so parcels not yet seen there may only be waiting in that upload. NOTE: an assumed
// bound (scanners at sorting nodes upload within minutes, handhelds within half an hour), not
// learned from the feed.
inline constexpr Duration kLateRecordAfter = std::chrono::hours(1);

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

  // Counts the parcels overdue at `node` at event time `at`. Each was last scanned there within
  // limits.outage_horizon before `at` and has been scanned nowhere since. Its wait is longer than
  // the node's learned wait after that kind of scan, or the node type's dwell limit while no wait
  // is learned. Parcels stolen long ago therefore do not add up to an outage.
  int OverdueAt(std::string_view node, Timestamp at, const ChainLimits& limits) const;

  // Parcels at `node` quiet at `at` since a scan of `type` made within limits.outage_horizon
  // before `at` and at least `wait` before it: those scanned by `handler`, and all of them. `all`
  // is counted only when `by_handler` reaches limits.handler_min_parcels, because only then is
  // the share needed. `spread` is the time from the first to the last of the handler's scans
  // counted. `next_by_handler` is the first time after `at` when another parcel of the handler
  // has been quiet for `wait`, the earliest time `by_handler` can grow.
  struct HandlerShare {
    int by_handler = 0;
    int all = 0;
    Duration spread{0};
    std::optional<Timestamp> next_by_handler;
  };
  HandlerShare QuietSince(std::string_view node, ScanType type, std::string_view handler,
                          Timestamp at, Duration wait, const ChainLimits& limits) const;

  // Parcels whose first scan at `node` of a stay there falls in [from, to).
  int ArrivalsAt(std::string_view node, Timestamp from, Timestamp to) const;

  // The time a parcel may wait at `node` for its next scan after a scan of `type` there, learned
  // from waits that ended before `before`, within the dwell floor and ceiling of `limits`.
  Duration QuietLimit(std::string_view node, ScanType type, Timestamp before,
                      const ChainLimits& limits) const;

  // Returns that wait with no floor or ceiling applied, or nothing while too few waits are known.
  std::optional<Duration> LearnedWait(std::string_view node, ScanType type, Timestamp before,
                                      const ChainLimits& limits) const;

  // The parcel's load on a leg: parcels that departed `from` towards `to` within half an hour of
  // `departed`, at or before `at - max_transit`, and how many of them were scanned nowhere since.
  struct Load {
    int departed = 0;
    int vanished = 0;
  };
  Load LoadOf(std::string_view from, std::string_view to, Timestamp departed, Timestamp at,
              Duration max_transit) const;

  // The latest event time of any scan at `node`; empty when none was recorded there.
  std::optional<Timestamp> LatestScanAt(std::string_view node) const;

  // Scans at `node` with event times in [from, to] recorded kLateRecordAfter or more after them.
  int LateRecordsAt(std::string_view node, Timestamp from, Timestamp to) const;

  // Drops samples and stays that ended before `before`, and the parcels with nothing left.
  void Prune(Timestamp before);

 private:
  struct Stay {
    Timestamp end;  // Timestamp::max() while the parcel is still there.
    const std::string* parcel_id;
  };
  struct Trip {
    std::string from;
    Timestamp end;  // The parcel's next scan anywhere; Timestamp::max() while none.
    const std::string* parcel_id;
  };
  using Trips = std::multimap<Timestamp, Trip>;  // Keyed by departure.
  using Stays = std::multimap<Timestamp, Stay>;  // Keyed by arrival at the node.

  struct LegSample {
    std::string from, to;
    Timestamp completed;
    Duration duration;
    bool operator==(const LegSample&) const = default;
  };
  struct StayRecord {
    std::string node;
    NodeType type;
    Timestamp start;
    std::optional<Timestamp> end;
    bool operator==(const StayRecord&) const = default;
  };
  struct TripRecord {
    std::string from, to;
    Timestamp start;
    std::optional<Timestamp> end;
    bool operator==(const TripRecord&) const = default;
  };
  struct WaitSample {  // From a scan at a terminal or hub to the parcel's next scan anywhere.
    std::string node;
    ScanType type;
    Timestamp completed;
    Duration duration;
    bool operator==(const WaitSample&) const = default;
  };
  struct NodeScan {
    std::string node;
    Timestamp time;
    bool operator==(const NodeScan&) const = default;
  };
  struct WaitRecord {  // Like WaitSample, also while the wait goes on.
    std::string node;
    NodeType node_type;
    ScanType type;
    std::string handler;
    Timestamp start;
    std::optional<Timestamp> end;
    bool operator==(const WaitRecord&) const = default;
  };
  struct Contribution {
    std::vector<LegSample> legs;
    std::vector<StayRecord> stays;
    std::vector<TripRecord> trips;
    std::vector<WaitSample> waits;
    std::vector<WaitRecord> waiting;
    std::vector<NodeScan> late;    // Scans recorded late.
    std::vector<NodeScan> latest;  // The latest scan at each node it was scanned at.
  };
  // The first entry of each of a contribution's lists that Remove or Add handles. A parcel's new
  // scan mostly appends to its lists, so a new contribution replaces an old one from the first
  // entry where the two differ, not whole.
  struct ListStarts {
    std::size_t legs = 0;
    std::size_t stays = 0;
    std::size_t trips = 0;
    std::size_t waits = 0;
    std::size_t waiting = 0;
    std::size_t late = 0;
  };
  static ListStarts FirstDifferences(const Contribution& old, const Contribution& current);
  struct LateScan {
    const std::string* parcel_id;
  };
  using LateScans = std::multimap<Timestamp, LateScan>;  // Keyed by event time.
  struct Wait {
    ScanType type;
    NodeType node_type;
    Timestamp end;  // The parcel's next scan anywhere; Timestamp::max() while none.
    const std::string* parcel_id;
  };
  using Waits = std::multimap<Timestamp, Wait>;  // Keyed by the scan the wait follows.

  static Duration Limit(const SampleSeries* samples, Timestamp before, const ChainLimits& limits,
                        Duration floor, Duration ceiling);
  void Remove(const std::string& parcel_id, const Contribution& contribution,
              const ListStarts& from);
  void Add(const std::string* parcel_id, const Contribution& contribution, const ListStarts& from);

  // Samples point to their parcel's id among contributions_' keys, which are stable.
  std::map<std::pair<std::string, std::string>, SampleSeries, std::less<>> legs_;
  std::map<NodeType, SampleSeries> dwells_;
  std::map<std::string, Stays, std::less<>> stays_;  // By node.
  std::map<std::string, Trips, std::less<>> trips_;  // By destination node.
  std::map<std::pair<std::string, ScanType>, SampleSeries, std::less<>> waits_;
  std::map<std::string, LateScans, std::less<>> late_;  // By node.
  std::map<std::string, Waits, std::less<>> waiting_;   // By node.
  // By node and handler, for the parcels a scan of theirs left waiting.
  std::map<std::pair<std::string, std::string>, Waits, std::less<>> waiting_by_handler_;
  // Latest scan event time per node. It only grows: a fact about the feed, not about one parcel.
  std::map<std::string, Timestamp, std::less<>> latest_scan_;
  std::unordered_map<std::string, Contribution> contributions_;
};

}  // namespace imeiguard
