// Platform callbacks dispatched in process, against the real service on a SQLite file: a signed
// report moves an order forward, and nothing else changes anything.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <filesystem>
#include <mutex>

#include "api/routes.h"
#include "locking/request_signing.h"
#include "service/guard_service.h"
#include "store/sqlite_store.h"
#include "testing/openapi_contract.h"

namespace imeiguard {
namespace {

Timestamp At(std::string_view text) { return ParseRfc3339(text).value(); }

constexpr std::string_view kSecret = "callback-secret";
constexpr std::string_view kTenant = "tenant-a";
constexpr std::string_view kTarget = "/v1/connectors/dm/callbacks";

// A platform that accepts every order for later, as one with an apply delay does, so that only a
// report can confirm it.
class AcceptingPlatform final : public LockConnector {
 public:
  const std::string& name() const override { return name_; }
  ConnectorReply Submit(const LockOrder&) override {
    std::lock_guard lock(mutex_);
    ++submissions;
    return {ConnectorReply::Kind::kAccepted, "ord-000001", std::nullopt, ""};
  }
  ConnectorReply Poll(const LockOrder&) override {
    return {ConnectorReply::Kind::kAccepted, "ord-000001", std::nullopt, ""};
  }

  int submissions = 0;

 private:
  std::string name_ = "dm";
  std::mutex mutex_;
};

class CallbacksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("imeiguard-callbacks-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto store = SqliteStore::Open((dir_ / "store.db").string());
    ASSERT_TRUE(store.ok()) << store.error().message;
    store_ = std::move(*store);
    service_ = std::make_unique<GuardService>(
        config_, *store_, clock_, std::map<std::string, LockConnector*>{{"dm", &platform_}});
    ASSERT_TRUE(service_->Recover().ok());
    callbacks_["dm"] = {std::string(kTenant), std::string(kSecret)};
    AddApiRoutes(router_, *service_, *store_, counters_, InputLimits{}, nullptr, &clock_,
                 &callbacks_);

    // One lost phone whose lock the platform accepted but has not confirmed.
    auto imported = service_->ImportManifest(
        "parcel_id,shipper_id,service,promised_by,destination_postcode,imei\n"
        "373500000000005678,telco-a,locker,2026-03-20,41302,358472100042174\n",
        "", ExportCheck::kEnforce);
    ASSERT_TRUE(imported.ok());
    auto declared = service_->DeclareLost("373500000000005678", "k-officer", "seen on CCTV");
    ASSERT_TRUE(declared.ok()) << declared.error().message;
    // A declaration waits for a second officer.
    ASSERT_TRUE(declared->case_record.has_value());
    auto approved = service_->ApproveLock(declared->case_record->case_id, "k-officer-2", "agreed");
    ASSERT_TRUE(approved.ok()) << approved.error().message;
    while (service_->RunOutboxOnce(clock_.Now()) > 0) {
    }
    ASSERT_EQ(Order().status, OrderStatus::kSent);
    key_ = Order().idempotency_key;
  }
  void TearDown() override {
    service_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  LockOrder Order() {
    auto parcel = service_->GetParcel("373500000000005678");
    EXPECT_TRUE(parcel.ok());
    EXPECT_TRUE(parcel->has_value());
    return (*parcel)->orders.at(0);
  }

  LockState DeviceState() {
    auto parcel = service_->GetParcel("373500000000005678");
    EXPECT_TRUE(parcel.ok());
    EXPECT_TRUE(parcel->has_value());
    return (*parcel)->devices.at(0).state;
  }

  std::string Report(std::string_view status, std::string_view action = "lock") const {
    return boost::json::serialize(boost::json::object{{"order_id", "ord-000001"},
                                                      {"imei", "358472100042174"},
                                                      {"action", action},
                                                      {"status", status},
                                                      {"idempotency_key", key_},
                                                      {"created_at", "2026-03-01T09:00:00Z"},
                                                      {"finished_at", "2026-03-01T09:00:05Z"}});
  }

  // Posts `body` signed as the platform signs it, at `signed_at` and with `secret`.
  http::Response Post(std::string body, std::string target = std::string(kTarget),
                      std::string_view secret = kSecret,
                      std::optional<Timestamp> signed_at = std::nullopt,
                      std::string_view tenant = kTenant) {
    http::Request request;
    request.method = "POST";
    request.target = std::move(target);
    EXPECT_TRUE(http::ParseTarget(request).ok()) << request.target;
    request.body = std::move(body);
    std::int64_t seconds = ToMillis(signed_at.value_or(clock_.Now())) / 1000;
    std::string key = "callback-ord-000001";
    SignedRequestParts parts{request.method, request.target, tenant, key, request.body};
    request.headers.emplace_back("x-tenant", std::string(tenant));
    request.headers.emplace_back("x-timestamp", std::to_string(seconds));
    request.headers.emplace_back("x-signature", SignRequest(secret, parts, seconds));
    request.headers.emplace_back("idempotency-key", key);
    http::Response response = router_.Dispatch(request);
    ExpectConforms(request, response);
    return response;
  }

  static void ExpectConforms(const http::Request& request, const http::Response& response) {
    static const testing::OpenApiContract contract =
        testing::OpenApiContract::Load(std::string(IMEIGUARD_SOURCE_DIR) + "/src/api/openapi.json")
            .value();
    std::vector<std::string> violations =
        contract.Check(request.method, request.target, testing::ToClientResponse(response));
    EXPECT_TRUE(violations.empty())
        << request.method << " " << request.target << ": " << violations.front();
  }

  static std::string Reason(const http::Response& response) {
    return std::string(boost::json::parse(response.body).at("reason").as_string());
  }

  int AuditCount(std::string_view action) {
    auto audit = store_->LoadAudit("order:" + std::to_string(Order().order_id), 100);
    EXPECT_TRUE(audit.ok());
    return static_cast<int>(std::count_if(audit->begin(), audit->end(),
                                          [&](const AuditEntry& e) { return e.action == action; }));
  }

  std::filesystem::path dir_;
  Config config_ = DefaultConfig();
  ManualClock clock_{At("2026-03-01T09:00:00Z")};
  AcceptingPlatform platform_;
  std::unique_ptr<SqliteStore> store_;
  std::unique_ptr<GuardService> service_;
  http::Router router_;
  RequestCounters counters_;
  std::map<std::string, CallbackCredentials> callbacks_;
  std::string key_;
};

TEST_F(CallbacksTest, AcceptedLockIsNotLocked) {
  EXPECT_EQ(DeviceState(), LockState::kLockPending);
}

TEST_F(CallbacksTest, AppliedReportLocksDevice) {
  http::Response response = Post(Report("applied"));
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(boost::json::parse(response.body).at("status").as_string(), "acknowledged");
  LockOrder order = Order();
  EXPECT_EQ(order.status, OrderStatus::kAcknowledged);
  EXPECT_EQ(order.platform_order_id, "ord-000001");
  ASSERT_TRUE(order.acknowledged_at.has_value());
  EXPECT_EQ(*order.acknowledged_at, At("2026-03-01T09:00:05Z"));
  EXPECT_EQ(DeviceState(), LockState::kLocked);
}

TEST_F(CallbacksTest, RepeatedReportChangesNothing) {
  ASSERT_EQ(Post(Report("applied")).status, 200);
  clock_.AdvanceTo(clock_.Now() + std::chrono::seconds(30));
  http::Response again = Post(Report("applied"));
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(Order().status, OrderStatus::kAcknowledged);
  EXPECT_EQ(AuditCount("lock_order_acknowledged"), 1);
}

TEST_F(CallbacksTest, PendingAfterAppliedKeepsApplied) {
  ASSERT_EQ(Post(Report("applied")).status, 200);
  http::Response late = Post(Report("pending"));
  ASSERT_EQ(late.status, 200) << late.body;
  EXPECT_EQ(boost::json::parse(late.body).at("status").as_string(), "acknowledged");
  EXPECT_EQ(Order().status, OrderStatus::kAcknowledged);
  EXPECT_EQ(DeviceState(), LockState::kLocked);
}

TEST_F(CallbacksTest, RejectedAfterAppliedKeepsApplied) {
  ASSERT_EQ(Post(Report("applied")).status, 200);
  ASSERT_EQ(Post(Report("rejected")).status, 200);
  EXPECT_EQ(Order().status, OrderStatus::kAcknowledged);
}

TEST_F(CallbacksTest, RejectedReportFailsOrder) {
  ASSERT_EQ(Post(Report("rejected")).status, 200);
  LockOrder order = Order();
  EXPECT_EQ(order.status, OrderStatus::kFailed);
  EXPECT_NE(order.last_error.find("ord-000001"), std::string::npos) << order.last_error;
}

TEST_F(CallbacksTest, WrongSecretRejectedUnchanged) {
  http::Response response = Post(Report("applied"), std::string(kTarget), "not-the-secret");
  EXPECT_EQ(response.status, 401);
  EXPECT_EQ(Reason(response), "signature_mismatch");
  EXPECT_EQ(Order().status, OrderStatus::kSent);
  EXPECT_EQ(DeviceState(), LockState::kLockPending);
}

TEST_F(CallbacksTest, StaleTimestampRejected) {
  http::Response response = Post(Report("applied"), std::string(kTarget), kSecret,
                                 clock_.Now() - std::chrono::minutes(6));
  EXPECT_EQ(response.status, 401);
  EXPECT_EQ(Reason(response), "timestamp_skew");
  EXPECT_EQ(Order().status, OrderStatus::kSent);
}

TEST_F(CallbacksTest, OtherTenantRejected) {
  http::Response response =
      Post(Report("applied"), std::string(kTarget), kSecret, std::nullopt, "tenant-b");
  EXPECT_EQ(response.status, 401);
  EXPECT_EQ(Reason(response), "unknown_tenant");
  EXPECT_EQ(Order().status, OrderStatus::kSent);
}

TEST_F(CallbacksTest, UnsignedRejected) {
  http::Request request;
  request.method = "POST";
  request.target = std::string(kTarget);
  ASSERT_TRUE(http::ParseTarget(request).ok());
  request.body = Report("applied");
  http::Response response = router_.Dispatch(request);
  ExpectConforms(request, response);
  EXPECT_EQ(response.status, 401);
  EXPECT_EQ(Order().status, OrderStatus::kSent);
}

TEST_F(CallbacksTest, UnknownOrderNotFound) {
  std::string report = Report("applied");
  std::string unknown = report;
  unknown.replace(unknown.find(key_), key_.size(), "no-such-key");
  http::Response response = Post(unknown);
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(Reason(response), "order_not_found");
  EXPECT_EQ(Order().status, OrderStatus::kSent);
}

TEST_F(CallbacksTest, UnknownConnectorNotFound) {
  http::Response response = Post(Report("applied"), "/v1/connectors/dm-other/callbacks");
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(Reason(response), "connector_not_found");
}

TEST_F(CallbacksTest, OtherActionConflicts) {
  http::Response response = Post(Report("applied", "unlock"));
  EXPECT_EQ(response.status, 409);
  EXPECT_EQ(Reason(response), "action_mismatch");
  EXPECT_EQ(Order().status, OrderStatus::kSent);
}

TEST_F(CallbacksTest, MalformedReportRejected) {
  http::Response response = Post(R"({"order_id": "ord-000001", "status": "done"})");
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(Reason(response), "invalid_platform_order");
  EXPECT_EQ(Order().status, OrderStatus::kSent);
}

}  // namespace
}  // namespace imeiguard
