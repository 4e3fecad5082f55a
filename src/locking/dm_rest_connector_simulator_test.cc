// DmRestConnector against the real simulator executable, started as a separate process on
// 127.0.0.1 for each test.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "locking/dm_rest_connector.h"
#include "locking/request_signing.h"

extern char** environ;

namespace imeiguard {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

constexpr char kTenant[] = "tenant-a";
constexpr char kSecret[] = "simulator-test-secret";
constexpr char kImei[] = "867315042291587";
constexpr char kImei2[] = "867315042291660";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// One simulator process. Its log goes to a file in its own temporary directory.
class SimulatorProcess {
 public:
  // Starts the simulator with `flags` after the listen, port and secret flags, and waits until it
  // has written its port file. `state_file` is kept across processes when the caller reuses it.
  explicit SimulatorProcess(std::vector<std::string> flags = {}) {
    char pattern[] = "/tmp/dm_simulator_test_XXXXXX";
    directory_ = ::mkdtemp(pattern);
    Start(std::move(flags));
  }

  ~SimulatorProcess() {
    Stop();
    std::filesystem::remove_all(directory_);
  }

  void Start(std::vector<std::string> flags) {
    std::string port_file = directory_ + "/port";
    std::filesystem::remove(port_file);
    std::vector<std::string> args = {IMEIGUARD_DM_SIMULATOR_PATH,
                                     "--listen",
                                     "127.0.0.1",
                                     "--port",
                                     "0",
                                     "--port-file",
                                     port_file,
                                     "--secret",
                                     std::string(kTenant) + ":" + kSecret};
    args.insert(args.end(), flags.begin(), flags.end());
    std::vector<char*> argv;
    argv.reserve(args.size() + 1);
    for (std::string& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    std::string log = log_path();
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, log.c_str(),
                                     O_WRONLY | O_CREAT | O_APPEND, 0644);
    int spawned = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ASSERT_EQ(spawned, 0) << "cannot start " << argv[0];

    auto give_up = std::chrono::steady_clock::now() + 10s;
    while (!std::filesystem::exists(port_file)) {
      int status = 0;
      ASSERT_EQ(::waitpid(pid_, &status, WNOHANG), 0) << "the simulator exited:\n" << ReadFile(log);
      ASSERT_LT(std::chrono::steady_clock::now(), give_up) << "no port file:\n" << ReadFile(log);
      std::this_thread::sleep_for(10ms);
    }
    port_ = static_cast<std::uint16_t>(std::stoi(ReadFile(port_file)));
  }

  // Stops the process with `signal` and waits for it to end. After SIGTERM the simulator must
  // exit with status 0, which under the sanitizers also means that it leaked nothing.
  void Stop(int signal = SIGTERM) {
    if (pid_ <= 0) return;
    ::kill(pid_, signal);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    if (signal == SIGTERM) {
      EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
          << "the simulator did not exit cleanly on SIGTERM:\n"
          << ReadFile(log_path());
    }
  }

  std::uint16_t port() const { return port_; }
  std::string state_path() const { return directory_ + "/state.jsonl"; }
  std::string log_path() const { return directory_ + "/simulator.log"; }

