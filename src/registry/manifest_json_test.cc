#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "registry/manifest.h"

namespace imeiguard {
namespace {

using ::testing::HasSubstr;

ManifestBatch Json(std::string_view text) { return ParseManifestJson(text, {}); }

// One parcel object with the given devices and otherwise fixed, valid fields.
std::string Parcel(std::string_view parcel_id, std::string_view devices,
                   std::string_view service = "locker") {
  return "{\"parcel_id\": \"" + std::string(parcel_id) + "\", \"service\": \"" +
         std::string(service) +
         "\", \"promised_by\": \"2026-03-03\", \"origin\": \"SE-HUB-STO\", "
         "\"destination_postcode\": \"41301\", \"declared_weight_g\": 640, \"devices\": [" +
         std::string(devices) + "]}";
}

std::string Manifest(std::string_view parcels) {
  return "{\"shipper_id\": \"telco-a\", \"parcels\": [" + std::string(parcels) + "]}";
}

constexpr std::string_view kExample = R"({"shipper_id": "telco-a",
 "parcels": [{"parcel_id": "373500000000001234", "service": "locker",
              "promised_by": "2026-03-03", "origin": "SE-HUB-STO",
              "destination_postcode": "41301", "declared_weight_g": 640,
              "devices": [{"imei": "490154203237518", "imei2": "490154203237526",
                           "serial": "R58N1234", "model": "Phone X", "value_sek": 9990}]}]}
)";

TEST(ManifestJson, ReadsExample) {
  ManifestBatch batch = Json(kExample);
  ASSERT_TRUE(batch.errors.empty()) << batch.errors[0].message;
  EXPECT_EQ(batch.rows_read, 1);
  ASSERT_EQ(batch.parcels.size(), 1u);

  const ParcelRecord& parcel = batch.parcels[0].parcel;
  EXPECT_EQ(parcel.parcel_id, "373500000000001234");
  EXPECT_EQ(parcel.shipper_id, "telco-a");
  EXPECT_EQ(parcel.service, Service::kLocker);
  EXPECT_EQ(FormatRfc3339(parcel.promised_by), "2026-03-03T23:00:00Z");
  EXPECT_EQ(parcel.origin, "SE-HUB-STO");
  EXPECT_EQ(parcel.destination_postcode, "41301");
  EXPECT_EQ(parcel.declared_weight_g, 640);

  ASSERT_EQ(batch.parcels[0].devices.size(), 1u);
  const DeviceRecord& device = batch.parcels[0].devices[0];
  EXPECT_EQ(device.imei.WithCheckDigit(), "490154203237518");
  ASSERT_TRUE(device.imei2.has_value());
  EXPECT_EQ(device.imei2->WithCheckDigit(), "490154203237526");
  EXPECT_EQ(device.serial, "R58N1234");
  EXPECT_EQ(device.model, "Phone X");
  EXPECT_EQ(device.value_ore, 999000);
}

TEST(ManifestJson, LinesAreTextLines) {
  ManifestBatch batch = Json(kExample);
  ASSERT_EQ(batch.parcels.size(), 1u);
  EXPECT_EQ(batch.parcels[0].devices[0].line, 5);
  EXPECT_EQ(batch.parcels[0].first_line, 5);
}

TEST(ManifestJson, ErrorNamesPathAndLine) {
  ManifestBatch batch = Json(
      "{\"shipper_id\": \"telco-a\",\n"
      " \"parcels\": [\n" +
      Parcel("373500000000001234", "{\"imei\": \"490154203237518\"}") + ",\n" +
      Parcel("373500000000005678",
             "{\"imei\": \"356938035643809\"},\n{\"serial\": \"x\",\n \"imei\": "
             "\"358472100042175\"}") +
      "]}");
  ASSERT_EQ(batch.errors.size(), 1u);
  const RowError& error = batch.errors[0];
  EXPECT_EQ(error.column, "parcels[1].devices[1].imei");
  EXPECT_EQ(error.line, 6);
  EXPECT_EQ(error.reason, "check_digit");
  EXPECT_THAT(error.message, HasSubstr("require 4"));
  EXPECT_EQ(batch.rows_read, 3);
  ASSERT_EQ(batch.parcels.size(), 2u);
  EXPECT_EQ(batch.parcels[1].devices.size(), 1u);
}

TEST(ManifestJson, SyntaxErrorNamesLine) {
  ManifestBatch batch = Json("{\"shipper_id\": \"telco-a\",\n \"parcels\": [\n  {,}]}");
  ASSERT_EQ(batch.errors.size(), 1u);
  EXPECT_EQ(batch.errors[0].reason, "json");
  EXPECT_EQ(batch.errors[0].line, 3);
  EXPECT_THAT(batch.errors[0].message, HasSubstr("line 3, column 4"));
  EXPECT_TRUE(batch.parcels.empty());
}

