#include "platform.h"

#include <spdlog/spdlog.h>

#include <cstdio>

#include "locking/request_signing.h"
#include "records.h"
#include "state_file.h"

namespace imeiguard::dm_simulator {
namespace {

std::string FormatOrderId(std::uint64_t sequence) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "ord-%06llu", static_cast<unsigned long long>(sequence));
  return buffer;
}

// Two requests with the same idempotency key are the same order when these parts agree.
std::string Fingerprint(const OrderRequest& request) {
  std::string content(DmActionName(request.action));
  for (const std::string* part :
       {&request.imei, &request.imei2, &request.message, &request.contact, &request.reference}) {
    content += '\n';
    content += *part;
  }
  if (request.not_after) content += "\n" + FormatRfc3339(*request.not_after);
  return Sha256Hex(content);
}

}  // namespace

std::string_view DmActionName(DmAction action) {
  return action == DmAction::kLock ? "lock" : "unlock";
}

std::string_view DmOrderStatusName(DmOrderStatus status) {
  switch (status) {
    case DmOrderStatus::kPending:
      return "pending";
    case DmOrderStatus::kApplied:
      return "applied";
    case DmOrderStatus::kRejected:
      return "rejected";
  }
  return "pending";
}

std::optional<DmAction> ParseDmAction(std::string_view text) {
  if (text == "lock") return DmAction::kLock;
  if (text == "unlock") return DmAction::kUnlock;
  return std::nullopt;
}

std::optional<DmOrderStatus> ParseDmOrderStatus(std::string_view text) {
  for (DmOrderStatus status :
       {DmOrderStatus::kPending, DmOrderStatus::kApplied, DmOrderStatus::kRejected}) {
    if (text == DmOrderStatusName(status)) return status;
  }
  return std::nullopt;
}

DmPlatform::DmPlatform(Duration apply_delay, FaultInjector& faults, const Clock& clock,
                       StateFile* state_file)
    : apply_delay_(apply_delay), faults_(faults), clock_(clock), state_file_(state_file) {}

Result<int> DmPlatform::Restore() {
  std::lock_guard lock(mutex_);
  if (state_file_ == nullptr) return 0;
  int malformed = 0;
  auto read = state_file_->Read([&](const boost::json::object& record) {
    const boost::json::value* kind = record.if_contains("record");
    if (kind != nullptr && kind->is_string() && kind->get_string() == "order") {
      if (auto order = OrderFromRecord(record)) {
        orders_[order->order_id] = std::move(*order);
        return;
      }
    } else if (kind != nullptr && kind->is_string() && kind->get_string() == "device") {
      if (auto device = DeviceFromRecord(record)) {
        devices_[{device->tenant, device->imei}] = std::move(*device);
        return;
      }
    }
    ++malformed;
  });
  if (!read.ok()) return read.error();

  // Index in creation order, so that the first order under an idempotency key stays the one found.
  std::map<std::uint64_t, const DmOrder*> by_sequence;
  for (const auto& [id, order] : orders_) by_sequence[order.sequence] = &order;
  for (const auto& [sequence, order] : by_sequence) Index(*order);
  for (const auto& [key, device] : devices_) {
    if (!device.imei2.empty()) device_alias_[{device.tenant, device.imei2}] = device.imei;
  }
  return *read + malformed;
}

SubmitResult DmPlatform::Submit(const OrderRequest& request) {
  std::lock_guard lock(mutex_);
  Timestamp now = clock_.Now();
  ApplyDue(now);

  std::string fingerprint = Fingerprint(request);
  bool deduplicate = !faults_.plan().no_dedup && !request.idempotency_key.empty();
  if (deduplicate) {
    auto known = order_by_key_.find({request.tenant, request.idempotency_key});
    if (known != order_by_key_.end()) {
      const DmOrder& original = orders_.at(known->second);
      SubmitOutcome outcome = original.fingerprint == fingerprint ? SubmitOutcome::kReplayed
                                                                  : SubmitOutcome::kKeyReused;
      return {outcome, original};
    }
  }

  DmOrder order;
  order.sequence = ++last_sequence_;
  order.order_id = FormatOrderId(order.sequence);
  order.tenant = request.tenant;
  order.imei = request.imei;
  order.imei2 = request.imei2;
  order.action = request.action;
  order.message = request.message;
  order.contact = request.contact;
  order.reference = request.reference;
  order.idempotency_key = request.idempotency_key;
  order.fingerprint = std::move(fingerprint);
  order.created_at = now;
  order.apply_at = now + std::max(apply_delay_, Duration::zero());
  order.not_after = request.not_after;
  order.received_at = request.received_at;

  DmDevice& device = DeviceFor(order, now);
  order.enrolment = device.enrolment;
  order.awaiting_device = !device.online;
  device.pending_order_id = order.order_id;
  Persist(device);
  Persist(order);
  Index(order);

  DmOrder& stored = orders_[order.order_id];
  stored = std::move(order);
  // An unsupported device reports its failure later, so its order is pending in the response even
  // when it is due at once; the next read or tick rejects it.
  if (!stored.awaiting_device && !device.unsupported && stored.apply_at <= now) {
    pending_.erase(PendingKey(stored));
    Apply(stored, now);
  }
  return {SubmitOutcome::kCreated, stored};
}

