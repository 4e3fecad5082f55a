#include "locking/retry_policy.h"

#include <algorithm>

namespace imeiguard {

RandomJitter::RandomJitter(std::uint64_t seed) : engine_(seed) {}

Duration RandomJitter::Pick(Duration upper) {
  std::uniform_int_distribution<Duration::rep> distribution(
      0, std::max<Duration::rep>(0, upper.count()));
  std::lock_guard lock(mutex_);
  return Duration(distribution(engine_));
}

Duration FixedJitter::Pick(Duration upper) {
  double fraction = std::clamp(fraction_, 0.0, 1.0);
  return Duration(static_cast<Duration::rep>(static_cast<double>(upper.count()) * fraction));
}

RetryPolicy::RetryPolicy(RetryPolicyOptions options, JitterSource* jitter) : options_(options) {
  if (jitter == nullptr) {
    owned_jitter_ = std::make_unique<RandomJitter>();
    jitter = owned_jitter_.get();
  }
  jitter_ = jitter;
}

Duration RetryPolicy::BackoffCap(int retry) const {
  Duration cap = std::max(options_.max_delay, Duration::zero());
  Duration delay = std::max(options_.base_delay, Duration::zero());
  // Doubling stops at the cap, so the loop runs at most about 60 times and cannot overflow.
  for (int i = 0; i < retry && delay < cap; ++i) {
    if (delay.count() == 0) break;
    delay = delay > cap / 2 ? cap : delay * 2;
  }
  return std::min(delay, cap);
}

Duration RetryPolicy::BackoffDelay(int retry) const { return jitter_->Pick(BackoffCap(retry)); }

std::optional<Timestamp> RetryPolicy::NextAttemptAt(int attempts_made, Timestamp first_attempt_at,
                                                    Timestamp now,
                                                    std::optional<Duration> retry_after) const {
  if (attempts_made >= options_.max_attempts) return std::nullopt;

  Duration delay = BackoffDelay(std::max(attempts_made - 1, 0));
  if (retry_after && *retry_after > Duration::zero()) delay += *retry_after;
  Timestamp next = now + delay;
  if (next > first_attempt_at + options_.deadline) return std::nullopt;
  return next;
}

bool RetryPolicy::IsRetryable(const ConnectorReply& reply) {
  return reply.kind == ConnectorReply::Kind::kRetryLater;
}

}  // namespace imeiguard
