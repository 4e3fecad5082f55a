#include "api.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "callbacks.h"
#include "locking/request_signing.h"
#include "records.h"
#include "state_file.h"

namespace imeiguard::dm_simulator {
namespace {

namespace json = boost::json;
using std::chrono::seconds;

constexpr char kImei[] = "867315042291587";
constexpr char kCore[] = "86731504229158";
constexpr char kImei2[] = "867315042291660";
constexpr char kSecret[] = "tenant-a-secret";

// One simulator without sockets: requests go straight to the router.
class Simulator {
 public:
  explicit Simulator(FaultPlan plan = {}, Duration apply_delay = Duration::zero(),
                     StateFile* state_file = nullptr)
      : clock_(*ParseRfc3339("2026-03-02T05:14:09Z")),
        faults_(std::move(plan)),
        platform_(apply_delay, faults_, clock_, state_file),
        api_(platform_, faults_, *TenantSecrets::Parse({"tenant-a:tenant-a-secret", "b:b-secret"}),
             clock_) {
    Result<int> restored = platform_.Restore();
    EXPECT_TRUE(restored.ok());
    api_.AddRoutes(router_);
  }

  // Sends a request signed as `tenant` with `secret`, `skew` away from the platform's clock.
  http::Response Send(std::string method, std::string target, std::string body = "",
                      const std::string& key = "", const std::string& tenant = "tenant-a",
                      const std::string& secret = kSecret, Duration skew = Duration::zero()) {
    http::Request request;
    request.method = std::move(method);
    request.target = std::move(target);
    request.body = std::move(body);
    EXPECT_TRUE(http::ParseTarget(request).ok());
    std::int64_t sent_at = ToMillis(clock_.Now() + skew) / 1000;
    SignedRequestParts parts{request.method, request.target, tenant, key, request.body};
    request.headers = {{"x-tenant", tenant},
                       {"x-timestamp", std::to_string(sent_at)},
                       {"x-signature", SignRequest(secret, parts, sent_at)}};
    if (!key.empty()) request.headers.emplace_back("idempotency-key", key);
    return router_.Dispatch(request);
  }

  http::Response Lock(const std::string& key, std::string body = R"({"message":"locked"})",
                      const std::string& imei = kImei) {
    return Send("POST", "/v1/devices/" + imei + "/lock", std::move(body), key);
  }

  http::Response Dispatch(http::Request request) { return router_.Dispatch(request); }

  void Advance(Duration by) { clock_.AdvanceTo(clock_.Now() + by); }
  DmPlatform& platform() { return platform_; }