TEST(ManifestJson, TruncatedFileRejected) {
  std::string text(kExample);
  ManifestBatch batch = Json(text.substr(0, text.size() / 2));
  ASSERT_EQ(batch.errors.size(), 1u);
  EXPECT_EQ(batch.errors[0].reason, "json");
}

TEST(ManifestJson, TooDeepRejected) {
  ManifestBatch batch =
      Json("{\"shipper_id\": \"a\", \"x\": " + std::string(100, '[') + std::string(100, ']') + "}");
  ASSERT_EQ(batch.errors.size(), 1u);
  EXPECT_EQ(batch.errors[0].reason, "json");
}

TEST(ManifestJson, InvalidUtf8Rejected) {
  ManifestBatch batch = Json(Manifest(Parcel("373500000000001234",
                                             "{\"imei\": \"490154203237518\", \"model\": "
                                             "\"G\xf6teborg\"}")));
  ASSERT_EQ(batch.errors.size(), 1u);
  EXPECT_EQ(batch.errors[0].reason, "json");
}

TEST(ManifestJson, RootMustBeObject) {
  ManifestBatch batch = Json("[1, 2]");
  ASSERT_EQ(batch.errors.size(), 1u);
  EXPECT_EQ(batch.errors[0].reason, "invalid_value");
  EXPECT_THAT(batch.errors[0].message, HasSubstr("is an array, but it must be an object"));
}

TEST(ManifestJson, MissingShipperIsFileError) {
  ManifestBatch batch = Json(
      "{\"parcels\": [" + Parcel("373500000000001234", "{\"imei\": \"490154203237518\"}") + "]}");
  ASSERT_EQ(batch.errors.size(), 1u);
  EXPECT_EQ(batch.errors[0].column, "shipper_id");
  EXPECT_EQ(batch.errors[0].reason, "missing_field");
  EXPECT_TRUE(batch.parcels.empty());
}

TEST(ManifestJson, ShipperMustBeString) {
  ManifestBatch batch = Json("{\"shipper_id\": 7,\n \"parcels\": []}");
  ASSERT_EQ(batch.errors.size(), 1u);
  EXPECT_EQ(batch.errors[0].reason, "invalid_value");
}

TEST(ManifestJson, ParcelsMustBeArray) {
  ManifestBatch batch = Json("{\"shipper_id\": \"telco-a\",\n \"parcels\": {}}");
  ASSERT_EQ(batch.errors.size(), 1u);
  EXPECT_EQ(batch.errors[0].column, "parcels");
  EXPECT_EQ(batch.errors[0].line, 2);
  EXPECT_THAT(batch.errors[0].message, HasSubstr("must be an array, not an object"));
}

TEST(ManifestJson, ParcelsMissing) {
  ManifestBatch batch = Json("{\"shipper_id\": \"telco-a\"}");
  ASSERT_EQ(batch.errors.size(), 1u);
  EXPECT_EQ(batch.errors[0].reason, "missing_field");
}

TEST(ManifestJson, ParcelMustBeObject) {
  ManifestBatch batch =
      Json(Manifest("\"x\", " + Parcel("373500000000001234", "{\"imei\": \"490154203237518\"}")));
  ASSERT_EQ(batch.errors.size(), 1u);
  EXPECT_EQ(batch.errors[0].column, "parcels[0]");
  EXPECT_EQ(batch.parcels.size(), 1u);
}

TEST(ManifestJson, DevicesMissingOrEmpty) {
  ManifestBatch batch = Json(
      Manifest("{\"parcel_id\": \"373500000000001234\", \"service\": \"home\", \"promised_by\": "
               "\"2026-03-03\", \"destination_postcode\": \"41301\"}, " +
               Parcel("373500000000005678", "")));
  ASSERT_EQ(batch.errors.size(), 2u);
  EXPECT_EQ(batch.errors[0].column, "parcels[0].devices");
  EXPECT_EQ(batch.errors[0].reason, "missing_field");
  EXPECT_EQ(batch.errors[1].column, "parcels[1].devices");
  EXPECT_THAT(batch.errors[1].message, HasSubstr("is empty"));
}

TEST(ManifestJson, DeviceMustBeObject) {
  ManifestBatch batch = Json(Manifest(Parcel("373500000000001234", "\"490154203237518\"")));
  ASSERT_EQ(batch.errors.size(), 1u);
  EXPECT_EQ(batch.errors[0].column, "parcels[0].devices[0]");
  EXPECT_EQ(batch.rows_read, 1);
}

