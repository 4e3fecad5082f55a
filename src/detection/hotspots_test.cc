#include "detection/hotspots.h"

#include <gtest/gtest.h>

#include <cmath>

namespace imeiguard {
namespace {

struct TailCase {
  std::int64_t n;
  std::int64_t k;
  double p;
  double expected;
};

// Exact values of sum(comb(n, j) * p**j * (1 - p)**(n - j) for j in range(k, n + 1)), computed
// with Python's math.comb and fractions.Fraction (p as the fraction it is written as), rounded to
// 16 digits.
constexpr TailCase kTails[] = {
    {100, 10, 1.0 / 50, 3.441680604304280e-05}, {1000, 30, 1.0 / 200, 2.074168983217452e-14},
    {10, 5, 1.0 / 2, 6.230468750000000e-01},    {200, 50, 1.0 / 100, 1.035826492646785e-53},
    {400, 3, 1.0 / 100, 7.633680814519830e-01}, {2000, 12, 3.0 / 1000, 1.992307884546435e-02},
    {60, 60, 1.0 / 10, 1.000000000000000e-60},  {5000, 1, 1.0 / 5000, 6.321573498386435e-01},
};

TEST(BinomialUpperTail, MatchesExactSums) {
  for (const TailCase& tail : kTails) {
    double tail_value = BinomialUpperTail(tail.n, tail.k, tail.p);
    EXPECT_NEAR(tail_value / tail.expected, 1.0, 1e-9)
        << "n=" << tail.n << " k=" << tail.k << " p=" << tail.p << " gave " << tail_value;
  }
}

TEST(BinomialUpperTail, EdgesOfTheRange) {
  EXPECT_EQ(BinomialUpperTail(50, 0, 0.1), 1.0);
  EXPECT_EQ(BinomialUpperTail(50, 51, 0.1), 0.0);
  EXPECT_EQ(BinomialUpperTail(50, 1, 0.0), 0.0);
  EXPECT_EQ(BinomialUpperTail(50, 50, 1.0), 1.0);
  EXPECT_EQ(BinomialUpperTail(0, 1, 0.5), 0.0);
}

TEST(BinomialUpperTail, FallsWithMoreLosses) {
  double previous = 1.0;
  for (std::int64_t k = 1; k <= 40; ++k) {
    double tail = BinomialUpperTail(3000, k, 0.004);
    EXPECT_LT(tail, previous) << "k=" << k;
    previous = tail;
  }
}

TEST(BinomialUpperTail, LargeFlowStaysFinite) {
  // A terminal with a million parcels and a mean of 1,000 losses: 1,200 losses is over six
  // standard deviations above it, so the tail is tiny but representable.
  double tail = BinomialUpperTail(1'000'000, 1'200, 0.001);
  EXPECT_GT(tail, 0.0);
  EXPECT_LT(tail, 1e-8);
  EXPECT_NEAR(BinomialUpperTail(1'000'000, 1'000, 0.001), 0.5, 0.02);
}

TEST(BenjaminiHochberg, AdjustsByRank) {
  const double p_values[] = {0.01, 0.04, 0.03, 0.005};
  std::vector<double> q_values = BenjaminiHochbergQValues(p_values);
  ASSERT_EQ(q_values.size(), 4u);
  EXPECT_DOUBLE_EQ(q_values[0], 0.02);
  EXPECT_DOUBLE_EQ(q_values[1], 0.04);
  EXPECT_DOUBLE_EQ(q_values[2], 0.04);
  EXPECT_DOUBLE_EQ(q_values[3], 0.02);
}

TEST(BenjaminiHochberg, CapsAtOne) {
  const double p_values[] = {0.9, 0.8, 0.95};
  for (double q : BenjaminiHochbergQValues(p_values)) EXPECT_LE(q, 1.0);
  EXPECT_TRUE(BenjaminiHochbergQValues({}).empty());
}

FlowTally NodeRow(std::string node, std::int64_t parcels, std::int64_t losses) {
  FlowTally row;
  row.node = std::move(node);
  row.parcels = parcels;
  row.losses = losses;
  return row;
}

TEST(RankHotspots, ConcentrationComesFirst) {
  FlowTallies tallies;
  tallies.parcels = 1000;
  tallies.losses = 20;
  tallies.rows = {NodeRow("SE-TERM-GBG", 600, 8), NodeRow("SE-HUB-STO", 100, 10),
                  NodeRow("SE-TERM-MMA", 300, 2)};
  std::vector<Hotspot> ranked = RankHotspots(HotspotDimension::kTerminal, tallies, {});
  ASSERT_EQ(ranked.size(), 3u);
  EXPECT_EQ(ranked[0].key, "SE-HUB-STO");
  EXPECT_DOUBLE_EQ(ranked[0].expected_losses, 2.0);
  ASSERT_TRUE(ranked[0].ratio.has_value());
  EXPECT_DOUBLE_EQ(*ranked[0].ratio, 5.0);
  EXPECT_DOUBLE_EQ(ranked[0].p_value, BinomialUpperTail(100, 10, 0.02));
  EXPECT_LT(ranked[0].p_value, 1e-4);
  EXPECT_GE(ranked[0].q_value, ranked[0].p_value);
  EXPECT_GT(ranked[2].p_value, 0.5);
}

TEST(RankHotspots, KeysNameTheDimension) {
  FlowTallies tallies;
  tallies.parcels = 10;
  tallies.rows = {NodeRow("A", 10, 0)};
  tallies.rows[0].to_node = "B";
  EXPECT_EQ(RankHotspots(HotspotDimension::kRoute, tallies, {})[0].key, "A>B");
  tallies.rows[0].shift = 2;
  EXPECT_EQ(RankHotspots(HotspotDimension::kShift, tallies, {})[0].key, "A@22-06");
  tallies.rows[0].handler = "h-00042";
  EXPECT_EQ(RankHotspots(HotspotDimension::kHandler, tallies, {})[0].key, "h-00042");
}

TEST(RankHotspots, NoLossesAnywhereHasNoRatio) {
  FlowTallies tallies;
  tallies.parcels = 10;
  tallies.rows = {NodeRow("A", 10, 0)};
  std::vector<Hotspot> ranked = RankHotspots(HotspotDimension::kTerminal, tallies, {});
  EXPECT_FALSE(ranked[0].ratio.has_value());
  EXPECT_EQ(ranked[0].p_value, 1.0);
}

TEST(ShiftSchedule, LocalHoursPickTheShift) {
  ShiftSchedule shifts;  // 06-14, 14-22, 22-06 at +01:00.
  // 2026-03-02T04:59:00Z is 05:59 local: still the night shift.
  EXPECT_EQ(shifts.ShiftOf(FromMillis(1772427540000)), 2);
  // 05:00Z is 06:00 local.
  EXPECT_EQ(shifts.ShiftOf(FromMillis(1772427600000)), 0);
  // 13:00Z is 14:00 local.
  EXPECT_EQ(shifts.ShiftOf(FromMillis(1772456400000)), 1);
  // 21:30Z is 22:30 local.
  EXPECT_EQ(shifts.ShiftOf(FromMillis(1772487000000)), 2);
  EXPECT_EQ(shifts.Name(0), "06-14");
  EXPECT_EQ(shifts.Name(2), "22-06");
}

TEST(ShiftSchedule, RejectsUnorderedHours) {
  ShiftSchedule shifts;
  shifts.start_hours = {14, 6};
  Status status = shifts.Validate();
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().message,
            "shift start hours must ascend without repeats, but 6 follows 14");
}

TEST(ShiftSchedule, RejectsHourPastTheDay) {
  ShiftSchedule shifts;
  shifts.start_hours = {6, 24};
  Status status = shifts.Validate();
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().message, "shift start hour 24 is not an hour from 0 to 23");
}

TEST(UtcOffset, ParsesAndFormats) {
  EXPECT_EQ(ParseUtcOffset("+01:00").value(), 60);
  EXPECT_EQ(ParseUtcOffset("-05:30").value(), -330);
  EXPECT_EQ(ParseUtcOffset("Z").value(), 0);
  EXPECT_EQ(FormatUtcOffset(-330), "-05:30");
  EXPECT_EQ(FormatUtcOffset(60), "+01:00");
}

TEST(UtcOffset, RejectsOtherSpellings) {
  for (std::string_view text : {"+1", "01:00", "+01:60", "+15:00", "+01:00x", ""}) {
    auto offset = ParseUtcOffset(text);
    EXPECT_FALSE(offset.ok()) << text;
  }
}

}  // namespace
}  // namespace imeiguard