 private:
  ManualClock clock_;
  FaultInjector faults_;
  DmPlatform platform_;
  SimulatorApi api_;
  http::Router router_;
};

json::object Body(const http::Response& response) {
  json::error_code ec;
  json::value parsed = json::parse(response.body, ec);
  EXPECT_FALSE(ec) << response.body;
  return parsed.is_object() ? parsed.get_object() : json::object{};
}

std::string Field(const http::Response& response, std::string_view name) {
  json::object body = Body(response);
  const json::value* value = body.if_contains(name);
  return value != nullptr && value->is_string() ? std::string(value->get_string()) : "";
}

std::string Header(const http::Response& response, std::string_view name) {
  for (const auto& [key, value] : response.headers) {
    if (key == name) return value;
  }
  return {};
}

TEST(SimulatorApi, LockIsAppliedAtOnce) {
  Simulator simulator;
  http::Response response = simulator.Lock("k1");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(Field(response, "status"), "applied");
  EXPECT_EQ(Field(response, "imei"), kCore);
  EXPECT_EQ(Field(response, "action"), "lock");
  EXPECT_EQ(Header(response, "Location"), "/v1/orders/" + Field(response, "order_id"));

  http::Response device = simulator.Send("GET", std::string("/v1/devices/") + kCore);
  EXPECT_EQ(device.status, 200);
  EXPECT_EQ(Field(device, "state"), "locked");
  EXPECT_EQ(Field(device, "message"), "locked");
}

TEST(SimulatorApi, DelayedOrderIsPendingThenApplied) {
  Simulator simulator({}, seconds(2));
  http::Response accepted = simulator.Lock("k1");
  EXPECT_EQ(accepted.status, 202);
  EXPECT_EQ(Field(accepted, "status"), "pending");
  std::string order = "/v1/orders/" + Field(accepted, "order_id");

  EXPECT_EQ(Field(simulator.Send("GET", order), "status"), "pending");
  http::Response device = simulator.Send("GET", std::string("/v1/devices/") + kImei);
  EXPECT_EQ(Field(device, "state"), "unlocked");
  EXPECT_EQ(Field(device, "pending_order_id"), Field(accepted, "order_id"));

  simulator.Advance(seconds(2));
  http::Response applied = simulator.Send("GET", order);
  EXPECT_EQ(Field(applied, "status"), "applied");
  EXPECT_EQ(Field(applied, "finished_at"), "2026-03-02T05:14:11Z");
  EXPECT_EQ(Field(simulator.Send("GET", std::string("/v1/devices/") + kImei), "state"), "locked");
}

TEST(SimulatorApi, SameKeyAndBodyReplaysOrder) {
  Simulator simulator;
  http::Response first = simulator.Lock("k1");
  http::Response second = simulator.Lock("k1");
  EXPECT_EQ(second.status, 200);
  EXPECT_EQ(Field(second, "order_id"), Field(first, "order_id"));
  EXPECT_EQ(Header(second, "Idempotent-Replayed"), "true");
  EXPECT_EQ(Body(simulator.Send("GET", "/v1/orders")).at("orders").as_array().size(), 1u);
}

TEST(SimulatorApi, SameKeyOtherBodyIs422) {
  Simulator simulator;
  std::string first = Field(simulator.Lock("k1"), "order_id");
  http::Response conflict = simulator.Lock("k1", R"({"message":"other"})");
  EXPECT_EQ(conflict.status, 422);
  EXPECT_EQ(Field(conflict, "reason"), "idempotency_key_reused");
  EXPECT_NE(Field(conflict, "detail").find(first), std::string::npos);
}

TEST(SimulatorApi, NoDedupCreatesSecondOrder) {
  FaultPlan plan;
  plan.no_dedup = true;
  Simulator simulator(plan);
  std::string first = Field(simulator.Lock("k1"), "order_id");
  std::string second = Field(simulator.Lock("k1"), "order_id");
  EXPECT_NE(first, second);
  EXPECT_EQ(Body(simulator.Send("GET", "/v1/orders")).at("orders").as_array().size(), 2u);
}

TEST(SimulatorApi, WrongSecretIs401) {
  Simulator simulator;
  http::Response response = simulator.Send("POST", std::string("/v1/devices/") + kImei + "/lock",
                                           "", "k1", "tenant-a", "wrong-secret");
  EXPECT_EQ(response.status, 401);
  EXPECT_EQ(Field(response, "reason"), "signature_mismatch");
  EXPECT_EQ(Header(response, "WWW-Authenticate"), "IG1-HMAC-SHA256");
}

TEST(SimulatorApi, OtherTenantsSecretIs401) {
  Simulator simulator;
  http::Response response = simulator.Send("GET", "/v1/orders", "", "", "tenant-a", "b-secret");
  EXPECT_EQ(response.status, 401);
}

TEST(SimulatorApi, UnknownTenantIs401) {
  Simulator simulator;
  http::Response response = simulator.Send("GET", "/v1/orders", "", "", "tenant-z", kSecret);
  EXPECT_EQ(response.status, 401);
  EXPECT_EQ(Field(response, "reason"), "unknown_tenant");
}

TEST(SimulatorApi, UnsignedRequestIs401) {
  Simulator simulator;
  http::Request request;
  request.method = "GET";
  request.target = "/v1/orders";
  ASSERT_TRUE(http::ParseTarget(request).ok());
  request.headers = {{"x-tenant", "tenant-a"}};
  http::Response response = simulator.Dispatch(request);
  EXPECT_EQ(response.status, 401);
  EXPECT_EQ(Field(response, "reason"), "signature_missing");
}

TEST(SimulatorApi, SkewedTimestampIs401) {
  Simulator simulator;
  http::Response response =
      simulator.Send("GET", "/v1/orders", "", "", "tenant-a", kSecret, seconds(301));
  EXPECT_EQ(response.status, 401);
  EXPECT_EQ(Field(response, "reason"), "timestamp_skew");
}

TEST(SimulatorApi, TenantsSeeOnlyTheirOrders) {
  Simulator simulator;
  std::string order = "/v1/orders/" + Field(simulator.Lock("k1"), "order_id");
  EXPECT_EQ(simulator.Send("GET", order).status, 200);
  http::Response other = simulator.Send("GET", order, "", "", "b", "b-secret");
  EXPECT_EQ(other.status, 404);
  EXPECT_EQ(Field(other, "reason"), "order_not_found");
}

TEST(SimulatorApi, AnyImeiFormFindsDevice) {
  Simulator simulator;
  simulator.Lock("k1");
  for (const std::string& form :
       {std::string(kCore), std::string(kImei), std::string(kCore) + "07"}) {
    http::Response device = simulator.Send("GET", "/v1/devices/" + form);
    EXPECT_EQ(device.status, 200) << form;
    EXPECT_EQ(Field(device, "imei"), kCore) << form;
  }
}

TEST(SimulatorApi, DualSimDeviceHasOneOrder) {
  Simulator simulator;
  http::Response locked =
      simulator.Lock("k1", std::string(R"({"imei2":")") + kImei2 + R"(","message":"locked"})");
  EXPECT_EQ(locked.status, 200);
  http::Response by_second = simulator.Send("GET", std::string("/v1/devices/") + kImei2);
  EXPECT_EQ(by_second.status, 200);
  EXPECT_EQ(Field(by_second, "imei"), kCore);
  EXPECT_EQ(Field(by_second, "state"), "locked");
  http::Response orders = simulator.Send("GET", std::string("/v1/orders?imei=") + kImei2);
  EXPECT_EQ(Body(orders).at("orders").as_array().size(), 1u);
}

TEST(SimulatorApi, Imei2EqualToImeiIs400) {
  Simulator simulator;
  http::Response response = simulator.Lock("k1", std::string(R"({"imei2":")") + kImei + "\"}");
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(Field(response, "reason"), "invalid_imei2");
}

TEST(SimulatorApi, UnlockAfterLockUnlocks) {
  Simulator simulator;
  simulator.Lock("k1");
  http::Response unlocked =
      simulator.Send("POST", std::string("/v1/devices/") + kImei + "/unlock", "", "k2");
  EXPECT_EQ(unlocked.status, 200);
  EXPECT_EQ(Field(unlocked, "action"), "unlock");
  http::Response device = simulator.Send("GET", std::string("/v1/devices/") + kImei);
  EXPECT_EQ(Field(device, "state"), "unlocked");
  EXPECT_EQ(Field(device, "message"), "");
  EXPECT_EQ(Field(device, "last_order_id"), Field(unlocked, "order_id"));
}

TEST(SimulatorApi, InvalidImeiIs400) {
  Simulator simulator;
  for (const char* imei : {"1234", "86731504229158x", "86731504229158700"}) {
    http::Response response = simulator.Lock("k1", "", imei);
    EXPECT_EQ(response.status, 400) << imei;
    EXPECT_EQ(Field(response, "reason"), "invalid_imei") << imei;
  }
}

TEST(SimulatorApi, UnknownFieldIs400) {
  Simulator simulator;
  http::Response response = simulator.Lock("k1", R"({"mesage":"typo"})");
  EXPECT_EQ(response.status, 400);
  EXPECT_NE(Field(response, "detail").find("mesage"), std::string::npos);
}

TEST(SimulatorApi, MalformedBodyIs400) {
  Simulator simulator;
  EXPECT_EQ(simulator.Lock("k1", "{\"message\":").status, 400);
  EXPECT_EQ(simulator.Lock("k1", R"({"message":5})").status, 400);
  EXPECT_EQ(simulator.Lock("k1", "[]").status, 400);
}

TEST(SimulatorApi, MissingIdempotencyKeyIs400) {
  Simulator simulator;
  http::Response response = simulator.Lock("");
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(Field(response, "reason"), "invalid_idempotency_key");
}

TEST(SimulatorApi, UnknownOrderAndDeviceAre404) {
  Simulator simulator;
  EXPECT_EQ(simulator.Send("GET", "/v1/orders/ord-999").status, 404);
  http::Response device = simulator.Send("GET", std::string("/v1/devices/") + kImei);
  EXPECT_EQ(device.status, 404);
  EXPECT_EQ(Field(device, "detail").find(kCore), std::string::npos);
}

TEST(SimulatorApi, FailRateSends429WithRetryAfter) {
  FaultPlan plan;
  plan.fail_rate = 1;
  plan.fail_statuses = {429};
  plan.retry_after_seconds = 7;
  Simulator simulator(plan);
  http::Response response = simulator.Lock("k1");
  EXPECT_EQ(response.status, 429);
  EXPECT_EQ(Header(response, "Retry-After"), "7");
  EXPECT_TRUE(simulator.platform().ListOrders("tenant-a", {}).empty());
}

TEST(SimulatorApi, FailStatusesAlternate) {
  FaultPlan plan;
  plan.fail_rate = 1;
  plan.retry_after_seconds = 0;
  Simulator simulator(plan);
  http::Response first = simulator.Lock("k1");
  http::Response second = simulator.Lock("k1");
  EXPECT_EQ(first.status, 429);
  EXPECT_EQ(second.status, 503);
  EXPECT_EQ(Header(second, "Retry-After"), "");
}

TEST(SimulatorApi, RejectRateRejectsOrders) {
  FaultPlan plan;
  plan.reject_rate = 1;
  Simulator simulator(plan);
  http::Response response = simulator.Lock("k1");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(Field(response, "status"), "rejected");
  EXPECT_EQ(Field(response, "reason"), "injected_rejection");
  EXPECT_EQ(Field(simulator.Send("GET", std::string("/v1/devices/") + kImei), "state"), "unlocked");
}

TEST(SimulatorApi, ListFiltersByStatusAndAction) {
  Simulator simulator;
  simulator.Lock("k1");
  simulator.Send("POST", std::string("/v1/devices/") + kImei + "/unlock", "", "k2");
  EXPECT_EQ(Body(simulator.Send("GET", "/v1/orders?action=unlock")).at("orders").as_array().size(),
            1u);
  EXPECT_EQ(Body(simulator.Send("GET", "/v1/orders?status=pending")).at("orders").as_array().size(),
            0u);
  EXPECT_EQ(simulator.Send("GET", "/v1/orders?status=done").status, 400);
}

TEST(SimulatorApi, HealthNeedsNoSignature) {
  Simulator simulator;
  http::Request request;
  request.method = "GET";
  request.target = "/healthz";
  ASSERT_TRUE(http::ParseTarget(request).ok());
  http::Response response = simulator.Dispatch(request);
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(Field(response, "status"), "ok");
}

TEST(SimulatorApi, FailStatusesCombineWithRetryAfterOnEach) {
  FaultPlan plan;
  plan.fail_rate = 1;
  plan.fail_statuses = {429, 503, 500};
  plan.retry_after_seconds = 4;
  Simulator simulator(plan);
  std::vector<int> statuses;
  for (int i = 0; i < 4; ++i) {
    http::Response response = simulator.Lock("k1");
    statuses.push_back(response.status);
    EXPECT_EQ(Header(response, "Retry-After"), "4");
  }
  EXPECT_EQ(statuses, (std::vector<int>{429, 503, 500, 429}));
}

TEST(SimulatorApi, HangAndDropBeforeHandlingCreateNoOrder) {
  FaultPlan hang;
  hang.hang_rate = 1;
  Simulator hanging(hang);
  EXPECT_EQ(hanging.Lock("k1").delivery, http::Delivery::kHold);
  EXPECT_TRUE(hanging.platform().ListOrders("tenant-a", {}).empty());

  FaultPlan drop;
  drop.drop_rate = 1;
  drop.drop_with_reset = true;
  Simulator dropping(drop);
  EXPECT_EQ(dropping.Lock("k1").delivery, http::Delivery::kReset);
  EXPECT_TRUE(dropping.platform().ListOrders("tenant-a", {}).empty());
}

TEST(SimulatorApi, DropAfterApplyLeavesTheOrderApplied) {
  FaultPlan plan;
  plan.drop_after_apply_rate = 1;
  Simulator simulator(plan);
  EXPECT_EQ(simulator.Lock("k1").delivery, http::Delivery::kClose);
  std::vector<DmOrder> orders = simulator.platform().ListOrders("tenant-a", {});
  ASSERT_EQ(orders.size(), 1u);
  EXPECT_EQ(orders[0].status, DmOrderStatus::kApplied);
  // The same key sent again finds the order instead of creating a second one.
  EXPECT_EQ(simulator.Lock("k1").delivery, http::Delivery::kClose);
  EXPECT_EQ(simulator.platform().ListOrders("tenant-a", {}).size(), 1u);
}

TEST(SimulatorApi, SameSeedDrawsSameFaults) {
  FaultPlan plan;
  plan.response_jitter = Duration(100);
  plan.drop_rate = 0.5;
  plan.seed = 42;
  FaultInjector first(plan);
  FaultInjector second(plan);
  std::vector<std::int64_t> drawn_first;
  std::vector<std::int64_t> drawn_second;
  for (int i = 0; i < 20; ++i) {
    drawn_first.push_back(first.ResponseDelay().count() * 10 +
                          static_cast<int>(first.BreakBeforeHandling()));
    drawn_second.push_back(second.ResponseDelay().count() * 10 +
                           static_cast<int>(second.BreakBeforeHandling()));
  }
  EXPECT_EQ(drawn_first, drawn_second);
  // The draws vary: a jitter or drop that is always the same would not be drawn at all.
  EXPECT_NE(std::count(drawn_first.begin(), drawn_first.end(), drawn_first[0]), 20);
}

TEST(SimulatorApi, OfflineDeviceAppliesOrdersOnlyWhenItChecksIn) {
  FaultPlan plan;
  plan.offline_rate = 1;
  Simulator simulator(plan);
  http::Response accepted = simulator.Lock("k1");
  EXPECT_EQ(accepted.status, 202);
  EXPECT_EQ(Field(accepted, "status"), "pending");
  std::string order = "/v1/orders/" + Field(accepted, "order_id");

  simulator.Advance(std::chrono::hours(24 * 5));
  EXPECT_EQ(Field(simulator.Send("GET", order), "status"), "pending");
  EXPECT_FALSE(
      Body(simulator.Send("GET", std::string("/v1/devices/") + kImei)).at("online").as_bool());

  http::Response checked_in =
      simulator.Send("POST", std::string("/v1/devices/") + kImei + "/check-in");
  EXPECT_EQ(checked_in.status, 200);
  EXPECT_TRUE(Body(checked_in).at("online").as_bool());
  http::Response applied = simulator.Send("GET", order);
  EXPECT_EQ(Field(applied, "status"), "applied");
  EXPECT_EQ(Field(applied, "finished_at"), "2026-03-07T05:14:09Z");
}

TEST(SimulatorApi, CheckInOfUnknownDeviceIs404) {
  Simulator simulator;
  http::Response response =
      simulator.Send("POST", std::string("/v1/devices/") + kImei + "/check-in");
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(Field(response, "reason"), "device_not_found");
}

TEST(SimulatorApi, UnsupportedDeviceAcceptsThenRejects) {
  FaultPlan plan;
  plan.unsupported_tacs = {std::string(kImei).substr(0, 8)};
  Simulator simulator(plan);
  http::Response accepted = simulator.Lock("k1");
  EXPECT_EQ(accepted.status, 202);
  EXPECT_EQ(Field(accepted, "status"), "pending");
  http::Response later = simulator.Send("GET", "/v1/orders/" + Field(accepted, "order_id"));
  EXPECT_EQ(Field(later, "status"), "rejected");
  EXPECT_EQ(Field(later, "reason"), "unsupported_device");

  // Another type allocation code is not affected.
  http::Response other = simulator.Lock("k2", "", "35847210004217");
  EXPECT_EQ(Field(other, "status"), "applied");
}

TEST(SimulatorApi, ReenrolmentRejectsOrdersOfTheEarlierEnrolment) {
  FaultPlan plan;
  plan.offline_rate = 1;
  Simulator simulator(plan);
  http::Response accepted = simulator.Lock("k1");
  ASSERT_EQ(accepted.status, 202);

  http::Response enrolled = simulator.Send("POST", std::string("/v1/devices/") + kImei + "/enroll");
  EXPECT_EQ(enrolled.status, 200);
  EXPECT_EQ(Body(enrolled).at("enrolment").as_int64(), 2);
  http::Response old = simulator.Send("GET", "/v1/orders/" + Field(accepted, "order_id"));
  EXPECT_EQ(Field(old, "status"), "rejected");
  EXPECT_EQ(Field(old, "reason"), "device_reenrolled");
  EXPECT_EQ(Field(simulator.Send("GET", std::string("/v1/devices/") + kImei), "state"), "unlocked");

  // An order made for the new enrolment applies: enrolling brought the device online.
  EXPECT_EQ(Field(simulator.Lock("k2"), "status"), "applied");
}

TEST(SimulatorApi, OrderPastNotAfterExpires) {
  FaultPlan plan;
  plan.offline_rate = 1;
  Simulator simulator(plan);
  http::Response accepted = simulator.Lock("k1", R"({"not_after":"2026-03-02T06:14:09Z"})");
  ASSERT_EQ(accepted.status, 202);
  EXPECT_EQ(Field(accepted, "not_after"), "2026-03-02T06:14:09Z");
  std::string order = "/v1/orders/" + Field(accepted, "order_id");

  simulator.Advance(std::chrono::minutes(59));
  EXPECT_EQ(Field(simulator.Send("GET", order), "status"), "pending");
  simulator.Advance(std::chrono::minutes(2));
  http::Response expired = simulator.Send("GET", order);
  EXPECT_EQ(Field(expired, "status"), "rejected");
  EXPECT_EQ(Field(expired, "reason"), "expired");
  EXPECT_EQ(Field(expired, "finished_at"), "2026-03-02T06:14:09Z");

  // Checking in later does not revive it.
  simulator.Send("POST", std::string("/v1/devices/") + kImei + "/check-in");
  EXPECT_EQ(Field(simulator.Send("GET", std::string("/v1/devices/") + kImei), "state"), "unlocked");
}

TEST(SimulatorApi, InvalidNotAfterIs400) {
  Simulator simulator;
  http::Response response = simulator.Lock("k1", R"({"not_after":"tomorrow"})");
  EXPECT_EQ(response.status, 400);
  EXPECT_NE(Field(response, "detail").find("not_after"), std::string::npos);
}

TEST(SimulatorApi, StatsCountEveryApplyWithoutDeduplication) {
  FaultPlan plan;
  plan.no_dedup = true;
  Simulator simulator(plan);
  simulator.Lock("k1");
  simulator.Lock("k1");
  simulator.Send("POST", std::string("/v1/devices/") + kImei + "/unlock", "", "k2");
  json::object stats = Body(simulator.Send("GET", "/v1/stats"));
  EXPECT_EQ(stats.at("applied_locks").as_int64(), 2);
  EXPECT_EQ(stats.at("applied_unlocks").as_int64(), 1);
  json::array devices = stats.at("devices").as_array();
  ASSERT_EQ(devices.size(), 1u);
  EXPECT_EQ(devices[0].at("imei").as_string(), kCore);
  EXPECT_EQ(devices[0].at("applied_locks").as_int64(), 2);
}

TEST(SimulatorApi, StatsCountOnceWithDeduplication) {
  Simulator simulator;
  simulator.Lock("k1");
  simulator.Lock("k1");
  EXPECT_EQ(Body(simulator.Send("GET", "/v1/stats")).at("applied_locks").as_int64(), 1);
}

TEST(SimulatorApi, OrderCarriesReceiveTimeInMicroseconds) {
  Simulator simulator;
  std::string received = Field(simulator.Lock("k1"), "received_at");
  // "2026-12-04T19:10:00.123456Z": six fraction digits.
  ASSERT_EQ(received.size(), 27u) << received;
  EXPECT_EQ(received[19], '.');
  std::optional<PreciseTime> parsed = ParsePreciseTime(received);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(FormatPreciseTime(*parsed), received);
}

TEST(CallbackUrl, OnlyLoopbackHttp) {
  auto parsed = ParseCallbackUrl("http://127.0.0.1:8090/callbacks/dm");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->host, "127.0.0.1");
  EXPECT_EQ(parsed->port, 8090);
  EXPECT_EQ(parsed->path, "/callbacks/dm");
  auto ipv6 = ParseCallbackUrl("http://[::1]:9000/cb");
  ASSERT_TRUE(ipv6.ok());
  EXPECT_EQ(ipv6->host, "::1");
  for (const char* bad :
       {"https://127.0.0.1:8090/cb", "http://10.0.0.1:8090/cb", "http://example.com/cb",
        "http://127.0.0.1:8090", "http://127.0.0.1:0/cb", "http://127.0.0.1:8090/cb?x=1"}) {
    auto result = ParseCallbackUrl(bad);
    ASSERT_FALSE(result.ok()) << bad;
    EXPECT_EQ(result.error().reason, "callback_url");
  }
}

class StateFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = (std::filesystem::temp_directory_path() /
             ("dm_simulator_state_" + std::to_string(::getpid()) + "_" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".jsonl"))
                .string();
    std::filesystem::remove(path_);
  }
  void TearDown() override { std::filesystem::remove(path_); }

