// GuardService: what the platforms report about orders (callbacks), and the scheduled comparison
// of open orders and locked devices with the platforms' own view.
#include <spdlog/spdlog.h>

#include <boost/json.hpp>

#include "service/guard_service.h"

namespace imeiguard {
namespace {

// Pages of this many orders are read for reconciliation.
constexpr int kReconcilePage = 500;

// A connector whose listing failed this many times in one pass is left alone until the next, so
// that a platform that is down delays the ticker by a few request timeouts, not one per order.
constexpr int kMaxListingFailuresPerPass = 3;

// Moves `order` forward by what the platform reports. Returns the audit action of the change, or
// std::nullopt when the report changes nothing: statuses never move back, so a final order stays
// as it is and a "pending" report after the platform's order id is known is old news.
std::optional<std::string> MergeReport(LockOrder& order, const PlatformOrder& report, Timestamp now,
                                       Duration poll_interval) {
  if (OrderIsFinal(order.status)) return std::nullopt;
  switch (report.status) {
    case PlatformOrderStatus::kApplied:
      order.status = OrderStatus::kAcknowledged;
      order.platform_order_id = report.order_id;
      if (!order.sent_at) order.sent_at = now;
      order.acknowledged_at = report.finished_at.value_or(now);
      order.last_error.clear();
      return "lock_order_acknowledged";
    case PlatformOrderStatus::kRejected:
      order.status = OrderStatus::kFailed;
      order.platform_order_id = report.order_id;
      order.last_error = "the platform rejected it as order " + report.order_id +
                         (report.reason.empty() ? "" : ": " + report.reason);
      return "lock_order_failed";
    case PlatformOrderStatus::kPending:
      if (order.status == OrderStatus::kSent && order.platform_order_id == report.order_id) {
        return std::nullopt;
      }
      order.status = OrderStatus::kSent;
      order.platform_order_id = report.order_id;
      if (!order.sent_at) order.sent_at = now;
      order.next_attempt_at = now + poll_interval;
      return "lock_order_accepted";
  }
  return std::nullopt;
}

bool SameProgress(const LockOrder& a, const LockOrder& b) {
  return a.status == b.status && a.platform_order_id == b.platform_order_id &&
         a.attempts == b.attempts;
}

}  // namespace

Result<LockOrder> GuardService::ReceivePlatformReport(std::string_view connector,
                                                      const PlatformOrder& report) {
  auto stored = store_.FindOrderByIdempotencyKey(report.idempotency_key);
  if (!stored.ok()) return stored.error();
  if (!stored->has_value() || (*stored)->connector != connector) {
    return Error::NotFound("order_not_found", "connector " + std::string(connector) +
                                                  " has no lock order with idempotency key '" +
                                                  report.idempotency_key.substr(0, 200) + "'");
  }

  std::lock_guard lock(mutex_);
  const LockOrder* held = HeldOrderLocked((*stored)->order_id, (*stored)->parcel_id);
  if (held == nullptr) {
    return Error::NotFound("order_not_found", "lock order " + std::to_string((*stored)->order_id) +
                                                  " is no longer followed");
  }
  if (held->action != report.action) {
    return Error::Conflict("action_mismatch", "platform order " + report.order_id + " is " +
                                                  std::string(LockActionName(report.action)) +
                                                  ", but lock order " +
                                                  std::to_string(held->order_id) + " is " +
                                                  std::string(LockActionName(held->action)));
  }
  LockOrder updated = *held;
  Timestamp now = clock_.Now();
  std::optional<std::string> action =
      MergeReport(updated, report, now, config_.outbox.poll_interval);
  if (action) {
    ++platform_reports_applied_;
    RecordLocked(updated, now, *action, "connector:" + std::string(connector));
  }
  return updated;
}

int GuardService::Reconcile(Timestamp now) {
  bool any_lists = false;
  for (const auto& [name, connector] : connectors_)
    any_lists = any_lists || connector->CanListOrders();
  if (!any_lists) return 0;
  ListingFailures failures;
  int changed = ReconcileOpenOrders(now, failures);
  ReconcileLockedDevices(now, failures);
  for (const auto& [connector, count] : failures) {
    if (count >= kMaxListingFailuresPerPass) {
      spdlog::warn("reconciliation skipped the rest of connector {} after {} failed listings",
                   connector, count);
    }
  }
  return changed;
}

int GuardService::ReconcileOpenOrders(Timestamp now, ListingFailures& failures) {
  std::vector<LockOrder> open;
  for (OrderStatus status : {OrderStatus::kPending, OrderStatus::kSent}) {
    std::int64_t after = 0;
    while (true) {
      auto page = store_.ListOrders(status, "", after, kReconcilePage);
      if (!page.ok()) {
        spdlog::warn("reconciliation could not read {} orders: {}", OrderStatusName(status),
                     page.error().message);
        return 0;
      }
      for (LockOrder& order : *page) open.push_back(std::move(order));
      if (static_cast<int>(page->size()) < kReconcilePage) break;
      after = page->back().order_id;
    }
  }

  int changed = 0;
  int unreachable = 0;
  for (const LockOrder& order : open) {
    auto connector = connectors_.find(order.connector);
    // An order never attempted is the outbox's to send; one in flight (claimed, lease running)
    // is the outbox's to finish.
    bool attempted = order.attempts > 0 || !order.platform_order_id.empty();
    bool in_flight =
        OrderInDoubt(order) && order.status == OrderStatus::kSent && order.next_attempt_at > now;
    bool listable = connector != connectors_.end() && connector->second->CanListOrders() &&
                    failures[order.connector] < kMaxListingFailuresPerPass;
    if (listable && attempted && !in_flight) {
      Result<std::optional<PlatformOrder>> found = FindOnPlatform(*connector->second, order);
      if (!found.ok()) {
        ++unreachable;
        ++failures[order.connector];
      } else {
        std::lock_guard lock(mutex_);
        const LockOrder* held = tracker_.FindOrder(order.order_id);
        // Only an order that nothing else moved since it was read is changed here.
        if (held != nullptr && SameProgress(*held, order)) {
          LockOrder updated = *held;
          std::optional<std::string> action;
          if (found->has_value()) {
            action = MergeReport(updated, **found, now, config_.outbox.poll_interval);
          } else if (updated.status == OrderStatus::kSent) {
            // The platform accepted it once but has no order under the key now: send it again.
            updated.status = OrderStatus::kPending;
            updated.platform_order_id.clear();
            updated.next_attempt_at = now;
            updated.last_error = "the platform holds no order with this key; sent again";
            action = "lock_order_resend";
          }
          if (action) {
            ++changed;
            ++orders_reconciled_;
            RecordLocked(updated, now, *action, "reconciliation");
          }
        }
      }
    }

    if (now - order.created_at > config_.outbox.confirmation_deadline) {
      std::lock_guard lock(mutex_);
      const LockOrder* held = tracker_.FindOrder(order.order_id);
      if (held == nullptr || !OrderIsFinal(held->status)) {
        RaiseAlert(order, now, "unconfirmed",
                   "unconfirmed " +
                       std::to_string(
                           std::chrono::duration_cast<std::chrono::seconds>(now - order.created_at)
                               .count()) +
                       " s after it was created, past the confirmation deadline");
      }
    }
  }
  if (unreachable > 0) {
    spdlog::warn("reconciliation could not reach the platform for {} of {} open orders",
                 unreachable, open.size());
  }
  if (changed > 0) spdlog::info("reconciliation updated {} lock orders", changed);
  return changed;
}

void GuardService::ReconcileLockedDevices(Timestamp now, ListingFailures& failures) {
  std::vector<LockOrder> locks;
  {
    std::lock_guard lock(mutex_);
    locks = tracker_.LocksInForce();
  }
  for (const LockOrder& order : locks) {
    auto connector = connectors_.find(order.connector);
    if (connector == connectors_.end() || !connector->second->CanListOrders()) continue;
    if (failures[order.connector] >= kMaxListingFailuresPerPass) continue;
    Result<std::vector<PlatformOrder>> listed = connector->second->ListOrders(order.imei);
    if (!listed.ok()) {
      ++failures[order.connector];
      continue;
    }
    // The platform's lock state is that of the last order it applied.
    const PlatformOrder* last_applied = nullptr;
    for (const PlatformOrder& candidate : *listed) {
      if (candidate.status == PlatformOrderStatus::kApplied) last_applied = &candidate;
    }
    if (last_applied != nullptr && last_applied->action == LockAction::kLock) continue;

    std::lock_guard lock(mutex_);
    // An unlock may have been planned since the list was taken; then the difference is expected.
    if (SupersededLocked(order)) continue;
    RaiseAlert(order, now, "not_locked_on_platform",
               last_applied == nullptr
                   ? "the device is believed locked, but the platform applied no order to it"
                   : "the device is believed locked, but the platform's last applied order " +
                         last_applied->order_id + " unlocked it");
  }
}

void GuardService::RaiseAlert(const LockOrder& order, Timestamp now, std::string_view kind,
                              const std::string& problem) {
  if (!alerted_.emplace(order.order_id, std::string(kind)).second) return;
  ++lock_alerts_;
  spdlog::error("ALERT lock order {} ({} of IMEI {} via {}, status {}): {}", order.order_id,
                LockActionName(order.action), order.imei.Masked(), order.connector,
                OrderStatusName(order.status), problem);
  AuditEntry audit;
  audit.at = now;
  audit.actor = "reconciliation";
  audit.action = "lock_order_alert";
  audit.entity = "order:" + std::to_string(order.order_id);
  audit.detail =
      boost::json::serialize(boost::json::object{{"problem", problem},
                                                 {"status", OrderStatusName(order.status)},
                                                 {"action", LockActionName(order.action)},
                                                 {"connector", order.connector},
                                                 {"platform_order_id", order.platform_order_id}});
  if (Status s = store_.AppendAudit(audit); !s.ok()) {
    ++store_failures_;
    spdlog::error("recording the alert on order {} failed: {}", order.order_id, s.error().message);
  }
}

}  // namespace imeiguard
