#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "registry/manifest.h"

namespace imeiguard {
namespace {

using ::testing::HasSubstr;

constexpr std::string_view kHeader =
    "parcel_id,shipper_id,service,promised_by,origin,destination_postcode,declared_weight_g,imei,"
    "imei2,serial,model,value_sek\n";
constexpr std::string_view kSscc = "373500000000001234";
constexpr std::string_view kOtherSscc = "373500000000005678";

ManifestBatch Csv(std::string_view text, ManifestOptions options = {}) {
  return ParseManifestCsv(text, options);
}

// A data row with the given parcel and IMEIs and otherwise fixed, valid fields.
std::string Row(std::string_view parcel_id, std::string_view imei, std::string_view imei2 = "",
                std::string_view service = "locker") {
  return std::string(parcel_id) + ",telco-a," + std::string(service) +
         ",2026-03-03,SE-HUB-STO,41301,640," + std::string(imei) + "," + std::string(imei2) +
         ",R58N1234,Phone X,9990\n";
}

TEST(ManifestCsv, ReadsRow) {
  ManifestBatch batch = Csv(std::string(kHeader) + Row(kSscc, "490154203237518"));
  ASSERT_TRUE(batch.errors.empty()) << batch.errors[0].message;
  EXPECT_EQ(batch.rows_read, 1);
  ASSERT_EQ(batch.parcels.size(), 1u);

  const ManifestParcel& parcel = batch.parcels[0];
  EXPECT_EQ(parcel.first_line, 2);
  EXPECT_EQ(parcel.parcel.parcel_id, kSscc);
  EXPECT_EQ(parcel.parcel.shipper_id, "telco-a");
  EXPECT_EQ(parcel.parcel.service, Service::kLocker);
  EXPECT_EQ(FormatRfc3339(parcel.parcel.promised_by), "2026-03-03T23:00:00Z");
  EXPECT_EQ(parcel.parcel.origin, "SE-HUB-STO");
  EXPECT_EQ(parcel.parcel.destination_postcode, "41301");
  EXPECT_EQ(parcel.parcel.declared_weight_g, 640);

  ASSERT_EQ(parcel.devices.size(), 1u);
  const DeviceRecord& device = parcel.devices[0];
  EXPECT_EQ(device.imei.WithCheckDigit(), "490154203237518");
  EXPECT_FALSE(device.imei2.has_value());
  EXPECT_EQ(device.serial, "R58N1234");
  EXPECT_EQ(device.model, "Phone X");
  EXPECT_EQ(device.value_ore, 999000);
  EXPECT_EQ(device.line, 2);
}

TEST(ManifestCsv, OptionalColumnsMayBeAbsent) {
  ManifestBatch batch =
      Csv("parcel_id,shipper_id,service,promised_by,destination_postcode,imei\n"
          "373500000000001234,telco-a,home,2026-03-03,41301,490154203237518\n");
  ASSERT_TRUE(batch.errors.empty()) << batch.errors[0].message;
  ASSERT_EQ(batch.parcels.size(), 1u);
  EXPECT_FALSE(batch.parcels[0].parcel.declared_weight_g.has_value());
  EXPECT_FALSE(batch.parcels[0].devices[0].value_ore.has_value());
  EXPECT_EQ(batch.parcels[0].parcel.origin, "");
}

TEST(ManifestCsv, SemicolonSeparatorFromHeader) {
  ManifestBatch batch =
      Csv("parcel_id;shipper_id;service;promised_by;destination_postcode;imei;model\n"
          "373500000000001234;telco-a;home;2026-03-03;41301;490154203237518;Phone, X\n");
  ASSERT_TRUE(batch.errors.empty()) << batch.errors[0].message;
  ASSERT_EQ(batch.parcels.size(), 1u);
  EXPECT_EQ(batch.parcels[0].devices[0].model, "Phone, X");
}

TEST(ManifestCsv, ExcelSeparatorLine) {
  ManifestBatch batch =
      Csv("sep=;\r\n"
          "parcel_id;shipper_id;service;promised_by;destination_postcode;imei\r\n"
          "373500000000001234;telco-a;home;2026-03-03;41301;358472100042175\r\n");
  ASSERT_EQ(batch.errors.size(), 1u);
  EXPECT_EQ(batch.errors[0].line, 3);
  EXPECT_EQ(batch.errors[0].reason, "check_digit");
}

TEST(ManifestCsv, BomAndCrlf) {
  std::string text = "\xEF\xBB\xBF" + std::string(kHeader) + Row(kSscc, "490154203237518");
  std::string crlf;
  for (char c : text) {
    if (c == '\n') crlf += '\r';
    crlf += c;
  }
  ManifestBatch batch = Csv(crlf);
  ASSERT_TRUE(batch.errors.empty()) << batch.errors[0].message;
  ASSERT_EQ(batch.parcels.size(), 1u);
  EXPECT_EQ(batch.parcels[0].parcel.parcel_id, kSscc);
  EXPECT_EQ(batch.parcels[0].devices[0].value_ore, 999000);
}

TEST(ManifestCsv, QuotedFields) {
  ManifestBatch batch =
      Csv("parcel_id,shipper_id,service,promised_by,destination_postcode,imei,model\n"
          "\"373500000000001234\",\"telco-a\",home,2026-03-03,41301,\"490154203237518\","
          "\"Phone \"\"X\"\", 128 GB\"\n");
  ASSERT_TRUE(batch.errors.empty()) << batch.errors[0].message;
  EXPECT_EQ(batch.parcels[0].devices[0].model, "Phone \"X\", 128 GB");
}

TEST(ManifestCsv, LineBreakInQuotesKeepsLineNumbers) {
  ManifestBatch batch =
      Csv("parcel_id,shipper_id,service,promised_by,destination_postcode,imei,model\n"
          "373500000000001234,telco-a,home,2026-03-03,41301,490154203237518,\"Phone X\r\nblack\"\n"
          "373500000000001234,telco-a,home,2026-03-03,41301,358472100042175,Phone Y\n");
  ASSERT_EQ(batch.errors.size(), 1u);
  EXPECT_EQ(batch.errors[0].line, 4);
  EXPECT_EQ(batch.parcels[0].devices[0].model, "Phone X\r\nblack");
  EXPECT_EQ(batch.rows_read, 2);
}

TEST(ManifestCsv, ExtraColumnsIgnored) {
  ManifestBatch batch =
      Csv("notes,parcel_id,shipper_id,service,promised_by,destination_postcode,imei,colour\n"
          "fragile,373500000000001234,telco-a,home,2026-03-03,41301,490154203237518,black\n");
  ASSERT_TRUE(batch.errors.empty()) << batch.errors[0].message;
  ASSERT_EQ(batch.parcels.size(), 1u);
}

TEST(ManifestCsv, MissingColumnIsFileError) {
  ManifestBatch batch =
      Csv("parcel_id,shipper_id,service,promised_by,destination_postcode\n"
          "373500000000001234,telco-a,home,2026-03-03,41301\n");
  ASSERT_EQ(batch.errors.size(), 1u);
  EXPECT_EQ(batch.errors[0].line, 1);
  EXPECT_EQ(batch.errors[0].column, "imei");
  EXPECT_EQ(batch.errors[0].reason, "missing_column");
  EXPECT_THAT(batch.errors[0].message, HasSubstr("no column 'imei'"));
  EXPECT_TRUE(batch.parcels.empty());
  EXPECT_EQ(batch.rows_read, 0);
}

TEST(ManifestCsv, MissingColumnsAllNamed) {
  ManifestBatch batch = Csv("parcel_id,imei\n");
  ASSERT_EQ(batch.errors.size(), 1u);
  EXPECT_EQ(batch.errors[0].column, "shipper_id");
  EXPECT_THAT(batch.errors[0].message,
              HasSubstr("no column 'shipper_id', 'service', 'promised_by' or "
                        "'destination_postcode'"));
}

TEST(ManifestCsv, ColumnCaseHint) {
  ManifestBatch batch = Csv("parcel_id,shipper_id,service,promised_by,destination_postcode,IMEI\n");
  ASSERT_EQ(batch.errors.size(), 1u);
  EXPECT_THAT(batch.errors[0].message, HasSubstr("rename 'IMEI' to 'imei'"));
}

TEST(ManifestCsv, DuplicateColumnIsFileError) {
  ManifestBatch batch =
      Csv("parcel_id,shipper_id,service,promised_by,destination_postcode,imei,imei\n");
  ASSERT_EQ(batch.errors.size(), 1u);
  EXPECT_EQ(batch.errors[0].reason, "duplicate_column");
  EXPECT_EQ(batch.errors[0].column, "imei");
}

TEST(ManifestCsv, EmptyFile) {
  for (std::string_view text : {"", "\xEF\xBB\xBF", "\n\r\n,,,\n"}) {
    ManifestBatch batch = Csv(text);
    ASSERT_EQ(batch.errors.size(), 1u);
    EXPECT_EQ(batch.errors[0].reason, "empty_file");
    EXPECT_EQ(batch.errors[0].line, 1);
  }
}

TEST(ManifestCsv, HeaderOnlyHasNoRows) {
  ManifestBatch batch = Csv(kHeader);
  EXPECT_TRUE(batch.errors.empty());
  EXPECT_TRUE(batch.parcels.empty());
  EXPECT_EQ(batch.rows_read, 0);
}

TEST(ManifestCsv, Utf16Rejected) {
  ManifestBatch batch = Csv(std::string("\xFF\xFEp\0a\0", 6));
  ASSERT_EQ(batch.errors.size(), 1u);
  EXPECT_EQ(batch.errors[0].reason, "encoding");
  EXPECT_THAT(batch.errors[0].message, HasSubstr("UTF-8"));
}

TEST(ManifestCsv, FileTooLarge) {
  ManifestOptions options;
  options.max_bytes = 100;
  ManifestBatch batch = Csv(std::string(kHeader) + Row(kSscc, "490154203237518"), options);
  ASSERT_EQ(batch.errors.size(), 1u);
  EXPECT_EQ(batch.errors[0].reason, "file_too_large");
  EXPECT_TRUE(batch.parcels.empty());
}

TEST(ManifestCsv, UnknownZoneIsFileError) {
  ManifestOptions options;
  options.destination_zone = "Mars/Olympus";
  ManifestBatch batch = Csv(std::string(kHeader) + Row(kSscc, "490154203237518"), options);
  ASSERT_EQ(batch.errors.size(), 1u);
  EXPECT_EQ(batch.errors[0].reason, "time_zone");
}

TEST(ManifestCsv, DestinationZoneOption) {
  ManifestOptions options;
  options.destination_zone = "Europe/Helsinki";
  ManifestBatch batch = Csv(std::string(kHeader) + Row(kSscc, "490154203237518"), options);
  ASSERT_EQ(batch.parcels.size(), 1u);
  EXPECT_EQ(FormatRfc3339(batch.parcels[0].parcel.promised_by), "2026-03-03T22:00:00Z");
}

TEST(ManifestCsv, BadRowKeepsGoodRows) {
  ManifestBatch batch = Csv(std::string(kHeader) + Row(kSscc, "358472100042175") +
                            Row(kOtherSscc, "490154203237518"));
  ASSERT_EQ(batch.errors.size(), 1u);
  const RowError& error = batch.errors[0];
  EXPECT_EQ(error.line, 2);
  EXPECT_EQ(error.column, "imei");
  EXPECT_EQ(error.reason, "check_digit");
  EXPECT_THAT(error.message, HasSubstr("require 4"));
  ASSERT_EQ(batch.parcels.size(), 1u);
  EXPECT_EQ(batch.parcels[0].parcel.parcel_id, kOtherSscc);
  EXPECT_EQ(batch.parcels[0].first_line, 3);
  EXPECT_EQ(batch.rows_read, 2);
}

TEST(ManifestCsv, ExponentNotationRejected) {
  ManifestBatch batch = Csv(std::string(kHeader) + Row(kSscc, "3.5693E+14"));
  ASSERT_EQ(batch.errors.size(), 1u);
  EXPECT_EQ(batch.errors[0].reason, "exponent_notation");
  EXPECT_THAT(batch.errors[0].message, HasSubstr("as text"));
  EXPECT_TRUE(batch.parcels.empty());
}

TEST(ManifestCsv, PlaceholderCreatesNoDevice) {
  ManifestBatch batch = Csv(std::string(kHeader) + Row(kSscc, "000000000000000") +
                            Row(kOtherSscc, "000000000000000"));
  ASSERT_EQ(batch.errors.size(), 2u);
  EXPECT_EQ(batch.errors[0].reason, "placeholder");
  EXPECT_EQ(batch.errors[1].reason, "placeholder");
  EXPECT_EQ(batch.errors[1].line, 3);
  EXPECT_TRUE(batch.parcels.empty());
}

TEST(ManifestCsv, MissingFieldNamed) {
  ManifestBatch batch = Csv(std::string(kHeader) + Row(kSscc, "490154203237518", "", ""));
  ASSERT_EQ(batch.errors.size(), 1u);
  EXPECT_EQ(batch.errors[0].column, "service");
  EXPECT_EQ(batch.errors[0].reason, "missing_field");
  EXPECT_THAT(batch.errors[0].message, HasSubstr("service is missing"));
}

TEST(ManifestCsv, ShortRowMissesFields) {
  ManifestBatch batch = Csv(std::string(kHeader) + "373500000000001234,telco-a,home\n");
  ASSERT_EQ(batch.errors.size(), 3u);
  EXPECT_EQ(batch.errors[0].column, "promised_by");
  EXPECT_EQ(batch.errors[1].column, "destination_postcode");
  EXPECT_EQ(batch.errors[2].column, "imei");
}

TEST(ManifestCsv, EveryBadFieldOfRowReported) {
  ManifestBatch batch = Csv(std::string(kHeader) + Row("12345", "358472100042175", "", "Home"));
  ASSERT_EQ(batch.errors.size(), 3u);
  EXPECT_EQ(batch.errors[0].column, "parcel_id");
  EXPECT_EQ(batch.errors[0].reason, "invalid_value");
  EXPECT_EQ(batch.errors[1].column, "service");
  EXPECT_THAT(batch.errors[1].message, HasSubstr("'Home' is not one of home"));
  EXPECT_EQ(batch.errors[2].column, "imei");
  EXPECT_EQ(batch.errors[2].reason, "check_digit");
}

TEST(ManifestCsv, FieldsTrimmed) {
  ManifestBatch batch =
      Csv("parcel_id , shipper_id,service,promised_by,destination_postcode,imei\n"
          " 373500000000001234 , telco-a ,home , 2026-03-03,41301 , 490154203237518 \n");
  ASSERT_TRUE(batch.errors.empty()) << batch.errors[0].message;
  EXPECT_EQ(batch.parcels[0].parcel.shipper_id, "telco-a");
}

TEST(ManifestCsv, S10IdUpperCased) {
  ManifestBatch batch = Csv(std::string(kHeader) + Row("rr123456785se", "490154203237518"));
  ASSERT_EQ(batch.parcels.size(), 1u);
  EXPECT_EQ(batch.parcels[0].parcel.parcel_id, "RR123456785SE");
}

TEST(ManifestCsv, PromisedByDateTime) {
  ManifestBatch batch =
      Csv("parcel_id,shipper_id,service,promised_by,destination_postcode,imei\n"
          "373500000000001234,telco-a,home,2026-03-03T18:00:00+01:00,41301,490154203237518\n"
          "373500000000005678,telco-a,home,2026-03-03T18:00,41301,358472100042174\n");
  ASSERT_EQ(batch.parcels.size(), 1u);
  EXPECT_EQ(FormatRfc3339(batch.parcels[0].parcel.promised_by), "2026-03-03T17:00:00Z");
  ASSERT_EQ(batch.errors.size(), 1u);
  EXPECT_EQ(batch.errors[0].column, "promised_by");
  EXPECT_THAT(batch.errors[0].message, HasSubstr("offset"));
}

TEST(ManifestCsv, ValueAndWeightChecked) {
  ManifestBatch batch =
      Csv("parcel_id,shipper_id,service,promised_by,destination_postcode,imei,declared_weight_g,"
          "value_sek\n"
          "373500000000001234,telco-a,home,2026-03-03,41301,490154203237518,640 g,9990\n"
          "373500000000005678,telco-a,home,2026-03-03,41301,358472100042174,640,\"9990,50\"\n"
          "373500000000009999,telco-a,home,2026-03-03,41301,356938035643809,640,9990.5\n");
  ASSERT_EQ(batch.errors.size(), 2u);
  EXPECT_EQ(batch.errors[0].column, "declared_weight_g");
  EXPECT_EQ(batch.errors[1].column, "value_sek");
  ASSERT_EQ(batch.parcels.size(), 1u);
  EXPECT_EQ(batch.parcels[0].devices[0].value_ore, 999050);
}

TEST(ManifestCsv, InvalidUtf8Rejected) {
  ManifestBatch batch =
      Csv("parcel_id,shipper_id,service,promised_by,destination_postcode,imei,model\n"
          "373500000000001234,telco-a,home,2026-03-03,41301,490154203237518,G\xf6teborg\n");
  ASSERT_EQ(batch.errors.size(), 1u);
  EXPECT_EQ(batch.errors[0].column, "model");
  EXPECT_THAT(batch.errors[0].message, HasSubstr("not valid UTF-8"));
}

TEST(ManifestCsv, RowsOfOneParcelGrouped) {
  ManifestBatch batch = Csv(std::string(kHeader) + Row(kSscc, "490154203237518") +
                            Row(kOtherSscc, "356938035643809") + Row(kSscc, "358472100042174"));
  ASSERT_TRUE(batch.errors.empty()) << batch.errors[0].message;
  ASSERT_EQ(batch.parcels.size(), 2u);
  EXPECT_EQ(batch.parcels[0].parcel.parcel_id, kSscc);
  ASSERT_EQ(batch.parcels[0].devices.size(), 2u);
  EXPECT_EQ(batch.parcels[0].devices[1].line, 4);
  EXPECT_EQ(batch.parcels[1].devices.size(), 1u);
}

TEST(ManifestCsv, ContradictionNamesBothLines) {
  ManifestBatch batch =
      Csv(std::string(kHeader) + Row(kSscc, "490154203237518") +
          Row(kOtherSscc, "356938035643809") + Row(kSscc, "358472100042174", "", "home"));
  ASSERT_EQ(batch.errors.size(), 1u);
  const RowError& error = batch.errors[0];
  EXPECT_EQ(error.line, 4);
  EXPECT_EQ(error.column, "service");
  EXPECT_EQ(error.reason, "contradicts_line");
  EXPECT_EQ(error.message,
            "line 4 gives parcel 373500000000001234 service 'home', but line 2 gave 'locker'. "
            "Every row of one parcel must agree on its parcel fields.");
  ASSERT_EQ(batch.parcels[0].devices.size(), 1u);
  EXPECT_EQ(batch.parcels[0].parcel.service, Service::kLocker);
}

TEST(ManifestCsv, ContradictingWeightRejected) {
  std::string second = Row(kSscc, "358472100042174");
  second.replace(second.find(",640,"), 5, ",641,");
  ManifestBatch batch = Csv(std::string(kHeader) + Row(kSscc, "490154203237518") + second);
  ASSERT_EQ(batch.errors.size(), 1u);
  EXPECT_EQ(batch.errors[0].column, "declared_weight_g");
  EXPECT_THAT(batch.errors[0].message, HasSubstr("640 g"));
}

TEST(ManifestCsv, DualSimIsOneDevice) {
  ManifestBatch batch =
      Csv(std::string(kHeader) + Row(kSscc, "867315042291587", "867315042291660"));
  ASSERT_TRUE(batch.errors.empty()) << batch.errors[0].message;
  ASSERT_EQ(batch.parcels.size(), 1u);
  ASSERT_EQ(batch.parcels[0].devices.size(), 1u);
  const DeviceRecord& device = batch.parcels[0].devices[0];
  EXPECT_EQ(device.imei.WithCheckDigit(), "867315042291587");
  ASSERT_TRUE(device.imei2.has_value());
  EXPECT_EQ(device.imei2->WithCheckDigit(), "867315042291660");
}

TEST(ManifestCsv, EqualImei2Rejected) {
  ManifestBatch batch =
      Csv(std::string(kHeader) + Row(kSscc, "867315042291587", "867315042291587"));
  ASSERT_EQ(batch.errors.size(), 1u);
  EXPECT_EQ(batch.errors[0].column, "imei2");
  EXPECT_EQ(batch.errors[0].reason, "duplicate_imei");
  EXPECT_THAT(batch.errors[0].message, HasSubstr("two different IMEIs"));
  EXPECT_TRUE(batch.parcels.empty());
}

TEST(ManifestCsv, Imei2PlaceholderRejected) {
  ManifestBatch batch = Csv(std::string(kHeader) + Row(kSscc, "867315042291587", "n/a"));
  ASSERT_EQ(batch.errors.size(), 1u);
  EXPECT_EQ(batch.errors[0].reason, "placeholder");
  EXPECT_THAT(batch.errors[0].message, HasSubstr("Leave imei2 empty"));
}

TEST(ManifestCsv, RepeatedImeiNamesEarlierLine) {
  ManifestBatch batch = Csv(std::string(kHeader) + Row(kSscc, "490154203237518") +
                            Row(kOtherSscc, "49015420-323751-8"));
  ASSERT_EQ(batch.errors.size(), 1u);
  EXPECT_EQ(batch.errors[0].line, 3);
  EXPECT_EQ(batch.errors[0].column, "imei");
  EXPECT_EQ(batch.errors[0].reason, "duplicate_imei");
  EXPECT_THAT(batch.errors[0].message, HasSubstr("490154203237518 in imei is already on line 2"));
  ASSERT_EQ(batch.parcels.size(), 1u);
}

TEST(ManifestCsv, ImeisvRepeatsImei) {
  ManifestBatch batch =
      Csv(std::string(kHeader) + Row(kSscc, "358472100042174") + Row(kSscc, "3584721000421723"));
  ASSERT_EQ(batch.errors.size(), 1u);
  EXPECT_EQ(batch.errors[0].reason, "duplicate_imei");
}

TEST(ManifestCsv, Imei2RepeatsEarlierImei) {
  ManifestBatch batch = Csv(std::string(kHeader) + Row(kSscc, "867315042291587") +
                            Row(kOtherSscc, "358472100042174", "867315042291587"));
  ASSERT_EQ(batch.errors.size(), 1u);
  EXPECT_EQ(batch.errors[0].column, "imei2");
  EXPECT_THAT(batch.errors[0].message, HasSubstr("already on line 2"));
}

TEST(ManifestCsv, RejectedRowClaimsNoImei) {
  ManifestBatch batch =
      Csv(std::string(kHeader) + Row("12345", "490154203237518") + Row(kSscc, "490154203237518"));
  ASSERT_EQ(batch.errors.size(), 1u);
  EXPECT_EQ(batch.errors[0].line, 2);
  ASSERT_EQ(batch.parcels.size(), 1u);
}

TEST(ManifestCsv, UnterminatedQuoteKeepsEarlierRows) {
  ManifestBatch batch = Csv(std::string(kHeader) + Row(kSscc, "490154203237518") +
                            "\"37350000000000\n" + Row(kOtherSscc, "358472100042174"));
  ASSERT_EQ(batch.errors.size(), 1u);
  EXPECT_EQ(batch.errors[0].line, 3);
  EXPECT_EQ(batch.errors[0].reason, "quoting");
  EXPECT_EQ(batch.parcels.size(), 1u);
}

TEST(ManifestCsv, TextAfterQuoteRejectsOnlyItsRow) {
  ManifestBatch batch =
      Csv(std::string(kHeader) + "\"3735\"00000000001234,x\n" + Row(kOtherSscc, "358472100042174"));
  ASSERT_EQ(batch.errors.size(), 1u);
  EXPECT_EQ(batch.errors[0].line, 2);
  EXPECT_EQ(batch.errors[0].reason, "quoting");
  EXPECT_EQ(batch.parcels.size(), 1u);
}

TEST(ManifestCsv, BlankRowsSkippedAndCounted) {
  ManifestBatch batch =
      Csv(std::string(kHeader) + "\n,,,,,,,,,,,\n" + Row(kSscc, "358472100042175"));
  ASSERT_EQ(batch.errors.size(), 1u);
  EXPECT_EQ(batch.errors[0].line, 4);
  EXPECT_EQ(batch.rows_read, 1);
}

TEST(ManifestCsv, SameFileSameBatch) {
  std::string text =
      std::string(kHeader) + Row(kSscc, "490154203237518") + Row(kSscc, "358472100042175");
  ManifestBatch first = Csv(text);
  ManifestBatch second = Csv(text);
  ASSERT_EQ(first.parcels.size(), second.parcels.size());
  EXPECT_EQ(first.parcels[0].parcel, second.parcels[0].parcel);
  EXPECT_EQ(first.parcels[0].devices, second.parcels[0].devices);
  ASSERT_EQ(first.errors.size(), second.errors.size());
}

TEST(ParseManifest, TellsCsvFromJson) {
  ManifestBatch csv = ParseManifest(std::string(kHeader) + Row(kSscc, "490154203237518"), {});
  EXPECT_EQ(csv.parcels.size(), 1u);
  ManifestBatch json = ParseManifest(
      "\xEF\xBB\xBF \n {\"shipper_id\": \"telco-a\", \"parcels\": [{\"parcel_id\": "
      "\"373500000000001234\", \"service\": \"home\", \"promised_by\": \"2026-03-03\", "
      "\"destination_postcode\": \"41301\", \"devices\": [{\"imei\": \"490154203237518\"}]}]}",
      {});
  ASSERT_TRUE(json.errors.empty()) << json.errors[0].message;
  EXPECT_EQ(json.parcels.size(), 1u);
}

TEST(ServiceName, RoundTrips) {
  for (Service service : {Service::kHome, Service::kServicePoint, Service::kLocker,
                          Service::kMailbox, Service::kBusiness}) {
    EXPECT_EQ(ParseService(ServiceName(service)), service);
  }
  EXPECT_EQ(ServiceName(Service::kServicePoint), "service_point");
  EXPECT_FALSE(ParseService("Locker").has_value());
}

}  // namespace
}  // namespace imeiguard