  std::unique_ptr<StateFile> Open() {
    auto file = StateFile::Open(path_);
    EXPECT_TRUE(file.ok());
    return file.ok() ? std::move(*file) : nullptr;
  }

  std::string path_;
};

TEST_F(StateFileTest, RestartKeepsOrdersAndDevices) {
  std::string first_id;
  {
    auto file = Open();
    Simulator simulator({}, seconds(5), file.get());
    first_id = Field(simulator.Lock("k1"), "order_id");
  }
  auto file = Open();
  Simulator restarted({}, seconds(5), file.get());
  http::Response replay = restarted.Lock("k1");
  EXPECT_EQ(Field(replay, "order_id"), first_id);
  EXPECT_EQ(Header(replay, "Idempotent-Replayed"), "true");
  EXPECT_EQ(Field(restarted.Send("GET", std::string("/v1/devices/") + kImei), "pending_order_id"),
            first_id);

  std::string second_id = Field(restarted.Lock("k2", "", kImei2), "order_id");
  EXPECT_EQ(first_id, "ord-000001");
  EXPECT_EQ(second_id, "ord-000002");
}

TEST_F(StateFileTest, PendingOrderAppliedAfterRestart) {
  std::string order;
  {
    auto file = Open();
    Simulator simulator({}, seconds(5), file.get());
    order = "/v1/orders/" + Field(simulator.Lock("k1"), "order_id");
  }
  auto file = Open();
  Simulator restarted({}, seconds(5), file.get());
  EXPECT_EQ(Field(restarted.Send("GET", order), "status"), "pending");
  restarted.Advance(seconds(5));
  EXPECT_EQ(Field(restarted.Send("GET", order), "status"), "applied");
}

