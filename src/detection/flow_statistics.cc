#include "detection/flow_statistics.h"

#include <algorithm>
#include <cmath>
#include <iterator>

namespace imeiguard {
namespace {

bool Departs(ScanType type) { return type == ScanType::kDeparted || type == ScanType::kLoaded; }

bool IsSortingNode(NodeType type) { return type == NodeType::kTerminal || type == NodeType::kHub; }

// Parcels of one vehicle run depart within this time of each other.
constexpr Duration kSameLoad = std::chrono::minutes(30);

// Erases the parcel's entry at `key` whose value `matches`. A parcel may have two entries at one
// key, and only the one that is replaced must go.
template <typename Map, typename Matches>
void EraseOne(Map& map, Timestamp key, const std::string& parcel_id, Matches matches) {
  auto [first, last] = map.equal_range(key);
  for (auto it = first; it != last; ++it) {
    if (*it->second.parcel_id == parcel_id && matches(it->second)) {
      map.erase(it);
      return;
    }
  }
}

// Returns the entries of `list` from index `start` on.
template <typename Entry>
std::span<const Entry> From(const std::vector<Entry>& list, std::size_t start) {
  return std::span<const Entry>(list).subspan(std::min(start, list.size()));
}

template <typename Entry>
std::size_t FirstDifference(const std::vector<Entry>& old, const std::vector<Entry>& current) {
  auto [old_end, current_end] =
      std::mismatch(old.begin(), old.end(), current.begin(), current.end());
  return static_cast<std::size_t>(old_end - old.begin());
}

}  // namespace

void FlowStatistics::Record(const std::string& parcel_id, std::span<const ScanEvent> history) {
  Contribution contribution;
  const ScanEvent* leg_start = nullptr;  // The departure whose arrival is awaited.
  const ScanEvent* waiting = nullptr;    // The last scan at a terminal or hub, if it was the last.
  for (const ScanEvent& event : history) {
    if (event.node.empty() || !IsCarrierScanType(event.type)) continue;
    const Timestamp recorded = event.received.value_or(event.recorded_at);
    if (recorded - event.time >= kLateRecordAfter) {
      contribution.late.push_back({event.node, event.time});
    }
    auto latest = std::find_if(contribution.latest.begin(), contribution.latest.end(),
                               [&](const NodeScan& scan) { return scan.node == event.node; });
    if (latest == contribution.latest.end()) {
      contribution.latest.push_back({event.node, event.time});
    } else {
      latest->time = std::max(latest->time, event.time);
    }
    if (waiting != nullptr) {
      contribution.waits.push_back(
          {waiting->node, waiting->type, event.time, event.time - waiting->time});
      contribution.waiting.back().end = event.time;
    }
    // A parcel delivered or returned at a terminal is handed over, not waiting for its next scan.
    bool hands_over = IsDeliveryScan(event.type) || event.type == ScanType::kReturned;
    waiting =
        IsSortingNode(event.node_type) && !Departs(event.type) && !hands_over ? &event : nullptr;
    if (waiting != nullptr) {
      contribution.waiting.push_back(
          {event.node, event.node_type, event.type, event.handler, event.time, std::nullopt});
    }

    if (leg_start != nullptr && event.node != leg_start->node) {
      if (event.node == leg_start->next_node) {
        contribution.legs.push_back(
            {leg_start->node, leg_start->next_node, event.time, event.time - leg_start->time});
      }
      contribution.trips.back().end = event.time;
      leg_start = nullptr;
    }

    StayRecord* stay = contribution.stays.empty() ? nullptr : &contribution.stays.back();
    if (stay != nullptr && !stay->end && stay->node != event.node) stay->end = event.time;
    if (stay == nullptr || stay->node != event.node || stay->end) {
      contribution.stays.push_back({event.node, event.node_type, event.time, std::nullopt});
      stay = &contribution.stays.back();
    }
    if (Departs(event.type)) {
      stay->end = event.time;
      if (!event.next_node.empty()) {
        // A departure supersedes a loading at the same node: the vehicle is not scanned again.
        if (leg_start != nullptr) contribution.trips.pop_back();
        leg_start = &event;
        contribution.trips.push_back({event.node, event.next_node, event.time, std::nullopt});
      }
    }
    // Delivery and return hand the parcel over: it stays nowhere afterwards.
    if (hands_over) stay->end = event.time;
  }

  auto it = contributions_.find(parcel_id);
  if (it == contributions_.end()) {
    it = contributions_.emplace(parcel_id, std::move(contribution)).first;
    Add(&it->first, it->second, ListStarts{});
    return;
  }
  ListStarts changed = FirstDifferences(it->second, contribution);
  Remove(it->first, it->second, changed);
  it->second = std::move(contribution);
  Add(&it->first, it->second, changed);
}

FlowStatistics::ListStarts FlowStatistics::FirstDifferences(const Contribution& old,
                                                            const Contribution& current) {
  ListStarts starts;
  starts.legs = FirstDifference(old.legs, current.legs);
  starts.stays = FirstDifference(old.stays, current.stays);
  starts.trips = FirstDifference(old.trips, current.trips);
  starts.waits = FirstDifference(old.waits, current.waits);
  starts.waiting = FirstDifference(old.waiting, current.waiting);
  starts.late = FirstDifference(old.late, current.late);
  return starts;
}

void FlowStatistics::Remove(const std::string& parcel_id, const Contribution& contribution,
                            const ListStarts& from) {
  for (const LegSample& leg : From(contribution.legs, from.legs)) {
    auto samples = legs_.find(std::make_pair(leg.from, leg.to));
    if (samples == legs_.end()) continue;
    samples->second.Erase(leg.completed, leg.duration, parcel_id);
  }
  for (const StayRecord& stay : From(contribution.stays, from.stays)) {
    if (stay.end) dwells_[stay.type].Erase(*stay.end, *stay.end - stay.start, parcel_id);
    auto stays = stays_.find(stay.node);
    if (stays == stays_.end()) continue;
    Timestamp end = stay.end.value_or(Timestamp::max());
    EraseOne(stays->second, stay.start, parcel_id,
             [&](const Stay& entry) { return entry.end == end; });
  }
  for (const TripRecord& trip : From(contribution.trips, from.trips)) {
    auto trips = trips_.find(trip.to);
    if (trips == trips_.end()) continue;
    Timestamp end = trip.end.value_or(Timestamp::max());
    EraseOne(trips->second, trip.start, parcel_id,
             [&](const Trip& entry) { return entry.from == trip.from && entry.end == end; });
  }
  for (const WaitSample& wait : From(contribution.waits, from.waits)) {
    auto samples = waits_.find(std::make_pair(wait.node, wait.type));
    if (samples == waits_.end()) continue;
    samples->second.Erase(wait.completed, wait.duration, parcel_id);
  }
  for (const NodeScan& late : From(contribution.late, from.late)) {
    auto scans = late_.find(late.node);
    if (scans == late_.end()) continue;
    EraseOne(scans->second, late.time, parcel_id, [](const LateScan&) { return true; });
  }
  for (const WaitRecord& wait : From(contribution.waiting, from.waiting)) {
    Timestamp end = wait.end.value_or(Timestamp::max());
    auto matches = [&](const Wait& entry) { return entry.type == wait.type && entry.end == end; };
    auto waits = waiting_.find(wait.node);
    if (waits != waiting_.end()) EraseOne(waits->second, wait.start, parcel_id, matches);
    if (wait.handler.empty()) continue;
    auto by_handler = waiting_by_handler_.find(std::make_pair(wait.node, wait.handler));
    if (by_handler != waiting_by_handler_.end()) {
      EraseOne(by_handler->second, wait.start, parcel_id, matches);
    }
  }
}

void FlowStatistics::Add(const std::string* parcel_id, const Contribution& contribution,
                         const ListStarts& from) {
  for (const LegSample& leg : From(contribution.legs, from.legs)) {
    legs_[std::make_pair(leg.from, leg.to)].Insert(leg.completed, leg.duration, parcel_id);
  }
  for (const StayRecord& stay : From(contribution.stays, from.stays)) {
    if (stay.end) dwells_[stay.type].Insert(*stay.end, *stay.end - stay.start, parcel_id);
    auto stays = stays_.find(stay.node);
    if (stays == stays_.end()) stays = stays_.emplace(stay.node, Stays{}).first;
    stays->second.emplace(stay.start, Stay{stay.end.value_or(Timestamp::max()), parcel_id});
  }
  for (const TripRecord& trip : From(contribution.trips, from.trips)) {
    auto trips = trips_.find(trip.to);
    if (trips == trips_.end()) trips = trips_.emplace(trip.to, Trips{}).first;
    trips->second.emplace(trip.start,
                          Trip{trip.from, trip.end.value_or(Timestamp::max()), parcel_id});
  }
  for (const WaitSample& wait : From(contribution.waits, from.waits)) {
    waits_[std::make_pair(wait.node, wait.type)].Insert(wait.completed, wait.duration, parcel_id);
  }
  for (const NodeScan& late : From(contribution.late, from.late)) {
    auto scans = late_.find(late.node);
    if (scans == late_.end()) scans = late_.emplace(late.node, LateScans{}).first;
    scans->second.emplace(late.time, LateScan{parcel_id});
  }
  for (const WaitRecord& wait : From(contribution.waiting, from.waiting)) {
    Wait entry{wait.type, wait.node_type, wait.end.value_or(Timestamp::max()), parcel_id};
    auto waits = waiting_.find(wait.node);
    if (waits == waiting_.end()) waits = waiting_.emplace(wait.node, Waits{}).first;
    waits->second.emplace(wait.start, entry);
    if (!wait.handler.empty()) {
      waiting_by_handler_[std::make_pair(wait.node, wait.handler)].emplace(wait.start, entry);
    }
  }
  for (const NodeScan& scan : contribution.latest) {
    auto latest = latest_scan_.find(scan.node);
    if (latest == latest_scan_.end()) {
      latest_scan_.emplace(scan.node, scan.time);
    } else if (latest->second < scan.time) {
      latest->second = scan.time;
    }
  }
}

Duration FlowStatistics::Limit(const SampleSeries* samples, Timestamp before,
                               const ChainLimits& limits, Duration floor, Duration ceiling) {
  if (samples == nullptr) return ceiling;
  std::vector<Duration> recent;
  samples->AppendLatest(before - limits.window, before,
                        static_cast<std::size_t>(std::max(limits.max_samples, 0)), recent);
  if (static_cast<int>(recent.size()) < limits.min_samples) return ceiling;

  auto rank =
      static_cast<std::size_t>(std::ceil(limits.quantile * static_cast<double>(recent.size())) - 1);
  rank = std::min(rank, recent.size() - 1);
  std::nth_element(recent.begin(), recent.begin() + static_cast<std::ptrdiff_t>(rank),
                   recent.end());
  auto limit = Duration(
      static_cast<std::int64_t>(static_cast<double>(recent[rank].count()) * limits.margin));
  return std::clamp(limit, floor, ceiling);
}

Duration FlowStatistics::TransitLimit(std::string_view from, std::string_view to, Timestamp before,
                                      const ChainLimits& limits) const {
  auto it = legs_.find(std::make_pair(std::string(from), std::string(to)));
  return Limit(it == legs_.end() ? nullptr : &it->second, before, limits, limits.transit_floor,
               limits.transit_ceiling);
}

Duration FlowStatistics::DwellLimit(NodeType type, Timestamp before,
                                    const ChainLimits& limits) const {
  auto it = dwells_.find(type);
  return Limit(it == dwells_.end() ? nullptr : &it->second, before, limits, limits.dwell_floor,
               limits.dwell_ceiling);
}

int FlowStatistics::OverdueAt(std::string_view node, Timestamp at,
                              const ChainLimits& limits) const {
  auto it = waiting_.find(node);
  if (it == waiting_.end()) return 0;
  // The wait after each kind of scan, looked up once per kind.
  std::map<std::pair<ScanType, NodeType>, Duration> waits;
  int overdue = 0;
  for (auto wait = it->second.lower_bound(at - limits.outage_horizon);
       wait != it->second.end() && wait->first < at; ++wait) {
    if (wait->second.end <= at) continue;
    auto key = std::make_pair(wait->second.type, wait->second.node_type);
    auto limit = waits.find(key);
    if (limit == waits.end()) {
      Duration learned = QuietLimit(node, key.first, at, limits);
      if (learned >= limits.dwell_ceiling) learned = DwellLimit(key.second, at, limits);
      limit = waits.emplace(key, learned).first;
    }
    if (at - wait->first > limit->second) ++overdue;
  }
  return overdue;
}

FlowStatistics::HandlerShare FlowStatistics::QuietSince(std::string_view node, ScanType type,
                                                        std::string_view handler, Timestamp at,
                                                        Duration wait,
                                                        const ChainLimits& limits) const {
  HandlerShare share;
  // Counts the parcels quiet since a scan of `type` and returns the span of those scans' times.
  auto count = [&](const Waits& waits, int& quiet) {
    std::optional<Timestamp> first;
    Timestamp last{};
    for (auto entry = waits.lower_bound(at - limits.outage_horizon);
         entry != waits.end() && entry->first <= at - wait; ++entry) {
      if (entry->second.type != type || entry->second.end <= at) continue;
      ++quiet;
      if (!first) first = entry->first;
      last = entry->first;
    }
    return first ? last - *first : Duration(0);
  };
  auto by_handler =
      waiting_by_handler_.find(std::make_pair(std::string(node), std::string(handler)));
  if (by_handler == waiting_by_handler_.end()) return share;
  share.spread = count(by_handler->second, share.by_handler);
  for (auto entry = by_handler->second.upper_bound(at - wait);
       entry != by_handler->second.end() && entry->first < at + limits.outage_horizon; ++entry) {
    if (entry->second.type == type && entry->second.end > entry->first + wait) {
      share.next_by_handler = entry->first + wait;
      break;
    }
  }
  if (share.by_handler < limits.handler_min_parcels) return share;
  count(waiting_.find(node)->second, share.all);
  return share;
}

int FlowStatistics::ArrivalsAt(std::string_view node, Timestamp from, Timestamp to) const {
  auto it = stays_.find(node);
  if (it == stays_.end()) return 0;
  return static_cast<int>(std::distance(it->second.lower_bound(from), it->second.lower_bound(to)));
}

Duration FlowStatistics::QuietLimit(std::string_view node, ScanType type, Timestamp before,
                                    const ChainLimits& limits) const {
  std::optional<Duration> learned = LearnedWait(node, type, before, limits);
  if (!learned) return limits.dwell_ceiling;
  return std::clamp(*learned, limits.dwell_floor, limits.dwell_ceiling);
}

std::optional<Duration> FlowStatistics::LearnedWait(std::string_view node, ScanType type,
                                                    Timestamp before,
                                                    const ChainLimits& limits) const {
  auto it = waits_.find(std::make_pair(std::string(node), type));
  if (it == waits_.end()) return std::nullopt;
  // Waits learned over less than a day miss the night's long ones.
  if (it->second.empty() || it->second.Earliest() > before - limits.quiet_min_history) {
    return std::nullopt;
  }
  // Every wait that ended in the last quiet_history, so that the night's long waits for the
  // morning's vans count as much as the day's short ones.
  SampleSeries::Extent waits = it->second.LongestBetween(before - limits.quiet_history, before);
  if (waits.count < limits.quiet_min_samples) return std::nullopt;
  Duration longest = waits.longest;
  return Duration(static_cast<std::int64_t>(static_cast<double>(longest.count()) * limits.margin));
}

FlowStatistics::Load FlowStatistics::LoadOf(std::string_view from, std::string_view to,
                                            Timestamp departed, Timestamp at,
                                            Duration max_transit) const {
  Load load;
  auto it = trips_.find(to);
  if (it == trips_.end()) return load;
  Timestamp latest = std::min(departed + kSameLoad, at - max_transit);
  for (auto trip = it->second.lower_bound(departed - kSameLoad);
       trip != it->second.end() && trip->first <= latest; ++trip) {
    if (trip->second.from != from) continue;
    ++load.departed;
    if (trip->second.end > at) ++load.vanished;
  }
  return load;
}

std::optional<Timestamp> FlowStatistics::LatestScanAt(std::string_view node) const {
  auto it = latest_scan_.find(node);
  if (it == latest_scan_.end()) return std::nullopt;
  return it->second;
}

int FlowStatistics::LateRecordsAt(std::string_view node, Timestamp from, Timestamp to) const {
  auto it = late_.find(node);
  if (it == late_.end()) return 0;
  return static_cast<int>(std::distance(it->second.lower_bound(from), it->second.upper_bound(to)));
}

void FlowStatistics::Prune(Timestamp before) {
  for (auto it = contributions_.begin(); it != contributions_.end();) {
    const Contribution& contribution = it->second;
    // A parcel whose last scan is older than `before` can add nothing current, even when stolen.
    bool current = std::any_of(contribution.stays.begin(), contribution.stays.end(),
                               [&](const StayRecord& stay) {
                                 return stay.start >= before || (stay.end && *stay.end >= before);
                               });
    if (current) {
      ++it;
      continue;
    }
    Remove(it->first, contribution, ListStarts{});
    it = contributions_.erase(it);
  }
}

}  // namespace imeiguard
