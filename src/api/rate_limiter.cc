#include "api/rate_limiter.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace imeiguard {

RateLimiter::RateLimiter(int per_minute, int burst, std::size_t max_clients)
    : per_ms_(static_cast<double>(std::max(per_minute, 1)) / 60000.0),
      burst_(static_cast<double>(std::max(burst, 1))),
      max_clients_(std::max<std::size_t>(max_clients, 1)) {}

std::optional<Duration> RateLimiter::Acquire(std::string_view client, Timestamp now) {
  std::lock_guard lock(mutex_);
  auto it = buckets_.find(std::string(client));
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_clients_) Trim(now);
    it = buckets_.emplace(std::string(client), Bucket{burst_, now}).first;
  }
  Bucket& bucket = it->second;
  if (now > bucket.updated) {
    double elapsed = static_cast<double>((now - bucket.updated).count());
    bucket.tokens = std::min(burst_, bucket.tokens + elapsed * per_ms_);
    bucket.updated = now;
  }
  if (bucket.tokens >= 1.0) {
    bucket.tokens -= 1.0;
    return std::nullopt;
  }
  return Duration(static_cast<std::int64_t>(std::ceil((1.0 - bucket.tokens) / per_ms_)));
}

void RateLimiter::Trim(Timestamp now) {
  // A bucket that would be full by now is the same as no bucket.
  auto full_by = static_cast<std::int64_t>(std::ceil(burst_ / per_ms_));
  std::erase_if(buckets_,
                [&](const auto& entry) { return (now - entry.second.updated).count() >= full_by; });
  if (buckets_.size() < max_clients_) return;

  // Every client is active: drop the least recently seen half.
  std::vector<Timestamp> times;
  times.reserve(buckets_.size());
  for (const auto& [client, bucket] : buckets_) times.push_back(bucket.updated);
  auto middle = times.begin() + static_cast<std::ptrdiff_t>(times.size() / 2);
  std::nth_element(times.begin(), middle, times.end());
  Timestamp cutoff = *middle;
  std::erase_if(buckets_, [&](const auto& entry) { return entry.second.updated <= cutoff; });
}

}  // namespace imeiguard
