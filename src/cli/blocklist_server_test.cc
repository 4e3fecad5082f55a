// Runs `imeiguard serve` with a blocklist_file connector: a lost parcel's IMEIs appear in the
// feed's deltas, its recovery adds remove rows, an acknowledged row survives kill -9, and a
// connector's secret appears in no output.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "locking/blocklist_file.h"
#include "testing/openapi_contract.h"
#include "testing/serve_process.h"

namespace imeiguard {
namespace {

namespace fs = std::filesystem;
using testing::ContractClient;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using testing::OpenApiContract;
using testing::ServeProcess;

constexpr std::string_view kParcel = "373500000000001234";
constexpr std::string_view kImei = "867315042291587";
constexpr std::string_view kImei2 = "867315042291660";
constexpr std::string_view kManifest =
    "parcel_id,shipper_id,service,promised_by,destination_postcode,imei,imei2\n"
    "373500000000001234,telco-a,locker,2030-01-01,41301,867315042291587,867315042291660\n";
constexpr std::string_view kMissing =
    R"({"event_id":"bl-1","parcel_id":"373500000000001234","type":"exception_missing",)"
    R"("time":"2026-03-02T06:14:09Z"})"
    "\n";
constexpr std::string_view kDelivered =
    R"({"event_id":"bl-2","parcel_id":"373500000000001234","type":"delivered",)"
    R"("time":"2026-03-02T09:00:00Z"})"
    "\n";
// Recognisable, so that any output that contains it is found.
constexpr std::string_view kSecret = "zq7-SECRET-of-the-dm-platform-4711";

std::string ReadFile(const fs::path& path) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

// Runs imeiguard with `arguments` (no shell quoting needed) and returns its exit code, with its
// stdout in `out`.
int RunImeiguard(const std::string& arguments, const fs::path& output, std::string& out) {
  std::string command =
      std::string(IMEIGUARD_BINARY) + " " + arguments + " >" + output.string() + " 2>&1";
  int status = std::system(command.c_str());
  out = ReadFile(output);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

class BlocklistServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto contract =
        OpenApiContract::Load(std::string(IMEIGUARD_SOURCE_DIR) + "/src/api/openapi.json");
    ASSERT_TRUE(contract.ok()) << contract.error().message;
    contract_ = std::make_unique<OpenApiContract>(std::move(*contract));
    dir_ = fs::temp_directory_path() /
           ("imeiguard-blocklist-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
  }

  void TearDown() override {
    if (client_) {
      EXPECT_THAT(client_->violations(), IsEmpty());
    }
  }

  // Starts a server whose default connectors are `connectors`, with feed "ops" in feed/, which
  // publishes its open delta every `delta_every_seconds`.
  void StartServer(std::string_view connectors, int delta_every_seconds,
                   std::string_view extra_config = "") {
    std::string config = "[default]\nconnectors = [" + std::string(connectors) +
                         "]\n"
                         "[outbox]\nbase_delay_ms = 100\nmax_delay_ms = 500\n"
                         "[connectors.ops]\nkind = \"blocklist_file\"\n"
                         "directory = \"" +
                         (dir_ / "feed").string() +
                         "\"\ndelta_every_seconds = " + std::to_string(delta_every_seconds) + "\n" +
                         std::string(extra_config);
    server_ = std::make_unique<ServeProcess>(IMEIGUARD_BINARY, dir_, config);
    auto admin = server_->CreateKey("admin");
    ASSERT_TRUE(admin.ok()) << admin.error().message;
    key_ = *admin;
    Restart();
  }

  void Restart() {
    Status started = server_->Start();
    ASSERT_TRUE(started.ok()) << started.error().message;
    client_ = std::make_unique<ContractClient>(*contract_, server_->port());
  }

  std::string Call(std::string method, std::string target, std::string body = "") {
    auto response = client_->Send(std::move(method), std::move(target), key_, std::move(body));
    EXPECT_TRUE(response.ok()) << response.error().message;
    if (!response.ok()) return "";
    EXPECT_EQ(response->status, 200) << response->body;
    return response->body;
  }

  // Every delta row of feed "ops", published or still in the open delta, in order.
  std::vector<BlocklistRow> DeltaRows() {
    std::vector<std::pair<std::string, fs::path>> files;
    std::error_code error;
    for (const auto& entry : fs::directory_iterator(dir_ / "feed", error)) {
      std::string name = entry.path().filename().string();
      if (name.starts_with("ops-delta-") && name.ends_with(".csv")) files.emplace_back(name, entry);
    }
    std::sort(files.begin(), files.end());
    files.emplace_back("open", dir_ / "feed" / ".staging" / "ops-delta.open");
    std::vector<BlocklistRow> rows;
    for (const auto& [name, path] : files) {
      if (!fs::exists(path)) continue;
      auto parsed = ParseBlocklistFile(ReadFile(path), path.string());
      EXPECT_TRUE(parsed.ok()) << parsed.error().message;
      if (parsed.ok()) rows.insert(rows.end(), parsed->rows.begin(), parsed->rows.end());
    }
    return rows;
  }

  // Waits up to 20 s until the deltas have `count` rows of `action`; returns them.
  std::vector<BlocklistRow> WaitForRows(LockAction action, std::size_t count) {
    std::vector<BlocklistRow> matching;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
      matching.clear();
      for (const BlocklistRow& row : DeltaRows()) {
        if (row.action == action) matching.push_back(row);
      }
      if (matching.size() >= count) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return matching;
  }

  // Waits up to 20 s for an order in status `status`.
  bool WaitForOrderStatus(std::string_view status) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
      std::string body = Call("GET", "/v1/orders?status=" + std::string(status));
      if (body.find("\"order_id\"") != std::string::npos) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }

