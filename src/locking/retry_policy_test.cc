#include "locking/retry_policy.h"

#include <gtest/gtest.h>

namespace imeiguard {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

RetryPolicyOptions Options() {
  RetryPolicyOptions options;
  options.max_attempts = 5;
  options.base_delay = seconds(1);
  options.max_delay = seconds(10);
  options.deadline = minutes(10);
  return options;
}

Timestamp Start() { return FromMillis(1'767'225'600'000); }

TEST(RetryPolicy, CapDoublesUpToMaxDelay) {
  FixedJitter full(1.0);
  RetryPolicy policy(Options(), &full);
  EXPECT_EQ(policy.BackoffCap(0), seconds(1));
  EXPECT_EQ(policy.BackoffCap(1), seconds(2));
  EXPECT_EQ(policy.BackoffCap(3), seconds(8));
  EXPECT_EQ(policy.BackoffCap(4), seconds(10));
  EXPECT_EQ(policy.BackoffCap(1000), seconds(10));
}

TEST(RetryPolicy, DelayIsJitterFractionOfCap) {
  FixedJitter half(0.5);
  RetryPolicy policy(Options(), &half);
  EXPECT_EQ(policy.BackoffDelay(0), milliseconds(500));
  EXPECT_EQ(policy.BackoffDelay(2), seconds(2));
}

TEST(RetryPolicy, ZeroJitterRetriesAtOnce) {
  FixedJitter none(0.0);
  RetryPolicy policy(Options(), &none);
  EXPECT_EQ(policy.NextAttemptAt(1, Start(), Start(), std::nullopt), Start());
}

TEST(RetryPolicy, RandomJitterStaysInRange) {
  RandomJitter jitter(42);
  RetryPolicy policy(Options(), &jitter);
  for (int i = 0; i < 1000; ++i) {
    Duration delay = policy.BackoffDelay(2);
    ASSERT_GE(delay, Duration::zero());
    ASSERT_LE(delay, seconds(4));
  }
}

TEST(RetryPolicy, RandomJitterSpreadsDelays) {
  RandomJitter jitter(7);
  RetryPolicy policy(Options(), &jitter);
  Duration smallest = seconds(10);
  Duration largest = Duration::zero();
  for (int i = 0; i < 200; ++i) {
    Duration delay = policy.BackoffDelay(3);
    smallest = std::min(smallest, delay);
    largest = std::max(largest, delay);
  }
  EXPECT_LT(smallest, seconds(1));
  EXPECT_GT(largest, seconds(7));
}

TEST(RetryPolicy, NextAttemptUsesBackoffOfLastRetry) {
  FixedJitter full(1.0);
  RetryPolicy policy(Options(), &full);
  Timestamp now = Start() + seconds(5);
  EXPECT_EQ(policy.NextAttemptAt(1, Start(), now, std::nullopt), now + seconds(1));
  EXPECT_EQ(policy.NextAttemptAt(3, Start(), now, std::nullopt), now + seconds(4));
}

TEST(RetryPolicy, RetryAfterIsFloorAndJitterIsAdded) {
  FixedJitter half(0.5);
  RetryPolicy policy(Options(), &half);
  EXPECT_EQ(policy.NextAttemptAt(1, Start(), Start(), seconds(30)),
            Start() + seconds(30) + milliseconds(500));
}

TEST(RetryPolicy, MaxAttemptsEndsBudget) {
  FixedJitter none(0.0);
  RetryPolicy policy(Options(), &none);
  EXPECT_TRUE(policy.NextAttemptAt(4, Start(), Start(), std::nullopt).has_value());
  EXPECT_FALSE(policy.NextAttemptAt(5, Start(), Start(), std::nullopt).has_value());
}

TEST(RetryPolicy, DeadlineEndsBudget) {
  FixedJitter full(1.0);
  RetryPolicy policy(Options(), &full);
  Timestamp near_deadline = Start() + minutes(10) - seconds(1);
  EXPECT_FALSE(policy.NextAttemptAt(2, Start(), near_deadline, std::nullopt).has_value());
  EXPECT_TRUE(policy.NextAttemptAt(1, Start(), near_deadline, std::nullopt).has_value());
}

TEST(RetryPolicy, RetryAfterPastDeadlineEndsBudget) {
  FixedJitter none(0.0);
  RetryPolicy policy(Options(), &none);
  EXPECT_FALSE(policy.NextAttemptAt(1, Start(), Start(), minutes(11)).has_value());
}

TEST(RetryPolicy, OnlyRetryLaterIsRetryable) {
  ConnectorReply reply;
  reply.kind = ConnectorReply::Kind::kRetryLater;
  EXPECT_TRUE(RetryPolicy::IsRetryable(reply));
  for (auto kind : {ConnectorReply::Kind::kApplied, ConnectorReply::Kind::kAccepted,
                    ConnectorReply::Kind::kRejected}) {
    reply.kind = kind;
    EXPECT_FALSE(RetryPolicy::IsRetryable(reply));
  }
}

TEST(RetryPolicy, DefaultJitterIsOwned) {
  RetryPolicy policy(Options());
  Duration delay = policy.BackoffDelay(0);
  EXPECT_GE(delay, Duration::zero());
  EXPECT_LE(delay, seconds(1));
}

}  // namespace
}  // namespace imeiguard
