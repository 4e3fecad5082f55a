// The outbox, callbacks aside, against the real device-management simulator as its own process:
// in-doubt orders, reconciliation, expiry and superseded locks. A transport seam in front of the
// real HTTP client can drop the platform's reply after the request arrived, as a crash or a
// timeout would.
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <filesystem>
#include <mutex>
#include <thread>

#include "locking/dm_rest_connector.h"
#include "service/guard_service.h"
#include "store/sqlite_store.h"
#include "testing/child_process.h"

namespace imeiguard {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr char kTenant[] = "tenant-a";
constexpr char kSecret[] = "outbox-simulator-secret";
constexpr char kParcel[] = "373500000000005678";
constexpr char kImei[] = "358472100042174";

class OutboxSimulatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("imeiguard-outbox-sim-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    config_ = DefaultConfig();
    config_.connectors["dm"].tenant = kTenant;
    config_.connectors["dm"].secret = kSecret;
    config_.outbox.confirmation_deadline = 10min;
  }
  void TearDown() override {
    service_.reset();
    store_.reset();
    simulator_.reset();
    fs::remove_all(dir_);
  }

  void StartSimulator(std::vector<std::string> flags = {}) {
    simulator_.reset();
    fs::path port_file = dir_ / "simulator.port";
    fs::remove(port_file);
    std::vector<std::string> argv = {IMEIGUARD_DM_SIMULATOR_PATH,
                                     "--port",
                                     "0",
                                     "--port-file",
                                     port_file.string(),
                                     "--secret",
                                     std::string(kTenant) + ":" + kSecret};
    argv.insert(argv.end(), flags.begin(), flags.end());
    auto child = testing::ChildProcess::Start(argv, (dir_ / "simulator.log").string());
    ASSERT_TRUE(child.has_value());
    simulator_ = std::make_unique<testing::ChildProcess>(std::move(*child));
    auto port = testing::WaitForPortFile(port_file.string(), 10s);
    ASSERT_TRUE(port.has_value()) << "the simulator did not start; see " << dir_;
    port_ = *port;
  }

  void OpenService() {
    DmRestConnectorOptions options;
    options.name = "dm";
    options.tenant = kTenant;
    options.secret = kSecret;
    options.transport = [this](const http::ClientRequest& request) {
      http::ClientRequest sent = request;
      sent.port = port_;  // The simulator's port changes when it restarts.
      Result<http::ClientResponse> response = http::Send(sent);
      std::lock_guard lock(mutex_);
      targets_.push_back(sent.method + " " + sent.target);
      bodies_.push_back(sent.body);
      if (sent.method == "POST" && replies_to_drop_ > 0) {
        --replies_to_drop_;
        return Result<http::ClientResponse>(
            Error::Unavailable("reply_lost", "the test dropped the platform's reply"));
      }
      return response;
    };
    connector_ = std::make_unique<DmRestConnector>(options);
    auto store = SqliteStore::Open((dir_ / "store.db").string());
    ASSERT_TRUE(store.ok()) << store.error().message;
    store_ = std::move(*store);
    service_ = std::make_unique<GuardService>(
        config_, *store_, clock_, std::map<std::string, LockConnector*>{{"dm", connector_.get()}});
    ASSERT_TRUE(service_->Recover().ok());
    auto imported = service_->ImportManifest(
        std::string("parcel_id,shipper_id,service,promised_by,destination_postcode,imei\n") +
            kParcel + ",telco-a,locker,2030-03-20,41302," + kImei + "\n",
        "", ExportCheck::kEnforce);
    ASSERT_TRUE(imported.ok());
  }

  // A declaration waits for a second officer, so a second key approves it at once.
  void DeclareLost(const std::string& parcel_id = kParcel) {
    auto declared = service_->DeclareLost(parcel_id, "k-officer", "seen on CCTV");
    ASSERT_TRUE(declared.ok()) << declared.error().message;
    ASSERT_TRUE(declared->case_record.has_value());
    auto approved = service_->ApproveLock(declared->case_record->case_id, "k-officer-2", "agreed");
    ASSERT_TRUE(approved.ok()) << approved.error().message;
  }

