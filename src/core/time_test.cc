#include "core/time.h"

#include <gtest/gtest.h>

namespace imeiguard {
namespace {

TEST(Rfc3339, OffsetIsSubtracted) {
  auto t = ParseRfc3339("2026-03-02T06:14:09+01:00");
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_EQ(FormatRfc3339(*t), "2026-03-02T05:14:09Z");
}

TEST(Rfc3339, FractionKeepsMilliseconds) {
  auto t = ParseRfc3339("2026-03-02T05:14:09.2507Z");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(FormatRfc3339(*t), "2026-03-02T05:14:09.250Z");
}

TEST(Rfc3339, NegativeOffset) {
  auto t = ParseRfc3339("2026-03-01T23:30:00-01:30");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(FormatRfc3339(*t), "2026-03-02T01:00:00Z");
}

TEST(Rfc3339, MissingOffsetRejected) {
  auto t = ParseRfc3339("2026-03-02T06:14:09");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().kind, ErrorKind::kInvalidInput);
  EXPECT_EQ(t.error().reason, "time");
  EXPECT_NE(t.error().message.find("offset"), std::string::npos);
}

TEST(Rfc3339, ImpossibleDateRejected) {
  EXPECT_FALSE(ParseRfc3339("2026-02-30T00:00:00Z").ok());
  EXPECT_FALSE(ParseRfc3339("2026-13-01T00:00:00Z").ok());
  EXPECT_FALSE(ParseRfc3339("2026-03-01T24:00:00Z").ok());
}

TEST(Rfc3339, TrailingTextRejected) { EXPECT_FALSE(ParseRfc3339("2026-03-02T06:14:09Zjunk").ok()); }

TEST(ManualClock, NeverMovesBackwards) {
  ManualClock clock(FromMillis(1000));
  clock.AdvanceTo(FromMillis(500));
  EXPECT_EQ(ToMillis(clock.Now()), 1000);
  clock.AdvanceTo(FromMillis(2000));
  EXPECT_EQ(ToMillis(clock.Now()), 2000);
}

}  // namespace
}  // namespace imeiguard
