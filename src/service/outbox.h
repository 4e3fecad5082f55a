// The durable outbox: sends lock and unlock orders to their connectors until each is acknowledged,
// cancelled or given up on.
//
// Orders live in the store; the outbox claims an order (marks it sent, with a lease until the next
// attempt) in the store before it calls the platform, so a crash between claim and reply leaves
// the order in doubt, never lost. Before an in-doubt order is submitted again with the same
// idempotency key, the platform's order listing is queried for an order under that key, so
// that even a platform that does not deduplicate applies the order once. An order is never
// submitted after its expires_at.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "locking/connector.h"
#include "locking/retry_policy.h"
#include "service/config.h"
#include "store/store.h"

namespace imeiguard {

// The owner of the in-memory state (the service) takes part in each step under its own lock.
class OrderLedger {
 public:
  virtual ~OrderLedger() = default;
  // Claims `order` for an attempt at `now`: returns false when the order is no longer due (for
  // example cancelled meanwhile). On true the claim is durable and `order` holds the claimed copy.
  virtual bool Claim(LockOrder& order, Timestamp now) = 0;
  // Records the outcome of an attempt durably, with `audit_action` naming what happened.
  virtual void Record(const LockOrder& order, Timestamp now, const std::string& audit_action) = 0;
};

// Counted by the outbox thread and read by the metrics thread, hence atomic. Each counter is read
// on its own, so no order between them is kept.
struct OutboxStats {
  std::atomic<std::int64_t> submitted = 0;
  std::atomic<std::int64_t> acknowledged = 0;
  std::atomic<std::int64_t> retried = 0;
  std::atomic<std::int64_t> failed = 0;
  std::atomic<std::int64_t> found_in_doubt = 0;  // In-doubt orders the platform already held.
  std::atomic<std::int64_t> resent = 0;  // Accepted orders that the platform lost, sent again.
};

// Returns the platform's order under `order`'s idempotency key (the oldest one, when a platform
// that does not deduplicate has several), std::nullopt when it has none, or the listing's
// kUnavailable error.
Result<std::optional<PlatformOrder>> FindOnPlatform(LockConnector& connector,
                                                    const LockOrder& order);

class Outbox {
 public:
  // `connectors` are owned by the caller and outlive the outbox.
  Outbox(Store& store, OrderLedger& ledger, std::map<std::string, LockConnector*> connectors,
         OutboxConfig config, std::uint64_t jitter_seed = 1);

  // Makes one attempt on every order due at `now` (at most `limit`). Returns how many attempts it
  // made. Called from one thread at a time.
  int RunOnce(Timestamp now, int limit = 256);

  const OutboxStats& stats() const { return stats_; }

 private:
  void Attempt(LockOrder& order, Timestamp now);
  // Records the outcome that `reply` means for `order`. `submitting` is true for a submission
  // and false for a poll.
  void Apply(LockOrder& order, Timestamp now, const ConnectorReply& reply, bool submitting);
  void Retry(LockOrder& order, Timestamp now, const ConnectorReply& reply, bool submitting);

  Store& store_;
  OrderLedger& ledger_;
  std::map<std::string, LockConnector*> connectors_;
  OutboxConfig config_;
  RandomJitter jitter_;
  RetryPolicy retry_policy_;
  OutboxStats stats_;
};

}  // namespace imeiguard
