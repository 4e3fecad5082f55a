#include "registry/manifest_export_check.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace imeiguard {
namespace {

using ::testing::HasSubstr;

constexpr std::string_view kHeader =
    "parcel_id,shipper_id,service,promised_by,destination_postcode,imei\n";

// A valid 15-digit IMEI of TAC `tac` (8 digits) and serial `n`.
std::string ImeiOf(std::string_view tac, int n) {
  std::string serial = std::to_string(n);
  std::string core = std::string(tac) + std::string(6 - serial.size(), '0') + serial;
  return core + std::to_string(LuhnCheckDigit(core));
}

// A row of parcel `n` with `imei` as written.
std::string Row(int n, std::string_view imei, std::string_view promised_by = "2026-03-03") {
  std::string digits = std::to_string(n);
  return "3735" + std::string(14 - digits.size(), '0') + digits + ",telco-a,home," +
         std::string(promised_by) + ",41301," + std::string(imei) + "\n";
}

// A file of `good` valid rows followed by `stripped` rows whose IMEI starts with 0 and lost it.
std::string FileWithStrippedZeros(int good, int stripped) {
  std::string csv(kHeader);
  for (int i = 1; i <= good; ++i) csv += Row(i, ImeiOf("35847210", i));
  for (int i = 1; i <= stripped; ++i) csv += Row(good + i, ImeiOf("01245600", i).substr(1));
  return csv;
}

std::optional<ManifestRejection> Check(const std::string& csv) {
  return CheckManifestExport(ParseManifestCsv(csv, {}));
}

TEST(ManifestExportCheck, CleanFilePasses) {
  EXPECT_FALSE(Check(FileWithStrippedZeros(20, 0)).has_value());
}

TEST(ManifestExportCheck, StrippedZerosRejectFile) {
  std::optional<ManifestRejection> rejection = Check(FileWithStrippedZeros(17, 3));
  ASSERT_TRUE(rejection.has_value());
  EXPECT_EQ(rejection->reason, "imeis_stripped_of_leading_zeros");
  EXPECT_EQ(rejection->row_reason, "length_14");
  EXPECT_EQ(rejection->rows_affected, 3);
  EXPECT_EQ(rejection->rows_read, 20);
  EXPECT_EQ(rejection->example_line, 19);
  EXPECT_EQ(rejection->example_column, "imei");
  EXPECT_THAT(rejection->message, HasSubstr("3 of 20 rows"));
  EXPECT_THAT(rejection->message, HasSubstr("Line 19: '12456000000018' has 14 digits"));
  EXPECT_THAT(rejection->message, HasSubstr("formatted as text"));
  EXPECT_THAT(rejection->message, HasSubstr("?force=true"));
}

TEST(ManifestExportCheck, TwoStrippedRowsPass) {
  EXPECT_FALSE(Check(FileWithStrippedZeros(18, 2)).has_value());
}

TEST(ManifestExportCheck, StrippedZerosInLargeFileReject) {
  // 3 rows of 200 are 1.5 %: the share of the file does not matter.
  EXPECT_TRUE(Check(FileWithStrippedZeros(197, 3)).has_value());
}

TEST(ManifestExportCheck, MissingCheckDigitsAreNotStrippedZeros) {
  // Ten cores without their check digit. Some fit a leading zero by chance, but not most.
  std::string csv(kHeader);
  int fitting = 0;
  for (int i = 1; i <= 10; ++i) {
    std::string core = ImeiOf("35847210", i * 7).substr(0, 14);
    fitting += ImeiWithLeadingZero(core).has_value() ? 1 : 0;
    csv += Row(i, core);
  }
  for (int i = 11; i <= 30; ++i) csv += Row(i, ImeiOf("35847210", i));
  ASSERT_LE(fitting * 2, 10);

  EXPECT_FALSE(Check(csv).has_value());
}

TEST(ManifestExportCheck, MostRowsWithOneReasonRejectFile) {
  std::string csv(kHeader);
  for (int i = 1; i <= 4; ++i) csv += Row(i, ImeiOf("35847210", i));
  for (int i = 5; i <= 10; ++i) csv += Row(i, "3.58472E+14");

  std::optional<ManifestRejection> rejection = Check(csv);

  ASSERT_TRUE(rejection.has_value());
  EXPECT_EQ(rejection->reason, "rows_rejected_for_one_reason");
  EXPECT_EQ(rejection->row_reason, "exponent_notation");
  EXPECT_EQ(rejection->rows_affected, 6);
  EXPECT_EQ(rejection->rows_read, 10);
  EXPECT_EQ(rejection->example_line, 6);
  EXPECT_EQ(rejection->example_column, "imei");
  EXPECT_THAT(rejection->message, HasSubstr("6 of 10 rows"));
  EXPECT_THAT(rejection->message, HasSubstr("'exponent_notation'"));
  EXPECT_THAT(rejection->message, HasSubstr("Line 6: "));
}

TEST(ManifestExportCheck, HalfTheRowsWithOneReasonPass) {
  std::string csv(kHeader);
  for (int i = 1; i <= 5; ++i) csv += Row(i, ImeiOf("35847210", i));
  for (int i = 6; i <= 10; ++i) csv += Row(i, ImeiOf("35847210", i), "03/03/2026");
  EXPECT_FALSE(Check(csv).has_value());
}

TEST(ManifestExportCheck, ShortFileWithOnlyBadRowsPasses) {
  std::string csv(kHeader);
  for (int i = 1; i <= 9; ++i) csv += Row(i, "3.58472E+14");
  EXPECT_FALSE(Check(csv).has_value());
}

TEST(ManifestExportCheck, StrippedZerosWinOverDominantReason) {
  std::optional<ManifestRejection> rejection = Check(FileWithStrippedZeros(2, 10));
  ASSERT_TRUE(rejection.has_value());
  EXPECT_EQ(rejection->reason, "imeis_stripped_of_leading_zeros");
}

TEST(ManifestExportCheck, JsonDeviceCountsAsOneRow) {
  // 10 devices, 5 of which have both IMEIs in exponent notation, on separate lines: 5 rows of 10.
  std::string devices;
  for (int i = 1; i <= 10; ++i) {
    if (!devices.empty()) devices += ",\n";
    if (i <= 5) {
      devices += "{\"imei\": \"3.58472E+14\",\n \"imei2\": \"8.6731E+14\"}";
    } else {
      devices += "{\"imei\": \"" + ImeiOf("35847210", i) + "\"}";
    }
  }
  std::string json =
      R"({"shipper_id": "telco-a", "parcels": [{"parcel_id": "373500000000001234",
 "service": "home", "promised_by": "2026-03-03", "destination_postcode": "41301",
 "devices": [)" +
      devices + "]}]}";
  ManifestBatch batch = ParseManifestJson(json, {});
  ASSERT_EQ(batch.rows_read, 10);
  ASSERT_EQ(batch.errors.size(), 10u);

  EXPECT_FALSE(CheckManifestExport(batch).has_value());
}

TEST(ManifestParse, StrippedZeroMessageNamesValidImei) {
  ManifestBatch batch = ParseManifestCsv(std::string(kHeader) + Row(1, "12456003188422"), {});
  ASSERT_EQ(batch.errors.size(), 1u);
  EXPECT_EQ(batch.errors[0].reason, "length_14");
  EXPECT_THAT(batch.errors[0].message, HasSubstr("valid IMEI 012456003188422"));
  EXPECT_THAT(batch.errors[0].message, HasSubstr("Re-export the imei column as text"));
  EXPECT_EQ(batch.lines_missing_leading_zero, std::vector<int>{2});
}

TEST(ManifestParse, JsonStrippedZeroRecordsLine) {
  ManifestBatch batch = ParseManifestJson(
      R"({"shipper_id": "telco-a", "parcels": [{"parcel_id": "373500000000001234",
 "service": "home", "promised_by": "2026-03-03", "destination_postcode": "41301",
 "devices": [{"imei": "12456003188422"}]}]})",
      {});
  ASSERT_EQ(batch.errors.size(), 1u);
  EXPECT_EQ(batch.errors[0].reason, "length_14");
  EXPECT_EQ(batch.lines_missing_leading_zero, std::vector<int>{batch.errors[0].line});
}

}  // namespace
}  // namespace imeiguard
