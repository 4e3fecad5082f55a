// The API routes dispatched in process, against the real service on a SQLite file: who may call
// what, and what the officer's declaration of loss returns.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <filesystem>
#include <mutex>

#include "api/api_key.h"
#include "api/routes.h"
#include "service/guard_service.h"
#include "store/sqlite_store.h"
#include "testing/openapi_contract.h"

namespace imeiguard {
namespace {

Timestamp At(std::string_view text) { return ParseRfc3339(text).value(); }

// A platform that applies every order at once.
class ApplyingPlatform final : public LockConnector {
 public:
  const std::string& name() const override { return name_; }
  ConnectorReply Submit(const LockOrder& order) override {
    std::lock_guard lock(mutex_);
    ++submissions;
    return {ConnectorReply::Kind::kApplied, "p-" + std::to_string(order.order_id), std::nullopt,
            ""};
  }
  ConnectorReply Poll(const LockOrder& order) override { return Submit(order); }

  int submissions = 0;

 private:
  std::string name_ = "dm";
  std::mutex mutex_;
};

// Checks an in-process response against the OpenAPI description, as the server tests do for
// responses on the wire.
void ExpectConforms(const http::Request& request, const http::Response& response) {
  static const testing::OpenApiContract contract =
      testing::OpenApiContract::Load(std::string(IMEIGUARD_SOURCE_DIR) + "/src/api/openapi.json")
          .value();
  std::vector<std::string> violations =
      contract.Check(request.method, request.target, testing::ToClientResponse(response));
  EXPECT_TRUE(violations.empty()) << request.method << " " << request.target << ": "
                                  << violations.front();
}

constexpr std::string_view kManifest =
    "parcel_id,shipper_id,service,promised_by,destination_postcode,imei\n"
    "373500000000005678,telco-a,locker,2026-03-20,41302,358472100042174\n";

class RoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("imeiguard-routes-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto store = SqliteStore::Open((dir_ / "store.db").string());
    ASSERT_TRUE(store.ok()) << store.error().message;
    store_ = std::move(*store);
    service_ = std::make_unique<GuardService>(
        config_, *store_, clock_, std::map<std::string, LockConnector*>{{"dm", &platform_}});
    ASSERT_TRUE(service_->Recover().ok());
    AddApiRoutes(router_, *service_, *store_, counters_, InputLimits{});

    shipper_ = Key(Role::kShipper, "telco-a");
    other_shipper_ = Key(Role::kShipper, "retail-b");
    carrier_ = Key(Role::kCarrier, "");
    officer_ = Key(Role::kSecurityOfficer, "");
    second_officer_ = Key(Role::kSecurityOfficer, "");
    police_ = Key(Role::kPolice, "");
  }
  void TearDown() override {
    service_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::string Key(Role role, std::string_view shipper) {
    auto key = CreateApiKey(*store_, role, shipper, clock_.Now(), "test");
    EXPECT_TRUE(key.ok());
    return key.ok() ? *key : "";
  }

  http::Response Call(std::string method, std::string path, const std::string& key,
                      std::string body = "") {
    http::Request request;
    request.method = std::move(method);
    request.target = std::move(path);
    EXPECT_TRUE(http::ParseTarget(request).ok()) << request.target;
    request.body = std::move(body);
    if (!key.empty()) request.headers.emplace_back("authorization", "Bearer " + key);
    http::Response response = router_.Dispatch(request);
    ExpectConforms(request, response);
    return response;
  }

  static boost::json::object Body(const http::Response& response) {
    return boost::json::parse(response.body).as_object();
  }

  void RunOutbox() {
    while (service_->RunOutboxOnce(clock_.Now()) > 0) {
    }
  }

  std::filesystem::path dir_;
  Config config_ = DefaultConfig();
  ManualClock clock_{At("2026-03-01T09:00:00Z")};
  ApplyingPlatform platform_;
  std::unique_ptr<SqliteStore> store_;
  std::unique_ptr<GuardService> service_;
  http::Router router_;
  RequestCounters counters_;
  std::string shipper_, other_shipper_, carrier_, officer_, second_officer_, police_;
};

TEST_F(RoutesTest, UploadsNeedTheirRoles) {
  EXPECT_EQ(Call("POST", "/v1/manifests", "", std::string(kManifest)).status, 401);
  EXPECT_EQ(Call("POST", "/v1/manifests", carrier_, std::string(kManifest)).status, 403);
  EXPECT_EQ(Call("POST", "/v1/manifests", shipper_, std::string(kManifest)).status, 200);
  std::string event =
      R"({"event_id":"e1","parcel_id":"373500000000005678","type":"arrived","time":"2026-03-01T08:00:00Z"})";
  EXPECT_EQ(Call("POST", "/v1/events", shipper_, event).status, 403);
  http::Response stored = Call("POST", "/v1/events", carrier_, event);
  ASSERT_EQ(stored.status, 200) << stored.body;
  EXPECT_EQ(Body(stored).at("stored").as_int64(), 1);
}

TEST_F(RoutesTest, ShipperSeesOnlyItsOwnParcel) {
  ASSERT_EQ(Call("POST", "/v1/manifests", shipper_, std::string(kManifest)).status, 200);
  EXPECT_EQ(Call("GET", "/v1/parcels/373500000000005678", shipper_).status, 200);
  http::Response hidden = Call("GET", "/v1/parcels/373500000000005678", other_shipper_);
  EXPECT_EQ(hidden.status, 404);
  EXPECT_EQ(Body(hidden).at("reason").as_string(), "parcel_not_found");
  EXPECT_EQ(Call("GET", "/v1/devices/358472100042174", other_shipper_).status, 404);
}

TEST_F(RoutesTest, OfficerDeclarationLocksOnceASecondOfficerApproves) {
  ASSERT_EQ(Call("POST", "/v1/manifests", shipper_, std::string(kManifest)).status, 200);
  std::string path = "/v1/parcels/373500000000005678/declare-lost";
  std::string body = R"({"reason": "seen on CCTV"})";
  EXPECT_EQ(Call("POST", path, shipper_, body).status, 403);
  EXPECT_EQ(Call("POST", path, police_, body).status, 403);

  http::Response declared = Call("POST", path, officer_, body);
  ASSERT_EQ(declared.status, 200) << declared.body;
  boost::json::object first = Body(declared);
  EXPECT_EQ(first.at("verdict").as_string(), "lost");
  EXPECT_EQ(first.at("lock").as_string(), "awaiting_approval");
  EXPECT_TRUE(first.at("orders").as_array().empty());
  std::int64_t case_id = first.at("case_id").as_int64();
  RunOutbox();
  EXPECT_EQ(platform_.submissions, 0);

  std::string approve = "/v1/cases/" + std::to_string(case_id) + "/approve-lock";
  http::Response same_officer = Call("POST", approve, officer_, R"({"reason": "checked"})");
  ASSERT_EQ(same_officer.status, 409) << same_officer.body;
  EXPECT_EQ(Body(same_officer).at("reason").as_string(), "second_officer_required");
  http::Response approved = Call("POST", approve, second_officer_, R"({"reason": "CCTV seen"})");
  ASSERT_EQ(approved.status, 200) << approved.body;
  EXPECT_EQ(Body(approved).at("lock").as_string(), "approved");

  RunOutbox();
  EXPECT_EQ(platform_.submissions, 1);
  http::Response check = Call("GET", "/v1/check/358472100042174", "");
  ASSERT_EQ(check.status, 200);
  EXPECT_EQ(Body(check).at("status").as_string(), "blocked");
  boost::json::object orders = Body(Call("GET", "/v1/orders", officer_));
  ASSERT_EQ(orders.at("orders").as_array().size(), 1u);
  std::int64_t order_id = orders.at("orders").as_array()[0].at("order_id").as_int64();

  // A second declaration 40 s later attaches to the live order, with no second approval.
  clock_.AdvanceTo(At("2026-03-01T09:00:40Z"));
  http::Response again = Call("POST", path, officer_, body);
  ASSERT_EQ(again.status, 200) << again.body;
  boost::json::object second = Body(again);
  ASSERT_EQ(second.at("orders").as_array().size(), 1u);
  const boost::json::object& same = second.at("orders").as_array()[0].as_object();
  EXPECT_TRUE(same.at("attached").as_bool());
  EXPECT_EQ(same.at("order_id").as_int64(), order_id);
  RunOutbox();
  EXPECT_EQ(platform_.submissions, 1);
}

TEST_F(RoutesTest, DeclarationErrorsAreProblems) {
  ASSERT_EQ(Call("POST", "/v1/manifests", shipper_, std::string(kManifest)).status, 200);
  http::Response no_reason =
      Call("POST", "/v1/parcels/373500000000005678/declare-lost", officer_, "{}");
  EXPECT_EQ(no_reason.status, 400);
  EXPECT_EQ(Body(no_reason).at("reason").as_string(), "invalid_reason");
  http::Response not_json =
      Call("POST", "/v1/parcels/373500000000005678/declare-lost", officer_, "reason=x");
  EXPECT_EQ(not_json.status, 400);
  EXPECT_EQ(Body(not_json).at("reason").as_string(), "invalid_body");
  http::Response unknown = Call("POST", "/v1/parcels/373500000000009999/declare-lost", officer_,
                                R"({"reason": "gone"})");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(Body(unknown).at("reason").as_string(), "parcel_not_found");
}

TEST_F(RoutesTest, OrdersListedByStatusAndPaged) {
  std::string manifest(kManifest);
  manifest += "373500000000007777,telco-a,locker,2026-03-20,41302,867315042291587\n";
  ASSERT_EQ(Call("POST", "/v1/manifests", shipper_, manifest).status, 200);
  for (std::string parcel : {"373500000000005678", "373500000000007777"}) {
    http::Response declared = Call("POST", "/v1/parcels/" + parcel + "/declare-lost", officer_,
                                   R"({"reason": "trailer stolen"})");
    ASSERT_EQ(declared.status, 200) << declared.body;
    std::string approve =
        "/v1/cases/" + std::to_string(Body(declared).at("case_id").as_int64()) + "/approve-lock";
    ASSERT_EQ(Call("POST", approve, second_officer_, R"({"reason": "trailer gone"})").status, 200);
  }
  EXPECT_EQ(
      Body(Call("GET", "/v1/orders?status=acknowledged", officer_)).at("orders").as_array().size(),
      0u);
  RunOutbox();

  boost::json::object all = Body(Call("GET", "/v1/orders?status=acknowledged", officer_));
  EXPECT_EQ(all.at("orders").as_array().size(), 2u);
  EXPECT_TRUE(all.at("next_after").is_null());

  boost::json::object first = Body(Call("GET", "/v1/orders?limit=1", officer_));
  ASSERT_EQ(first.at("orders").as_array().size(), 1u);
  std::int64_t after = first.at("next_after").as_int64();
  boost::json::object second =
      Body(Call("GET", "/v1/orders?limit=1&after=" + std::to_string(after), officer_));
  ASSERT_EQ(second.at("orders").as_array().size(), 1u);
  EXPECT_GT(second.at("orders").as_array()[0].at("order_id").as_int64(), after);

  EXPECT_EQ(Body(Call("GET", "/v1/orders", shipper_)).at("orders").as_array().size(), 2u);
  EXPECT_EQ(Body(Call("GET", "/v1/orders", other_shipper_)).at("orders").as_array().size(), 0u);
  EXPECT_EQ(Call("GET", "/v1/orders", carrier_).status, 403);
}

TEST_F(RoutesTest, OrderQueryErrorsNameTheParameter) {
  http::Response status = Call("GET", "/v1/orders?status=done", officer_);
  ASSERT_EQ(status.status, 400);
  EXPECT_NE(Body(status).at("detail").as_string().find("status=done"), std::string::npos);
  http::Response limit = Call("GET", "/v1/orders?limit=0", officer_);
  ASSERT_EQ(limit.status, 400);
  EXPECT_NE(Body(limit).at("detail").as_string().find("limit=0"), std::string::npos);
  EXPECT_EQ(Call("GET", "/v1/orders?after=-1", officer_).status, 400);
  EXPECT_EQ(Call("GET", "/v1/orders?limit=10x", officer_).status, 400);
}

TEST(PublicCheck, RateLimitedPerCaller) {
  ManualClock clock(At("2026-03-01T09:00:00Z"));
  Config config = DefaultConfig();
  std::filesystem::path dir = std::filesystem::temp_directory_path() /
                              ("imeiguard-check-limit-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  auto store = SqliteStore::Open((dir / "store.db").string());
  ASSERT_TRUE(store.ok()) << store.error().message;
  GuardService service(config, **store, clock, {});
  ASSERT_TRUE(service.Recover().ok());
  http::Router router;
  RequestCounters counters;
  RateLimiter limiter(60, 2);
  AddApiRoutes(router, service, **store, counters, InputLimits{}, &limiter, &clock);

  auto check = [&](std::string address) {
    http::Request request;
    request.method = "GET";
    request.target = "/v1/check/358472100042174";
    EXPECT_TRUE(http::ParseTarget(request).ok());
    request.remote_address = std::move(address);
    http::Response response = router.Dispatch(request);
    ExpectConforms(request, response);
    return response;
  };
  EXPECT_EQ(check("192.0.2.1").status, 200);
  EXPECT_EQ(check("192.0.2.1").status, 200);
  http::Response limited = check("192.0.2.1");
  EXPECT_EQ(limited.status, 429);
  bool retry_after_one_second = false;
  for (const auto& [name, value] : limited.headers) {
    retry_after_one_second |= name == "Retry-After" && value == "1";
  }
  EXPECT_TRUE(retry_after_one_second);
  EXPECT_EQ(check("192.0.2.2").status, 200);
  clock.AdvanceTo(At("2026-03-01T09:00:01Z"));
  EXPECT_EQ(check("192.0.2.1").status, 200);
  std::filesystem::remove_all(dir);
}

TEST_F(RoutesTest, CheckOfWatchedDeviceSameAsUnknown) {
  ASSERT_EQ(Call("POST", "/v1/manifests", shipper_, std::string(kManifest)).status, 200);
  http::Response watched = Call("GET", "/v1/check/358472100042174", "");
  http::Response unknown = Call("GET", "/v1/check/356938035643809", "");
  ASSERT_EQ(watched.status, 200);
  ASSERT_EQ(unknown.status, 200);
  EXPECT_EQ(watched.body, unknown.body);
  EXPECT_EQ(watched.headers, unknown.headers);
}

TEST_F(RoutesTest, ImeisMaskedForPeopleUnlessRevealed) {
  ASSERT_EQ(Call("POST", "/v1/manifests", shipper_, std::string(kManifest)).status, 200);
  auto first_imei = [](const http::Response& response) {
    boost::json::object body = Body(response);
    const boost::json::array& devices = body.at("devices").as_array();
    return std::string(devices.at(0).at("imei").as_string());
  };
  std::string path = "/v1/parcels/373500000000005678";
  EXPECT_EQ(first_imei(Call("GET", path, shipper_)), "358472100042174");
  EXPECT_EQ(first_imei(Call("GET", path, officer_)), "35847210******");
  EXPECT_EQ(first_imei(Call("GET", "/v1/devices/358472100042174", police_)), "35847210******");

  http::Response reasonless = Call("GET", path + "?reveal=true", officer_);
  EXPECT_EQ(reasonless.status, 400);
  EXPECT_EQ(Call("GET", path + "?reveal=yes&reason=x", officer_).status, 400);

  http::Response revealed = Call("GET", path + "?reveal=true&reason=case+4711", officer_);
  ASSERT_EQ(revealed.status, 200) << revealed.body;
  EXPECT_EQ(first_imei(revealed), "358472100042174");
  auto audit = store_->LoadAudit("parcel:373500000000005678", 10);
  ASSERT_TRUE(audit.ok());
  int reveals = 0;
  for (const AuditEntry& entry : *audit) {
    if (entry.action != "imei_revealed") continue;
    ++reveals;
    EXPECT_NE(entry.actor, "");
    EXPECT_NE(entry.detail.find("case 4711"), std::string::npos) << entry.detail;
  }
  EXPECT_EQ(reveals, 1);
}

}  // namespace
}  // namespace imeiguard
