// The two lock policies through the service: on loss (lock when lost) and transit hold (held from
// the manifest until a delivery or return releases the device).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "service/guard_service.h"
#include "store/sqlite_store.h"

namespace imeiguard {
namespace {

using std::chrono::hours;

Timestamp At(std::string_view text) { return ParseRfc3339(text).value(); }

// A platform that applies every order at once and keeps the actions it was sent.
class ActionLog final : public LockConnector {
 public:
  const std::string& name() const override { return name_; }
  ConnectorReply Submit(const LockOrder& order) override {
    actions.push_back(order.action);
    return {ConnectorReply::Kind::kApplied, order.idempotency_key, std::nullopt, ""};
  }
  ConnectorReply Poll(const LockOrder& order) override { return Submit(order); }

  std::vector<LockAction> actions;

 private:
  std::string name_ = "dm";
};

constexpr std::string_view kParcel = "373500000000300001";
constexpr std::string_view kImei = "358472100042174";

class LockPolicyTest : public ::testing::TestWithParam<LockPolicy> {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("imeiguard-lock-policy-" + std::to_string(::getpid()) + "-" +
            std::to_string(static_cast<int>(GetParam())) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    config_ = DefaultConfig();
    config_.default_policy.lock_policy = GetParam();
    auto store = SqliteStore::Open((dir_ / "store.db").string());
    ASSERT_TRUE(store.ok()) << store.error().message;
    store_ = std::move(*store);
    service_ = std::make_unique<GuardService>(
        config_, *store_, clock_, std::map<std::string, LockConnector*>{{"dm", &platform_}});
    ASSERT_TRUE(service_->Recover().ok());
    auto report = service_->ImportManifest(
        "parcel_id,shipper_id,service,promised_by,destination_postcode,declared_weight_g,imei\n" +
            std::string(kParcel) + ",telco-a,home,2026-03-20,41301,640," + std::string(kImei) +
            "\n",
        "", ExportCheck::kEnforce);
    ASSERT_TRUE(report.ok()) << report.error().message;
    ASSERT_TRUE(report->errors.empty()) << report->errors[0].message;
    Settle();
  }
  void TearDown() override {
    service_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Ingests one scan of the parcel, recorded a minute after it happened.
  void Scan(std::string_view id, std::string_view type, std::string_view time,
            std::string_view extra = "") {
    clock_.AdvanceTo(std::max(clock_.Now(), At(time) + std::chrono::minutes(1)));
    std::string line = R"({"event_id":")" + std::string(id) + R"(","parcel_id":")" +
                       std::string(kParcel) + R"(","type":")" + std::string(type) +
                       R"(","time":")" + std::string(time) + "\"" + std::string(extra) + "}\n";
    auto report = service_->IngestEvents(line);
    ASSERT_TRUE(report.ok()) << report.error().message;
    ASSERT_TRUE(report->errors.empty()) << report->errors[0].message;
    Settle();
  }

  void Settle() {
    ASSERT_TRUE(service_->RunDeadlines(clock_.Now()).ok());
    while (service_->RunOutboxOnce(clock_.Now()) > 0) {
    }
  }

  bool Blocked() {
    return service_->Check(Imei::Parse(kImei, ImeiChannel::kHuman).value()) ==
           CheckAnswer::kBlocked;
  }

  bool TransitHold() const { return GetParam() == LockPolicy::kTransitHold; }