  void Deliver() {
    std::string event = std::string(R"({"event_id":"d-1","parcel_id":")") + kParcel +
                        R"(","type":"delivered","time":")" + FormatRfc3339(clock_.Now()) + "\"}\n";
    auto ingested = service_->IngestEvents(event);
    ASSERT_TRUE(ingested.ok()) << ingested.error().message;
  }

  void Advance(Duration by) { clock_.AdvanceTo(clock_.Now() + by); }

  void RunOutbox() {
    while (service_->RunOutboxOnce(clock_.Now()) > 0) {
    }
  }

  std::vector<LockOrder> Orders() {
    auto parcel = service_->GetParcel(kParcel);
    EXPECT_TRUE(parcel.ok());
    EXPECT_TRUE(parcel->has_value());
    return (*parcel)->orders;
  }

  LockState DeviceState() {
    auto parcel = service_->GetParcel(kParcel);
    EXPECT_TRUE(parcel.ok());
    EXPECT_TRUE(parcel->has_value());
    return (*parcel)->devices.at(0).state;
  }

  // The platform's own orders for the device, oldest first.
  std::vector<PlatformOrder> PlatformOrders() {
    auto listed = connector_->ListOrders(Imei::Parse(kImei, ImeiChannel::kHuman).value());
    EXPECT_TRUE(listed.ok()) << listed.error().message;
    return listed.ok() ? *listed : std::vector<PlatformOrder>{};
  }

  int Audited(std::string_view action) {
    auto audit = store_->LoadAudit("", 1000);
    EXPECT_TRUE(audit.ok());
    int count = 0;
    for (const AuditEntry& entry : *audit) count += entry.action == action;
    return count;
  }

  double Metric(std::string_view name) {
    for (const auto& [metric, value] : service_->Metrics()) {
      if (metric == name) return value;
    }
    return -1;
  }

  fs::path dir_;
  Config config_;
  ManualClock clock_{SystemClock().Now()};
  std::unique_ptr<testing::ChildProcess> simulator_;
  std::uint16_t port_ = 0;
  std::mutex mutex_;
  int replies_to_drop_ = 0;           // Guarded by mutex_.
  std::vector<std::string> targets_;  // Guarded by mutex_.
  std::vector<std::string> bodies_;   // Of the requests in targets_. Guarded by mutex_.
  std::unique_ptr<DmRestConnector> connector_;
  std::unique_ptr<SqliteStore> store_;
  std::unique_ptr<GuardService> service_;
};

TEST_F(OutboxSimulatorTest, InDoubtLockAppliedOnceWithoutDedup) {
  StartSimulator({"--no-dedup"});
  OpenService();
  replies_to_drop_ = 1;
  DeclareLost();
  RunOutbox();
  ASSERT_EQ(Orders().at(0).status, OrderStatus::kPending);
  ASSERT_EQ(PlatformOrders().size(), 1u);

  Advance(1h);
  RunOutbox();
  LockOrder order = Orders().at(0);
  EXPECT_EQ(order.status, OrderStatus::kAcknowledged);
  EXPECT_EQ(order.platform_order_id, PlatformOrders().at(0).order_id);
  EXPECT_EQ(PlatformOrders().size(), 1u);
  EXPECT_EQ(DeviceState(), LockState::kLocked);
  EXPECT_EQ(Metric("imeiguard_lock_orders_found_in_doubt_total"), 1);
}

