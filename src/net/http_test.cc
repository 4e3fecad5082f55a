#include "net/http.h"

#include <gtest/gtest.h>

namespace imeiguard::http {
namespace {

Request MakeRequest(std::string method, std::string target) {
  Request request;
  request.method = std::move(method);
  request.target = std::move(target);
  EXPECT_TRUE(ParseTarget(request).ok());
  return request;
}

Response Echo(const Request& request) {
  std::string body;
  for (const auto& [name, value] : request.path_params) body += name + "=" + value + ";";
  return Response::Text(200, body);
}

TEST(Router, FillsPathParams) {
  Router router;
  router.Add("GET", "/v1/parcels/{parcel_id}/devices/{imei}", Echo);
  Request request = MakeRequest("GET", "/v1/parcels/P1/devices/35847210004217");
  Response response = router.Dispatch(request);
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "imei=35847210004217;parcel_id=P1;");
}

TEST(Router, UnknownPathIs404Problem) {
  Router router;
  router.Add("GET", "/v1/orders", Echo);
  Request request = MakeRequest("GET", "/v1/nothing");
  Response response = router.Dispatch(request);
  EXPECT_EQ(response.status, 404);
  ASSERT_EQ(response.headers.size(), 1u);
  EXPECT_EQ(response.headers[0].second, "application/problem+json");
  EXPECT_NE(response.body.find("\"status\":404"), std::string::npos);
  EXPECT_NE(response.body.find("/v1/nothing"), std::string::npos);
}

TEST(Router, OtherMethodIs405WithAllow) {
  Router router;
  router.Add("GET", "/v1/orders/{id}", Echo);
  router.Add("DELETE", "/v1/orders/{id}", Echo);
  Request request = MakeRequest("POST", "/v1/orders/7");
  Response response = router.Dispatch(request);
  EXPECT_EQ(response.status, 405);
  bool has_allow = false;
  for (const auto& [name, value] : response.headers) {
    if (name == "Allow") {
      has_allow = true;
      EXPECT_EQ(value, "GET, DELETE");
    }
  }
  EXPECT_TRUE(has_allow);
}

TEST(Router, LiteralSegmentBeatsParam) {
  Router router;
  router.Add("GET", "/v1/orders/{id}", [](const Request&) { return Response::Text(200, "param"); });
  router.Add("GET", "/v1/orders/summary",
             [](const Request&) { return Response::Text(200, "literal"); });
  Request request = MakeRequest("GET", "/v1/orders/summary");
  EXPECT_EQ(router.Dispatch(request).body, "literal");
}

TEST(Router, ParamDoesNotMatchEmptySegment) {
  Router router;
  router.Add("GET", "/v1/orders/{id}", Echo);
  Request request = MakeRequest("GET", "/v1/orders/");
  EXPECT_EQ(router.Dispatch(request).status, 404);
}

TEST(Router, RootPath) {
  Router router;
  router.Add("GET", "/", [](const Request&) { return Response::Text(200, "root"); });
  Request request = MakeRequest("GET", "/");
  EXPECT_EQ(router.Dispatch(request).body, "root");
}

TEST(ParseTarget, DecodesPathAndQuery) {
  Request request = MakeRequest("GET", "/v1/a%20b?imei=35+84&x=%2F&flag");
  EXPECT_EQ(request.path, "/v1/a b");
  ASSERT_EQ(request.query.size(), 3u);
  EXPECT_EQ(request.Query("imei"), "35 84");
  EXPECT_EQ(request.Query("x"), "/");
  EXPECT_EQ(request.Query("flag"), "");
  EXPECT_EQ(request.Query("absent"), "");
}

TEST(ParseTarget, PlusInPathStaysPlus) {
  Request request = MakeRequest("GET", "/a+b");
  EXPECT_EQ(request.path, "/a+b");
}

TEST(ParseTarget, MalformedEscapeRejected) {
  Request request;
  request.target = "/v1/%4";
  Status status = ParseTarget(request);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().kind, ErrorKind::kInvalidInput);
  EXPECT_EQ(status.error().reason, "target");
  EXPECT_NE(status.error().message.find("/v1/%4"), std::string::npos);
}

TEST(ParseTarget, RelativeTargetRejected) {
  Request request;
  request.target = "v1/orders";
  EXPECT_FALSE(ParseTarget(request).ok());
}

TEST(Request, HeaderLookupIgnoresCase) {
  Request request;
  request.headers = {{"x-signature", "abc"}, {"x-signature", "second"}};
  EXPECT_EQ(request.Header("X-Signature"), "abc");
  EXPECT_EQ(request.Header("X-Timestamp"), "");
}

TEST(Response, SetHeaderReplaces) {
  Response response = Response::Json(200, "{}");
  response.SetHeader("content-type", "application/x");
  ASSERT_EQ(response.headers.size(), 1u);
  EXPECT_EQ(response.headers[0].second, "application/x");
}

TEST(Response, ProblemBody) {
  Response response = Response::Problem(413, "body_too_large", "body \"x\" too large");
  EXPECT_EQ(response.status, 413);
  EXPECT_EQ(response.body,
            "{\"type\":\"about:blank\",\"title\":\"Content Too Large\",\"status\":413,"
            "\"detail\":\"body \\\"x\\\" too large\",\"reason\":\"body_too_large\"}");
}

TEST(Response, ProblemBodyWithMembers) {
  Response response =
      Response::Problem(413, "field_too_long", "too long",
                        {{"line", std::int64_t{3}}, {"field", std::string("a\"b")}});
  EXPECT_EQ(response.body,
            "{\"type\":\"about:blank\",\"title\":\"Content Too Large\",\"status\":413,"
            "\"detail\":\"too long\",\"reason\":\"field_too_long\",\"line\":3,"
            "\"field\":\"a\\\"b\"}");
}

TEST(JsonQuote, EscapesControlCharacters) {
  EXPECT_EQ(JsonQuote(std::string_view("a\\b\n\x01", 5)), "\"a\\\\b\\n\\u0001\"");
}

}  // namespace
}  // namespace imeiguard::http
