// Kills `imeiguard serve` with SIGKILL in the middle of batch uploads, restarts it, and checks that
// every manifest row and event it acknowledged is still there.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <thread>

#include "net/http_client.h"
#include "testing/child_process.h"
#include "testing/openapi_contract.h"

namespace imeiguard {
namespace {

namespace fs = std::filesystem;
using testing::ChildProcess;

class ServeCrashTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("imeiguard-crash-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    std::ofstream(dir_ / "config.toml") << "[default]\nconnectors = []\n";
    key_ = CreateKey();
    auto contract =
        testing::OpenApiContract::Load(std::string(IMEIGUARD_SOURCE_DIR) + "/src/api/openapi.json");
    ASSERT_TRUE(contract.ok()) << contract.error().message;
    contract_ = std::make_unique<testing::OpenApiContract>(std::move(*contract));
    client_ = std::make_unique<testing::ContractClient>(*contract_, 0);
  }
  void TearDown() override {
    server_.reset();
    fs::remove_all(dir_);
    if (client_) {
      EXPECT_THAT(client_->violations(), ::testing::IsEmpty());
    }
  }

  std::string Store() const { return (dir_ / "store.db").string(); }

  std::string CreateKey() {
    std::string out = (dir_ / "key.txt").string();
    auto child = ChildProcess::Start(
        {IMEIGUARD_BINARY, "keys", "create", "--store", Store(), "--role", "admin"}, out);
    EXPECT_TRUE(child.has_value());
    while (child->Running()) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    std::ifstream file(out);
    std::string key;
    file >> key;
    EXPECT_EQ(key.rfind("igk_", 0), 0u) << key;
    return key;
  }

  void StartServer() {
    std::string port_file = (dir_ / "port").string();
    fs::remove(port_file);
    server_ = std::make_unique<ChildProcess>(*ChildProcess::Start(
        {IMEIGUARD_BINARY, "serve", "--config", (dir_ / "config.toml").string(), "--store", Store(),
         "--port", "0", "--port-file", port_file},
        (dir_ / "server.log").string()));
    auto port = testing::WaitForPortFile(port_file, std::chrono::seconds(20));
    ASSERT_TRUE(port.has_value()) << "the server did not start; see " << dir_ / "server.log";
    client_->set_port(*port);
  }

  // Sends with the admin key and checks the response against the OpenAPI description.
  Result<http::ClientResponse> Call(std::string method, std::string target, std::string body) {
    return client_->Send(std::move(method), std::move(target), key_, std::move(body));
  }

  fs::path dir_;
  std::string key_;
  std::unique_ptr<ChildProcess> server_;
  std::unique_ptr<testing::OpenApiContract> contract_;
  std::unique_ptr<testing::ContractClient> client_;
};

std::string ParcelId(int n) {
  std::string digits = std::to_string(n);
  return "3735" + std::string(14 - digits.size(), '0') + digits;
}

// A valid 15-digit IMEI whose serial is `n`.
std::string ImeiFor(int n) {
  std::string core =
      "35847210" + std::string(6 - std::to_string(n).size(), '0') + std::to_string(n);
  int sum = 0;
  for (int i = 0; i < 14; ++i) {
    int digit = core[i] - '0';
    if (i % 2 == 1) digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
    sum += digit;
  }
  return core + std::to_string((10 - sum % 10) % 10);
}

TEST_F(ServeCrashTest, AcknowledgedRowsSurviveKill) {
  constexpr int kParcelsPerBatch = 20;
  constexpr int kEventsPerBatch = 300;
  std::set<std::string> acked_parcels;
  std::map<std::string, std::set<std::string>> acked_events;  // parcel -> event ids
  int next_parcel = 1;
  int next_event = 1;
  std::mt19937 random(42);

  for (int round = 0; round < 5; ++round) {
    StartServer();
    std::atomic<bool> stop{false};
    std::thread killer([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(300 + random() % 900));
      server_->Stop(SIGKILL);
      stop = true;
    });

    while (!stop) {
      std::string manifest = "parcel_id,shipper_id,service,promised_by,destination_postcode,imei\n";
      std::vector<std::string> batch_parcels;
      for (int i = 0; i < kParcelsPerBatch; ++i, ++next_parcel) {
        batch_parcels.push_back(ParcelId(next_parcel));
        manifest +=
            ParcelId(next_parcel) + ",telco-a,home,2030-01-01,41301," + ImeiFor(next_parcel) + "\n";
      }
      auto imported = Call("POST", "/v1/manifests", manifest);
      if (!imported.ok()) break;
      ASSERT_EQ(imported->status, 200) << imported->body;
      acked_parcels.insert(batch_parcels.begin(), batch_parcels.end());

      std::string events;
      std::vector<std::pair<std::string, std::string>> batch_events;
      for (int i = 0; i < kEventsPerBatch; ++i, ++next_event) {
        std::string parcel = ParcelId(1 + next_event % (next_parcel - 1));
        std::string id = "crash-" + std::to_string(next_event);
        batch_events.emplace_back(parcel, id);
        events += R"({"event_id":")" + id + R"(","parcel_id":")" + parcel +
                  R"(","type":"arrived","time":"2026-03-01T08:00:00Z","node":"SE-TERM-GBG"})" +
                  "\n";
      }
      auto ingested = Call("POST", "/v1/events", events);
      if (!ingested.ok()) break;
      ASSERT_EQ(ingested->status, 200) << ingested->body;
      for (auto& [parcel, id] : batch_events) acked_events[parcel].insert(id);
    }
    killer.join();
  }

  StartServer();
  for (const std::string& parcel : acked_parcels) {
    auto response = Call("GET", "/v1/parcels/" + parcel, "");
    ASSERT_TRUE(response.ok());
    ASSERT_EQ(response->status, 200) << "acknowledged parcel " << parcel << " is missing";
    std::set<std::string> stored;
    boost::system::error_code error;
    boost::json::value parcel_json = boost::json::parse(response->body, error);
    ASSERT_FALSE(error) << response->body;
    ASSERT_TRUE(parcel_json.is_object()) << response->body;
    for (const auto& event : parcel_json.at("events").as_array()) {
      stored.insert(std::string(event.at("event_id").as_string()));
    }
    for (const std::string& id : acked_events[parcel]) {
      EXPECT_TRUE(stored.contains(id))
          << "acknowledged event " << id << " of " << parcel << " is missing";
    }
  }
  EXPECT_GT(acked_parcels.size(), 0u);
}

}  // namespace
}  // namespace imeiguard
