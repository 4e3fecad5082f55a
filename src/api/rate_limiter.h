// Per-client request rate limits: a token bucket per client, such as the public check's callers
// by IP address.
#pragma once

#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/time.h"

namespace imeiguard {

// Allows each client `per_minute` requests a minute on average and `burst` at once. Thread-safe.
// Memory is bounded: past `max_clients` tracked clients, buckets that have refilled completely
// (so forgetting them changes no result) are dropped, and when none has, the oldest ones are.
class RateLimiter {
 public:
  RateLimiter(int per_minute, int burst, std::size_t max_clients = 100000);

  // Takes one token from `client`'s bucket at `now`. Returns std::nullopt when the request may
  // go ahead, or how long the client must wait before its next request would be allowed.
  std::optional<Duration> Acquire(std::string_view client, Timestamp now);

 private:
  struct Bucket {
    double tokens = 0;
    Timestamp updated;
  };

  void Trim(Timestamp now);  // Caller holds mutex_.

  const double per_ms_;  // Tokens added per millisecond.
  const double burst_;
  const std::size_t max_clients_;
  std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;  // Guarded by mutex_.
};

}  // namespace imeiguard