TEST_F(OutboxSimulatorTest, LockRequestCarriesNotAfter) {
  StartSimulator();
  OpenService();
  DeclareLost();
  RunOutbox();
  LockOrder order = Orders().at(0);
  ASSERT_TRUE(order.expires_at.has_value());
  EXPECT_EQ(*order.expires_at, order.created_at + config_.outbox.order_expiry);
  EXPECT_EQ(order.status, OrderStatus::kAcknowledged);
  std::lock_guard lock(mutex_);
  ASSERT_FALSE(targets_.empty());
  EXPECT_EQ(targets_.front(), std::string("POST /v1/devices/") + kImei + "/lock");
  EXPECT_EQ(boost::json::parse(bodies_.front()).at("not_after").as_string(),
            FormatRfc3339(*order.expires_at));
}

TEST_F(OutboxSimulatorTest, ExpiredOrderNeverSent) {
  StartSimulator();
  OpenService();
  DeclareLost();
  Advance(config_.outbox.order_expiry + 1s);
  RunOutbox();
  LockOrder order = Orders().at(0);
  EXPECT_EQ(order.status, OrderStatus::kFailed);
  EXPECT_NE(order.last_error.find("expired"), std::string::npos) << order.last_error;
  EXPECT_TRUE(PlatformOrders().empty());
  EXPECT_EQ(Audited("lock_order_expired"), 1);
}

TEST_F(OutboxSimulatorTest, ReconcileAcknowledgesAppliedOrder) {
  StartSimulator({"--apply-delay-ms", "200"});
  OpenService();
  DeclareLost();
  RunOutbox();
  ASSERT_EQ(Orders().at(0).status, OrderStatus::kSent);
  EXPECT_EQ(DeviceState(), LockState::kLockPending);

  std::this_thread::sleep_for(400ms);
  EXPECT_EQ(service_->Reconcile(clock_.Now()), 1);
  EXPECT_EQ(Orders().at(0).status, OrderStatus::kAcknowledged);
  EXPECT_EQ(DeviceState(), LockState::kLocked);
  EXPECT_EQ(Metric("imeiguard_lock_orders_reconciled_total"), 1);
}

TEST_F(OutboxSimulatorTest, ReconcileResendsOrderPlatformLost) {
  StartSimulator({"--apply-delay-ms", "60000"});
  OpenService();
  DeclareLost();
  RunOutbox();
  ASSERT_EQ(Orders().at(0).status, OrderStatus::kSent);

  // The platform loses its state: a new process without a state file.
  StartSimulator({"--apply-delay-ms", "0"});
  ASSERT_TRUE(PlatformOrders().empty());
  EXPECT_EQ(service_->Reconcile(clock_.Now()), 1);
  EXPECT_EQ(Orders().at(0).status, OrderStatus::kPending);
  RunOutbox();
  EXPECT_EQ(Orders().at(0).status, OrderStatus::kAcknowledged);
  ASSERT_EQ(PlatformOrders().size(), 1u);
  EXPECT_EQ(PlatformOrders().at(0).idempotency_key, Orders().at(0).idempotency_key);
}

TEST_F(OutboxSimulatorTest, UnconfirmedOrderAlertsOnce) {
  StartSimulator({"--apply-delay-ms", "3600000"});
  OpenService();
  DeclareLost();
  RunOutbox();
  ASSERT_EQ(Orders().at(0).status, OrderStatus::kSent);
  service_->Reconcile(clock_.Now());
  EXPECT_EQ(Audited("lock_order_alert"), 0);

  Advance(config_.outbox.confirmation_deadline + 1s);
  service_->Reconcile(clock_.Now());
  Advance(1min);
  service_->Reconcile(clock_.Now());
  EXPECT_EQ(Audited("lock_order_alert"), 1);
  EXPECT_EQ(Metric("imeiguard_lock_alerts_total"), 1);
  EXPECT_EQ(Orders().at(0).status, OrderStatus::kSent);
}

