#include "testing/openapi_contract.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace imeiguard::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr std::string_view kDescription = R"({
  "openapi": "3.0.3",
  "components": {
    "schemas": {"Status": {"type": "object", "required": ["status"],
                           "properties": {"status": {"type": "string"}}}},
    "responses": {"NotFound": {"description": "none",
        "content": {"application/problem+json": {"schema": {"type": "object"}}}}}},
  "paths": {
    "/v1/items/{id}": {"get": {"responses": {
        "200": {"description": "ok",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Status"}}}},
        "404": {"$ref": "#/components/responses/NotFound"}}}},
    "/v1/items/all": {"get": {"responses": {"204": {"description": "empty"}}}}
  }})";

OpenApiContract Contract() {
  auto contract = OpenApiContract::Parse(kDescription);
  EXPECT_TRUE(contract.ok());
  return std::move(*contract);
}

http::ClientResponse Response(int status, std::string content_type, std::string body) {
  http::ClientResponse response;
  response.status = status;
  response.headers = {{"content-type", std::move(content_type)}};
  response.body = std::move(body);
  return response;
}

TEST(OpenApiContract, LiteralSegmentWins) {
  EXPECT_EQ(Contract().MatchPath("GET", "/v1/items/all"), "/v1/items/all");
  EXPECT_EQ(Contract().MatchPath("GET", "/v1/items/7"), "/v1/items/{id}");
  EXPECT_EQ(Contract().MatchPath("POST", "/v1/items/7"), std::nullopt);
}

TEST(OpenApiContract, ConformingResponsePasses) {
  auto violations =
      Contract().Check("GET", "/v1/items/7?x=1",
                       Response(200, "application/json; charset=utf-8", R"({"status":"a"})"));
  EXPECT_THAT(violations, IsEmpty());
}

TEST(OpenApiContract, UndocumentedStatusReported) {
  auto violations = Contract().Check("GET", "/v1/items/7", Response(403, "application/json", "{}"));
  EXPECT_THAT(violations, ElementsAre("status 403 is not documented for GET /v1/items/{id}"));
}

TEST(OpenApiContract, UndocumentedMediaTypeReported) {
  auto violations = Contract().Check("GET", "/v1/items/7", Response(404, "text/html", "<p>"));
  EXPECT_THAT(violations, ElementsAre("status 404 documents no media type 'text/html'"));
}

TEST(OpenApiContract, BodyCheckedAgainstReferencedSchema) {
  auto violations =
      Contract().Check("GET", "/v1/items/7", Response(200, "application/json", R"({"status":1})"));
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_THAT(violations[0], HasSubstr("$.status: expected \"string\", found a number"));
}

TEST(OpenApiContract, BodyWhereNoneDocumented) {
  auto violations = Contract().Check("GET", "/v1/items/all", Response(204, "text/plain", "x"));
  EXPECT_THAT(violations, ElementsAre("status 204 documents no body, but the response has one"));
}

TEST(OpenApiContract, UnknownPathReported) {
  auto violations = Contract().Check("GET", "/v2/other", Response(200, "application/json", "{}"));
  EXPECT_THAT(violations, ElementsAre("no operation of the description matches the request"));
}

TEST(OpenApiContract, ProjectDescriptionUsesSupportedKeywords) {
  auto contract =
      OpenApiContract::Load(std::string(IMEIGUARD_SOURCE_DIR) + "/src/api/openapi.json");
  ASSERT_TRUE(contract.ok()) << contract.error().message;
  const boost::json::value* schemas = contract->validator().Resolve("#/components/schemas");
  ASSERT_NE(schemas, nullptr);
  for (const auto& [name, schema] : schemas->as_object()) {
    EXPECT_THAT(contract->validator().CheckSchema(schema), IsEmpty()) << name;
  }
}

TEST(OpenApiContract, ProjectOperationsNameRoles) {
  auto contract =
      OpenApiContract::Load(std::string(IMEIGUARD_SOURCE_DIR) + "/src/api/openapi.json");
  ASSERT_TRUE(contract.ok()) << contract.error().message;
  for (const auto& [method, path] : contract->Operations()) {
    const boost::json::object* operation = contract->Operation(method, path);
    ASSERT_NE(operation, nullptr) << method << " " << path;
    EXPECT_TRUE(operation->contains("x-roles")) << method << " " << path;
  }
}

}  // namespace
}  // namespace imeiguard::testing
