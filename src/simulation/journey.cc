#include "simulation/journey.h"

#include <algorithm>

namespace imeiguard::simulation {
namespace {

bool IsClosingScan(ScanType type) {
  return type == ScanType::kDelivered || type == ScanType::kPickedUp || type == ScanType::kReturned;
}

// Scans that a busy handler sometimes skips; the rest are never missed by chance.
bool IsSkippableScan(ScanType type) {
  return type == ScanType::kArrived || type == ScanType::kUnloaded || type == ScanType::kSorted ||
         type == ScanType::kLoaded;
}

class Journey {
 public:
  Journey(JourneyContext& context, std::uint32_t index, std::int32_t weight_g, Random& random)
      : context_(context),
        network_(context.network),
        incidents_(context.incidents),
        parcel_(context.flow.parcels[index]),
        index_(index),
        weight_g_(weight_g),
        random_(random),
        drawn_scenario_(parcel_.scenario) {}

  void Build() {
    PlanRoute();
    std::int64_t t = parcel_.accepted;
    const NodeIndex origin = route_.front();
    Emit(ScanType::kAccepted, origin, t, kNoNode, network_.node(origin).has_scale ? Reading() : -1);
    for (std::size_t i = 0; i < route_.size() && !stopped_; ++i) {
      t = VisitNode(i, t);
      if (!stopped_ && i + 1 < route_.size()) t = TravelLeg(i, t);
    }
    if (!stopped_) LastMile(t);
    AddDuplicates();
    Finish();
  }

 private:
  bool Is(Scenario scenario) const { return drawn_scenario_ == scenario; }
  bool HasPhone() const { return parcel_.device_count > 0; }

  void PlanRoute() {
    const NodeIndex origin = network_.TerminalNode(parcel_.origin);
    const NodeIndex destination = network_.TerminalNode(parcel_.destination);
    route_.push_back(origin);
    if (parcel_.origin != parcel_.destination) {
      const NodeIndex origin_hub = network_.HubNode(network_.HubOf(parcel_.origin));
      const NodeIndex destination_hub = network_.HubNode(network_.HubOf(parcel_.destination));
      route_.push_back(origin_hub);
      if (destination_hub != origin_hub) route_.push_back(destination_hub);
      route_.push_back(destination);
    }
    const auto last = static_cast<std::int64_t>(route_.size()) - 1;
    if (Is(Scenario::kMissedScan)) skipped_node_ = static_cast<int>(random_.Between(0, last));
    if (Is(Scenario::kDelayed)) {
      delayed_node_ = static_cast<int>(random_.Between(0, last));
      delay_ = random_.Between(6 * 60, 40 * 60) * kMinute;
    }
    if (Is(Scenario::kTheftVanished)) theft_node_ = static_cast<int>(random_.Between(0, last));
    // An emptied parcel goes on from the node where it was emptied, so never the last one.
    if (Is(Scenario::kTheftEmptied)) theft_node_ = static_cast<int>(random_.Between(0, last - 1));
  }

