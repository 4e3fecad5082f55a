// When to try a lock order again after a transient failure: exponential backoff with full jitter,
// a cap on attempts and an overall deadline.
//
// The code that drives a LockConnector, such as an outbox, asks this policy after each attempt.
// Only a kRetryLater reply is ever retried (see IsRetryable). These outcomes are never retried:
//   - kRejected: the platform rejected the order itself (400 invalid request, 401 or 403 bad
//     signature or tenant, 404 unknown device, 422 idempotency key reused with another body), so
//     the same request fails again and the order needs a person;
//   - kApplied: the order is done;
//   - kAccepted: the platform has the order, so it is polled, never submitted again.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <random>

#include "core/time.h"
#include "locking/connector.h"

namespace imeiguard {

struct RetryPolicyOptions {
  int max_attempts = 10;                          // Attempts in all, the first one included.
  Duration base_delay = std::chrono::seconds(1);  // Backoff cap of the first retry.
  Duration max_delay = std::chrono::minutes(5);   // The backoff cap never grows past this.
  Duration deadline = std::chrono::hours(1);      // No attempt starts later after the first one.
};

// Randomness for the jitter, injectable so that tests get exact delays. Implementations must be
// safe to call from several threads.
class JitterSource {
 public:
  virtual ~JitterSource() = default;
  // Returns a delay in [0, upper], both ends included; `upper` is not negative.
  virtual Duration Pick(Duration upper) = 0;
};

// Uniform jitter from a seeded std::mt19937_64, guarded by a mutex.
class RandomJitter final : public JitterSource {
 public:
  explicit RandomJitter(std::uint64_t seed = std::random_device{}());
  Duration Pick(Duration upper) override;

 private:
  std::mutex mutex_;
  std::mt19937_64 engine_;  // Guarded by mutex_.
};

// Always picks the same fraction of the range: 0 picks no delay, 1 the whole cap.
class FixedJitter final : public JitterSource {
 public:
  explicit FixedJitter(double fraction) : fraction_(fraction) {}
  Duration Pick(Duration upper) override;

 private:
  const double fraction_;
};

// Thread-safe when its JitterSource is; the options are fixed at construction.
class RetryPolicy {
 public:
  // `jitter` is not owned and must outlive the policy; nullptr makes the policy own a RandomJitter.
  explicit RetryPolicy(RetryPolicyOptions options, JitterSource* jitter = nullptr);

  // The backoff cap of retry `retry` (0 for the first retry): min(max_delay, base_delay * 2^retry).
  Duration BackoffCap(int retry) const;

  // A delay drawn by the jitter source in [0, BackoffCap(retry)].
  Duration BackoffDelay(int retry) const;

  // Returns when to start the next attempt after `attempts_made` attempts, the first of which
  // started at `first_attempt_at`, all ended in kRetryLater, the last one at `now`. The delay is
  // BackoffDelay(attempts_made - 1), plus `retry_after` when the platform sent one. Adding the
  // jitter on top of Retry-After keeps orders refused together (a burst into a rate limit) from all
  // coming back at the same instant. Returns nullopt when the budget is spent: max_attempts
  // reached, or the next attempt would start after first_attempt_at + deadline.
  std::optional<Timestamp> NextAttemptAt(int attempts_made, Timestamp first_attempt_at,
                                         Timestamp now, std::optional<Duration> retry_after) const;

  // Returns true only for kRetryLater; every other kind is final (see the top of this file).
  static bool IsRetryable(const ConnectorReply& reply);

  const RetryPolicyOptions& options() const { return options_; }

 private:
  const RetryPolicyOptions options_;
  std::unique_ptr<RandomJitter> owned_jitter_;
  JitterSource* jitter_;
};

}  // namespace imeiguard
