#include "testing/json_schema.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace imeiguard::testing {
namespace {

namespace json = boost::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// A description with one object schema that uses every supported keyword.
JsonSchemaValidator MakeValidator() {
  return JsonSchemaValidator(json::parse(R"({
    "components": {"schemas": {
      "Device": {
        "type": "object", "required": ["imei", "state"], "additionalProperties": false,
        "properties": {
          "imei": {"type": "string"},
          "state": {"type": "string", "enum": ["locked", "released"]},
          "attempts": {"type": "integer"},
          "value": {"type": "number"},
          "sent_at": {"type": "string", "nullable": true},
          "tags": {"type": "array", "items": {"type": "string"}},
          "either": {"oneOf": [{"type": "string"}, {"type": "integer"}]}
        }}}}})"));
}

json::value DeviceSchema() { return json::parse(R"({"$ref": "#/components/schemas/Device"})"); }

TEST(JsonSchema, ConformingValuePasses) {
  auto errors = MakeValidator().Validate(
      DeviceSchema(), json::parse(R"({"imei": "490154203237518", "state": "locked",
          "attempts": 2, "value": 9.5, "sent_at": null, "tags": ["a"], "either": 3})"));
  EXPECT_THAT(errors, IsEmpty());
}

TEST(JsonSchema, MissingRequiredMember) {
  auto errors = MakeValidator().Validate(DeviceSchema(), json::parse(R"({"imei": "1"})"));
  EXPECT_THAT(errors, ElementsAre("$: the required member 'state' is missing"));
}

TEST(JsonSchema, WrongTypeNamesPath) {
  auto errors = MakeValidator().Validate(
      DeviceSchema(), json::parse(R"({"imei": "1", "state": "locked", "tags": ["a", 2]})"));
  EXPECT_THAT(errors, ElementsAre("$.tags[1]: expected \"string\", found a number"));
}

TEST(JsonSchema, FractionIsNoInteger) {
  auto errors = MakeValidator().Validate(
      DeviceSchema(), json::parse(R"({"imei": "1", "state": "locked", "attempts": 1.5})"));
  EXPECT_THAT(errors, ElementsAre("$.attempts: expected \"integer\", found a number"));
}

TEST(JsonSchema, ValueOutsideEnum) {
  auto errors =
      MakeValidator().Validate(DeviceSchema(), json::parse(R"({"imei": "1", "state": "lost"})"));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0], HasSubstr("$.state: \"lost\" is not one of"));
}

TEST(JsonSchema, UndocumentedMemberRejected) {
  auto errors = MakeValidator().Validate(
      DeviceSchema(), json::parse(R"({"imei": "1", "state": "locked", "owner": "x"})"));
  EXPECT_THAT(errors, ElementsAre("$.owner: the member is not in the schema's properties"));
}

TEST(JsonSchema, NullWithoutNullableRejected) {
  auto errors =
      MakeValidator().Validate(DeviceSchema(), json::parse(R"({"imei": null, "state": "locked"})"));
  EXPECT_THAT(errors, ElementsAre("$.imei: expected \"string\", found null"));
}

TEST(JsonSchema, OneOfNeedsExactlyOneMatch) {
  auto errors = MakeValidator().Validate(
      DeviceSchema(), json::parse(R"({"imei": "1", "state": "locked", "either": true})"));
  EXPECT_THAT(errors,
              ElementsAre("$.either: matches 0 of the oneOf schemas instead of exactly one"));
}

TEST(JsonSchema, UnknownReferenceReported) {
  auto errors = MakeValidator().Validate(json::parse(R"({"$ref": "#/components/schemas/Nope"})"),
                                         json::parse("{}"));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0], HasSubstr("names nothing in the description"));
}

TEST(JsonSchema, UnsupportedKeywordReported) {
  auto errors = MakeValidator().Validate(json::parse(R"({"type": "string", "maxLength": 3})"),
                                         json::parse(R"("ab")"));
  EXPECT_THAT(errors, ElementsAre("$: the schema uses the unsupported keyword 'maxLength'"));
}

TEST(JsonSchema, CheckSchemaFindsNestedProblems) {
  JsonSchemaValidator validator(boost::json::parse(R"({"a": {"type": "string", "pattern": "x"}})"));
  auto errors = validator.CheckSchema(json::parse(R"({"type": "object", "properties": {
      "x": {"$ref": "#/a"}, "y": {"items": {"$ref": "#/b"}}}})"));
  EXPECT_THAT(errors, ElementsAre("#/a: unsupported keyword 'pattern'",
                                  "#/properties/y/items: $ref '#/b' names nothing"));
}

}  // namespace
}  // namespace imeiguard::testing