  // Arrival, sorting and perhaps a reweigh at route node i; returns when the parcel is ready.
  std::int64_t VisitNode(std::size_t i, std::int64_t t) {
    const NodeIndex node = route_[i];
    const int position = static_cast<int>(i);
    if (i > 0) {
      Emit(ScanType::kArrived, node, t);
      if (emptied_pending_ && !emptied_shows_on_scale_) {
        Emit(ScanType::kExceptionOpened, node, t + random_.Between(5, 40) * kMinute, kNoNode, -1,
             ScanDetail::kBoxOpened);
        emptied_pending_ = false;
      }
      t += random_.Between(3, 25) * kMinute;
      Emit(ScanType::kUnloaded, node, t);
    }

    std::int64_t sorted_at = t + random_.Between(15, 90) * kMinute;
    ScanDetail sort_detail = ScanDetail::kNone;
    if (node == incidents_.outage_node && sorted_at >= incidents_.outage_start &&
        t < incidents_.outage_end) {
      // The backlog clears over the hours after the sorter restarts.
      sorted_at = incidents_.outage_end + random_.Between(0, 300) * kMinute;
      sort_detail = ScanDetail::kSorterStopped;
      hit_outage_ = true;
    }
    if (position == delayed_node_) sorted_at += delay_;

    if (position == theft_node_ && Is(Scenario::kTheftVanished)) {
      std::int64_t last_scan = t;
      if (random_.Chance(0.5)) {
        Emit(ScanType::kSorted, node, sorted_at, kNoNode, -1, sort_detail);
        last_scan = sorted_at;
      }
      Steal(Scenario::kTheftVanished, last_scan + random_.Between(5, 120) * kMinute);
      return t;
    }
    if (InsiderTakes(node, sorted_at)) {
      const std::uint32_t insider =
          Network::HandlerId(node, incidents_.insider_shift, incidents_.insider_handler);
      Emit(ScanType::kSorted, node, sorted_at, kNoNode, -1, sort_detail, insider);
      --context_.insider_quota_left;
      Steal(Scenario::kTheftInsider, sorted_at + random_.Between(10, 90) * kMinute);
      return t;
    }
    Emit(ScanType::kSorted, node, sorted_at, kNoNode, -1, sort_detail);
    t = sorted_at;

    const bool forced_reweigh = emptied_pending_ && emptied_shows_on_scale_;
    if (network_.node(node).has_scale &&
        (forced_reweigh || Is(Scenario::kScaleNoise) || random_.Chance(0.35))) {
      t += random_.Between(2, 15) * kMinute;
      Emit(ScanType::kReweighed, node, t, kNoNode, Reading());
      emptied_pending_ = false;
    }

    if (position == theft_node_ && Is(Scenario::kTheftEmptied)) {
      t += random_.Between(10, 60) * kMinute;
      parcel_.theft_time = t;
      parcel_.scenario = Scenario::kTheftEmptied;
      for (int d = 0; d < parcel_.device_count; ++d) {
        weight_g_ -= context_.flow.devices[parcel_.first_device + d].mass_g;
      }
      emptied_pending_ = true;
      emptied_shows_on_scale_ = false;
      for (std::size_t j = i + 1; j < route_.size(); ++j) {
        if (network_.node(route_[j]).has_scale) emptied_shows_on_scale_ = true;
      }
    }
    return t;
  }

  // Whether the insider takes this phone parcel as they sort it.
  bool InsiderTakes(NodeIndex node, std::int64_t sorted_at) {
    if (!HasPhone() || parcel_.theft_time >= 0 || node != incidents_.insider_node ||
        context_.insider_quota_left <= 0) {
      return false;
    }
    if (sorted_at < incidents_.insider_from || sorted_at >= incidents_.insider_to) return false;
    if (ShiftOfHour(LocalHour(sorted_at)) != incidents_.insider_shift) return false;
    return random_.Chance(0.3);
  }

  // The linehaul from route node i to the next; returns the arrival time.
  std::int64_t TravelLeg(std::size_t i, std::int64_t ready) {
    const NodeIndex from = route_[i];
    const NodeIndex to = route_[i + 1];
    const int lane_number = network_.LaneNumber(from, to);
    const Lane& lane = network_.lane(lane_number);
    const std::int64_t interval = lane.departure_interval * kMinute;

    std::int64_t departure = LocalMidnight(ready) + lane.first_departure * kMinute;
    while (departure < ready + 20 * kMinute) departure += interval;
    const std::int64_t run = departure / interval;
    const NodeIndex vehicle = lane.first_vehicle + static_cast<NodeIndex>(run % lane.vehicles);

    Emit(ScanType::kLoaded, from, departure - random_.Between(10, 40) * kMinute, vehicle);
    Emit(ScanType::kDeparted, from, departure, to, -1, ScanDetail::kNone,
         Network::HandlerId(vehicle, ShiftOfHour(LocalHour(departure)), 0));
    if (lane_number == incidents_.stolen_lane && departure == incidents_.stolen_departure) {
      Steal(Scenario::kTheftVehicle, departure + random_.Between(20, 90) * kMinute);
      return departure;
    }
    // Every parcel of one run shares its vehicle's driving time: -10 % to +25 % of the typical.
    const auto jitter = static_cast<std::int64_t>(Mix64(run * 131 + lane_number) % 36) - 10;
    return departure + lane.transit_minutes * (100 + jitter) / 100 * kMinute;
  }

