#include "identifiers/imei.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <unordered_set>

namespace imeiguard {
namespace {

using ::testing::HasSubstr;

Error HumanError(std::string_view text) {
  Result<Imei> imei = Imei::Parse(text, ImeiChannel::kHuman);
  EXPECT_FALSE(imei.ok()) << text << " accepted";
  return imei.ok() ? Error{} : imei.error();
}

Error NetworkError(std::string_view text) {
  Result<Imei> imei = Imei::Parse(text, ImeiChannel::kNetwork);
  EXPECT_FALSE(imei.ok()) << text << " accepted";
  return imei.ok() ? Error{} : imei.error();
}

std::string HumanCore(std::string_view text) {
  Result<Imei> imei = Imei::Parse(text, ImeiChannel::kHuman);
  EXPECT_TRUE(imei.ok()) << text << ": " << imei.error().message;
  return imei.ok() ? imei->Core() : std::string();
}

std::string NetworkCore(std::string_view text) {
  Result<Imei> imei = Imei::Parse(text, ImeiChannel::kNetwork);
  EXPECT_TRUE(imei.ok()) << text << ": " << imei.error().message;
  return imei.ok() ? imei->Core() : std::string();
}

TEST(ImeiParse, CheckDigitMessageNamesExpectedDigit) {
  Error error = HumanError("358472100042175");
  EXPECT_EQ(error.kind, ErrorKind::kInvalidInput);
  EXPECT_EQ(error.reason, "check_digit");
  EXPECT_EQ(error.message,
            "the check digit of '358472100042175' is 5, but its first 14 digits require 4. Check "
            "the IMEI for a typing mistake.");
}

TEST(ImeiParse, SampleImeiNamesNine) {
  Error error = HumanError("356938035643803");
  EXPECT_EQ(error.reason, "check_digit");
  EXPECT_THAT(error.message, HasSubstr("require 9"));
}

TEST(ImeiParse, RejectionEnumMatchesReason) {
  ImeiRejection rejection = ImeiRejection::kEmpty;
  Result<Imei> imei = Imei::Parse("358472100042175", ImeiChannel::kHuman, &rejection);
  ASSERT_FALSE(imei.ok());
  EXPECT_EQ(rejection, ImeiRejection::kCheckDigit);
  EXPECT_EQ(ImeiRejectionCode(rejection), imei.error().reason);
}

TEST(ImeiParse, NullRejectionPointerAllowed) {
  Result<Imei> imei = Imei::Parse("x", ImeiChannel::kHuman, nullptr);
  ASSERT_FALSE(imei.ok());
  EXPECT_EQ(imei.error().reason, "invalid_character");
}

TEST(ImeiParse, RejectionCodesAreDistinct) {
  std::unordered_set<std::string_view> codes;
  for (ImeiRejection rejection :
       {ImeiRejection::kEmpty, ImeiRejection::kLength, ImeiRejection::kLength14,
        ImeiRejection::kCheckDigit, ImeiRejection::kInvalidCharacter,
        ImeiRejection::kExponentNotation, ImeiRejection::kMeid, ImeiRejection::kEsn,
        ImeiRejection::kPlaceholder}) {
    EXPECT_TRUE(codes.insert(ImeiRejectionCode(rejection)).second);
  }
  EXPECT_EQ(ImeiRejectionCode(ImeiRejection::kLength14), "length_14");
  EXPECT_EQ(ImeiRejectionCode(ImeiRejection::kExponentNotation), "exponent_notation");
}

TEST(ImeiParse, Length14MessageNamesBothCauses) {
  Error error = HumanError("35847210004217");
  EXPECT_EQ(error.reason, "length_14");
  EXPECT_THAT(error.message, HasSubstr("check digit is missing"));
  EXPECT_THAT(error.message, HasSubstr("leading zero"));
}

TEST(ImeiParse, LengthMessageCountsDigits) {
  Error error = HumanError("3584721000421");
  EXPECT_EQ(error.reason, "length");
  EXPECT_THAT(error.message, HasSubstr("has 13 digits"));
  EXPECT_THAT(error.message, HasSubstr("15"));
}

TEST(ImeiParse, ExponentMessageSaysExportAsText) {
  Error error = HumanError("3.58472E+14");
  EXPECT_EQ(error.reason, "exponent_notation");
  EXPECT_THAT(error.message, HasSubstr("'3.58472E+14'"));
  EXPECT_THAT(error.message, HasSubstr("Re-export the column as text"));
}

TEST(ImeiParse, ExponentWithDecimalComma) {
  EXPECT_EQ(HumanError("3,5693E+14").reason, "exponent_notation");
  EXPECT_EQ(HumanError("3.5693e14").reason, "exponent_notation");
  EXPECT_EQ(NetworkError("3.5693E+14").reason, "exponent_notation");
}

TEST(ImeiParse, InvalidCharacterNamesLetterAndPosition) {
  Error error = HumanError("3584721OOO42174");
  EXPECT_EQ(error.reason, "invalid_character");
  EXPECT_THAT(error.message, HasSubstr("contains 'O' at position 8"));
}

TEST(ImeiParse, InvalidCharacterPositionCountsPrefix) {
  Error error = HumanError("imei-35847210004217x");
  EXPECT_THAT(error.message, HasSubstr("'x' at position 20"));
}

TEST(ImeiParse, NonAsciiCharacterNamedByCodePoint) {
  Error error = HumanError("35847210004217\u00a04");
  EXPECT_EQ(error.reason, "invalid_character");
  EXPECT_THAT(error.message, HasSubstr("U+00A0 at position 15"));
}

TEST(ImeiParse, ControlCharacterEscapedInMessage) {
  Error error = HumanError(
      "3584721000\x01"
      "42174");
  EXPECT_EQ(error.reason, "invalid_character");
  EXPECT_THAT(error.message, HasSubstr("'3584721000\\x0142174'"));
}

TEST(ImeiParse, LongInputCutInMessage) {
  Error error = HumanError(std::string(500, '7'));
  EXPECT_EQ(error.reason, "length");
  EXPECT_LT(error.message.size(), 200u);
  EXPECT_THAT(error.message, HasSubstr("has 500 digits"));
}

TEST(ImeiParse, MeidMessage) {
  Error error = HumanError("a10000491f2c3b");
  EXPECT_EQ(error.reason, "meid");
  EXPECT_THAT(error.message, HasSubstr("CDMA MEID"));
}

TEST(ImeiParse, EsnNeedsAHexLetter) {
  EXPECT_EQ(HumanError("80A1B2C3").reason, "esn");
  EXPECT_EQ(HumanError("80112233").reason, "length");
}

TEST(ImeiParse, PlaceholderWords) {
  for (std::string_view word :
       {"unknown", "UNKNOWN", "n/a", "N/A", "none", "null", "-", "--", " - ", "nil", "tbd"}) {
    Error error = HumanError(word);
    EXPECT_EQ(error.reason, "placeholder") << word;
    EXPECT_THAT(error.message, HasSubstr("placeholder")) << word;
  }
}

TEST(ImeiParse, RepeatedDigitIsPlaceholderWhateverItsLastDigit) {
  EXPECT_EQ(HumanError("999999999999990").reason, "placeholder");
  EXPECT_EQ(HumanError("3333333333333333").reason, "placeholder");
  EXPECT_EQ(NetworkError("00000000000000").reason, "placeholder");
}

TEST(ImeiParse, LoneZeroIsPlaceholder) { EXPECT_EQ(HumanError("0").reason, "placeholder"); }

TEST(ImeiParse, LongNumberOfLeadingZerosIsLength) {
  Error error = HumanError(std::string(25, '0') + "1");
  EXPECT_EQ(error.reason, "length");
  EXPECT_THAT(error.message, HasSubstr("has 26 digits"));
}

TEST(ImeiParse, EmptyAndSpaceOnly) {
  EXPECT_EQ(HumanError("").reason, "empty");
  EXPECT_EQ(HumanError(" \t\r\n").reason, "empty");
  EXPECT_EQ(HumanError("imei-").reason, "empty");
  EXPECT_EQ(HumanError("imei- - ").reason, "empty");
}

TEST(ImeiParse, PrefixIgnoresCase) {
  EXPECT_EQ(HumanCore("IMEI-358472100042174"), "35847210004217");
  EXPECT_EQ(HumanCore("URN:GSMA:IMEI:35847210-004217-0"), "35847210004217");
}

TEST(ImeiParse, UrnAcceptsCheckDigitOrSpareZeroOnly) {
  EXPECT_EQ(HumanCore("urn:gsma:imei:35847210-004217-4"), "35847210004217");
  EXPECT_EQ(HumanError("urn:gsma:imei:35847210-004217-5").reason, "check_digit");
}

TEST(ImeiParse, NetworkIgnoresFifteenthDigit) {
  EXPECT_EQ(NetworkCore("358472100042179"), "35847210004217");
  EXPECT_EQ(NetworkCore("imeisv-3584721000421723"), "35847210004217");
}

TEST(ImeiParse, FillerOnlyFromNetworkAfterFifteenDigits) {
  EXPECT_EQ(NetworkCore("358472100042174f"), "35847210004217");
  EXPECT_EQ(NetworkError("35847210004217F").reason, "invalid_character");
  EXPECT_EQ(HumanError("358472100042174F").reason, "invalid_character");
}

TEST(ImeiParse, NetworkRejectsThirteenDigits) {
  Error error = NetworkError("3584721000421");
  EXPECT_EQ(error.reason, "length");
  EXPECT_THAT(error.message, HasSubstr("14, 15 or 16"));
}

TEST(ImeiParse, OtherSeparatorsRejected) {
  EXPECT_EQ(HumanError("35.847210.004217.4").reason, "invalid_character");
  EXPECT_EQ(HumanError("35_847210_004217_4").reason, "invalid_character");
}

TEST(ImeiParse, SpellingsOfOnePhoneAreEqual) {
  Result<Imei> imei = Imei::Parse("358472100042174", ImeiChannel::kHuman);
  Result<Imei> imeisv = Imei::Parse("3584721000421723", ImeiChannel::kHuman);
  Result<Imei> network = Imei::Parse("358472100042170", ImeiChannel::kNetwork);
  ASSERT_TRUE(imei.ok() && imeisv.ok() && network.ok());
  EXPECT_EQ(*imei, *imeisv);
  EXPECT_EQ(*imei, *network);
  EXPECT_EQ(std::hash<Imei>{}(*imei), std::hash<Imei>{}(*network));
}

TEST(ImeiCore, KeepsLeadingZeros) {
  Result<Imei> imei = Imei::Parse("012456003188422", ImeiChannel::kHuman);
  ASSERT_TRUE(imei.ok());
  EXPECT_EQ(imei->Core(), "01245600318842");
  EXPECT_EQ(imei->core_value(), 1245600318842u);
  EXPECT_EQ(imei->WithCheckDigit(), "012456003188422");
}

TEST(ImeiCore, WithCheckDigitAddsLuhnDigit) {
  EXPECT_EQ(Imei::FromCoreValue(35847210004217).WithCheckDigit(), "358472100042174");
  EXPECT_EQ(Imei::FromCoreValue(49015420323751).WithCheckDigit(), "490154203237518");
  EXPECT_EQ(Imei::FromCoreValue(0).Core(), "00000000000000");
}

TEST(ImeiCore, OrderFollowsValue) {
  EXPECT_LT(Imei::FromCoreValue(1), Imei::FromCoreValue(2));
  EXPECT_NE(Imei::FromCoreValue(1), Imei::FromCoreValue(2));
}

TEST(LuhnCheckDigit, KnownCores) {
  EXPECT_EQ(LuhnCheckDigit("35847210004217"), 4);
  EXPECT_EQ(LuhnCheckDigit("49015420323751"), 8);
  EXPECT_EQ(LuhnCheckDigit("35693803564380"), 9);
  EXPECT_EQ(LuhnCheckDigit("00000000000000"), 0);
}

TEST(LuhnCheckDigit, RejectsMalformedCore) {
  EXPECT_EQ(LuhnCheckDigit("3584721000421"), -1);
  EXPECT_EQ(LuhnCheckDigit("3584721000421x"), -1);
}

TEST(ImeiWithLeadingZero, RestoresDroppedZero) {
  std::optional<Imei> imei = ImeiWithLeadingZero("12456003188422");
  ASSERT_TRUE(imei.has_value());
  EXPECT_EQ(imei->WithCheckDigit(), "012456003188422");
}

TEST(ImeiWithLeadingZero, ReadsSeparatorsAndPrefix) {
  std::optional<Imei> imei = ImeiWithLeadingZero("imei-12 456003 188422");
  ASSERT_TRUE(imei.has_value());
  EXPECT_EQ(imei->WithCheckDigit(), "012456003188422");
}

TEST(ImeiWithLeadingZero, FourteenDigitsFailingLuhnDoNotFit) {
  // 035693803564380 fails Luhn: these 14 digits lack their check digit instead.
  EXPECT_FALSE(ImeiWithLeadingZero("35693803564380").has_value());
}

TEST(ImeiWithLeadingZero, OtherRejectionsDoNotFit) {
  EXPECT_FALSE(ImeiWithLeadingZero("012456003188422").has_value());  // Valid already.
  EXPECT_FALSE(ImeiWithLeadingZero("1245600318842").has_value());    // 13 digits.
  EXPECT_FALSE(ImeiWithLeadingZero("1.2456E+13").has_value());
  EXPECT_FALSE(ImeiWithLeadingZero("").has_value());
}

TEST(ImeiMasked, KeepsTacHidesSerial) {
  Imei imei = Imei::Parse("358472100042174", ImeiChannel::kHuman).value();
  EXPECT_EQ(imei.Masked(), "35847210******");
  EXPECT_EQ(Imei::Parse("012456003188422", ImeiChannel::kHuman).value().Masked(), "01245600******");
}

}  // namespace
}  // namespace imeiguard
