// Which lock and unlock orders a verdict calls for, per device and connector. Pure: no I/O.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/time.h"
#include "detection/verdict.h"
#include "locking/lock_state.h"

namespace imeiguard {

// The device a plan is made for, with its identifiers.
struct PlannedDevice {
  std::int64_t device_id = 0;
  std::string parcel_id;
  std::string shipper_id;
  Imei imei = Imei::FromCoreValue(0);
  std::optional<Imei> imei2;
};

struct DevicePlan {
  std::vector<LockOrder> new_orders;           // To insert; order_id is left 0.
  std::vector<std::int64_t> cancelled_orders;  // Pending, never-sent orders to withdraw.
};

// Plans the orders that bring `device` in line with `verdict` through each of `connectors`, given
// every order the device already has (any order; cancelled ones are ignored). For each connector:
// a lost verdict wants a lock in force, any other verdict wants none. A lock that was never
// attempted is cancelled rather than followed by an unlock; an unlock that was never attempted is
// cancelled when the device is to be locked again. An order that was attempted may have reached
// the platform, so it is followed by the opposite order, which names it in supersedes_order_id;
// when it is still pending in the outbox it is also cancelled, so that it is never sent after the
// order that supersedes it. An order already live for the same action is reused, never
// duplicated, so planning twice gives nothing new the second time. New lock orders expire
// `order_expiry` after `now` when it is given; unlock orders never expire.
DevicePlan PlanDevice(Verdict verdict, const PlannedDevice& device,
                      std::span<const LockOrder> orders, std::span<const std::string> connectors,
                      Timestamp now, const std::string& reason,
                      std::optional<Duration> order_expiry = std::nullopt);

// The newest order of `device_id` on `connector` that was not cancelled, or nullptr.
const LockOrder* LatestLiveOrder(std::span<const LockOrder> orders, std::int64_t device_id,
                                 const std::string& connector);

// Whether any device of `orders` has a lock live on some connector: its newest order there that
// was not cancelled is a lock, sent or not.
bool AnyLockLive(std::span<const LockOrder> orders);

// The lock state a person sees, from the verdict and the device's orders: a lock counts only once a
// platform has acknowledged it on every connector.
LockState DeriveLockState(Verdict verdict, std::span<const LockOrder> device_orders);

// Whether the public check and network EIRs treat a device in `state` as blocked.
inline bool StateBlocks(LockState state) {
  return state == LockState::kLocked || state == LockState::kLockPending;
}

}  // namespace imeiguard
