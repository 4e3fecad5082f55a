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

// A mailbox parcel reweighed light and delivered to its mailbox: the scans the console's timeline
// checks.
constexpr std::string_view kMailboxManifest =
    "parcel_id,shipper_id,service,promised_by,destination_postcode,declared_weight_g,imei\n"
    "373500000000007777,telco-a,mailbox,2026-03-20,41302,640,490154203237518\n";
constexpr std::string_view kMailboxScans =
    R"({"event_id":"t-1","parcel_id":"373500000000007777","type":"accepted",)"
    R"("time":"2026-02-28T08:00:00Z","received":"2026-02-28T08:01:00Z","node":"SE-TERM-GBG",)"
    R"("node_type":"terminal","handler":"h-1"})"
    "\n"
    R"({"event_id":"t-2","parcel_id":"373500000000007777","type":"reweighed",)"
    R"("time":"2026-02-28T10:00:00Z","received":"2026-02-28T13:30:00Z","node":"SE-HUB-STO",)"
    R"("node_type":"hub","handler":"h-2","weight_g":460})"
    "\n"
    R"({"event_id":"t-3","parcel_id":"373500000000007777","type":"delivered",)"
    R"("time":"2026-02-28T15:00:00Z","node":"MBX-1","node_type":"mailbox","handler":"h-3"})"
    "\n";

TEST_F(RoutesTest, TimelineShowsRecordTimesWeightsAndProof) {
  ASSERT_EQ(Call("POST", "/v1/manifests", shipper_, std::string(kMailboxManifest)).status, 200);
  ASSERT_EQ(Call("POST", "/v1/events", carrier_, std::string(kMailboxScans)).status, 200);
  std::string path = "/v1/parcels/373500000000007777/timeline";
  EXPECT_EQ(Call("GET", path, shipper_).status, 403);

  http::Response response = Call("GET", path, police_);
  ASSERT_EQ(response.status, 200) << response.body;
  boost::json::object timeline = Body(response);
  EXPECT_EQ(timeline.at("late_after_seconds").as_int64(), 3600);
  const boost::json::array& events = timeline.at("events").as_array();
  ASSERT_EQ(events.size(), 3u);

  const boost::json::object& accepted = events[0].as_object();
  EXPECT_EQ(accepted.at("upload_delay_seconds").as_int64(), 60);
  EXPECT_FALSE(accepted.at("late").as_bool());
  EXPECT_EQ(accepted.at("handler").as_string(), "h-1");
  EXPECT_TRUE(accepted.at("proof_of_delivery").is_null());

  const boost::json::object& reweighed = events[1].as_object();
  EXPECT_EQ(reweighed.at("upload_delay_seconds").as_int64(), 3 * 3600 + 1800);
  EXPECT_TRUE(reweighed.at("late").as_bool());
  EXPECT_EQ(reweighed.at("declared_weight_g").as_int64(), 640);
  EXPECT_EQ(reweighed.at("weight_difference_g").as_int64(), -180);

  // No received time: the record time, a day later, makes it late.
  const boost::json::object& delivered = events[2].as_object();
  EXPECT_TRUE(delivered.at("received").is_null());
  EXPECT_EQ(delivered.at("recorded_at").as_string(), "2026-03-01T09:00:00Z");
  EXPECT_EQ(delivered.at("record_delay_seconds").as_int64(), 18 * 3600);
  EXPECT_TRUE(delivered.at("late").as_bool());
  EXPECT_EQ(delivered.at("proof_of_delivery").at("kind").as_string(), "mailbox");
  EXPECT_EQ(delivered.at("proof_of_delivery").at("strength").as_string(), "weak");
}

TEST_F(RoutesTest, TimelineOfUnknownParcelIsNotFound) {
  http::Response response = Call("GET", "/v1/parcels/373500000000009999/timeline", officer_);
  ASSERT_EQ(response.status, 404);
  EXPECT_EQ(Body(response).at("reason").as_string(), "parcel_not_found");
}

TEST_F(RoutesTest, CaseEvidenceNamesTheScanThatFired) {
  ASSERT_EQ(Call("POST", "/v1/manifests", shipper_, std::string(kMailboxManifest)).status, 200);
  ASSERT_EQ(Call("POST", "/v1/events", carrier_, std::string(kMailboxScans)).status, 200);
  std::string claim =
      R"({"event_id":"t-4","parcel_id":"373500000000007777","type":"claim_not_received",)"
      R"("time":"2026-02-28T18:00:00Z"})";
  ASSERT_EQ(Call("POST", "/v1/events", carrier_, claim).status, 200);
  boost::json::object queue = Body(Call("GET", "/v1/cases", officer_));
  ASSERT_EQ(queue.at("cases").as_array().size(), 1u);
  std::int64_t case_id = queue.at("cases").as_array()[0].at("case_id").as_int64();

  http::Response response = Call("GET", "/v1/cases/" + std::to_string(case_id), officer_);
  ASSERT_EQ(response.status, 200) << response.body;
  boost::json::object detail = Body(response);
  const boost::json::array& evidence = detail.at("evidence").as_array();
  auto light = std::find_if(evidence.begin(), evidence.end(), [](const boost::json::value& item) {
    return item.at("event_id") == "t-2";
  });
  ASSERT_NE(light, evidence.end()) << response.body;
  const boost::json::object& scan = light->at("event").as_object();
  EXPECT_EQ(scan.at("weight_g").as_int64(), 460);
  EXPECT_EQ(scan.at("weight_difference_g").as_int64(), -180);
  EXPECT_EQ(scan.at("node").as_string(), "SE-HUB-STO");
  EXPECT_EQ(scan.at("handler").as_string(), "h-2");
}

