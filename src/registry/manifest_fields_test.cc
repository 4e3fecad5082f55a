#include "registry/manifest_fields.h"

#include <date/tz.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace imeiguard {
namespace {

using ::testing::HasSubstr;

const date::time_zone& Stockholm() { return **LocateZone("Europe/Stockholm"); }

std::string PromisedBy(std::string_view text, const date::time_zone& zone = Stockholm()) {
  Result<Timestamp> time = ParsePromisedBy(text, zone);
  EXPECT_TRUE(time.ok()) << text << ": " << time.error().message;
  return time.ok() ? FormatRfc3339(*time) : "";
}

TEST(ParseSekAsOre, WholeAndDecimal) {
  EXPECT_EQ(*ParseSekAsOre("9990"), 999000);
  EXPECT_EQ(*ParseSekAsOre("9990.5"), 999050);
  EXPECT_EQ(*ParseSekAsOre("9990.55"), 999055);
  EXPECT_EQ(*ParseSekAsOre("0.05"), 5);
  EXPECT_EQ(*ParseSekAsOre("1.230"), 123);
  EXPECT_EQ(*ParseSekAsOre("0"), 0);
}

TEST(ParseSekAsOre, DecimalCommaRejected) {
  Result<std::int64_t> ore = ParseSekAsOre("9990,50");
  ASSERT_FALSE(ore.ok());
  EXPECT_EQ(ore.error().reason, "invalid_value");
  EXPECT_THAT(ore.error().message, HasSubstr("decimal point is '.'"));
}

TEST(ParseSekAsOre, FractionOfOreRejected) {
  Result<std::int64_t> ore = ParseSekAsOre("9990.505");
  ASSERT_FALSE(ore.ok());
  EXPECT_THAT(ore.error().message, HasSubstr("more than two decimals"));
}

TEST(ParseSekAsOre, MalformedRejected) {
  for (std::string_view text : {"", ".5", "5.", "1e3", "9 990", "+5", "SEK 5", "12.3.4"}) {
    EXPECT_FALSE(ParseSekAsOre(text).ok()) << text;
  }
  EXPECT_THAT(ParseSekAsOre("-5").error().message, HasSubstr("negative"));
  EXPECT_THAT(ParseSekAsOre("1234567890123456").error().message, HasSubstr("too large"));
}

TEST(ParseGrams, Accepted) {
  EXPECT_EQ(*ParseGrams("640"), 640);
  EXPECT_EQ(*ParseGrams("2147483647"), 2147483647);
}

TEST(ParseGrams, Rejected) {
  EXPECT_THAT(ParseGrams("640 g").error().message, HasSubstr("not a whole number of grams"));
  EXPECT_FALSE(ParseGrams("640.0").ok());
  EXPECT_FALSE(ParseGrams("-1").ok());
  EXPECT_THAT(ParseGrams("0").error().message, HasSubstr("is 0"));
  EXPECT_THAT(ParseGrams("2147483648").error().message, HasSubstr("too large"));
}

TEST(ParsePromisedBy, DateEndsAtMidnightInZone) {
  EXPECT_EQ(PromisedBy("2026-03-03"), "2026-03-03T23:00:00Z");
  EXPECT_EQ(PromisedBy("2026-07-01"), "2026-07-01T22:00:00Z");
}

TEST(ParsePromisedBy, DateAcrossDaylightSavingChange) {
  // Summer time starts in Stockholm at 02:00 on 2026-03-29.
  EXPECT_EQ(PromisedBy("2026-03-28"), "2026-03-28T23:00:00Z");
  EXPECT_EQ(PromisedBy("2026-03-29"), "2026-03-29T22:00:00Z");
}

TEST(ParsePromisedBy, DateInOtherZone) {
  EXPECT_EQ(PromisedBy("2026-03-03", **LocateZone("America/New_York")), "2026-03-04T05:00:00Z");
}

TEST(ParsePromisedBy, DateTimeWithOffset) {
  EXPECT_EQ(PromisedBy("2026-03-03T18:00:00+01:00"), "2026-03-03T17:00:00Z");
  EXPECT_EQ(PromisedBy("2026-03-03T18:00:00Z"), "2026-03-03T18:00:00Z");
}

TEST(ParsePromisedBy, DateTimeWithoutOffsetRejected) {
  Result<Timestamp> time = ParsePromisedBy("2026-03-03T18:00:00", Stockholm());
  ASSERT_FALSE(time.ok());
  EXPECT_EQ(time.error().reason, "invalid_value");
  EXPECT_THAT(time.error().message, HasSubstr("offset"));
  EXPECT_THAT(time.error().message, HasSubstr("such as 2026-03-03"));
}

TEST(ParsePromisedBy, ImpossibleDateRejected) {
  Result<Timestamp> time = ParsePromisedBy("2026-02-30", Stockholm());
  ASSERT_FALSE(time.ok());
  EXPECT_THAT(time.error().message, HasSubstr("2026-02-30"));
  EXPECT_FALSE(ParsePromisedBy("03/03/2026", Stockholm()).ok());
}

TEST(LocateZone, UnknownZoneRejected) {
  Result<const date::time_zone*> zone = LocateZone("Europe/Atlantis");
  ASSERT_FALSE(zone.ok());
  EXPECT_EQ(zone.error().reason, "time_zone");
  EXPECT_THAT(zone.error().message, HasSubstr("'Europe/Atlantis'"));
}

TEST(ManifestField, NamesRoundTrip) {
  for (std::size_t i = 0; i < kManifestFieldCount; ++i) {
    auto field = static_cast<ManifestField>(i);
    EXPECT_EQ(ManifestFieldNamed(ManifestFieldName(field)), field);
  }
  EXPECT_FALSE(ManifestFieldNamed("IMEI").has_value());
}

}  // namespace
}  // namespace imeiguard