  void LastMile(std::int64_t sorted_at) {
    const NodeIndex terminal = route_.back();
    van_ = network_.Van(parcel_.destination, Mix64(parcel_.postcode));
    // Vans leave in the morning with what was sorted by 05:00.
    std::int64_t day = LocalMidnight(sorted_at) + (LocalHour(sorted_at) < 5 ? 0 : kDay);
    const std::int64_t out = day + 450 * kMinute + random_.Between(0, 45) * kMinute;
    Emit(ScanType::kLoaded, terminal, out - random_.Between(15, 45) * kMinute, van_);
    Emit(ScanType::kOutForDelivery, van_, out);
    if (parcel_.service == ServiceKind::kLocker || parcel_.service == ServiceKind::kServicePoint) {
      PickupDelivery(out);
    } else {
      DoorDelivery(out);
    }
  }

  void DoorDelivery(std::int64_t out) {
    std::int64_t at = out + random_.Between(60, 480) * kMinute;
    if (Is(Scenario::kReturned)) {
      Emit(ScanType::kDeliveryAttempted, kAddressNode, at, kNoNode, -1, ScanDetail::kRefused);
      const std::int64_t back =
          LocalMidnight(at) + kDay + random_.Between(8 * 60, 11 * 60) * kMinute;
      Emit(ScanType::kReturned, route_.back(), back, kNoNode, -1, ScanDetail::kRefused);
      returned_time_ = back;
      return;
    }
    const bool theft = IsTheft(drawn_scenario_);
    if (parcel_.service != ServiceKind::kMailbox && !theft && random_.Chance(0.04)) {
      // The recipient is not at home, so the van tries again the next day.
      Emit(ScanType::kDeliveryAttempted, kAddressNode, at, kNoNode, -1, ScanDetail::kNotHome);
      const std::int64_t again = LocalMidnight(at) + kDay + 450 * kMinute;
      Emit(ScanType::kOutForDelivery, van_, again);
      at = again + random_.Between(60, 480) * kMinute;
    }

    const bool mailbox = parcel_.service == ServiceKind::kMailbox;
    ScanDetail detail = ScanDetail::kSigned;
    if (mailbox) {
      detail = ScanDetail::kMailbox;
    } else if (parcel_.service == ServiceKind::kHome &&
               (Is(Scenario::kTheftFalseDelivery) || Is(Scenario::kFalseClaim) ||
                random_.Chance(0.45))) {
      detail = ScanDetail::kDoorstep;
    }
    const NodeIndex place = mailbox ? kMailboxNode : kAddressNode;
    Emit(ScanType::kDelivered, place, at, kNoNode, -1, detail);

    if (Is(Scenario::kTheftFalseDelivery)) {
      // The driver scanned a delivery and kept the parcel.
      Steal(Scenario::kTheftFalseDelivery, at);
      Claim(at + random_.Between(4 * 60, 36 * 60) * kMinute);
      return;
    }
    AfterDelivery(at, place);
  }

  void PickupDelivery(std::int64_t out) {
    const bool locker = parcel_.service == ServiceKind::kLocker;
    const NodeIndex point =
        locker ? network_.Locker(parcel_.destination, Mix64(parcel_.postcode))
               : network_.ServicePoint(parcel_.destination, Mix64(parcel_.postcode));
    const std::uint32_t driver = Network::HandlerId(van_, 0, 0);
    const std::int64_t arrived = out + random_.Between(60, 360) * kMinute;
    Emit(ScanType::kArrived, point, arrived, kNoNode, -1, ScanDetail::kNone, driver);
    const std::int64_t available = arrived + random_.Between(2, 10) * kMinute;
    Emit(ScanType::kAvailableForPickup, point, available, kNoNode, -1, ScanDetail::kNone,
         locker ? driver : Network::HandlerId(point, ShiftOfHour(LocalHour(available)), 0));
    if (Is(Scenario::kReturned)) {
      const std::int64_t back = available + random_.Between(96, 144) * kHour;
      Emit(ScanType::kReturned, point, back, kNoNode, -1, ScanDetail::kNotCollected);
      returned_time_ = back;
      return;
    }

    // Most recipients collect the same day; some take days.
    const std::int64_t share = random_.Between(0, 99);
    std::int64_t wait = random_.Between(30, 720);
    if (share >= 90) {
      wait = random_.Between(48 * 60, 120 * 60);
    } else if (share >= 60) {
      wait = random_.Between(12 * 60, 48 * 60);
    }
    const std::int64_t picked = available + wait * kMinute;
    // A locker opens with the recipient's code: no handler scans it.
    Emit(ScanType::kPickedUp, point, picked, kNoNode, -1, ScanDetail::kNone,
         locker ? 0 : Network::HandlerId(point, ShiftOfHour(LocalHour(picked)), 0));
    AfterDelivery(picked, point);
  }

