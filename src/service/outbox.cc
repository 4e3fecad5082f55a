#include "service/outbox.h"

namespace imeiguard {

Outbox::Outbox(Store& store, OrderLedger& ledger, std::map<std::string, LockConnector*> connectors,
               OutboxConfig config, std::uint64_t jitter_seed)
    : store_(store),
      ledger_(ledger),
      connectors_(std::move(connectors)),
      config_(config),
      jitter_(jitter_seed),
      retry_policy_({config.max_attempts, config.base_delay, config.max_delay, config.deadline},
                    &jitter_) {}

int Outbox::RunOnce(Timestamp now, int limit) {
  auto due = store_.LoadDueOrders(now, limit);
  if (!due.ok()) return 0;
  int attempts = 0;
  for (LockOrder& order : *due) {
    if (!ledger_.Claim(order, now)) continue;
    Attempt(order, now);
    ++attempts;
  }
  return attempts;
}

void Outbox::Attempt(LockOrder& order, Timestamp now) {
  auto connector = connectors_.find(order.connector);
  if (connector == connectors_.end()) {
    // The configuration no longer names this connector: nothing can deliver the order.
    order.status = OrderStatus::kFailed;
    order.last_error = "connector '" + order.connector + "' is not configured";
    ++stats_.failed;
    ledger_.Record(order, now, "lock_order_failed");
    return;
  }

  // An order the platform has not accepted yet is submitted (again, with the same idempotency
  // key); one it accepted is polled for its result.
  bool submitting = order.platform_order_id.empty();
  ConnectorReply reply =
      submitting ? connector->second->Submit(order) : connector->second->Poll(order);
  if (submitting) ++stats_.submitted;

  switch (reply.kind) {
    case ConnectorReply::Kind::kApplied:
      order.status = OrderStatus::kAcknowledged;
      order.platform_order_id = reply.platform_order_id;
      order.acknowledged_at = now;
      order.last_error.clear();
      ++stats_.acknowledged;
      ledger_.Record(order, now, "lock_order_acknowledged");
      return;
    case ConnectorReply::Kind::kAccepted:
      order.status = OrderStatus::kSent;
      order.platform_order_id = reply.platform_order_id;
      if (!order.sent_at) order.sent_at = now;
      order.next_attempt_at = now + config_.poll_interval;
      ledger_.Record(order, now, "lock_order_accepted");
      return;
    case ConnectorReply::Kind::kRejected:
      // Retrying cannot help: the platform said the order itself is wrong.
      order.status = OrderStatus::kFailed;
      order.last_error = reply.message;
      ++stats_.failed;
      ledger_.Record(order, now, "lock_order_failed");
      return;
    case ConnectorReply::Kind::kRetryLater:
      break;
  }

  // Only kRetryLater reaches this point: the attempt may succeed later, within the budget.
  order.last_error = reply.message;
  std::optional<Timestamp> next =
      retry_policy_.NextAttemptAt(order.attempts, order.created_at, now, reply.retry_after);
  if (!next) {
    order.status = OrderStatus::kFailed;
    ++stats_.failed;
    ledger_.Record(order, now, "lock_order_failed");
    return;
  }
  order.status = submitting ? OrderStatus::kPending : OrderStatus::kSent;
  order.next_attempt_at = *next;
  ++stats_.retried;
  ledger_.Record(order, now, "lock_order_retry");
}

}  // namespace imeiguard