std::optional<DmOrder> DmPlatform::FindOrder(const std::string& tenant,
                                             const std::string& order_id) {
  std::lock_guard lock(mutex_);
  ApplyDue(clock_.Now());
  auto found = orders_.find(order_id);
  if (found == orders_.end() || found->second.tenant != tenant) return std::nullopt;
  return found->second;
}

std::optional<DmDevice> DmPlatform::FindDevice(const std::string& tenant, const std::string& imei) {
  std::lock_guard lock(mutex_);
  ApplyDue(clock_.Now());
  DmDevice* device = LookupDevice(tenant, imei);
  if (device == nullptr) return std::nullopt;
  return *device;
}

std::vector<DmOrder> DmPlatform::ListOrders(const std::string& tenant, const OrderFilter& filter) {
  std::lock_guard lock(mutex_);
  ApplyDue(clock_.Now());
  std::vector<DmOrder> matching;
  for (const auto& [sequence, id] : order_by_sequence_) {
    const DmOrder& order = orders_.at(id);
    if (order.tenant != tenant) continue;
    if (!filter.imei.empty() && order.imei != filter.imei && order.imei2 != filter.imei) continue;
    if (filter.status && order.status != *filter.status) continue;
    if (filter.action && order.action != *filter.action) continue;
    matching.push_back(order);
  }
  return matching;
}

std::vector<DmDevice> DmPlatform::ListDevices(const std::string& tenant) {
  std::lock_guard lock(mutex_);
  ApplyDue(clock_.Now());
  std::vector<DmDevice> devices;
  for (const auto& [key, device] : devices_) {
    if (device.tenant == tenant) devices.push_back(device);
  }
  return devices;
}

std::optional<DmDevice> DmPlatform::CheckIn(const std::string& tenant, const std::string& imei) {
  std::lock_guard lock(mutex_);
  Timestamp now = clock_.Now();
  ApplyDue(now);
  DmDevice* device = LookupDevice(tenant, imei);
  if (device == nullptr) return std::nullopt;
  device->online = true;
  device->updated_at = now;
  Persist(*device);
  for (const auto& [sequence, id] : order_by_sequence_) {
    DmOrder& order = orders_.at(id);
    if (!order.awaiting_device || order.tenant != tenant || !BelongsTo(order, *device)) continue;
    pending_.erase(PendingKey(order));
    order.awaiting_device = false;
    order.apply_at = now + std::max(apply_delay_, Duration::zero());
    Persist(order);
    pending_.insert(PendingKey(order));
  }
  ApplyDue(now);
  return *device;
}

DmDevice DmPlatform::Enroll(const std::string& tenant, const std::string& imei) {
  std::lock_guard lock(mutex_);
  Timestamp now = clock_.Now();
  ApplyDue(now);
  DmDevice* device = LookupDevice(tenant, imei);
  if (device == nullptr) {
    device = &NewDevice(tenant, imei, now);
  } else {
    ++device->enrolment;
  }
  device->online = true;
  device->updated_at = now;
  Persist(*device);
  // The orders were made for the device as it was enrolled before; the new enrolment never gets
  // them, and Apply rejects them for that.
  for (const auto& [sequence, id] : order_by_sequence_) {
    DmOrder& order = orders_.at(id);
    if (order.status != DmOrderStatus::kPending || order.tenant != tenant ||
        order.enrolment == device->enrolment || !BelongsTo(order, *device)) {
      continue;
    }
    pending_.erase(PendingKey(order));
    order.awaiting_device = false;
    Apply(order, now);
  }
  return *device;
}

void DmPlatform::Tick() {
  std::lock_guard lock(mutex_);
  ApplyDue(clock_.Now());
}

void DmPlatform::SetFinishedObserver(std::function<void(const DmOrder&)> observer) {
  std::lock_guard lock(mutex_);
  finished_observer_ = std::move(observer);
}

void DmPlatform::ApplyDue(Timestamp now) {
  while (!pending_.empty() && pending_.begin()->first <= now) {
    auto [due, sequence] = *pending_.begin();
    pending_.erase(pending_.begin());
    DmOrder& order = orders_.at(order_by_sequence_.at(sequence));
    // The order took effect when it became due, not when a request happened to notice it. An
    // order still waiting for its device is due only at its not_after, and then expires.
    Apply(order, due);
  }
}