  std::filesystem::path dir_;
  Config config_;
  ManualClock clock_{At("2026-03-01T00:00:00Z")};
  ActionLog platform_;
  std::unique_ptr<SqliteStore> store_;
  std::unique_ptr<GuardService> service_;
};

TEST_P(LockPolicyTest, InTransitHeldOnlyUnderTransitHold) {
  Scan("a", "accepted", "2026-03-01T08:00:00Z", R"(,"node":"SE-TERM-A","node_type":"terminal")");
  EXPECT_EQ(Blocked(), TransitHold());
  EXPECT_EQ(platform_.actions.size(), TransitHold() ? 1u : 0u);
}

TEST_P(LockPolicyTest, DeliveryReleases) {
  Scan("a", "accepted", "2026-03-01T08:00:00Z", R"(,"node":"SE-TERM-A","node_type":"terminal")");
  Scan("d", "delivered", "2026-03-01T15:00:00Z", R"(,"node":"ADDR-1","node_type":"address")");
  EXPECT_FALSE(Blocked());
  if (TransitHold()) {
    EXPECT_EQ(platform_.actions, (std::vector<LockAction>{LockAction::kLock, LockAction::kUnlock}));
  } else {
    EXPECT_TRUE(platform_.actions.empty());
  }
}

TEST_P(LockPolicyTest, LightWeighingKeepsDeliveredPhoneLocked) {
  // The phone was taken out at the terminal; the parcel is delivered without it.
  Scan("a", "accepted", "2026-03-01T08:00:00Z", R"(,"node":"SE-TERM-A","node_type":"terminal")");
  Scan("w", "reweighed", "2026-03-01T09:00:00Z",
       R"(,"node":"SE-TERM-A","node_type":"terminal","weight_g":455)");
  EXPECT_TRUE(Blocked());
  Scan("d", "delivered", "2026-03-01T15:00:00Z", R"(,"node":"ADDR-1","node_type":"address")");
  // On loss, a delivery reopens the parcel at once; under a transit hold the evidence keeps it.
  EXPECT_EQ(Blocked(), TransitHold());
}

TEST_P(LockPolicyTest, ClaimAfterWeakProofRelocks) {
  Scan("a", "accepted", "2026-03-01T08:00:00Z", R"(,"node":"SE-TERM-A","node_type":"terminal")");
  Scan("d", "delivered", "2026-03-01T15:00:00Z", R"(,"node":"MBX-1","node_type":"mailbox")");
  ASSERT_FALSE(Blocked());
  Scan("c", "claim_not_received", "2026-03-02T10:00:00Z");
  // A transit hold locks again at once; on loss the claim waits two days for the parcel to turn
  // up.
  EXPECT_EQ(Blocked(), TransitHold());
  clock_.AdvanceTo(At("2026-03-04T17:00:00Z"));
  Settle();
  EXPECT_TRUE(Blocked());
  EXPECT_EQ(platform_.actions.back(), LockAction::kLock);
}

TEST_P(LockPolicyTest, WrongClaimFoundReleases) {
  Scan("a", "accepted", "2026-03-01T08:00:00Z", R"(,"node":"SE-TERM-A","node_type":"terminal")");
  Scan("d", "delivered", "2026-03-01T15:00:00Z", R"(,"node":"MBX-1","node_type":"mailbox")");
  Scan("c", "claim_not_received", "2026-03-02T10:00:00Z");
  Scan("f", "found", "2026-03-03T09:00:00Z", R"(,"node":"MBX-1","node_type":"mailbox")");
  clock_.AdvanceTo(At("2026-03-10T00:00:00Z"));
  Settle();
  EXPECT_FALSE(Blocked());
}

TEST_P(LockPolicyTest, ClaimAfterStrongProofOnlyGreylists) {
  Scan("a", "accepted", "2026-03-01T08:00:00Z", R"(,"node":"SE-TERM-A","node_type":"terminal")");
  Scan("p", "picked_up", "2026-03-01T15:00:00Z",
       R"(,"node":"SE-SP-1","node_type":"service_point")");
  Scan("c", "claim_not_received", "2026-03-02T10:00:00Z");
  clock_.AdvanceTo(At("2026-03-30T00:00:00Z"));
  Settle();
  EXPECT_FALSE(Blocked());
  auto devices = service_->FindDevices(Imei::Parse(kImei, ImeiChannel::kHuman).value());
  ASSERT_TRUE(devices.ok());
  ASSERT_EQ(devices->size(), 1u);
  EXPECT_EQ((*devices)[0].state, LockState::kGreylisted);
}

TEST_P(LockPolicyTest, ReturnReleases) {
  Scan("a", "accepted", "2026-03-01T08:00:00Z", R"(,"node":"SE-TERM-A","node_type":"terminal")");
  Scan("r", "returned", "2026-03-03T08:00:00Z", R"(,"node":"SE-TERM-A","node_type":"terminal")");
  EXPECT_FALSE(Blocked());
}

TEST_P(LockPolicyTest, TheftAtHubLocksBoth) {
  Scan("a", "accepted", "2026-03-01T08:00:00Z", R"(,"node":"SE-TERM-A","node_type":"terminal")");
  Scan("b", "arrived", "2026-03-01T10:00:00Z", R"(,"node":"SE-HUB-B","node_type":"hub")");
  // Other parcels keep the feed moving for four days.
  for (int hour = 1; hour <= 96; ++hour) {
    Timestamp time = At("2026-03-01T10:00:00Z") + hours(hour);
    clock_.AdvanceTo(time);
    std::string line = R"({"event_id":"other-)" + std::to_string(hour) +
                       R"(","parcel_id":"373500000000399999","type":"sorted","time":")" +
                       FormatRfc3339(time) + "\"}\n";
    ASSERT_TRUE(service_->IngestEvents(line).ok());
    Settle();
  }
  EXPECT_TRUE(Blocked());
  auto parcel = service_->GetParcel(kParcel);
  ASSERT_TRUE(parcel.ok());
  ASSERT_TRUE(parcel->has_value());
  EXPECT_EQ((*parcel)->parcel.assessment.verdict, Verdict::kLost);
}

INSTANTIATE_TEST_SUITE_P(Policies, LockPolicyTest,
                         ::testing::Values(LockPolicy::kOnLoss, LockPolicy::kTransitHold),
                         [](const ::testing::TestParamInfo<LockPolicy>& info) {
                           return info.param == LockPolicy::kOnLoss ? "OnLoss" : "TransitHold";
                         });

}  // namespace
}  // namespace imeiguard