  void AfterDelivery(std::int64_t at, NodeIndex place) {
    if (Is(Scenario::kTheftEmptied)) {
      // The recipient opens an empty box.
      Claim(at + random_.Between(2 * 60, 24 * 60) * kMinute);
      return;
    }
    delivered_time_ = at;
    if (Is(Scenario::kFalseClaim)) {
      const std::int64_t claim = at + random_.Between(2 * 60, 30 * 60) * kMinute;
      Claim(claim);
      const std::int64_t found = claim + random_.Between(6 * 60, 48 * 60) * kMinute;
      Emit(ScanType::kFound, place, found, kNoNode, -1, ScanDetail::kFoundByRecipient, 0);
      if (random_.Chance(0.5)) {
        Emit(ScanType::kDelivered, place, found + random_.Between(10, 240) * kMinute, kNoNode, -1,
             ScanDetail::kSigned, 0);
      }
    }
  }

  void Claim(std::int64_t at) {
    Emit(ScanType::kClaimNotReceived, kNoNode, at, kNoNode, -1, ScanDetail::kRecipientClaim, 0);
  }

  // Ends the journey at a theft. A box already emptied keeps its first theft as its story.
  void Steal(Scenario scenario, std::int64_t at) {
    stopped_ = true;
    if (parcel_.theft_time >= 0) return;
    parcel_.scenario = scenario;
    parcel_.theft_time = at;
  }

  // A scale's reading of the parcel as it is now.
  std::int32_t Reading() {
    std::int64_t noise = random_.Bell(-20, 20);
    if (Is(Scenario::kScaleNoise)) {
      noise = random_.Between(12, 20) * (random_.Chance(0.5) ? 1 : -1);
    }
    return std::max<std::int32_t>(1, weight_g_ + static_cast<std::int32_t>(noise));
  }

  std::uint32_t HandlerAt(NodeIndex node, std::int64_t time) {
    if (node == kNoNode) return 0;
    if (node == kAddressNode || node == kMailboxNode) return Network::HandlerId(van_, 0, 0);
    const int shift = ShiftOfHour(LocalHour(time));
    const NodeType type = network_.node(node).type;
    if (type == NodeType::kTerminal || type == NodeType::kHub) {
      return Network::HandlerId(node, shift,
                                static_cast<int>(random_.Between(0, kHandlersPerShift - 1)));
    }
    return Network::HandlerId(node, shift, 0);
  }

  std::int64_t ReceivedAt(NodeIndex node, std::int64_t time) {
    // A claim is typed into the carrier's own systems.
    if (node == kNoNode) return time + random_.Between(0, 60);
    for (const UploadWindow& window : incidents_.upload_windows) {
      if (node == window.node && time >= window.start && time < window.end) {
        const std::int64_t received = window.end + random_.Between(60, 2400);
        // Scans made just before the uploads resumed are late by minutes, which is normal.
        if (received - time >= kHour) hit_upload_window_ = true;
        return received;
      }
    }
    const bool sorting =
        node < network_.nodes().size() && (network_.node(node).type == NodeType::kTerminal ||
                                           network_.node(node).type == NodeType::kHub);
    // Fixed scanners upload at once; handhelds on the road sync every few minutes.
    return time + (sorting ? random_.Between(2, 240) : random_.Between(60, 1800));
  }

