#include "api/rate_limiter.h"

#include <gtest/gtest.h>

namespace imeiguard {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

const Timestamp kStart = FromMillis(1'800'000'000'000);

TEST(RateLimiter, BurstThenRefusal) {
  RateLimiter limiter(60, 3);
  EXPECT_FALSE(limiter.Acquire("a", kStart).has_value());
  EXPECT_FALSE(limiter.Acquire("a", kStart).has_value());
  EXPECT_FALSE(limiter.Acquire("a", kStart).has_value());
  std::optional<Duration> wait = limiter.Acquire("a", kStart);
  ASSERT_TRUE(wait.has_value());
  EXPECT_EQ(*wait, seconds(1));  // 60 a minute: one token a second.
}

TEST(RateLimiter, TokensRefillOverTime) {
  RateLimiter limiter(60, 1);
  EXPECT_FALSE(limiter.Acquire("a", kStart).has_value());
  EXPECT_TRUE(limiter.Acquire("a", kStart + milliseconds(500)).has_value());
  EXPECT_FALSE(limiter.Acquire("a", kStart + milliseconds(1000)).has_value());
}

TEST(RateLimiter, ClientsHaveOwnBuckets) {
  RateLimiter limiter(60, 1);
  EXPECT_FALSE(limiter.Acquire("a", kStart).has_value());
  EXPECT_TRUE(limiter.Acquire("a", kStart).has_value());
  EXPECT_FALSE(limiter.Acquire("b", kStart).has_value());
}

TEST(RateLimiter, ManyClientsStayBounded) {
  RateLimiter limiter(60, 1, 100);
  for (int i = 0; i < 1000; ++i) {
    EXPECT_FALSE(limiter.Acquire("client-" + std::to_string(i), kStart).has_value());
  }
  // The latest client was kept: its bucket is still empty.
  EXPECT_TRUE(limiter.Acquire("client-999", kStart).has_value());
}

TEST(RateLimiter, FullBucketsForgottenFirst) {
  RateLimiter limiter(60, 2, 2);
  EXPECT_FALSE(limiter.Acquire("idle", kStart).has_value());
  EXPECT_FALSE(limiter.Acquire("busy", kStart + seconds(10)).has_value());
  EXPECT_FALSE(limiter.Acquire("busy", kStart + seconds(10)).has_value());
  // A third client arrives: "idle" has refilled and goes, "busy" keeps its empty bucket.
  EXPECT_FALSE(limiter.Acquire("new", kStart + seconds(10)).has_value());
  EXPECT_TRUE(limiter.Acquire("busy", kStart + seconds(10)).has_value());
}

}  // namespace
}  // namespace imeiguard