TEST_F(StateFileTest, RestartKeepsOfflineOrdersEnrolmentAndCounts) {
  FaultPlan plan;
  plan.offline_rate = 1;
  std::string waiting;
  {
    auto file = Open();
    Simulator simulator(plan, Duration::zero(), file.get());
    simulator.Lock("k1", "", kImei2);
    simulator.Send("POST", std::string("/v1/devices/") + kImei2 + "/check-in");
    simulator.Send("POST", std::string("/v1/devices/") + kImei2 + "/enroll");
    waiting = "/v1/orders/" + Field(simulator.Lock("k2"), "order_id");
  }
  auto file = Open();
  Simulator restarted({}, Duration::zero(), file.get());
  EXPECT_EQ(Field(restarted.Send("GET", waiting), "status"), "pending");
  json::object device = Body(restarted.Send("GET", std::string("/v1/devices/") + kImei2));
  EXPECT_EQ(device.at("enrolment").as_int64(), 2);
  EXPECT_TRUE(device.at("online").as_bool());
  EXPECT_EQ(Body(restarted.Send("GET", "/v1/stats")).at("applied_locks").as_int64(), 1);

  restarted.Send("POST", std::string("/v1/devices/") + kImei + "/check-in");
  EXPECT_EQ(Field(restarted.Send("GET", waiting), "status"), "applied");
}