  // Records a scan unless this parcel's story drops it. `handler` 0xffffffff picks the one on
  // shift.
  void Emit(ScanType type, NodeIndex node, std::int64_t time, NodeIndex next_node = kNoNode,
            std::int32_t weight_g = -1, ScanDetail detail = ScanDetail::kNone,
            std::uint32_t handler = 0xffffffffu) {
    const bool on_skipped_node =
        skipped_node_ >= 0 && node == route_[skipped_node_] && type != ScanType::kAccepted;
    if (on_skipped_node) return;
    if (IsSkippableScan(type) && random_.Chance(0.003)) return;
    SimulatedEvent event;
    event.time = time;
    event.received = ReceivedAt(node, time);
    event.parcel = index_;
    event.number = context_.next_event_number++;
    event.node = node;
    event.next_node = next_node;
    event.handler = handler == 0xffffffffu ? HandlerAt(node, time) : handler;
    event.weight_g = weight_g;
    event.type = type;
    event.detail = detail;
    event.sequence = sequence_++;
    events_.push_back(event);
  }

  // Carriers resend scans: a few in every parcel of the duplicate scenario, and 1 in 500 anywhere.
  void AddDuplicates() {
    const std::size_t original = events_.size();
    for (std::size_t i = 0; i < original; ++i) {
      if (!random_.Chance(0.002)) continue;
      SimulatedEvent copy = events_[i];
      copy.received += random_.Between(30, 3 * 3600);
      events_.push_back(copy);
    }
    if (Is(Scenario::kDuplicate) && original > 0) {
      const std::int64_t copies = random_.Between(2, 4);
      for (std::int64_t c = 0; c < copies; ++c) {
        SimulatedEvent copy = events_[static_cast<std::size_t>(random_.Between(0, original - 1))];
        copy.received += random_.Between(60, 6 * 3600);
        events_.push_back(copy);
      }
    }
  }

  // Drops what the log cannot have recorded by its end, and fills the parcel's label fields.
  void Finish() {
    const std::int64_t end = context_.flow.end;
    std::vector<std::uint32_t> recorded;
    bool resent = false;
    for (const SimulatedEvent& event : events_) {
      if (event.time > end || event.received > end) continue;
      if (std::find(recorded.begin(), recorded.end(), event.number) != recorded.end()) {
        resent = true;
      }
      recorded.push_back(event.number);
      if (IsClosingScan(event.type) &&
          (parcel_.closed_received < 0 || event.received < parcel_.closed_received)) {
        parcel_.closed_received = event.received;
      }
      context_.flow.events.push_back(event);
    }

    if (parcel_.theft_time >= 0 && parcel_.theft_time <= end) {
      parcel_.outcome = Outcome::kStolen;
    } else if (delivered_time_ >= 0 && delivered_time_ <= end) {
      parcel_.outcome = Outcome::kDelivered;
      parcel_.delivered_time = delivered_time_;
    } else if (returned_time_ >= 0 && returned_time_ <= end) {
      parcel_.outcome = Outcome::kReturned;
    }
    if (parcel_.theft_time > end) parcel_.theft_time = -1;
    if (IsTheft(parcel_.scenario)) return;
    // A resend that the end of the flow cut off leaves nothing to label.
    if (parcel_.scenario == Scenario::kDuplicate && !resent) parcel_.scenario = Scenario::kOnTime;
    if (hit_outage_) {
      parcel_.scenario = Scenario::kNodeOutage;
    } else if (hit_upload_window_) {
      parcel_.scenario = Scenario::kLateUpload;
    }
  }

  JourneyContext& context_;
  const Network& network_;
  const Incidents& incidents_;
  SimulatedParcel& parcel_;
  const std::uint32_t index_;
  std::int32_t weight_g_;
  Random& random_;
  const Scenario drawn_scenario_;

  std::vector<NodeIndex> route_;
  std::vector<SimulatedEvent> events_;
  std::uint16_t sequence_ = 0;
  NodeIndex van_ = kNoNode;
  int skipped_node_ = -1;
  int delayed_node_ = -1;
  std::int64_t delay_ = 0;
  int theft_node_ = -1;
  bool emptied_pending_ = false;  // Emptied, and no scan has shown it yet.
  bool emptied_shows_on_scale_ = false;
  bool stopped_ = false;
  bool hit_outage_ = false;
  bool hit_upload_window_ = false;
  std::int64_t delivered_time_ = -1;
  std::int64_t returned_time_ = -1;
};

}  // namespace

void BuildJourney(JourneyContext& context, std::uint32_t index, std::int32_t true_weight_g,
                  Random& random) {
  Journey(context, index, true_weight_g, random).Build();
}

}  // namespace imeiguard::simulation