TEST(ManifestJson, ParcelErrorReportedOnce) {
  ManifestBatch batch = Json(Manifest(
      Parcel("12345", "{\"imei\": \"490154203237518\"}, {\"imei\": \"358472100042174\"}")));
  ASSERT_EQ(batch.errors.size(), 1u);
  EXPECT_EQ(batch.errors[0].column, "parcels[0].parcel_id");
  EXPECT_EQ(batch.errors[0].reason, "invalid_value");
  EXPECT_TRUE(batch.parcels.empty());
  EXPECT_EQ(batch.rows_read, 2);
}

TEST(ManifestJson, ImeiNumberRejected) {
  ManifestBatch batch = Json(Manifest(Parcel("373500000000001234", "{\"imei\": 490154203237518}")));
  ASSERT_EQ(batch.errors.size(), 1u);
  EXPECT_EQ(batch.errors[0].column, "parcels[0].devices[0].imei");
  EXPECT_EQ(batch.errors[0].reason, "invalid_value");
  EXPECT_THAT(batch.errors[0].message, HasSubstr("must be a string, not a number"));
  EXPECT_THAT(batch.errors[0].message, HasSubstr("leading zeros"));
}

TEST(ManifestJson, ImeiMissing) {
  ManifestBatch batch = Json(Manifest(Parcel("373500000000001234", "{\"serial\": \"x\"}")));
  ASSERT_EQ(batch.errors.size(), 1u);
  EXPECT_EQ(batch.errors[0].reason, "missing_field");
  EXPECT_EQ(batch.errors[0].column, "parcels[0].devices[0].imei");
}

TEST(ManifestJson, ValueSekForms) {
  ManifestBatch batch =
      Json(Manifest(Parcel("373500000000001234",
                           "{\"imei\": \"490154203237518\", \"value_sek\": 9990.99}, "
                           "{\"imei\": \"358472100042174\", \"value_sek\": \"9990.50\"}, "
                           "{\"imei\": \"356938035643809\", \"value_sek\": 0.1}, "
                           "{\"imei\": \"867315042291587\", \"value_sek\": 9990.505}")));
  ASSERT_EQ(batch.errors.size(), 1u);
  EXPECT_EQ(batch.errors[0].column, "parcels[0].devices[3].value_sek");
  EXPECT_THAT(batch.errors[0].message, HasSubstr("more than two decimals"));
  ASSERT_EQ(batch.parcels.size(), 1u);
  ASSERT_EQ(batch.parcels[0].devices.size(), 3u);
  EXPECT_EQ(batch.parcels[0].devices[0].value_ore, 999099);
  EXPECT_EQ(batch.parcels[0].devices[1].value_ore, 999050);
  EXPECT_EQ(batch.parcels[0].devices[2].value_ore, 10);
}

TEST(ManifestJson, NegativeValueRejected) {
  ManifestBatch batch = Json(
      Manifest(Parcel("373500000000001234", "{\"imei\": \"490154203237518\", \"value_sek\": -5}")));
  ASSERT_EQ(batch.errors.size(), 1u);
  EXPECT_THAT(batch.errors[0].message, HasSubstr("negative"));
}

TEST(ManifestJson, WeightForms) {
  std::string whole = Parcel("373500000000001234", "{\"imei\": \"490154203237518\"}");
  whole.replace(whole.find("640"), 3, "640.0");
  std::string text = Parcel("373500000000005678", "{\"imei\": \"358472100042174\"}");
  text.replace(text.find("640"), 3, "\"640\"");
  std::string fraction = Parcel("373500000000009999", "{\"imei\": \"356938035643809\"}");
  fraction.replace(fraction.find("640"), 3, "640.5");
  ManifestBatch batch = Json(Manifest(whole + ", " + text + ", " + fraction));
  ASSERT_EQ(batch.errors.size(), 1u);
  EXPECT_EQ(batch.errors[0].column, "parcels[2].declared_weight_g");
  ASSERT_EQ(batch.parcels.size(), 2u);
  EXPECT_EQ(batch.parcels[0].parcel.declared_weight_g, 640);
  EXPECT_EQ(batch.parcels[1].parcel.declared_weight_g, 640);
}