TEST_F(OutboxSimulatorTest, LockedDeviceUnlockedOnPlatformAlerts) {
  StartSimulator();
  OpenService();
  DeclareLost();
  RunOutbox();
  ASSERT_EQ(DeviceState(), LockState::kLocked);
  service_->Reconcile(clock_.Now());
  EXPECT_EQ(Audited("lock_order_alert"), 0);

  // Someone unlocks the phone on the platform, outside imeiguard.
  LockOrder unlock = Orders().at(0);
  unlock.action = LockAction::kUnlock;
  unlock.idempotency_key = "unlocked-by-hand";
  unlock.expires_at.reset();
  ASSERT_EQ(connector_->Submit(unlock).kind, ConnectorReply::Kind::kApplied);

  service_->Reconcile(clock_.Now());
  EXPECT_EQ(Audited("lock_order_alert"), 1);
  EXPECT_EQ(Metric("imeiguard_lock_alerts_total"), 1);
}

TEST_F(OutboxSimulatorTest, UnlockSupersedesInDoubtLock) {
  StartSimulator({"--no-dedup"});
  OpenService();
  replies_to_drop_ = 1;
  DeclareLost();
  RunOutbox();
  ASSERT_EQ(Orders().at(0).status, OrderStatus::kPending);

  Advance(1min);
  Deliver();
  RunOutbox();
  std::vector<LockOrder> orders = Orders();
  ASSERT_EQ(orders.size(), 2u);
  EXPECT_EQ(orders[0].status, OrderStatus::kCancelled);
  EXPECT_EQ(orders[1].action, LockAction::kUnlock);
  EXPECT_EQ(orders[1].status, OrderStatus::kAcknowledged);
  EXPECT_EQ(orders[1].supersedes_order_id, std::optional<std::int64_t>(orders[0].order_id));
  EXPECT_EQ(DeviceState(), LockState::kReleased);

  // The platform applied the lock whose reply was lost once, then the unlock: never the lock
  // again.
  std::vector<PlatformOrder> platform = PlatformOrders();
  ASSERT_EQ(platform.size(), 2u);
  EXPECT_EQ(platform[0].action, LockAction::kLock);
  EXPECT_EQ(platform[1].action, LockAction::kUnlock);
}

TEST_F(OutboxSimulatorTest, UnsentLockCancelledWithoutRequest) {
  StartSimulator();
  OpenService();
  DeclareLost();
  Deliver();
  RunOutbox();
  std::vector<LockOrder> orders = Orders();
  ASSERT_EQ(orders.size(), 1u);
  EXPECT_EQ(orders[0].status, OrderStatus::kCancelled);
  EXPECT_EQ(DeviceState(), LockState::kReleased);
  EXPECT_TRUE(PlatformOrders().empty());
}

}  // namespace
}  // namespace imeiguard

namespace imeiguard {
namespace {

TEST_F(OutboxSimulatorTest, PlatformDownLimitsListings) {
  StartSimulator({"--apply-delay-ms", "3600000"});
  OpenService();
  std::string manifest = "parcel_id,shipper_id,service,promised_by,destination_postcode,imei\n";
  for (int n = 1; n <= 6; ++n) {
    manifest += "37350000000000900" + std::to_string(n) + ",telco-a,home,2030-03-20,41301," +
                Imei::FromCoreValue(35847213000000 + n).WithCheckDigit() + "\n";
  }
  ASSERT_TRUE(service_->ImportManifest(manifest, "", ExportCheck::kEnforce).ok());
  for (int n = 1; n <= 6; ++n) {
    DeclareLost("37350000000000900" + std::to_string(n));
  }
  RunOutbox();

  simulator_.reset();
  std::size_t before = 0;
  {
    std::lock_guard lock(mutex_);
    before = targets_.size();
  }
  EXPECT_EQ(service_->Reconcile(clock_.Now()), 0);
  std::lock_guard lock(mutex_);
  EXPECT_EQ(targets_.size() - before, 3u);
}

}  // namespace
}  // namespace imeiguard
