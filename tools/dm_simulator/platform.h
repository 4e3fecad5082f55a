// The simulated device-management platform: orders, devices and their lock state, without HTTP.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/error.h"
#include "core/time.h"
#include "fault_plan.h"

namespace imeiguard::dm_simulator {

class StateFile;

enum class DmAction { kLock, kUnlock };
enum class DmOrderStatus { kPending, kApplied, kRejected };

std::string_view DmActionName(DmAction action);            // "lock", "unlock"
std::string_view DmOrderStatusName(DmOrderStatus status);  // "pending", "applied", "rejected"
std::optional<DmAction> ParseDmAction(std::string_view text);
std::optional<DmOrderStatus> ParseDmOrderStatus(std::string_view text);

// Wall-clock time in microseconds, for the moment a request reached the simulator.
using PreciseTime = std::chrono::sys_time<std::chrono::microseconds>;

// One lock or unlock order as the platform keeps it.
struct DmOrder {
  std::string order_id;        // "ord-000001"
  std::uint64_t sequence = 0;  // Creation order, from 1.
  std::string tenant;
  std::string imei;   // 14-digit core that identifies the device.
  std::string imei2;  // 14-digit core of the second IMEI of a dual-SIM device, or empty.
  DmAction action = DmAction::kLock;
  DmOrderStatus status = DmOrderStatus::kPending;
  std::string message;
  std::string contact;
  std::string reference;
  std::string idempotency_key;
  std::string fingerprint;  // SHA-256 of the content, to tell a replay from a reused key.
  Timestamp created_at;
  Timestamp apply_at;                    // When a pending order is applied.
  std::optional<Timestamp> finished_at;  // When it was applied or rejected.
  std::string rejection_reason;          // Set for kRejected.
  std::optional<Timestamp> not_after;    // Not applied after this time: rejected "expired".
  std::uint64_t enrolment = 1;           // The device's enrolment when the order was created.
  bool awaiting_device = false;          // Pending until the offline device checks in.
  PreciseTime received_at;               // When the request that created it arrived.
};

// A device and its lock state on the platform, from the first order that named it.
struct DmDevice {
  std::string tenant;
  std::string imei;   // 14-digit core.
  std::string imei2;  // 14-digit core, or empty.
  bool locked = false;
  std::string message;  // Shown while locked.
  std::string contact;
  std::string last_order_id;     // The last order applied to the device.
  std::string pending_order_id;  // The newest order not yet applied, or empty.
  Timestamp updated_at;
  std::uint64_t enrolment = 1;  // Raised by each enrolment; orders of an earlier one never apply.
  bool online = true;           // An offline device applies nothing until it checks in.
  bool unsupported = false;     // The device cannot apply orders: each ends "unsupported_device".
  std::int64_t applied_locks = 0;  // Lock orders applied to it, counting every one.
  std::int64_t applied_unlocks = 0;
};

// A new order as a client requests it. IMEIs are 14-digit cores.
struct OrderRequest {
  std::string tenant;
  std::string imei;
  std::string imei2;
  DmAction action = DmAction::kLock;
  std::string message;
  std::string contact;
  std::string reference;
  std::string idempotency_key;
  std::optional<Timestamp> not_after;
  PreciseTime received_at;
};

enum class SubmitOutcome {
  kCreated,    // A new order.
  kReplayed,   // The idempotency key named an order with the same content: that order.
  kKeyReused,  // The idempotency key named an order with other content: nothing was created.
};

struct SubmitResult {
  SubmitOutcome outcome = SubmitOutcome::kCreated;
  DmOrder order;  // The new or the original order.
};

struct OrderFilter {
  std::string imei;                     // 14-digit core of either IMEI; empty matches all.
  std::optional<DmOrderStatus> status;  // nullopt matches all.
  std::optional<DmAction> action;
};

// Every tenant's orders and devices. An order takes effect `apply_delay` after it is created. No
// timer applies it: the first call after that applies every order that is due, oldest due first,
// so each read returns the state as of the clock's current time. Safe to call from several threads.
class DmPlatform {
 public:
  // `faults`, `clock` and `state_file` are not owned and must outlive the platform;
  // `state_file` may be null, and then nothing is persisted.
  DmPlatform(Duration apply_delay, FaultInjector& faults, const Clock& clock,
             StateFile* state_file);

