#include "service/feed_watermark.h"

#include <gtest/gtest.h>

namespace imeiguard {
namespace {

using std::chrono::hours;

Timestamp At(std::string_view text) { return ParseRfc3339(text).value(); }

TEST(FeedWatermark, EmptyBeforeFirstEvent) {
  FeedWatermark watermark{WatermarkPolicy{}};
  EXPECT_FALSE(watermark.Advance(At("2026-03-10T00:00:00Z")).has_value());
}

TEST(FeedWatermark, TrailsLatestEventByAllowedLateness) {
  FeedWatermark watermark{WatermarkPolicy{}};
  watermark.Observe(At("2026-03-01T10:00:00Z"), At("2026-03-05T00:00:00Z"));
  watermark.Observe(At("2026-03-01T08:00:00Z"), At("2026-03-05T00:00:01Z"));
  EXPECT_EQ(watermark.value(), At("2026-03-01T09:00:00Z"));
}

TEST(FeedWatermark, NeverPassesWallClock) {
  FeedWatermark watermark{WatermarkPolicy{}};
  // A scanner whose clock runs a day ahead.
  watermark.Observe(At("2026-03-02T10:00:00Z"), At("2026-03-01T10:00:00Z"));
  EXPECT_EQ(watermark.value(), At("2026-03-01T09:00:00Z"));
  EXPECT_EQ(watermark.Advance(At("2026-03-01T12:00:00Z")), At("2026-03-01T09:00:00Z"));
}

TEST(FeedWatermark, NeverMovesBack) {
  FeedWatermark watermark{WatermarkPolicy{}};
  watermark.Observe(At("2026-03-03T00:00:00Z"), At("2026-03-03T00:00:00Z"));
  watermark.Advance(At("2026-03-04T06:00:00Z"));  // Idle: moves to the wall clock minus 6 h.
  watermark.Observe(At("2026-03-01T00:00:00Z"), At("2026-03-04T06:00:00Z"));
  EXPECT_EQ(watermark.value(), At("2026-03-04T00:00:00Z"));
}

TEST(FeedWatermark, IdleFeedFollowsWallClock) {
  FeedWatermark watermark{WatermarkPolicy{}};
  watermark.Observe(At("2026-03-01T10:00:00Z"), At("2026-03-01T10:00:00Z"));
  EXPECT_EQ(watermark.Advance(At("2026-03-01T15:59:00Z")), At("2026-03-01T09:00:00Z"));
  EXPECT_EQ(watermark.Advance(At("2026-03-04T10:00:00Z")), At("2026-03-04T04:00:00Z"));
}

TEST(FeedWatermark, EventAfterIdleGapFirstAdvancesByIdleness) {
  FeedWatermark watermark{WatermarkPolicy{}};
  watermark.Observe(At("2026-03-01T10:00:00Z"), At("2026-03-01T10:00:00Z"));
  watermark.Observe(At("2026-03-01T09:00:00Z"), At("2026-03-04T10:00:00Z"));
  EXPECT_EQ(watermark.value(), At("2026-03-04T04:00:00Z"));
}

TEST(FeedWatermark, WallTimeReachingAccountsForIdleness) {
  FeedWatermark watermark{WatermarkPolicy{}};
  EXPECT_FALSE(watermark.WallTimeReaching(At("2026-03-01T00:00:00Z")).has_value());
  watermark.Observe(At("2026-03-01T10:00:00Z"), At("2026-03-01T10:00:00Z"));
  EXPECT_EQ(watermark.WallTimeReaching(At("2026-03-01T08:00:00Z")), At("2026-03-01T10:00:00Z"));
  EXPECT_EQ(watermark.WallTimeReaching(At("2026-03-03T00:00:00Z")), At("2026-03-03T06:00:00Z"));
  Timestamp wall = *watermark.WallTimeReaching(At("2026-03-03T00:00:00Z"));
  EXPECT_EQ(watermark.Advance(wall), At("2026-03-03T00:00:00Z"));
}

TEST(FeedWatermark, BusyBacklogDoesNotFollowWallClock) {
  // A backlog of old scans arriving in a steady stream keeps the watermark at the backlog's time.
  FeedWatermark watermark{WatermarkPolicy{}};
  Timestamp wall = At("2026-03-20T00:00:00Z");
  for (int hour = 0; hour < 48; ++hour) {
    watermark.Observe(At("2026-03-01T00:00:00Z") + hours(hour), wall + std::chrono::minutes(hour));
  }
  EXPECT_EQ(watermark.value(), At("2026-03-02T22:00:00Z"));
}

TEST(FeedWatermark, CloseCompletesFeed) {
  FeedWatermark watermark{WatermarkPolicy{}};
  watermark.Observe(At("2026-03-01T10:00:00Z"), At("2026-03-01T10:00:00Z"));
  watermark.Close(At("2026-03-01T10:00:00Z"));
  EXPECT_EQ(watermark.value(), At("2026-03-01T10:00:00Z"));
}

}  // namespace
}  // namespace imeiguard
