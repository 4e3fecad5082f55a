#include "locking/dm_rest_connector.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "locking/request_signing.h"

namespace imeiguard {
namespace {

namespace json = boost::json;
using std::chrono::seconds;

constexpr char kImei[] = "867315042291587";
constexpr char kImei2[] = "867315042291660";
constexpr char kSecret[] = "connector-test-secret";

// Replays scripted responses and records the requests it was given.
struct ScriptedPlatform {
  Result<http::ClientResponse> next = http::ClientResponse{};
  std::vector<http::ClientRequest> requests;

  void Reply(int status, std::string body,
             std::vector<std::pair<std::string, std::string>> headers = {}) {
    http::ClientResponse response;
    response.status = status;
    response.body = std::move(body);
    response.headers = std::move(headers);
    next = response;
  }
};

std::string Header(const http::ClientRequest& request, std::string_view name) {
  for (const auto& [key, value] : request.headers) {
    if (key == name) return value;
  }
  return {};
}

class DmRestConnectorTest : public ::testing::Test {
 protected:
  DmRestConnectorTest() : clock_(*ParseRfc3339("2026-03-02T05:14:09Z")) {
    DmRestConnectorOptions options;
    options.name = "dm-test";
    options.port = 9;
    options.tenant = "tenant-a";
    options.secret = kSecret;
    options.contact = "+46 8 123 45 67";
    options.clock = &clock_;
    options.transport = [this](const http::ClientRequest& request) {
      platform_.requests.push_back(request);
      return platform_.next;
    };
    connector_ = std::make_unique<DmRestConnector>(std::move(options));

    order_.order_id = 42;
    order_.connector = "dm-test";
    order_.imei = *Imei::Parse(kImei, ImeiChannel::kHuman);
    order_.idempotency_key = "order-42-lock";
  }

  ManualClock clock_;
  ScriptedPlatform platform_;
  std::unique_ptr<DmRestConnector> connector_;
  LockOrder order_;
};

TEST_F(DmRestConnectorTest, SubmitSendsSignedLockRequest) {
  platform_.Reply(200, R"({"order_id":"ord-1","status":"applied"})");
  connector_->Submit(order_);
  ASSERT_EQ(platform_.requests.size(), 1u);
  const http::ClientRequest& request = platform_.requests[0];
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.target, "/v1/devices/867315042291587/lock");
  EXPECT_EQ(Header(request, "Idempotency-Key"), "order-42-lock");
  EXPECT_EQ(Header(request, "X-Tenant"), "tenant-a");
  EXPECT_EQ(Header(request, "X-Timestamp"), std::to_string(ToMillis(clock_.Now()) / 1000));

  SignedRequestParts parts{request.method, request.target, "tenant-a", "order-42-lock",
                           request.body};
  Status verified = VerifyRequestSignature(kSecret, parts, Header(request, "X-Timestamp"),
                                           Header(request, "X-Signature"), clock_.Now());
  EXPECT_TRUE(verified.ok()) << verified.error().message;

