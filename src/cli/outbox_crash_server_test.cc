// Kills `imeiguard serve` with SIGKILL at random points while it sends a burst of lock and unlock
// orders to the real device-management simulator, which does not deduplicate (--no-dedup), and
// restarts it each time. At the end no order is lost, the platform applied no order twice, and
// every device's lock state equals the platform's.
//
// The seed of the kill times is printed; IMEIGUARD_CRASH_SEED=N repeats a run.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <boost/json.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "locking/dm_rest_connector.h"
#include "testing/child_process.h"
#include "testing/openapi_contract.h"
#include "testing/serve_process.h"

namespace imeiguard {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr int kParcels = 200;
constexpr int kKills = 100;
constexpr char kTenant[] = "tenant-a";
constexpr char kSecret[] = "outbox-crash-secret";

std::string ParcelId(int n) {
  std::string digits = std::to_string(n);
  return "3735" + std::string(14 - digits.size(), '0') + digits;
}

Imei ImeiOf(int n) { return Imei::FromCoreValue(35847212000000 + static_cast<std::uint64_t>(n)); }

// Every third parcel turns up after its loss was declared, so its phone is unlocked.
bool Delivered(int n) { return n % 3 == 0; }

std::uint64_t Seed() {
  const char* text = std::getenv("IMEIGUARD_CRASH_SEED");
  return text != nullptr ? std::strtoull(text, nullptr, 10) : 20261204;
}

// The requests of the burst, in order: every parcel reported missing, then the deliveries.
struct Step {
  std::string target;
  std::string body;
};

std::vector<Step> Burst() {
  std::vector<Step> steps;
  for (int n = 1; n <= kParcels; ++n) {
    // A carrier's missing-parcel scan locks on its own, whereas an officer's declaration waits
    // for a second officer.
    steps.push_back({"/v1/events",
                     R"({"event_id":"missing-)" + std::to_string(n) + R"(","parcel_id":")" +
                         ParcelId(n) +
                         R"(","type":"exception_missing","time":"2026-03-01T11:00:00Z"})" + "\n"});
  }
  for (int n = 1; n <= kParcels; ++n) {
    if (!Delivered(n)) continue;
    steps.push_back({"/v1/events", R"({"event_id":"found-)" + std::to_string(n) +
                                       R"(","parcel_id":")" + ParcelId(n) +
                                       R"(","type":"delivered","time":"2026-03-01T12:00:00Z"})" +
                                       "\n"});
  }
  return steps;
}

class OutboxCrashTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = fs::temp_directory_path() / ("imeiguard-outbox-crash-" + std::to_string(::getpid()));
    fs::remove_all(base_);
    fs::create_directories(base_);
    StartSimulator();
    std::ofstream(base_ / "dm.secret") << kSecret << "\n";

    auto contract =
        testing::OpenApiContract::Load(std::string(IMEIGUARD_SOURCE_DIR) + "/src/api/openapi.json");
    ASSERT_TRUE(contract.ok()) << contract.error().message;
    contract_ = std::make_unique<testing::OpenApiContract>(std::move(*contract));
    client_ = std::make_unique<testing::ContractClient>(*contract_, 0);

    server_ =
        std::make_unique<testing::ServeProcess>(IMEIGUARD_BINARY, base_ / "serve", ServeConfig());
    for (auto [key, role] : {std::pair{&admin_, "admin"}, {&carrier_, "carrier"}}) {
      auto created = server_->CreateKey(role);
      ASSERT_TRUE(created.ok()) << created.error().message;
      *key = *created;
    }

    DmRestConnectorOptions options;
    options.name = "dm";
    options.port = simulator_port_;
    options.tenant = kTenant;
    options.secret = kSecret;
    platform_ = std::make_unique<DmRestConnector>(options);
  }

  void TearDown() override {
    server_.reset();
    simulator_.reset();
    fs::remove_all(base_);
    if (client_) {
      EXPECT_THAT(client_->violations(), ::testing::IsEmpty());
    }
  }

  void StartSimulator() {
    fs::path port_file = base_ / "simulator.port";
    auto child = testing::ChildProcess::Start(
        {IMEIGUARD_DM_SIMULATOR_PATH, "--port", "0", "--port-file", port_file.string(), "--secret",
         std::string(kTenant) + ":" + kSecret, "--no-dedup", "--state-file",
         (base_ / "simulator.jsonl").string(), "--log-level", "warn"},
        (base_ / "simulator.log").string());
    ASSERT_TRUE(child.has_value());
    simulator_ = std::make_unique<testing::ChildProcess>(std::move(*child));
    auto port = testing::WaitForPortFile(port_file.string(), 10s);
    ASSERT_TRUE(port.has_value()) << "the simulator did not start; see " << base_;
    simulator_port_ = *port;
  }

  // Short intervals, so that retries, polls and reconciliation all happen between the kills.
  std::string ServeConfig() const {
    return "tick_interval_ms = 100\n"
           "[default]\n"
           "connectors = [\"dm\"]\n"
           "[connectors.dm]\n"
           "port = " +
           std::to_string(simulator_port_) +
           "\n"
           "tenant = \"" +
           kTenant +
           "\"\n"
           "secret_file = \"" +
           (base_ / "dm.secret").string() +
           "\"\n"
           "request_timeout_ms = 1000\n"
           "[outbox]\n"
           "poll_interval_ms = 100\n"
           "base_delay_ms = 100\n"
           "max_delay_ms = 1000\n"
           "reconcile_interval_seconds = 2\n";
  }

  void StartServer() {
    Status started = server_->Start();
    ASSERT_TRUE(started.ok()) << started.error().message;
    client_->set_port(server_->port());
  }

  Result<http::ClientResponse> Call(std::string method, std::string target, const std::string& key,
                                    std::string body = {}) {
    return client_->Send(std::move(method), std::move(target), key, std::move(body));
  }

  // Waits until no order is pending or sent; returns false after `timeout`.
  bool WaitForSettledOrders(Duration timeout) {
    auto give_up = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < give_up) {
      bool settled = true;
      for (std::string_view status : {"pending", "sent"}) {
        auto page = Call("GET", "/v1/orders?limit=1&status=" + std::string(status), admin_);
        if (!page.ok() || page->status != 200) return false;
        settled = settled && boost::json::parse(page->body).at("orders").as_array().empty();
      }
      if (settled) return true;
      std::this_thread::sleep_for(200ms);
    }
    return false;
  }

  fs::path base_;
  std::unique_ptr<testing::ChildProcess> simulator_;
  std::uint16_t simulator_port_ = 0;
  std::unique_ptr<testing::ServeProcess> server_;
  std::unique_ptr<testing::OpenApiContract> contract_;
  std::unique_ptr<testing::ContractClient> client_;
  std::unique_ptr<DmRestConnector> platform_;
  std::string admin_;
  std::string carrier_;
};