TEST_F(RoutesTest, LockHistoryShowsEachPlatformStep) {
  ASSERT_EQ(Call("POST", "/v1/manifests", shipper_, std::string(kManifest)).status, 200);
  std::string body = R"({"reason": "seen on CCTV"})";
  http::Response declared =
      Call("POST", "/v1/parcels/373500000000005678/declare-lost", officer_, body);
  ASSERT_EQ(declared.status, 200) << declared.body;
  std::string approve =
      "/v1/cases/" + std::to_string(Body(declared).at("case_id").as_int64()) + "/approve-lock";
  ASSERT_EQ(Call("POST", approve, second_officer_, body).status, 200);
  RunOutbox();

  std::string path = "/v1/devices/358472100042174/orders";
  EXPECT_EQ(Call("GET", path, other_shipper_).status, 404);
  EXPECT_EQ(Call("GET", path, carrier_).status, 403);
  http::Response response = Call("GET", path, police_);
  ASSERT_EQ(response.status, 200) << response.body;
  boost::json::object history = Body(response);
  const boost::json::object& device = history.at("devices").as_array()[0].at("device").as_object();
  EXPECT_TRUE(device.at("imei_masked").as_bool());
  const boost::json::array& orders = history.at("devices").as_array()[0].at("orders").as_array();
  ASSERT_EQ(orders.size(), 1u);
  EXPECT_EQ(orders[0].at("order").at("status").as_string(), "acknowledged");
  const boost::json::array& steps = orders[0].at("transitions").as_array();
  ASSERT_GE(steps.size(), 2u) << response.body;
  EXPECT_EQ(steps.front().at("action").as_string(), "lock_order_created");
  EXPECT_EQ(steps.front().at("status").as_string(), "pending");
  EXPECT_EQ(steps.back().at("action").as_string(), "lock_order_acknowledged");
  EXPECT_EQ(steps.back().at("status").as_string(), "acknowledged");
  EXPECT_EQ(steps.back().at("platform_order_id").as_string(),
            orders[0].at("order").at("platform_order_id").as_string());

  boost::json::object own = Body(Call("GET", path, shipper_));
  EXPECT_FALSE(own.at("devices").as_array()[0].at("device").at("imei_masked").as_bool());
}

TEST_F(RoutesTest, HotspotsPageByNextOffset) {
  ASSERT_EQ(Call("POST", "/v1/manifests", shipper_, std::string(kMailboxManifest)).status, 200);
  ASSERT_EQ(Call("POST", "/v1/events", carrier_, std::string(kMailboxScans)).status, 200);
  std::string window = "&from=2026-02-28T00:00:00Z&to=2026-03-01T00:00:00Z";
  EXPECT_EQ(Call("GET", "/v1/hotspots?dimension=terminal" + window, shipper_).status, 403);

  // The mailbox is the recipient's, not a node of the carrier's: two rows in all.
  http::Response first = Call("GET", "/v1/hotspots?dimension=terminal&limit=1" + window, police_);
  ASSERT_EQ(first.status, 200) << first.body;
  boost::json::object page = Body(first);
  EXPECT_EQ(page.at("rows_total").as_int64(), 2);
  EXPECT_EQ(page.at("parcels").as_int64(), 1);
  ASSERT_EQ(page.at("rows").as_array().size(), 1u);
  ASSERT_EQ(page.at("next_offset").as_int64(), 1);

  http::Response second =
      Call("GET", "/v1/hotspots?dimension=terminal&limit=1&offset=1" + window, police_);
  ASSERT_EQ(second.status, 200) << second.body;
  boost::json::object last = Body(second);
  ASSERT_EQ(last.at("rows").as_array().size(), 1u);
  EXPECT_TRUE(last.at("next_offset").is_null());
  EXPECT_NE(last.at("rows").as_array()[0].at("key"), page.at("rows").as_array()[0].at("key"));
}

TEST_F(RoutesTest, HotspotQueryErrorsNameTheParameter) {
  http::Response unknown = Call("GET", "/v1/hotspots?dimension=depot", officer_);
  ASSERT_EQ(unknown.status, 400);
  EXPECT_EQ(Body(unknown).at("detail").as_string(),
            "query parameter dimension=depot is invalid; use terminal, route, shift or handler");
  http::Response missing = Call("GET", "/v1/hotspots", officer_);
  ASSERT_EQ(missing.status, 400);
  EXPECT_EQ(Body(missing).at("detail").as_string(),
            "query parameter dimension is missing; use terminal, route, shift or handler");
  // A '+' that was not sent as %2B arrives as a space.
  http::Response offset =
      Call("GET", "/v1/hotspots?dimension=shift&from=2026-03-01T00:00:00+01:00", officer_);
  ASSERT_EQ(offset.status, 400);
  EXPECT_EQ(Body(offset).at("detail").as_string(),
            "query parameter from=2026-03-01T00:00:00 01:00 is invalid; use an RFC 3339 "
            "date-time such as 2026-03-02T00:00:00Z, with a '+' offset sent as %2B");
  http::Response backwards =
      Call("GET", "/v1/hotspots?dimension=shift&from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z",
           officer_);
  ASSERT_EQ(backwards.status, 400);
  EXPECT_EQ(Body(backwards).at("detail").as_string(),
            "the window from 2026-03-02T00:00:00Z to 2026-03-01T00:00:00Z is invalid; from must "
            "be before to, by at most 92 days");
}

}  // namespace
}  // namespace imeiguard
