#include "identifiers/parcel_id.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace imeiguard {
namespace {

using ::testing::HasSubstr;

Error ParcelIdErrorOf(std::string_view text) {
  Result<std::string> id = NormalizeParcelId(text);
  EXPECT_FALSE(id.ok()) << text << " accepted";
  return id.ok() ? Error{} : id.error();
}

TEST(ParcelId, SsccAcceptedWithoutGs1CheckDigit) {
  // The GS1 check digit of this SSCC would be 6, not 4, and it is accepted all the same.
  Result<std::string> id = NormalizeParcelId("373500000000001234");
  ASSERT_TRUE(id.ok()) << id.error().message;
  EXPECT_EQ(*id, "373500000000001234");
}

TEST(ParcelId, S10Accepted) {
  Result<std::string> id = NormalizeParcelId("RR123456785SE");
  ASSERT_TRUE(id.ok()) << id.error().message;
  EXPECT_EQ(*id, "RR123456785SE");
}

TEST(ParcelId, S10LettersUpperCased) {
  Result<std::string> id = NormalizeParcelId("rr123456785se");
  ASSERT_TRUE(id.ok()) << id.error().message;
  EXPECT_EQ(*id, "RR123456785SE");
}

TEST(ParcelId, S10CheckDigitEnforced) {
  Error error = ParcelIdErrorOf("RR123456784SE");
  EXPECT_EQ(error.kind, ErrorKind::kInvalidInput);
  EXPECT_EQ(error.reason, "parcel_id");
  EXPECT_EQ(error.message,
            "the S10 check digit of 'RR123456784SE' is 4, but its serial 12345678 requires 5. "
            "Check the tracking id for a typing mistake.");
}

TEST(ParcelId, S10RemainderTenAndElevenMap) {
  // A weighted sum of 0 gives 11, written as 5. A sum of 56 gives 10, written as 0.
  EXPECT_TRUE(NormalizeParcelId("EE000000005SE").ok());
  EXPECT_TRUE(NormalizeParcelId("EE000000080SE").ok());
  EXPECT_FALSE(NormalizeParcelId("EE000000000SE").ok());
}

TEST(ParcelId, WrongDigitCountNamed) {
  Error error = ParcelIdErrorOf("37350000000000123");
  EXPECT_EQ(error.reason, "parcel_id");
  EXPECT_THAT(error.message, HasSubstr("has 17 digits, but an SSCC has 18"));
}

TEST(ParcelId, OtherShapesRejected) {
  EXPECT_THAT(ParcelIdErrorOf("RR 123456785 SE").message, HasSubstr("neither an 18-digit SSCC"));
  EXPECT_EQ(ParcelIdErrorOf(" 373500000000001234").reason, "parcel_id");
  EXPECT_EQ(ParcelIdErrorOf("R1123456785SE").reason, "parcel_id");
  EXPECT_EQ(ParcelIdErrorOf("RR123456785S1").reason, "parcel_id");
  EXPECT_EQ(ParcelIdErrorOf("ÅR123456785SE").reason, "parcel_id");
}

TEST(ParcelId, EmptyRejected) { EXPECT_THAT(ParcelIdErrorOf("").message, HasSubstr("empty")); }

TEST(ParcelIdBuffer, ViewPointsIntoTextWhenUnchanged) {
  ParcelIdBuffer buffer;
  std::string_view text = "RR123456785SE";
  Result<std::string_view> id = NormalizeParcelId(text, buffer);
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(id->data(), text.data());
}

TEST(ParcelIdBuffer, UpperCasedIntoBuffer) {
  ParcelIdBuffer buffer;
  Result<std::string_view> id = NormalizeParcelId("Rr123456785sE", buffer);
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(*id, "RR123456785SE");
  EXPECT_EQ(id->data(), buffer.data());
}

}  // namespace
}  // namespace imeiguard
