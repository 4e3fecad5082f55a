#include "api/input_limits.h"

#include <gtest/gtest.h>

namespace imeiguard {
namespace {

InputLimits SmallLimits() {
  InputLimits limits;
  limits.max_line_bytes = 200;
  limits.max_json_depth = 5;
  limits.max_field_bytes = 10;
  limits.max_text_field_bytes = 20;
  limits.max_batch_lines = 2;
  limits.max_manifest_rows = 2;
  return limits;
}

TEST(CheckEventBatch, WithinLimitsPasses) {
  EXPECT_FALSE(
      CheckEventBatch("{\"event_id\":\"e-1\"}\n\n{\"event_id\":\"e-2\"}\n", SmallLimits()));
}

TEST(CheckEventBatch, LinePastBatchLimit) {
  auto violation = CheckEventBatch("{}\n\n{}\r\n{}\n", SmallLimits());
  ASSERT_TRUE(violation);
  EXPECT_EQ(violation->status, 413);
  EXPECT_EQ(violation->reason, "batch_too_long");
  EXPECT_EQ(violation->line, 4);
  EXPECT_EQ(violation->offset, 8u);
  EXPECT_EQ(violation->limit, 2u);
}

TEST(CheckEventBatch, LongLine) {
  std::string body = "{}\n{\"detail\":\"" + std::string(300, 'x') + "\"}\n";
  auto violation = CheckEventBatch(body, SmallLimits());
  ASSERT_TRUE(violation);
  EXPECT_EQ(violation->reason, "line_too_long");
  EXPECT_EQ(violation->line, 2);
  EXPECT_EQ(violation->offset, 3u);
  EXPECT_EQ(violation->limit, 200u);
}

TEST(CheckEventBatch, LongFieldNamed) {
  auto violation =
      CheckEventBatch("{\"event_id\":\"e\"}\n{\"handler\":\"12345678901\"}", SmallLimits());
  ASSERT_TRUE(violation);
  EXPECT_EQ(violation->status, 413);
  EXPECT_EQ(violation->reason, "field_too_long");
  EXPECT_EQ(violation->field, "handler");
  EXPECT_EQ(violation->line, 2);
  EXPECT_EQ(violation->offset, 28u);
  EXPECT_EQ(violation->message,
            "field 'handler' on line 2 has 11 bytes, more than the maximum of 10. Nothing of the "
            "request was stored.");
}

TEST(CheckEventBatch, FreeTextFieldHasOwnLimit) {
  EXPECT_FALSE(CheckEventBatch("{\"detail\":\"123456789012\"}", SmallLimits()));
  auto violation = CheckEventBatch("{\"detail\":\"" + std::string(21, 'd') + "\"}", SmallLimits());
  ASSERT_TRUE(violation);
  EXPECT_EQ(violation->field, "detail");
  EXPECT_EQ(violation->limit, 20u);
}

TEST(CheckEventBatch, LongKeyIsNoValue) {
  EXPECT_FALSE(CheckEventBatch("{\"a_very_long_member_name\" : \"x\"}", SmallLimits()));
}

TEST(CheckEventBatch, IgnoredFieldNotBounded) {
  EXPECT_FALSE(CheckEventBatch("{\"note\":\"" + std::string(100, 'n') + "\"}", SmallLimits()));
}

TEST(CheckEventBatch, EscapedKeyStillBounded) {
  auto violation = CheckEventBatch(R"({"hand\u006cer":"12345678901"})", SmallLimits());
  ASSERT_TRUE(violation);
  EXPECT_EQ(violation->field, "handler");
}

TEST(CheckEventBatch, EscapedQuoteStaysInString) {
  auto violation = CheckEventBatch(R"({"node":"ab\"cdefghi"})", SmallLimits());
  ASSERT_TRUE(violation);
  EXPECT_EQ(violation->field, "node");
}

TEST(CheckEventBatch, DeepNesting) {
  auto violation = CheckEventBatch("{}\n{\"x\":[[[[[1]]]]]}", SmallLimits());
  ASSERT_TRUE(violation);
  EXPECT_EQ(violation->status, 400);
  EXPECT_EQ(violation->reason, "too_deep");
  EXPECT_EQ(violation->line, 2);
  EXPECT_EQ(violation->offset, 12u);
  EXPECT_EQ(violation->limit, 5u);
}

TEST(CheckEventBatch, MalformedJsonLeftToParser) {
  EXPECT_FALSE(CheckEventBatch("{\"event_id\":\"unterminated\n]]]\n", SmallLimits()));
}

TEST(CheckManifest, JsonWithinLimitsPasses) {
  EXPECT_FALSE(CheckManifest(
      R"({"shipper_id":"telco-a","parcels":[{"parcel_id":"1","devices":[{"imei":"1"},{"imei":"2"}]}]})",
      SmallLimits()));
}

TEST(CheckManifest, JsonParcelsPastLimit) {
  auto violation = CheckManifest("{\"parcels\":[{},\n{},\n{}]}", SmallLimits());
  ASSERT_TRUE(violation);
  EXPECT_EQ(violation->reason, "batch_too_long");
  EXPECT_EQ(violation->field, "parcels");
  EXPECT_EQ(violation->line, 3);
  EXPECT_EQ(violation->offset, 20u);
}

TEST(CheckManifest, JsonDevicesCountedAcrossParcels) {
  auto violation =
      CheckManifest(R"({"parcels":[{"devices":[{},{}]},{"devices":[{}]}]})", SmallLimits());
  ASSERT_TRUE(violation);
  EXPECT_EQ(violation->field, "devices");
}

TEST(CheckManifest, JsonLongFieldAfterBom) {
  auto violation =
      CheckManifest("\xEF\xBB\xBF{\"parcels\":[{\"origin\":\"12345678901\"}]}", SmallLimits());
  ASSERT_TRUE(violation);
  EXPECT_EQ(violation->field, "origin");
  EXPECT_EQ(violation->offset, 25u);
}

TEST(CheckManifest, CsvRowsPastLimit) {
  auto violation = CheckManifest("parcel_id,imei\n1,2\n\n3,4\n5,6\n", SmallLimits());
  ASSERT_TRUE(violation);
  EXPECT_EQ(violation->reason, "batch_too_long");
  EXPECT_EQ(violation->line, 5);
  EXPECT_FALSE(violation->offset);
}

TEST(CheckManifest, CsvLongFieldNamesColumn) {
  auto violation = CheckManifest("parcel_id;serial;model\n1;\"12345;678901\";m\n", SmallLimits());
  ASSERT_TRUE(violation);
  EXPECT_EQ(violation->reason, "field_too_long");
  EXPECT_EQ(violation->field, "serial");
  EXPECT_EQ(violation->line, 2);
}

TEST(CheckManifest, CsvIgnoredColumnNotBounded) {
  EXPECT_FALSE(
      CheckManifest("parcel_id,comment\n1," + std::string(100, 'c') + "\n", SmallLimits()));
}

TEST(CheckManifest, CsvModelIsFreeText) {
  EXPECT_FALSE(CheckManifest("parcel_id,model\n1,a model of 19 bytes\n", SmallLimits()));
}

TEST(CheckManifest, CsvSeparatorByKnownColumns) {
  // Split at ',' this header has more fields, but split at ';' it names more manifest columns.
  auto violation = CheckManifest("parcel_id;serial;a,b,c,d\n1;12345,678901;x\n", SmallLimits());
  ASSERT_TRUE(violation);
  EXPECT_EQ(violation->field, "serial");
}

TEST(CheckManifest, JsonValueSekIsBounded) {
  auto violation =
      CheckManifest(R"({"parcels":[{"devices":[{"value_sek":"12345678901"}]}]})", SmallLimits());
  ASSERT_TRUE(violation);
  EXPECT_EQ(violation->field, "value_sek");
}

TEST(CheckManifest, CsvSeparatorLineHonoured) {
  auto violation = CheckManifest("sep=;\nparcel_id;serial\n1;12345678901\n", SmallLimits());
  ASSERT_TRUE(violation);
  EXPECT_EQ(violation->field, "serial");
  EXPECT_EQ(violation->line, 3);
}

}  // namespace
}  // namespace imeiguard
