#include "service/blast_radius_guard.h"

#include <gtest/gtest.h>

namespace imeiguard {
namespace {

Timestamp At(std::string_view text) { return ParseRfc3339(text).value(); }

// Records automatic locks as long as the guard admits them, and returns how many it admitted.
int LockUntilTripped(BlastRadiusGuard& guard, const std::string& shipper, Timestamp at,
                     int attempts) {
  int admitted = 0;
  for (int i = 0; i < attempts; ++i) {
    if (guard.Check(shipper, at)) break;
    guard.RecordLock(shipper, at);
    ++admitted;
  }
  return admitted;
}

TEST(BlastRadiusGuard, OneTripUntilWindowEmpties) {
  Config config;
  config.auto_lock_limit = {3, std::chrono::hours(1)};
  BlastRadiusGuard guard(config);
  Timestamp start = At("2026-03-04T09:00:00Z");
  EXPECT_EQ(LockUntilTripped(guard, "telco-a", start, 10), 3);

  auto first = guard.Check("telco-b", start + std::chrono::minutes(10));
  ASSERT_TRUE(first.has_value());
  EXPECT_FALSE(first->opened);  // The trip opened by LockUntilTripped's fourth check.
  EXPECT_EQ(first->scope, "global");
  EXPECT_EQ(first->count, 3);
  EXPECT_EQ(first->limit, 3);
  EXPECT_EQ(first->window, std::chrono::hours(1));

  // An hour after the burst the window is empty: locks run again, and the next trip is new.
  Timestamp later = start + std::chrono::hours(1);
  EXPECT_EQ(LockUntilTripped(guard, "telco-a", later, 10), 3);
  auto second = guard.Check("telco-a", later);
  ASSERT_TRUE(second.has_value());
  EXPECT_FALSE(second->opened);  // Opened by the check that stopped LockUntilTripped.
  EXPECT_GT(second->trip_id, first->trip_id);
}

TEST(BlastRadiusGuard, ShipperLimitHoldsOnlyThatShipper) {
  Config config;
  config.auto_lock_limit = {0, std::chrono::hours(1)};
  ShipperPolicy limited = config.default_policy;
  limited.auto_lock_limit = {2, std::chrono::minutes(30)};
  config.shippers["telco-a"] = limited;
  BlastRadiusGuard guard(config);
  Timestamp at = At("2026-03-04T09:00:00Z");
  EXPECT_EQ(LockUntilTripped(guard, "telco-a", at, 10), 2);
  EXPECT_EQ(LockUntilTripped(guard, "telco-b", at, 10), 10);
  auto held = guard.Check("telco-a", at);
  ASSERT_TRUE(held.has_value());
  EXPECT_EQ(held->scope, "shipper:telco-a");
}

TEST(BlastRadiusGuard, OffWhenTheLimitIsZero) {
  Config config;
  config.auto_lock_limit = {0, std::chrono::hours(1)};
  BlastRadiusGuard guard(config);
  EXPECT_EQ(LockUntilTripped(guard, "telco-a", At("2026-03-04T09:00:00Z"), 5000), 5000);
}

}  // namespace
}  // namespace imeiguard
