#include "service/tracker.h"

#include <algorithm>
#include <boost/json.hpp>

#include "detection/engine.h"
#include "locking/lock_planner.h"

namespace imeiguard {
namespace {

std::string RulesOf(const Assessment& assessment) {
  std::string rules;
  for (const Evidence& evidence : assessment.evidence) {
    if (!rules.empty()) rules += ";";
    rules += evidence.rule;
  }
  return rules;
}

// The reason written on orders: the verdict and the last rule that led to it.
std::string ReasonOf(const Assessment& assessment) {
  std::string reason(VerdictName(assessment.verdict));
  if (!assessment.evidence.empty()) reason += ": " + assessment.evidence.back().rule;
  return reason;
}

AuditEntry Audit(Timestamp at, std::string action, std::string entity, boost::json::object detail) {
  AuditEntry entry;
  entry.at = at;
  entry.actor = "engine";
  entry.action = std::move(action);
  entry.entity = std::move(entity);
  entry.detail = boost::json::serialize(detail);
  return entry;
}

// The verdict a device's lock orders follow. On loss, the parcel's own. Under a transit hold the
// device stays locked (as if lost) until a delivery or return hands the parcel over, unless the
// evidence shows the phone left the parcel. A claim after a weak proof of delivery locks it again
// until the parcel turns up.
Verdict LockingVerdict(const Assessment& assessment, LockPolicy lock_policy) {
  if (lock_policy == LockPolicy::kOnLoss) return assessment.verdict;
  bool handed_over = std::any_of(
      assessment.evidence.begin(), assessment.evidence.end(), [](const Evidence& evidence) {
        return evidence.rule == kRuleDelivered || evidence.rule == kRuleReturned;
      });
  if (handed_over && assessment.verdict != Verdict::kLost &&
      !EvidenceShowsPhoneRemoved(assessment) && !ClaimAfterWeakProofOpen(assessment)) {
    return assessment.verdict;
  }
  return Verdict::kLost;
}

std::vector<LockOrder> OrdersOfDevice(const std::vector<LockOrder>& orders, std::int64_t device) {
  std::vector<LockOrder> result;
  for (const LockOrder& order : orders) {
    if (order.device_id == device) result.push_back(order);
  }
  return result;
}

}  // namespace

void Tracker::Adopt(ParcelSnapshot snapshot) {
  std::string id = snapshot.parcel.record.parcel_id;
  TrackedParcel& tracked = parcels_[id];
  tracked.parcel = std::move(snapshot.parcel);
  tracked.devices = std::move(snapshot.devices);
  tracked.events = std::move(snapshot.events);
  tracked.orders = std::move(snapshot.orders);
  tracked.lock_verdict = LockingVerdict(
      tracked.parcel.assessment, config_.PolicyFor(tracked.parcel.record.shipper_id).lock_policy);
  std::sort(tracked.events.begin(), tracked.events.end(), EventTimeOrder);
  flow_.Record(id, tracked.events);
  for (const LockOrder& order : tracked.orders) order_parcels_[order.order_id] = id;
  ScheduleDeadline(tracked);
}

bool Tracker::Tracks(std::string_view parcel_id) const {
  return parcels_.find(parcel_id) != parcels_.end();
}

const TrackedParcel* Tracker::Find(std::string_view parcel_id) const {
  auto it = parcels_.find(parcel_id);
  return it == parcels_.end() ? nullptr : &it->second;
}

bool Tracker::AddEvent(const ScanEventView& event, Timestamp recorded_at) {
  auto it = parcels_.find(event.parcel_id);
  if (it == parcels_.end()) return false;
  std::vector<ScanEvent>& events = it->second.events;
  for (const ScanEvent& known : events) {
    if (known.event_id == event.event_id) return false;
  }
  ScanEvent owned = ScanEvent::FromView(event, recorded_at);
  events.insert(std::upper_bound(events.begin(), events.end(), owned, EventTimeOrder),
                std::move(owned));
  flow_.Record(it->first, events);
  return true;
}

bool Tracker::RemoveEvent(std::string_view parcel_id, std::string_view event_id) {
  auto it = parcels_.find(parcel_id);
  if (it == parcels_.end()) return false;
  std::vector<ScanEvent>& events = it->second.events;
  auto removed = std::remove_if(events.begin(), events.end(),
                                [&](const ScanEvent& event) { return event.event_id == event_id; });
  if (removed == events.end()) return false;
  events.erase(removed, events.end());
  flow_.Record(it->first, events);
  return true;
}

std::optional<AssessmentChange> Tracker::Reassess(const std::string& parcel_id, Timestamp as_of,
                                                  Timestamp now) {
  auto it = parcels_.find(parcel_id);
  if (it == parcels_.end()) return std::nullopt;
  TrackedParcel& tracked = it->second;
  const ShipperPolicy& policy = config_.PolicyFor(tracked.parcel.record.shipper_id);

  Assessment assessment =
      Assess(tracked.parcel.record, tracked.events, as_of, policy.detection, flow_);
  AssessmentChange change;
  change.parcel_id = parcel_id;
  change.at = now;
  Verdict previous = tracked.parcel.assessment.verdict;
  bool assessment_changed = !(assessment == tracked.parcel.assessment);
  if (assessment.verdict != previous) {
    change.audit.push_back(Audit(now, "verdict", "parcel:" + parcel_id,
                                 {{"from", VerdictName(previous)},
                                  {"to", VerdictName(assessment.verdict)},
                                  {"since", FormatRfc3339(assessment.since)},
                                  {"rules", RulesOf(assessment)}}));
  }

  Verdict lock_verdict = LockingVerdict(assessment, policy.lock_policy);
  std::string reason = lock_verdict == assessment.verdict ? ReasonOf(assessment)
                                                          : "transit hold: " + ReasonOf(assessment);
  // A transit hold is the shipper's standing order, so only a lock for a loss needs approval or
  // counts towards the blast-radius guard.
  if (assessment.verdict == Verdict::kLost && lock_verdict == Verdict::kLost &&
      policy.lock_policy == LockPolicy::kOnLoss && lock_gate_) {
    lock_verdict = lock_gate_(tracked, assessment, now);
  }
  tracked.lock_verdict = lock_verdict;
  for (DeviceRow& device : tracked.devices) {
    PlannedDevice planned{device.device_id, parcel_id, device.shipper_id, device.record.imei,
                          device.record.imei2};
    DevicePlan plan = PlanDevice(lock_verdict, planned, tracked.orders, policy.connectors, now,
                                 reason, config_.outbox.order_expiry);
    for (std::int64_t cancelled : plan.cancelled_orders) {
      for (LockOrder& order : tracked.orders) {
        if (order.order_id != cancelled) continue;
        order.status = OrderStatus::kCancelled;
        change.cancelled_orders.push_back(cancelled);
        change.audit.push_back(Audit(now, "lock_order_cancelled",
                                     "order:" + std::to_string(cancelled),
                                     {{"device_id", device.device_id}, {"reason", reason}}));
      }
    }
    for (LockOrder& order : plan.new_orders) {
      change.audit.push_back(Audit(now, "lock_order_created",
                                   "device:" + std::to_string(device.device_id),
                                   {{"action", LockActionName(order.action)},
                                    {"connector", order.connector},
                                    {"idempotency_key", order.idempotency_key},
                                    {"reason", reason}}));
      tracked.orders.push_back(order);
      change.new_orders.push_back(std::move(order));
    }
    LockState state =
        DeriveLockState(lock_verdict, OrdersOfDevice(tracked.orders, device.device_id));
    if (state != device.state) {
      device.state = state;
      device.state_since = now;
      change.device_states.emplace_back(device.device_id, state);
    }
  }

  if (!assessment_changed && change.new_orders.empty() && change.cancelled_orders.empty() &&
      change.device_states.empty()) {
    return std::nullopt;
  }
  change.assessment = assessment;
  tracked.parcel.assessment = std::move(assessment);
  ScheduleDeadline(tracked);
  Notify(tracked, now);
  return change;
}

void Tracker::ReplaceOrders(const std::string& parcel_id, std::vector<LockOrder> orders) {
  auto it = parcels_.find(parcel_id);
  if (it == parcels_.end()) return;
  for (const LockOrder& order : orders) order_parcels_[order.order_id] = parcel_id;
  it->second.orders = std::move(orders);
}

std::optional<std::pair<std::int64_t, LockState>> Tracker::ApplyOrderUpdate(const LockOrder& order,
                                                                            Timestamp now) {
  auto owner = order_parcels_.find(order.order_id);
  if (owner == order_parcels_.end()) return std::nullopt;
  auto it = parcels_.find(owner->second);
  if (it == parcels_.end()) return std::nullopt;
  TrackedParcel& tracked = it->second;
  for (LockOrder& held : tracked.orders) {
    if (held.order_id == order.order_id) held = order;
  }
  std::optional<std::pair<std::int64_t, LockState>> changed;
  for (DeviceRow& device : tracked.devices) {
    if (device.device_id != order.device_id) continue;
    LockState state =
        DeriveLockState(tracked.lock_verdict, OrdersOfDevice(tracked.orders, device.device_id));
    if (state != device.state) {
      device.state = state;
      device.state_since = now;
      changed.emplace(device.device_id, state);
    }
  }
  Notify(tracked, now);
  return changed;
}

const LockOrder* Tracker::FindOrder(std::int64_t order_id) const {
  auto owner = order_parcels_.find(order_id);
  if (owner == order_parcels_.end()) return nullptr;
  auto it = parcels_.find(owner->second);
  if (it == parcels_.end()) return nullptr;
  for (const LockOrder& order : it->second.orders) {
    if (order.order_id == order_id) return &order;
  }
  return nullptr;
}

std::vector<LockOrder> Tracker::LocksInForce() const {
  std::vector<LockOrder> locks;
  for (const auto& [parcel_id, tracked] : parcels_) {
    for (const DeviceRow& device : tracked.devices) {
      if (device.state != LockState::kLocked) continue;
      std::set<std::string> connectors;
      for (const LockOrder& order : tracked.orders) {
        if (order.device_id == device.device_id) connectors.insert(order.connector);
      }
      for (const std::string& connector : connectors) {
        const LockOrder* latest = LatestLiveOrder(tracked.orders, device.device_id, connector);
        if (latest != nullptr && latest->action == LockAction::kLock &&
            latest->status == OrderStatus::kAcknowledged) {
          locks.push_back(*latest);
        }
      }
    }
  }
  return locks;
}

std::vector<std::pair<Timestamp, std::string>> Tracker::TakeDueParcels(Timestamp as_of) {
  std::vector<std::pair<Timestamp, std::string>> due;
  while (!deadlines_.empty() && deadlines_.begin()->first <= as_of) {
    auto entry = *deadlines_.begin();
    deadlines_.erase(deadlines_.begin());
    auto it = parcels_.find(entry.second);
    if (it == parcels_.end()) continue;
    if (it->second.parcel.assessment.next_deadline != entry.first) continue;  // Stale entry.
    due.push_back(std::move(entry));
  }
  return due;
}

std::optional<Timestamp> Tracker::NextDeadline() const {
  if (deadlines_.empty()) return std::nullopt;
  return deadlines_.begin()->first;
}

void Tracker::EvictSettled() {
  for (auto it = parcels_.begin(); it != parcels_.end();) {
    const TrackedParcel& tracked = it->second;
    bool settled =
        VerdictIsClosed(tracked.parcel.assessment.verdict) &&
        std::all_of(tracked.orders.begin(), tracked.orders.end(), [](const LockOrder& o) {
          return o.status != OrderStatus::kPending && o.status != OrderStatus::kSent;
        });
    if (!settled) {
      ++it;
      continue;
    }
    for (const LockOrder& order : tracked.orders) order_parcels_.erase(order.order_id);
    it = parcels_.erase(it);
  }
}

void Tracker::Forget(std::string_view parcel_id) {
  auto it = parcels_.find(parcel_id);
  if (it == parcels_.end()) return;
  for (const LockOrder& order : it->second.orders) order_parcels_.erase(order.order_id);
  parcels_.erase(it);
}

void Tracker::ScheduleDeadline(TrackedParcel& tracked) {
  const std::optional<Timestamp>& deadline = tracked.parcel.assessment.next_deadline;
  if (deadline) deadlines_.emplace(*deadline, tracked.parcel.record.parcel_id);
}

void Tracker::Notify(const TrackedParcel& tracked, Timestamp at) const {
  if (listener_) listener_(tracked, at);
}

}  // namespace imeiguard