  // Loads orders and devices from the state file; call once, before any other method. Returns the
  // number of lines that could not be read (a line cut short by a crash), or the file's error.
  Result<int> Restore();

  SubmitResult Submit(const OrderRequest& request);
  std::optional<DmOrder> FindOrder(const std::string& tenant, const std::string& order_id);
  // Finds the device by either of its IMEIs (14-digit cores).
  std::optional<DmDevice> FindDevice(const std::string& tenant, const std::string& imei);
  // Returns the tenant's orders that match `filter`, oldest first.
  std::vector<DmOrder> ListOrders(const std::string& tenant, const OrderFilter& filter);
  // Returns the tenant's devices, by first IMEI.
  std::vector<DmDevice> ListDevices(const std::string& tenant);

  // Brings an offline device online: its waiting orders are applied `apply_delay` from now, oldest
  // first. nullopt when no order or enrolment has named the device.
  std::optional<DmDevice> CheckIn(const std::string& tenant, const std::string& imei);
  // Enrols the device anew (creating it when unknown), which brings it online. Its pending orders,
  // made for the earlier enrolment, end rejected with reason "device_reenrolled".
  DmDevice Enroll(const std::string& tenant, const std::string& imei);

  // Applies the orders that are due. Reads do this too; a timer calls it so that orders are
  // applied, and callbacks sent, when no request comes.
  void Tick();

  // `observer` is called, under the platform's lock, each time an order becomes applied or
  // rejected. It must be quick and must not call the platform. Set it before serving requests.
  void SetFinishedObserver(std::function<void(const DmOrder&)> observer);

 private:
  using TenantKey = std::pair<std::string, std::string>;     // Tenant and a key within it.
  using PendingEntry = std::pair<Timestamp, std::uint64_t>;  // Due time and sequence.

  void ApplyDue(Timestamp now);
  void Apply(DmOrder& order, Timestamp now);
  // Creates the device, drawing whether it is offline or unsupported.
  DmDevice& NewDevice(const std::string& tenant, const std::string& imei, Timestamp now);
  DmDevice& DeviceFor(const DmOrder& order, Timestamp now);
  DmDevice* LookupDevice(const std::string& tenant, const std::string& imei);
  bool BelongsTo(const DmOrder& order, const DmDevice& device);
  // The order's place in pending_: its apply_at, or its not_after while it waits for its device.
  static PendingEntry PendingKey(const DmOrder& order);
  void Index(const DmOrder& order);
  void Persist(const DmOrder& order);
  void Persist(const DmDevice& device);

  const Duration apply_delay_;
  FaultInjector& faults_;
  const Clock& clock_;
  StateFile* const state_file_;
  std::function<void(const DmOrder&)> finished_observer_;

  std::mutex mutex_;
  std::uint64_t last_sequence_ = 0;                         // Guarded by mutex_.
  std::map<std::string, DmOrder> orders_;                   // By order id. Guarded by mutex_.
  std::map<std::uint64_t, std::string> order_by_sequence_;  // Guarded by mutex_.
  std::map<TenantKey, std::string> order_by_key_;           // Idempotency key -> order id. Guarded.
  std::set<PendingEntry> pending_;                          // See PendingKey. Guarded.
  std::map<TenantKey, DmDevice> devices_;                   // By first IMEI. Guarded by mutex_.
  std::map<TenantKey, std::string> device_alias_;           // Second IMEI -> first. Guarded.
};

}  // namespace imeiguard::dm_simulator