TEST_F(StateFileTest, TruncatedLastLineIsSkipped) {
  {
    auto file = Open();
    Simulator simulator({}, Duration::zero(), file.get());
    simulator.Lock("k1");
  }
  {
    std::ofstream append(path_, std::ios::app);
    append << R"({"record":"order","order_id":"ord-0000)";
  }
  auto file = Open();
  FaultInjector faults({});
  ManualClock clock;
  DmPlatform platform(Duration::zero(), faults, clock, file.get());
  Result<int> restored = platform.Restore();
  ASSERT_TRUE(restored.ok());
  EXPECT_EQ(*restored, 1);
  EXPECT_EQ(platform.ListOrders("tenant-a", {}).size(), 1u);

  // The cut line was ended on open, so a new record lands on a line of its own.
  OrderRequest request{"tenant-a", kCore, "", DmAction::kUnlock, "", "", "", "k9", {}, {}};
  platform.Submit(request);
  auto reopened = Open();
  DmPlatform again(Duration::zero(), faults, clock, reopened.get());
  Result<int> second = again.Restore();
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(*second, 1);
  EXPECT_EQ(again.ListOrders("tenant-a", {}).size(), 2u);
}

TEST(TenantSecrets, ParsesTenantsAndBareSecret) {
  auto secrets = TenantSecrets::Parse({"a:one", "b:two:three", "fallback"});
  ASSERT_TRUE(secrets.ok());
  EXPECT_EQ(*secrets->Find("a"), "one");
  EXPECT_EQ(*secrets->Find("b"), "two:three");
  EXPECT_EQ(*secrets->Find("c"), "fallback");
}

TEST(TenantSecrets, RejectsBadSpecs) {
  for (const auto& specs :
       std::vector<std::vector<std::string>>{{""}, {":x"}, {"a:"}, {"a:1", "a:2"}, {"x", "y"}}) {
    auto secrets = TenantSecrets::Parse(specs);
    ASSERT_FALSE(secrets.ok());
    EXPECT_EQ(secrets.error().reason, "secret");
  }
}

TEST(TenantSecrets, NoFallbackFindsNothing) {
  auto secrets = TenantSecrets::Parse({"a:one"});
  ASSERT_TRUE(secrets.ok());
  EXPECT_EQ(secrets->Find("b"), nullptr);
}

TEST(MaskImeis, MasksLongDigitRuns) {
  EXPECT_EQ(MaskImeis("/v1/devices/867315042291587/lock"), "/v1/devices/86731504******/lock");
  EXPECT_EQ(MaskImeis("/v1/orders/ord-000001"), "/v1/orders/ord-000001");
}

}  // namespace
}  // namespace imeiguard::dm_simulator