void DmPlatform::Apply(DmOrder& order, Timestamp now) {
  DmDevice& device = DeviceFor(order, now);
  std::string reason;
  if (order.not_after && now > *order.not_after) {
    reason = "expired";
  } else if (order.awaiting_device) {
    // Due at its not_after while the device is still offline: it can no longer be applied.
    reason = "expired";
  } else if (order.enrolment != device.enrolment) {
    reason = "device_reenrolled";
  } else if (device.unsupported) {
    reason = "unsupported_device";
  } else if (faults_.RejectOnApply()) {
    reason = "injected_rejection";
  }
  order.awaiting_device = false;
  if (!reason.empty()) {
    order.status = DmOrderStatus::kRejected;
    order.rejection_reason = reason;
  } else {
    order.status = DmOrderStatus::kApplied;
    device.locked = order.action == DmAction::kLock;
    device.message = device.locked ? order.message : "";
    device.contact = device.locked ? order.contact : "";
    device.last_order_id = order.order_id;
    ++(device.locked ? device.applied_locks : device.applied_unlocks);
  }
  order.finished_at = now;
  if (device.pending_order_id == order.order_id) device.pending_order_id.clear();
  device.updated_at = now;
  Persist(order);
  Persist(device);
  spdlog::info("order {} ({} of device {}******, tenant {}) {}{}", order.order_id,
               DmActionName(order.action), order.imei.substr(0, 8), order.tenant,
               DmOrderStatusName(order.status), reason.empty() ? "" : ": " + reason);
  if (finished_observer_) finished_observer_(order);
}

DmDevice& DmPlatform::NewDevice(const std::string& tenant, const std::string& imei, Timestamp now) {
  DmDevice& device = devices_[{tenant, imei}];
  device.tenant = tenant;
  device.imei = imei;
  device.updated_at = now;
  device.online = !faults_.OfflineWhenFirstNamed();
  device.unsupported = faults_.Unsupported(imei);
  return device;
}

bool DmPlatform::BelongsTo(const DmOrder& order, const DmDevice& device) {
  DmDevice* found = LookupDevice(order.tenant, order.imei);
  if (found == nullptr && !order.imei2.empty()) found = LookupDevice(order.tenant, order.imei2);
  return found == &device;
}

DmPlatform::PendingEntry DmPlatform::PendingKey(const DmOrder& order) {
  if (order.awaiting_device) {
    return {order.not_after.value_or(Timestamp::max()), order.sequence};
  }
  return {order.apply_at, order.sequence};
}

DmDevice& DmPlatform::DeviceFor(const DmOrder& order, Timestamp now) {
  DmDevice* device = LookupDevice(order.tenant, order.imei);
  if (device == nullptr && !order.imei2.empty()) device = LookupDevice(order.tenant, order.imei2);
  if (device == nullptr) device = &NewDevice(order.tenant, order.imei, now);
  if (device->imei2.empty() && !order.imei2.empty() && order.imei2 != device->imei) {
    device->imei2 = order.imei2;
    device_alias_[{order.tenant, order.imei2}] = device->imei;
  }
  return *device;
}

DmDevice* DmPlatform::LookupDevice(const std::string& tenant, const std::string& imei) {
  auto found = devices_.find({tenant, imei});
  if (found != devices_.end()) return &found->second;
  auto alias = device_alias_.find({tenant, imei});
  if (alias == device_alias_.end()) return nullptr;
  found = devices_.find({tenant, alias->second});
  return found == devices_.end() ? nullptr : &found->second;
}

void DmPlatform::Index(const DmOrder& order) {
  last_sequence_ = std::max(last_sequence_, order.sequence);
  order_by_sequence_[order.sequence] = order.order_id;
  // The first order under a key is the one a replay returns, also after --no-dedup created more.
  if (!order.idempotency_key.empty()) {
    order_by_key_.emplace(TenantKey{order.tenant, order.idempotency_key}, order.order_id);
  }
  // An order waiting for an offline device without a not_after is never due by time alone.
  bool timeless = order.awaiting_device && !order.not_after;
  if (order.status == DmOrderStatus::kPending && !timeless) pending_.insert(PendingKey(order));
}

void DmPlatform::Persist(const DmOrder& order) {
  if (state_file_ == nullptr) return;
  Status written = state_file_->Append(OrderRecord(order));
  if (!written.ok())
    spdlog::error("order {} not persisted: {}", order.order_id, written.error().message);
}

void DmPlatform::Persist(const DmDevice& device) {
  if (state_file_ == nullptr) return;
  Status written = state_file_->Append(DeviceRecord(device));
  if (!written.ok()) {
    spdlog::error("device {}****** not persisted: {}", device.imei.substr(0, 8),
                  written.error().message);
  }
}

}  // namespace imeiguard::dm_simulator
