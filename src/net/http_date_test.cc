#include "net/http_date.h"

#include <gtest/gtest.h>

namespace imeiguard::http {
namespace {

using std::chrono::seconds;

Timestamp Nov6() { return *ParseRfc3339("1994-11-06T08:49:37Z"); }

TEST(HttpDate, ParsesImfFixdate) {
  auto t = ParseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(*t, Nov6());
}

TEST(HttpDate, ParsesRfc850) {
  auto t = ParseHttpDate("Sunday, 06-Nov-94 08:49:37 GMT");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(*t, Nov6());
}

TEST(HttpDate, ParsesAsctime) {
  auto t = ParseHttpDate("Sun Nov  6 08:49:37 1994");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(*t, Nov6());
}

TEST(HttpDate, RejectsMalformed) {
  EXPECT_FALSE(ParseHttpDate("").has_value());
  EXPECT_FALSE(ParseHttpDate("Sun, 06 Nov 1994 08:49:37 UTC").has_value());
  EXPECT_FALSE(ParseHttpDate("Sun, 31 Feb 1994 08:49:37 GMT").has_value());
  EXPECT_FALSE(ParseHttpDate("Xyz, 06 Nov 1994 08:49:37 GMT").has_value());
  EXPECT_FALSE(ParseHttpDate("Sun, 06 Nov 1994 25:49:37 GMT").has_value());
}

TEST(HttpDate, FormatRoundTrips) {
  EXPECT_EQ(FormatHttpDate(Nov6()), "Sun, 06 Nov 1994 08:49:37 GMT");
  Timestamp now = *ParseRfc3339("2026-03-02T05:14:09Z");
  EXPECT_EQ(ParseHttpDate(FormatHttpDate(now)), now);
}

TEST(RetryAfter, Seconds) {
  EXPECT_EQ(ParseRetryAfter("30", Nov6()), Duration(seconds(30)));
  EXPECT_EQ(ParseRetryAfter(" 0 ", Nov6()), Duration::zero());
}

TEST(RetryAfter, DateInFuture) {
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:50:07 GMT", Nov6()), Duration(seconds(30)));
}

TEST(RetryAfter, DateInPastIsZero) {
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:00:00 GMT", Nov6()), Duration::zero());
}

TEST(RetryAfter, RejectsOtherText) {
  EXPECT_FALSE(ParseRetryAfter("", Nov6()).has_value());
  EXPECT_FALSE(ParseRetryAfter("-5", Nov6()).has_value());
  EXPECT_FALSE(ParseRetryAfter("1.5", Nov6()).has_value());
  EXPECT_FALSE(ParseRetryAfter("soon", Nov6()).has_value());
}

TEST(RetryAfter, HugeSecondsAreClamped) {
  auto delay = ParseRetryAfter("99999999999999", Nov6());
  ASSERT_TRUE(delay.has_value());
  EXPECT_EQ(*delay, Duration(seconds(std::int64_t{1} << 30)));
}

}  // namespace
}  // namespace imeiguard::http