TEST_F(OutboxCrashTest, KilledServerLocksEachDeviceOnce) {
  std::uint64_t seed = Seed();
  std::cout << "kill times seeded with " << seed << " (set IMEIGUARD_CRASH_SEED to repeat)\n";
  std::mt19937_64 random(seed);

  StartServer();
  std::string manifest = "parcel_id,shipper_id,service,promised_by,destination_postcode,imei\n";
  for (int n = 1; n <= kParcels; ++n) {
    manifest += ParcelId(n) + ",telco-a,home,2030-01-01,41301," + ImeiOf(n).WithCheckDigit() + "\n";
  }
  auto imported = Call("POST", "/v1/manifests", admin_, manifest);
  ASSERT_TRUE(imported.ok()) << imported.error().message;
  ASSERT_EQ(imported->status, 200) << imported->body;

  // Each round sends the next steps of the burst until the server is killed at a random instant.
  // A step whose response was lost is sent again, because both kinds of request are idempotent.
  std::vector<Step> steps = Burst();
  std::size_t next_step = 0;
  for (int round = 0; round < kKills; ++round) {
    if (round > 0) StartServer();
    std::atomic<bool> killed{false};
    auto delay = std::chrono::milliseconds(random() % 400);
    std::thread killer([&] {
      std::this_thread::sleep_for(delay);
      server_->Stop(SIGKILL);
      killed = true;
    });
    while (!killed && next_step < steps.size()) {
      const Step& step = steps[next_step];
      auto response = Call("POST", step.target, carrier_, step.body);
      if (!response.ok()) break;
      ASSERT_EQ(response->status, 200) << step.target << ": " << response->body;
      ++next_step;
    }
    killer.join();
  }
  ASSERT_EQ(next_step, steps.size()) << "the kills left no time for the burst";

  StartServer();
  ASSERT_TRUE(WaitForSettledOrders(std::chrono::seconds(60)))
      << "orders still open after 60 s; see " << server_->log_path();

  for (int n = 1; n <= kParcels; ++n) {
    SCOPED_TRACE("parcel " + ParcelId(n));
    auto parcel = Call("GET", "/v1/parcels/" + ParcelId(n), admin_);
    ASSERT_TRUE(parcel.ok());
    ASSERT_EQ(parcel->status, 200) << parcel->body;
    boost::json::value body = boost::json::parse(parcel->body);
    std::string state(body.at("devices").at(0).at("state").as_string());
    for (const auto& order : body.at("orders").as_array()) {
      EXPECT_NE(order.at("status").as_string(), "failed") << boost::json::serialize(order);
    }

    auto listed = platform_->ListOrders(ImeiOf(n));
    ASSERT_TRUE(listed.ok()) << listed.error().message;
    int applied_locks = 0;
    int applied_unlocks = 0;
    bool platform_locked = false;
    for (const PlatformOrder& order : *listed) {
      if (order.status != PlatformOrderStatus::kApplied) continue;
      bool lock = order.action == LockAction::kLock;
      applied_locks += lock;
      applied_unlocks += !lock;
      platform_locked = lock;
    }

    // Each device has one live cycle: a lock, then for a delivered parcel an unlock.
    EXPECT_LE(applied_locks, 1);
    EXPECT_LE(applied_unlocks, 1);
    if (Delivered(n)) {
      EXPECT_EQ(state, "released");
      EXPECT_FALSE(platform_locked);
    } else {
      EXPECT_EQ(state, "locked");
      EXPECT_TRUE(platform_locked);
      EXPECT_EQ(applied_locks, 1);
    }
  }
}

}  // namespace
}  // namespace imeiguard
