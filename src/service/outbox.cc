#include "service/outbox.h"

#include <spdlog/spdlog.h>

namespace imeiguard {
namespace {

// The reply that the platform's own record of an order amounts to, as if a poll had returned it.
ConnectorReply ReplyFromPlatformOrder(const PlatformOrder& found) {
  ConnectorReply reply;
  reply.platform_order_id = found.order_id;
  switch (found.status) {
    case PlatformOrderStatus::kApplied:
      reply.kind = ConnectorReply::Kind::kApplied;
      break;
    case PlatformOrderStatus::kPending:
      reply.kind = ConnectorReply::Kind::kAccepted;
      break;
    case PlatformOrderStatus::kRejected:
      reply.kind = ConnectorReply::Kind::kRejected;
      reply.message = "the platform rejected order " + found.order_id +
                      (found.reason.empty() ? "" : ": " + found.reason);
      break;
  }
  return reply;
}

}  // namespace

Result<std::optional<PlatformOrder>> FindOnPlatform(LockConnector& connector,
                                                    const LockOrder& order) {
  Result<std::vector<PlatformOrder>> listed = connector.ListOrders(order.imei);
  if (!listed.ok()) return listed.error();
  std::optional<PlatformOrder> first;
  int copies = 0;
  for (PlatformOrder& candidate : *listed) {
    if (candidate.idempotency_key != order.idempotency_key) continue;
    ++copies;
    if (!first) first = std::move(candidate);
  }
  if (copies > 1) {
    spdlog::error(
        "ALERT platform {} applied or queued {} orders with idempotency key {} (order "
        "{}); it does not deduplicate, so check the device's state on it",
        connector.name(), copies, order.idempotency_key, order.order_id);
  }
  return first;
}

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
  auto found = connectors_.find(order.connector);
  if (found == connectors_.end()) {
    // The configuration no longer names this connector: nothing can deliver the order.
    order.status = OrderStatus::kFailed;
    order.last_error = "connector '" + order.connector + "' is not configured";
    ++stats_.failed;
    ledger_.Record(order, now, "lock_order_failed");
    return;
  }
  LockConnector& connector = *found->second;

  // An order the platform has not accepted yet is submitted (again, with the same idempotency
  // key); one it accepted is polled for its result.
  bool submitting = order.platform_order_id.empty();
  std::optional<ConnectorReply> reply;
  // Claim counted this attempt, so more than one means an earlier request got no reply and may
  // have reached the platform. Asking first keeps a platform that ignores idempotency keys from
  // applying the order twice.
  if (submitting && order.attempts > 1 && connector.CanListOrders()) {
    Result<std::optional<PlatformOrder>> known = FindOnPlatform(connector, order);
    if (!known.ok()) {
      ConnectorReply unknown;
      unknown.message = "looking up in-doubt order " + std::to_string(order.order_id) +
                        " failed: " + known.error().message;
      return Retry(order, now, unknown, submitting);
    }
    if (known->has_value()) {
      ++stats_.found_in_doubt;
      reply = ReplyFromPlatformOrder(**known);
      submitting = false;
    }
  }

  if (submitting && order.expires_at && now >= *order.expires_at) {
    order.status = OrderStatus::kFailed;
    order.last_error = "the order expired at " + FormatRfc3339(*order.expires_at) +
                       " before the platform accepted it, so it is not sent";
    ++stats_.failed;
    ledger_.Record(order, now, "lock_order_expired");
    return;
  }

  if (!reply) {
    reply = submitting ? connector.Submit(order) : connector.Poll(order);
    if (submitting) ++stats_.submitted;
  }

  // A platform that lost its state rejects the poll of an order it accepted. When its listing
  // confirms that it has no order under the key, the order is sent again with the same key.
  if (!submitting && reply->kind == ConnectorReply::Kind::kRejected &&
      !order.platform_order_id.empty() && connector.CanListOrders()) {
    Result<std::optional<PlatformOrder>> known = FindOnPlatform(connector, order);
    if (known.ok() && !known->has_value()) {
      order.last_error = "platform order " + order.platform_order_id +
                         " is unknown to the platform; sent again with the same key";
      order.platform_order_id.clear();
      order.status = OrderStatus::kPending;
      order.next_attempt_at = now;
      ++stats_.resent;
      ledger_.Record(order, now, "lock_order_resend");
      return;
    }
    if (known.ok()) reply = ReplyFromPlatformOrder(**known);
  }
  Apply(order, now, *reply, submitting);
}

void Outbox::Apply(LockOrder& order, Timestamp now, const ConnectorReply& reply, bool submitting) {
  switch (reply.kind) {
    case ConnectorReply::Kind::kApplied:
      order.status = OrderStatus::kAcknowledged;
      order.platform_order_id = reply.platform_order_id;
      if (!order.sent_at) order.sent_at = now;
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
      Retry(order, now, reply, submitting);
      return;
  }
}

void Outbox::Retry(LockOrder& order, Timestamp now, const ConnectorReply& reply, bool submitting) {
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
