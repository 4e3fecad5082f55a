// The working set of the detection engine: every open phone parcel in memory, with its history,
// devices and orders, and the deadlines at which silence and overdue rules come due.
//
// The tracker does no I/O. Each method that changes a parcel returns the change for its caller to
// persist; the caller holds one lock around the tracker (not thread-safe on its own).
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "detection/flow_statistics.h"
#include "detection/verdict.h"
#include "service/config.h"
#include "store/store.h"

namespace imeiguard {

struct TrackedParcel {
  ParcelRow parcel;
  std::vector<DeviceRow> devices;
  std::vector<ScanEvent> events;  // Sorted by EventTimeOrder.
  std::vector<LockOrder> orders;
  // The verdict its devices' orders follow: the verdict itself, unless a lock gate holds a lost
  // verdict's lock for an officer or an officer ordered the unlock.
  Verdict lock_verdict = Verdict::kInFlow;
};

// Decides the verdict that a lost parcel's devices are planned by: kLost to lock them, kSuspect to
// greylist them while the lock waits for an officer, kRecovered to unlock them on an officer's
// order. Called on every assessment of a lost parcel, at the clock time of the assessment.
using LockGate = std::function<Verdict(const TrackedParcel&, const Assessment&, Timestamp now)>;

// Called after every change to a parcel's verdict, device states or orders, with the parcel as it
// is now and the clock time of the change.
using ParcelChangeListener = std::function<void(const TrackedParcel&, Timestamp)>;

// Hashes strings and string views alike, so that lookups by a view allocate nothing.
struct TransparentStringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view text) const {
    return std::hash<std::string_view>{}(text);
  }
};

class Tracker {
 public:
  explicit Tracker(const Config& config) : config_(config) {}

  void SetListener(ParcelChangeListener listener) { listener_ = std::move(listener); }
  // Without a gate every lost verdict locks.
  void SetLockGate(LockGate gate) { lock_gate_ = std::move(gate); }

  // Takes a parcel loaded from the store (at start-up or right after its manifest was imported).
  void Adopt(ParcelSnapshot snapshot);

  bool Tracks(std::string_view parcel_id) const;

  // The tracked parcel, or nullptr. The pointer is valid until the next change to the tracker.
  const TrackedParcel* Find(std::string_view parcel_id) const;

  // Adds an event to a tracked parcel's history unless its event_id is already there. Returns true
  // when the event is new to the tracker.
  bool AddEvent(const ScanEventView& event, Timestamp recorded_at);

  // Removes an event declared in error from a tracked parcel's history, so that the next
  // assessment weighs the history as if it had never arrived. Returns true when it was there.
  bool RemoveEvent(std::string_view parcel_id, std::string_view event_id);

  // Assesses the parcel as of the event time `as_of` (the feed's watermark) and plans its orders at
  // clock time `now`. Returns the change to persist, or std::nullopt when nothing changed. The
  // tracker already reflects the change when this returns; new orders carry order_id 0 until
  // ReplaceOrders brings the stored ones.
  std::optional<AssessmentChange> Reassess(const std::string& parcel_id, Timestamp as_of,
                                           Timestamp now);

  // Replaces a parcel's orders with the stored ones (after SaveAssessment assigned their ids).
  void ReplaceOrders(const std::string& parcel_id, std::vector<LockOrder> orders);

  // Takes the outbox's update of an order. Returns the device whose lock state changed and the new
  // state, or std::nullopt. Unknown orders (of parcels no longer tracked) are ignored.
  std::optional<std::pair<std::int64_t, LockState>> ApplyOrderUpdate(const LockOrder& order,
                                                                     Timestamp now);

  // The order as the tracker holds it, to check that an order loaded from the store is still live.
  const LockOrder* FindOrder(std::int64_t order_id) const;

  // The acknowledged lock orders in force: for each device whose state is locked, on each
  // connector, its newest live order when that is an acknowledged lock.
  std::vector<LockOrder> LocksInForce() const;

  // Parcels whose next deadline (an event time) is at or before `as_of`, earliest first, each with
  // its deadline.
  std::vector<std::pair<Timestamp, std::string>> TakeDueParcels(Timestamp as_of);
  std::optional<Timestamp> NextDeadline() const;

  // Drops closed parcels whose orders are all settled; they can change no more under these rules.
  // Their part in the learned flow statistics stays.
  void EvictSettled();

  // Forgets learned flow statistics from before `before` (an event time).
  void PruneStatistics(Timestamp before) { flow_.Prune(before); }

  // Drops the parcel, with its devices and orders, whatever its state. The retention purge calls it
  // for parcels whose devices it removed from the store.
  void Forget(std::string_view parcel_id);

  std::size_t size() const { return parcels_.size(); }

 private:
  void ScheduleDeadline(TrackedParcel& tracked);
  void Notify(const TrackedParcel& tracked, Timestamp at) const;

  const Config& config_;
  ParcelChangeListener listener_;
  LockGate lock_gate_;
  FlowStatistics flow_;  // Learned from every tracked parcel's history.
  std::unordered_map<std::string, TrackedParcel, TransparentStringHash, std::equal_to<>> parcels_;
  std::unordered_map<std::int64_t, std::string> order_parcels_;  // order_id -> parcel_id
  // Deadlines keyed by time; an entry is stale when the parcel's assessment has moved on.
  std::set<std::pair<Timestamp, std::string>> deadlines_;
};

}  // namespace imeiguard