TEST(ManifestJson, NullOptionalFieldsAbsent) {
  ManifestBatch batch = Json(Manifest(
      "{\"parcel_id\": \"373500000000001234\", \"service\": \"home\", \"promised_by\": "
      "\"2026-03-03\", \"destination_postcode\": \"41301\", \"origin\": null, "
      "\"declared_weight_g\": null, \"devices\": [{\"imei\": \"490154203237518\", \"imei2\": "
      "null, \"value_sek\": null}]}"));
  ASSERT_TRUE(batch.errors.empty()) << batch.errors[0].message;
  ASSERT_EQ(batch.parcels.size(), 1u);
  EXPECT_FALSE(batch.parcels[0].parcel.declared_weight_g.has_value());
  EXPECT_FALSE(batch.parcels[0].devices[0].imei2.has_value());
}

TEST(ManifestJson, ExtraFieldsIgnored) {
  ManifestBatch batch = Json(
      "{\"version\": 2, \"shipper_id\": \"telco-a\", \"meta\": {\"a\": [1, {\"b\": null}]}, "
      "\"parcels\": [{\"parcel_id\": \"373500000000001234\", \"service\": \"home\", "
      "\"promised_by\": \"2026-03-03\", \"destination_postcode\": \"41301\", \"tags\": [\"x\"], "
      "\"devices\": [{\"imei\": \"490154203237518\", \"colour\": {\"name\": \"black\"}}]}]}");
  ASSERT_TRUE(batch.errors.empty()) << batch.errors[0].message;
  EXPECT_EQ(batch.parcels.size(), 1u);
}

TEST(ManifestJson, SameParcelInTwoObjectsMerged) {
  ManifestBatch batch =
      Json(Manifest(Parcel("373500000000001234", "{\"imei\": \"490154203237518\"}") + ", " +
                    Parcel("373500000000001234", "{\"imei\": \"358472100042174\"}")));
  ASSERT_TRUE(batch.errors.empty()) << batch.errors[0].message;
  ASSERT_EQ(batch.parcels.size(), 1u);
  EXPECT_EQ(batch.parcels[0].devices.size(), 2u);
}

TEST(ManifestJson, ContradictingParcelObjectsRejected) {
  ManifestBatch batch =
      Json("{\"shipper_id\": \"telco-a\", \"parcels\": [\n" +
           Parcel("373500000000001234", "{\"imei\": \"490154203237518\"}") + ",\n" +
           Parcel("373500000000001234", "{\"imei\": \"358472100042174\"}", "home") + "]}");
  ASSERT_EQ(batch.errors.size(), 1u);
  EXPECT_EQ(batch.errors[0].reason, "contradicts_line");
  EXPECT_EQ(batch.errors[0].column, "parcels[1].service");
  EXPECT_EQ(batch.errors[0].line, 3);
  EXPECT_THAT(batch.errors[0].message, HasSubstr("line 3 gives parcel"));
  EXPECT_THAT(batch.errors[0].message, HasSubstr("but line 2 gave 'locker'"));
}

TEST(ManifestJson, RepeatedImeiAcrossParcels) {
  ManifestBatch batch =
      Json(Manifest(Parcel("373500000000001234", "{\"imei\": \"490154203237518\"}") + ", " +
                    Parcel("373500000000005678", "{\"imei\": \"490154203237518\"}")));
  ASSERT_EQ(batch.errors.size(), 1u);
  EXPECT_EQ(batch.errors[0].reason, "duplicate_imei");
  EXPECT_EQ(batch.errors[0].column, "parcels[1].devices[0].imei");
  EXPECT_EQ(batch.parcels.size(), 1u);
}

TEST(ManifestJson, EqualImei2Rejected) {
  ManifestBatch batch = Json(Manifest(Parcel(
      "373500000000001234", "{\"imei\": \"867315042291587\", \"imei2\": \"867315042291587\"}")));
  ASSERT_EQ(batch.errors.size(), 1u);
  EXPECT_EQ(batch.errors[0].reason, "duplicate_imei");
  EXPECT_EQ(batch.errors[0].column, "parcels[0].devices[0].imei2");
}

TEST(ManifestJson, PlaceholderCreatesNoDevice) {
  ManifestBatch batch =
      Json(Manifest(Parcel("373500000000001234", "{\"imei\": \"000000000000000\"}")));
  ASSERT_EQ(batch.errors.size(), 1u);
  EXPECT_EQ(batch.errors[0].reason, "placeholder");
  EXPECT_TRUE(batch.parcels.empty());
}

TEST(ManifestJson, FileTooLarge) {
  ManifestOptions options;
  options.max_bytes = 10;
  ManifestBatch batch = ParseManifestJson(kExample, options);
  ASSERT_EQ(batch.errors.size(), 1u);
  EXPECT_EQ(batch.errors[0].reason, "file_too_large");
}

}  // namespace
}  // namespace imeiguard
