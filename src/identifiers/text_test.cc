#include "identifiers/text.h"

#include <gtest/gtest.h>

namespace imeiguard {
namespace {

TEST(TrimAsciiSpace, DropsBothEnds) {
  EXPECT_EQ(TrimAsciiSpace(" \t a b \r\n"), "a b");
  EXPECT_EQ(TrimAsciiSpace("   "), "");
}

TEST(IgnoringCase, ComparesAsciiLetters) {
  EXPECT_TRUE(EqualsIgnoringCase("N/A", "n/a"));
  EXPECT_FALSE(EqualsIgnoringCase("none", "non"));
  EXPECT_TRUE(StartsWithIgnoringCase("IMEI-1", "imei-"));
  EXPECT_FALSE(StartsWithIgnoringCase("imei", "imei-"));
}

TEST(IsValidUtf8, AcceptsWellFormed) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("Göteborg \u20ac \U0001F4F1"));
}

TEST(IsValidUtf8, RejectsMalformed) {
  EXPECT_FALSE(IsValidUtf8("G\xf6teborg"));       // Latin-1
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));      // a surrogate
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xe2\x82"));          // cut short
}

TEST(QuoteForMessage, KeepsUtf8) { EXPECT_EQ(QuoteForMessage("Göteborg"), "'Göteborg'"); }

TEST(QuoteForMessage, EscapesControlAndInvalidBytes) {
  EXPECT_EQ(QuoteForMessage("a\tb"), "'a\\x09b'");
  EXPECT_EQ(QuoteForMessage("a\xff"), "'a\\xFF'");
  EXPECT_EQ(QuoteForMessage("\xc3"), "'\\xC3'");
  // An overlong encoding of '/' is not valid UTF-8.
  EXPECT_EQ(QuoteForMessage("\xc0\xaf"), "'\\xC0\\xAF'");
}

TEST(QuoteForMessage, CutsAfterFortyCharacters) {
  std::string quoted = QuoteForMessage(std::string(41, 'x'));
  EXPECT_EQ(quoted, "'" + std::string(40, 'x') + "...'");
  EXPECT_EQ(QuoteForMessage(std::string(40, 'x')), "'" + std::string(40, 'x') + "'");
}

TEST(QuoteForMessage, CutsAtCharacterBoundary) {
  std::string text;
  for (int i = 0; i < 41; ++i) text += "ö";
  std::string expected = "'";
  for (int i = 0; i < 40; ++i) expected += "ö";
  EXPECT_EQ(QuoteForMessage(text), expected + "...'");
}

TEST(DescribeCharacterAt, NamesCharacter) {
  EXPECT_EQ(DescribeCharacterAt("aOb", 1), "'O'");
  EXPECT_EQ(DescribeCharacterAt("a b", 1), "U+0020");
  EXPECT_EQ(DescribeCharacterAt("a\u00a0", 1), "U+00A0");
  EXPECT_EQ(DescribeCharacterAt("a\xff", 1), "byte 0xFF");
}

TEST(CharacterPosition, CountsUtf8Characters) {
  EXPECT_EQ(CharacterPosition("abc", 0), 1u);
  EXPECT_EQ(CharacterPosition("ööx", 4), 3u);
}

}  // namespace
}  // namespace imeiguard