  fs::path dir_;
  std::unique_ptr<OpenApiContract> contract_;
  std::unique_ptr<ServeProcess> server_;
  std::unique_ptr<ContractClient> client_;
  std::string key_;
};

TEST_F(BlocklistServerTest, LockAndUnlockReachDeltaFiles) {
  // Only shipper telco-a, whose manifest this is, uses the feed.
  StartServer("", 1, "[shippers.telco-a]\nconnectors = [\"ops\"]\n");
  Call("POST", "/v1/manifests", std::string(kManifest));
  Call("POST", "/v1/events", std::string(kMissing));

  std::vector<BlocklistRow> added = WaitForRows(LockAction::kLock, 2);
  ASSERT_EQ(added.size(), 2u) << "see " << server_->log_path();
  EXPECT_EQ(added[0].imei.WithCheckDigit(), kImei);
  EXPECT_EQ(added[1].imei.WithCheckDigit(), kImei2);
  EXPECT_THAT(added[0].reason, HasSubstr("lost"));

  Call("POST", "/v1/events", std::string(kDelivered));
  std::vector<BlocklistRow> removed = WaitForRows(LockAction::kUnlock, 2);
  ASSERT_EQ(removed.size(), 2u) << "see " << server_->log_path();
  EXPECT_EQ(removed[0].imei.WithCheckDigit(), kImei);
  EXPECT_EQ(removed[1].imei.WithCheckDigit(), kImei2);
  EXPECT_GT(removed[0].order_id, added[0].order_id);
  EXPECT_GE(removed[0].changed_at, added[0].changed_at);

  // The server published a full file at start, and the deltas with checksums since.
  bool full_seen = false;
  for (const auto& entry : fs::directory_iterator(dir_ / "feed")) {
    std::string name = entry.path().filename().string();
    if (!name.ends_with(".csv")) continue;
    full_seen = full_seen || name.starts_with("ops-full-000001-");
    EXPECT_TRUE(fs::exists(entry.path().string() + ".sha256")) << name;
  }
  EXPECT_TRUE(full_seen);
}

TEST_F(BlocklistServerTest, AcknowledgedRowSurvivesKill) {
  // A delta is published only after an hour, so the row stays in the open delta.
  StartServer("\"ops\"", 3600);
  Call("POST", "/v1/manifests", std::string(kManifest));
  Call("POST", "/v1/events", std::string(kMissing));
  ASSERT_TRUE(WaitForOrderStatus("acknowledged")) << "see " << server_->log_path();
  server_->Stop(SIGKILL);

  Restart();
  std::vector<BlocklistRow> added = WaitForRows(LockAction::kLock, 2);
  ASSERT_EQ(added.size(), 2u);
  EXPECT_EQ(added[0].imei.WithCheckDigit(), kImei);
  EXPECT_EQ(added[1].imei.WithCheckDigit(), kImei2);
  EXPECT_TRUE(fs::exists(dir_ / "feed" / ".staging" / "ops-delta.open"));
  // The restarted outbox has nothing left to append: no order is appended twice.
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_EQ(WaitForRows(LockAction::kLock, 2).size(), 2u);
}

TEST_F(BlocklistServerTest, CommandsReadFeedAndStore) {
  StartServer("\"ops\"", 3600);
  Call("POST", "/v1/manifests", std::string(kManifest));
  Call("POST", "/v1/events", std::string(kMissing));
  ASSERT_TRUE(WaitForOrderStatus("acknowledged")) << "see " << server_->log_path();
  server_->Stop();
  std::string feed_args = "--config " + (dir_ / "config.toml").string() + " --connector ops";
  fs::path output = dir_ / "command.txt";
  std::string out;

  ASSERT_EQ(RunImeiguard("blocklist publish " + feed_args, output, out), 0) << out;
  EXPECT_THAT(out, HasSubstr("2 delta "));
  ASSERT_EQ(RunImeiguard("blocklist list " + feed_args, output, out), 0) << out;
  EXPECT_THAT(out, HasSubstr("1 full "));
  EXPECT_THAT(out, HasSubstr("2 delta "));
  ASSERT_EQ(RunImeiguard("blocklist fetch " + feed_args + " --since 1", output, out), 0) << out;
  EXPECT_THAT(out, HasSubstr(std::string(kImei) + ",20"));
  EXPECT_THAT(out, HasSubstr(std::string(kImei2) + ",20"));
  ASSERT_EQ(RunImeiguard("blocklist publish --full " + feed_args + " --store " +
                             (dir_ / "store.db").string(),
                         output, out),
            0)
      << out;
  EXPECT_THAT(out, HasSubstr("3 full "));

  fs::path exported = dir_ / "dirbs.csv";
  ASSERT_EQ(RunImeiguard("export blocklist --format dirbs --store " + (dir_ / "store.db").string() +
                             " --out " + exported.string(),
                         output, out),
            0)
      << out;
  EXPECT_THAT(out, HasSubstr("exported 2 rows"));
  std::string dirbs = ReadFile(exported);
  EXPECT_THAT(dirbs, HasSubstr("imei,reporting_date,status\n"));
  EXPECT_THAT(dirbs, HasSubstr(std::string(kImei) + ",2026"));
  EXPECT_THAT(dirbs, HasSubstr(std::string(kImei2) + ","));

  EXPECT_EQ(
      RunImeiguard("blocklist list --config " + (dir_ / "config.toml").string() + " --connector dm",
                   output, out),
      2);
  EXPECT_THAT(out, HasSubstr("no connector 'dm' of kind \"blocklist_file\"; it has ops"));
}

TEST_F(BlocklistServerTest, SecretAppearsInNoOutput) {
  ::setenv("IMEIGUARD_BLOCKLIST_TEST_SECRET", std::string(kSecret).c_str(), 1);
  // Nothing listens on the platform's port, so every attempt fails and is logged.
  StartServer("\"dm\", \"ops\"", 1,
              "[connectors.dm]\nkind = \"dm_rest\"\nhost = \"127.0.0.1\"\nport = 9\n"
              "tenant = \"t\"\nsecret_env = \"IMEIGUARD_BLOCKLIST_TEST_SECRET\"\n"
              "request_timeout_ms = 200\n");
  Call("POST", "/v1/manifests", std::string(kManifest));
  Call("POST", "/v1/events", std::string(kMissing));
  ASSERT_EQ(WaitForRows(LockAction::kLock, 2).size(), 2u);
  std::this_thread::sleep_for(std::chrono::seconds(2));

  std::string outputs = Call("GET", "/metrics") + Call("GET", "/v1/orders") +
                        Call("GET", "/v1/parcels/" + std::string(kParcel));
  server_->Stop();
  std::string log = ReadFile(server_->log_path());
  EXPECT_THAT(log, HasSubstr("connector dm: device-management platform at 127.0.0.1:9"));
  EXPECT_THAT(log, HasSubstr("signing secret set"));
  EXPECT_THAT(outputs, HasSubstr("connect"));  // The failed attempts are reported...
  EXPECT_THAT(log, Not(HasSubstr(kSecret)));   // ...and the secret is in none of it.
  EXPECT_THAT(outputs, Not(HasSubstr(kSecret)));
  // The store contains the audit trail, with the config_changed entry, and the orders' errors.
  for (const char* suffix : {"", "-wal"}) {
    fs::path file = dir_ / ("store.db" + std::string(suffix));
    if (fs::exists(file)) {
      EXPECT_THAT(ReadFile(file), Not(HasSubstr(kSecret))) << file;
    }
  }
  ::unsetenv("IMEIGUARD_BLOCKLIST_TEST_SECRET");
}

}  // namespace
}  // namespace imeiguard