 private:
  std::string directory_;
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
};

DmRestConnectorOptions ConnectorOptions(std::uint16_t port, std::string secret = kSecret) {
  DmRestConnectorOptions options;
  options.name = "dm-sim";
  options.host = "127.0.0.1";
  options.port = port;
  options.tenant = kTenant;
  options.secret = std::move(secret);
  options.contact = "+46 8 123 45 67";
  options.request_timeout = 3s;
  return options;
}

LockOrder MakeOrder(std::int64_t id, LockAction action = LockAction::kLock) {
  LockOrder order;
  order.order_id = id;
  order.connector = "dm-sim";
  order.action = action;
  order.imei = *Imei::Parse(kImei, ImeiChannel::kHuman);
  order.idempotency_key = "order-" + std::to_string(id);
  return order;
}

// A signed GET of the simulator's API, for checking what the platform holds.
json::value SignedGet(std::uint16_t port, std::string target) {
  std::int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
  http::ClientRequest request;
  request.port = port;
  request.target = std::move(target);
  SignedRequestParts parts{"GET", request.target, kTenant, "", ""};
  request.headers = {{std::string(kTenantHeader), kTenant},
                     {std::string(kTimestampHeader), std::to_string(now)},
                     {std::string(kSignatureHeader), SignRequest(kSecret, parts, now)}};
  auto response = http::Send(request);
  EXPECT_TRUE(response.ok()) << response.error().message;
  if (!response.ok()) return nullptr;
  EXPECT_EQ(response->status, 200) << response->body;
  return json::parse(response->body);
}

size_t OrderCount(std::uint16_t port, const std::string& query = "") {
  json::value orders = SignedGet(port, "/v1/orders" + query);
  return orders.is_object() ? orders.at("orders").as_array().size() : 0;
}

std::string DeviceState(std::uint16_t port, const std::string& imei) {
  json::value device = SignedGet(port, "/v1/devices/" + imei);
  return device.is_object() ? std::string(device.at("state").as_string()) : "";
}

TEST(DmSimulator, LockIsApplied) {
  SimulatorProcess simulator;
  DmRestConnector connector(ConnectorOptions(simulator.port()));
  ConnectorReply reply = connector.Submit(MakeOrder(1));
  EXPECT_EQ(reply.kind, ConnectorReply::Kind::kApplied) << reply.message;
  EXPECT_FALSE(reply.platform_order_id.empty());
  EXPECT_EQ(DeviceState(simulator.port(), kImei), "locked");
}

TEST(DmSimulator, AcceptedThenPollApplied) {
  SimulatorProcess simulator({"--apply-delay-ms", "300"});
  DmRestConnector connector(ConnectorOptions(simulator.port()));
  LockOrder order = MakeOrder(1);
  ConnectorReply accepted = connector.Submit(order);
  ASSERT_EQ(accepted.kind, ConnectorReply::Kind::kAccepted) << accepted.message;
  ASSERT_FALSE(accepted.platform_order_id.empty());

  order.platform_order_id = accepted.platform_order_id;
  EXPECT_EQ(connector.Poll(order).kind, ConnectorReply::Kind::kAccepted);
  std::this_thread::sleep_for(400ms);
  ConnectorReply applied = connector.Poll(order);
  EXPECT_EQ(applied.kind, ConnectorReply::Kind::kApplied) << applied.message;
  EXPECT_EQ(applied.platform_order_id, accepted.platform_order_id);
}

TEST(DmSimulator, SameIdempotencyKeyIsOneOrder) {
  SimulatorProcess simulator;
  DmRestConnector connector(ConnectorOptions(simulator.port()));
  ConnectorReply first = connector.Submit(MakeOrder(1));
  ConnectorReply second = connector.Submit(MakeOrder(1));
  EXPECT_EQ(first.kind, ConnectorReply::Kind::kApplied);
  EXPECT_EQ(second.kind, ConnectorReply::Kind::kApplied);
  EXPECT_EQ(first.platform_order_id, second.platform_order_id);
  EXPECT_EQ(OrderCount(simulator.port()), 1u);
}

TEST(DmSimulator, NoDedupCreatesTwoOrders) {
  SimulatorProcess simulator({"--no-dedup"});
  DmRestConnector connector(ConnectorOptions(simulator.port()));
  ConnectorReply first = connector.Submit(MakeOrder(1));
  ConnectorReply second = connector.Submit(MakeOrder(1));
  EXPECT_NE(first.platform_order_id, second.platform_order_id);
  EXPECT_EQ(OrderCount(simulator.port()), 2u);
}

TEST(DmSimulator, BadSecretIsRejected) {
  SimulatorProcess simulator;
  DmRestConnector connector(ConnectorOptions(simulator.port(), "not-the-secret"));
  ConnectorReply reply = connector.Submit(MakeOrder(1));
  EXPECT_EQ(reply.kind, ConnectorReply::Kind::kRejected);
  EXPECT_NE(reply.message.find("HTTP 401"), std::string::npos) << reply.message;
  EXPECT_NE(reply.message.find("signature_mismatch"), std::string::npos) << reply.message;
  EXPECT_EQ(reply.message.find("not-the-secret"), std::string::npos);
  EXPECT_EQ(OrderCount(simulator.port()), 0u);
}

TEST(DmSimulator, RateLimitIsRetryLaterWithRetryAfter) {
  SimulatorProcess simulator({"--fail-rate", "1", "--fail-status", "429", "--retry-after", "7"});
  DmRestConnector connector(ConnectorOptions(simulator.port()));
  ConnectorReply reply = connector.Submit(MakeOrder(1));
  EXPECT_EQ(reply.kind, ConnectorReply::Kind::kRetryLater);
  ASSERT_TRUE(reply.retry_after.has_value());
  EXPECT_EQ(*reply.retry_after, 7s);
  EXPECT_NE(reply.message.find("HTTP 429"), std::string::npos) << reply.message;
}

TEST(DmSimulator, ServiceUnavailableIsRetryLater) {
  SimulatorProcess simulator({"--fail-rate", "1", "--fail-status", "503", "--retry-after", "0"});
  DmRestConnector connector(ConnectorOptions(simulator.port()));
  ConnectorReply reply = connector.Submit(MakeOrder(1));
  EXPECT_EQ(reply.kind, ConnectorReply::Kind::kRetryLater);
  EXPECT_FALSE(reply.retry_after.has_value());
  EXPECT_NE(reply.message.find("HTTP 503"), std::string::npos) << reply.message;
}

TEST(DmSimulator, SimulatorDownIsRetryLater) {
  SimulatorProcess simulator;
  std::uint16_t port = simulator.port();
  simulator.Stop();
  DmRestConnector connector(ConnectorOptions(port));
  ConnectorReply reply = connector.Submit(MakeOrder(1));
  EXPECT_EQ(reply.kind, ConnectorReply::Kind::kRetryLater);
  EXPECT_NE(reply.message.find("(connect)"), std::string::npos) << reply.message;
  EXPECT_EQ(reply.message.find(kImei), std::string::npos) << reply.message;
}

TEST(DmSimulator, UnlockAfterLock) {
  SimulatorProcess simulator;
  DmRestConnector connector(ConnectorOptions(simulator.port()));
  ASSERT_EQ(connector.Submit(MakeOrder(1)).kind, ConnectorReply::Kind::kApplied);
  ASSERT_EQ(DeviceState(simulator.port(), kImei), "locked");
  ConnectorReply unlocked = connector.Submit(MakeOrder(2, LockAction::kUnlock));
  EXPECT_EQ(unlocked.kind, ConnectorReply::Kind::kApplied) << unlocked.message;
  EXPECT_EQ(DeviceState(simulator.port(), kImei), "unlocked");
  EXPECT_EQ(OrderCount(simulator.port(), "?action=unlock"), 1u);
}

TEST(DmSimulator, DualSimIsOneOrderForOneDevice) {
  SimulatorProcess simulator;
  DmRestConnector connector(ConnectorOptions(simulator.port()));
  LockOrder order = MakeOrder(1);
  order.imei2 = *Imei::Parse(kImei2, ImeiChannel::kHuman);
  ASSERT_EQ(connector.Submit(order).kind, ConnectorReply::Kind::kApplied);
  EXPECT_EQ(OrderCount(simulator.port()), 1u);
  EXPECT_EQ(DeviceState(simulator.port(), kImei), "locked");
  EXPECT_EQ(DeviceState(simulator.port(), kImei2), "locked");
}

TEST(DmSimulator, KilledSimulatorKeepsOrdersInStateFile) {
  SimulatorProcess simulator;
  std::string state = simulator.state_path();
  simulator.Stop();
  simulator.Start({"--state-file", state});
  DmRestConnector first(ConnectorOptions(simulator.port()));
  LockOrder order = MakeOrder(1);
  ConnectorReply applied = first.Submit(order);
  ASSERT_EQ(applied.kind, ConnectorReply::Kind::kApplied) << applied.message;

  simulator.Stop(SIGKILL);
  simulator.Start({"--state-file", state});
  DmRestConnector second(ConnectorOptions(simulator.port()));
  order.platform_order_id = applied.platform_order_id;
  EXPECT_EQ(second.Poll(order).kind, ConnectorReply::Kind::kApplied);
  order.platform_order_id.clear();
  EXPECT_EQ(second.Submit(order).platform_order_id, applied.platform_order_id);
  EXPECT_EQ(DeviceState(simulator.port(), kImei), "locked");
}

}  // namespace
}  // namespace imeiguard