  json::object body = json::parse(request.body).as_object();
  EXPECT_EQ(body.at("reference").as_string(), "42");
  EXPECT_EQ(body.at("contact").as_string(), "+46 8 123 45 67");
  EXPECT_FALSE(body.at("message").as_string().empty());
  EXPECT_FALSE(body.contains("imei2"));
}

TEST_F(DmRestConnectorTest, DualSimSendsOneRequestWithImei2) {
  order_.imei2 = *Imei::Parse(kImei2, ImeiChannel::kHuman);
  platform_.Reply(200, R"({"order_id":"ord-1","status":"applied"})");
  connector_->Submit(order_);
  ASSERT_EQ(platform_.requests.size(), 1u);
  json::object body = json::parse(platform_.requests[0].body).as_object();
  EXPECT_EQ(body.at("imei2").as_string(), kImei2);
}

TEST_F(DmRestConnectorTest, UnlockTargetsUnlockWithoutMessage) {
  order_.action = LockAction::kUnlock;
  platform_.Reply(200, R"({"order_id":"ord-2","status":"applied"})");
  connector_->Submit(order_);
  ASSERT_EQ(platform_.requests.size(), 1u);
  EXPECT_EQ(platform_.requests[0].target, "/v1/devices/867315042291587/unlock");
  EXPECT_FALSE(json::parse(platform_.requests[0].body).as_object().contains("message"));
}

TEST_F(DmRestConnectorTest, AppliedIsApplied) {
  platform_.Reply(200, R"({"order_id":"ord-1","status":"applied"})");
  ConnectorReply reply = connector_->Submit(order_);
  EXPECT_EQ(reply.kind, ConnectorReply::Kind::kApplied);
  EXPECT_EQ(reply.platform_order_id, "ord-1");
}

TEST_F(DmRestConnectorTest, AcceptedIsAcceptedWithOrderId) {
  platform_.Reply(202, R"({"order_id":"ord-7","status":"pending"})");
  ConnectorReply reply = connector_->Submit(order_);
  EXPECT_EQ(reply.kind, ConnectorReply::Kind::kAccepted);
  EXPECT_EQ(reply.platform_order_id, "ord-7");
}

TEST_F(DmRestConnectorTest, RejectedOrderIsRejected) {
  platform_.Reply(200, R"({"order_id":"ord-3","status":"rejected","reason":"device_refused"})");
  ConnectorReply reply = connector_->Submit(order_);
  EXPECT_EQ(reply.kind, ConnectorReply::Kind::kRejected);
  EXPECT_NE(reply.message.find("device_refused"), std::string::npos);
}

TEST_F(DmRestConnectorTest, PlatformRejectionReasonsAreExplained) {
  struct Case {
    const char* reason;
    const char* explanation;
  };
  for (const Case& known :
       {Case{"unsupported_device", "cannot apply remote lock orders"},
        Case{"device_reenrolled", "enrolled anew"}, Case{"expired", "not_after passed"}}) {
    platform_.Reply(200, std::string(R"({"order_id":"ord-3","status":"rejected","reason":")") +
                             known.reason + "\"}");
    order_.platform_order_id = "ord-3";
    ConnectorReply reply = connector_->Poll(order_);
    EXPECT_EQ(reply.kind, ConnectorReply::Kind::kRejected) << known.reason;
    EXPECT_NE(reply.message.find(known.reason), std::string::npos) << reply.message;
    EXPECT_NE(reply.message.find(known.explanation), std::string::npos) << reply.message;
  }
}

TEST_F(DmRestConnectorTest, LostConnectionSaysTheOrderMayHaveLanded) {
  platform_.next = Error::Unavailable("connection_lost", "POST 127.0.0.1:9/v1/... lost it");
  ConnectorReply reply = connector_->Submit(order_);
  EXPECT_EQ(reply.kind, ConnectorReply::Kind::kRetryLater);
  EXPECT_NE(reply.message.find("may have taken the order"), std::string::npos) << reply.message;
  EXPECT_NE(reply.message.find("same idempotency key"), std::string::npos) << reply.message;
}

TEST_F(DmRestConnectorTest, UnreadableBodyIsRetryLater) {
  platform_.Reply(200, "<html>ok</html>");
  ConnectorReply reply = connector_->Submit(order_);
  EXPECT_EQ(reply.kind, ConnectorReply::Kind::kRetryLater);
  EXPECT_NE(reply.message.find("without an order id"), std::string::npos);
}

TEST_F(DmRestConnectorTest, TooManyRequestsParsesRetryAfterSeconds) {
  platform_.Reply(429, "", {{"retry-after", "30"}});
  ConnectorReply reply = connector_->Submit(order_);
  EXPECT_EQ(reply.kind, ConnectorReply::Kind::kRetryLater);
  ASSERT_TRUE(reply.retry_after.has_value());
  EXPECT_EQ(*reply.retry_after, seconds(30));
  EXPECT_NE(reply.message.find("HTTP 429"), std::string::npos);
}

TEST_F(DmRestConnectorTest, UnavailableParsesRetryAfterDate) {
  platform_.Reply(503, "", {{"retry-after", "Mon, 02 Mar 2026 05:16:09 GMT"}});
  ConnectorReply reply = connector_->Submit(order_);
  EXPECT_EQ(reply.kind, ConnectorReply::Kind::kRetryLater);
  ASSERT_TRUE(reply.retry_after.has_value());
  EXPECT_EQ(*reply.retry_after, seconds(120));
}

TEST_F(DmRestConnectorTest, TransientStatusesRetryLater) {
  for (int status : {408, 500, 502, 504}) {
    platform_.Reply(status, "");
    ConnectorReply reply = connector_->Submit(order_);
    EXPECT_EQ(reply.kind, ConnectorReply::Kind::kRetryLater) << status;
    EXPECT_FALSE(reply.retry_after.has_value()) << status;
  }
}

TEST_F(DmRestConnectorTest, ClientErrorsAreRejected) {
  for (int status : {400, 401, 403, 404, 409, 422}) {
    platform_.Reply(status, "");
    EXPECT_EQ(connector_->Submit(order_).kind, ConnectorReply::Kind::kRejected) << status;
  }
}

TEST_F(DmRestConnectorTest, UnauthorizedNamesProblemAndHint) {
  platform_.Reply(401, R"({"status":401,"reason":"signature_mismatch","detail":"bad signature"})");
  ConnectorReply reply = connector_->Submit(order_);
  EXPECT_EQ(reply.kind, ConnectorReply::Kind::kRejected);
  EXPECT_NE(reply.message.find("dm-test: lock order 42"), std::string::npos);
  EXPECT_NE(reply.message.find("HTTP 401"), std::string::npos);
  EXPECT_NE(reply.message.find("signature_mismatch: bad signature"), std::string::npos);
  EXPECT_NE(reply.message.find("check the tenant and secret"), std::string::npos);
}

TEST_F(DmRestConnectorTest, RedirectIsRetryLater) {
  platform_.Reply(301, "");
  EXPECT_EQ(connector_->Submit(order_).kind, ConnectorReply::Kind::kRetryLater);
}

TEST_F(DmRestConnectorTest, TransportErrorIsRetryLaterWithMaskedImei) {
  platform_.next = Error::Unavailable(
      "timeout", "POST 127.0.0.1:9/v1/devices/867315042291587/lock timed out after 5000 ms");
  ConnectorReply reply = connector_->Submit(order_);
  EXPECT_EQ(reply.kind, ConnectorReply::Kind::kRetryLater);
  EXPECT_NE(reply.message.find("(timeout)"), std::string::npos);
  EXPECT_EQ(reply.message.find(kImei), std::string::npos);
  EXPECT_NE(reply.message.find("86731504******"), std::string::npos);
}

TEST_F(DmRestConnectorTest, SecretIsRedactedFromMessages) {
  platform_.Reply(400, std::string(R"({"reason":"echo","detail":"you sent )") + kSecret + "\"}");
  ConnectorReply reply = connector_->Submit(order_);
  EXPECT_EQ(reply.message.find(kSecret), std::string::npos);
  EXPECT_NE(reply.message.find("[secret]"), std::string::npos);
}

TEST_F(DmRestConnectorTest, PollGetsPlatformOrder) {
  order_.platform_order_id = "ord 9/x";
  platform_.Reply(200, R"({"order_id":"ord 9/x","status":"applied"})");
  ConnectorReply reply = connector_->Poll(order_);
  EXPECT_EQ(reply.kind, ConnectorReply::Kind::kApplied);
  ASSERT_EQ(platform_.requests.size(), 1u);
  EXPECT_EQ(platform_.requests[0].method, "GET");
  EXPECT_EQ(platform_.requests[0].target, "/v1/orders/ord%209%2Fx");
  EXPECT_EQ(Header(platform_.requests[0], "Idempotency-Key"), "");
}

TEST_F(DmRestConnectorTest, PollPendingIsAccepted) {
  order_.platform_order_id = "ord-9";
  platform_.Reply(200, R"({"order_id":"ord-9","status":"pending"})");
  EXPECT_EQ(connector_->Poll(order_).kind, ConnectorReply::Kind::kAccepted);
}

TEST_F(DmRestConnectorTest, PollWithoutPlatformIdIsRejected) {
  ConnectorReply reply = connector_->Poll(order_);
  EXPECT_EQ(reply.kind, ConnectorReply::Kind::kRejected);
  EXPECT_TRUE(platform_.requests.empty());
  EXPECT_NE(reply.message.find("no platform order id"), std::string::npos);
}

TEST_F(DmRestConnectorTest, BasePathPrefixesTargets) {
  DmRestConnectorOptions options;
  options.name = "dm-prefixed";
  options.base_path = "/dm";
  options.clock = &clock_;
  options.transport = [this](const http::ClientRequest& request) {
    platform_.requests.push_back(request);
    return platform_.next;
  };
  DmRestConnector connector(std::move(options));
  platform_.Reply(200, R"({"order_id":"ord-1","status":"applied"})");
  connector.Submit(order_);
  ASSERT_EQ(platform_.requests.size(), 1u);
  EXPECT_EQ(platform_.requests[0].target, "/dm/v1/devices/867315042291587/lock");
}

}  // namespace
}  // namespace imeiguard
