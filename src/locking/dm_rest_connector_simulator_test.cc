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

// A signed POST of the simulator's API, as a device or an operator of the platform would make it.
json::value SignedPost(std::uint16_t port, std::string target, std::string body = "",
                       std::string key = "") {
  std::int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
  http::ClientRequest request;
  request.method = "POST";
  request.port = port;
  request.target = std::move(target);
  request.body = std::move(body);
  SignedRequestParts parts{"POST", request.target, kTenant, key, request.body};
  request.headers = {{std::string(kTenantHeader), kTenant},
                     {std::string(kTimestampHeader), std::to_string(now)},
                     {std::string(kSignatureHeader), SignRequest(kSecret, parts, now)}};
  if (!key.empty()) request.headers.emplace_back(kIdempotencyKeyHeader, key);
  auto response = http::Send(request);
  EXPECT_TRUE(response.ok()) << response.error().message;
  if (!response.ok()) return nullptr;
  EXPECT_LT(response->status, 300) << response->body;
  return json::parse(response->body);
}

// Polls until the platform has finished the order (or 10 s have passed) and returns the last
// reply. The simulator applies due orders on a timer, so a final state comes without a request.
ConnectorReply PollUntilFinished(DmRestConnector& connector, const LockOrder& order) {
  ConnectorReply reply = connector.Poll(order);
  auto give_up = std::chrono::steady_clock::now() + 10s;
  while (reply.kind == ConnectorReply::Kind::kAccepted &&
         std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(20ms);
    reply = connector.Poll(order);
  }
  return reply;
}

std::int64_t AppliedLocks(std::uint16_t port) {
  json::value stats = SignedGet(port, "/v1/stats");
  return stats.is_object() ? stats.at("applied_locks").as_int64() : -1;
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

TEST(DmSimulatorFaults, HangIsRetryLaterAfterTheRequestTimeout) {
  SimulatorProcess simulator({"--hang-rate", "1"});
  DmRestConnectorOptions options = ConnectorOptions(simulator.port());
  options.request_timeout = 400ms;
  DmRestConnector connector(options);
  ConnectorReply reply = connector.Submit(MakeOrder(1));
  EXPECT_EQ(reply.kind, ConnectorReply::Kind::kRetryLater);
  EXPECT_NE(reply.message.find("(timeout)"), std::string::npos) << reply.message;
  EXPECT_NE(reply.message.find("request timeout of 400 ms"), std::string::npos) << reply.message;
}

TEST(DmSimulatorFaults, SlowResponseWithinTheTimeoutIsApplied) {
  SimulatorProcess simulator({"--response-delay-ms", "100", "--response-jitter-ms", "100"});
  DmRestConnector connector(ConnectorOptions(simulator.port()));
  ConnectorReply reply = connector.Submit(MakeOrder(1));
  EXPECT_EQ(reply.kind, ConnectorReply::Kind::kApplied) << reply.message;
}

TEST(DmSimulatorFaults, ResponseSlowerThanTheTimeoutIsRetryLater) {
  SimulatorProcess simulator({"--response-delay-ms", "1000"});
  DmRestConnectorOptions options = ConnectorOptions(simulator.port());
  options.request_timeout = 300ms;
  DmRestConnector connector(options);
  ConnectorReply reply = connector.Submit(MakeOrder(1));
  EXPECT_EQ(reply.kind, ConnectorReply::Kind::kRetryLater);
  EXPECT_NE(reply.message.find("(timeout)"), std::string::npos) << reply.message;
}

TEST(DmSimulatorFaults, DroppedConnectionIsRetryLaterAndCreatesNoOrder) {
  SimulatorProcess simulator;
  std::string state = simulator.state_path();
  simulator.Stop();
  simulator.Start({"--state-file", state, "--drop-rate", "1"});
  DmRestConnector connector(ConnectorOptions(simulator.port()));
  ConnectorReply reply = connector.Submit(MakeOrder(1));
  EXPECT_EQ(reply.kind, ConnectorReply::Kind::kRetryLater);
  EXPECT_NE(reply.message.find("(connection_lost)"), std::string::npos) << reply.message;
  EXPECT_NE(reply.message.find("may have taken the order"), std::string::npos) << reply.message;

  // Every request is dropped, reads too; the platform's state is read after a restart without
  // the fault.
  simulator.Stop();
  simulator.Start({"--state-file", state});
  EXPECT_EQ(OrderCount(simulator.port()), 0u);
}

TEST(DmSimulatorFaults, ResetConnectionIsRetryLater) {
  SimulatorProcess simulator({"--drop-rate", "1", "--drop-mode", "reset"});
  DmRestConnector connector(ConnectorOptions(simulator.port()));
  ConnectorReply reply = connector.Submit(MakeOrder(1));
  EXPECT_EQ(reply.kind, ConnectorReply::Kind::kRetryLater);
  EXPECT_NE(reply.message.find("(connection_lost)"), std::string::npos) << reply.message;
  EXPECT_NE(reply.message.find("reset"), std::string::npos) << reply.message;
}

// The dangerous drop: the platform applied the order but the client never heard. Sending it again
// with the same key, as the outbox does, must not lock the device a second time.
TEST(DmSimulatorFaults, DropAfterApplyThenResendAppliesOnce) {
  SimulatorProcess simulator({"--drop-after-apply-rate", "0.6", "--seed", "3"});
  DmRestConnector connector(ConnectorOptions(simulator.port()));
  LockOrder order = MakeOrder(1);
  int dropped = 0;
  ConnectorReply reply = connector.Submit(order);
  for (int attempt = 1; attempt < 30 && reply.kind == ConnectorReply::Kind::kRetryLater;
       ++attempt) {
    EXPECT_NE(reply.message.find("(connection_lost)"), std::string::npos) << reply.message;
    ++dropped;
    reply = connector.Submit(order);
  }
  ASSERT_EQ(reply.kind, ConnectorReply::Kind::kApplied) << reply.message;
  EXPECT_GE(dropped, 1) << "the seed drew no drop, so the test proves nothing";
  EXPECT_EQ(OrderCount(simulator.port()), 1u);
  EXPECT_EQ(AppliedLocks(simulator.port()), 1);
}

// Without deduplication on the platform every resend is a new order, and the stats show it: the
// check that the test above relies on can fail.
TEST(DmSimulatorFaults, DropAfterApplyWithoutDedupAppliesTwice) {
  SimulatorProcess simulator({"--drop-after-apply-rate", "1", "--no-dedup"});
  DmRestConnector connector(ConnectorOptions(simulator.port()));
  LockOrder order = MakeOrder(1);
  EXPECT_EQ(connector.Submit(order).kind, ConnectorReply::Kind::kRetryLater);
  EXPECT_EQ(connector.Submit(order).kind, ConnectorReply::Kind::kRetryLater);
  EXPECT_EQ(AppliedLocks(simulator.port()), 2);
}

TEST(DmSimulatorFaults, RateLimitAndServerErrorsCombine) {
  SimulatorProcess simulator(
      {"--fail-rate", "1", "--fail-status", "429,503,500", "--retry-after", "3"});
  DmRestConnector connector(ConnectorOptions(simulator.port()));
  for (const char* status : {"HTTP 429", "HTTP 503", "HTTP 500"}) {
    ConnectorReply reply = connector.Submit(MakeOrder(1));
    EXPECT_EQ(reply.kind, ConnectorReply::Kind::kRetryLater) << reply.message;
    EXPECT_NE(reply.message.find(status), std::string::npos) << reply.message;
    ASSERT_TRUE(reply.retry_after.has_value()) << reply.message;
    EXPECT_EQ(*reply.retry_after, 3s);
  }
}

TEST(DmSimulatorFaults, OfflineDeviceIsAcceptedAndAppliedAfterCheckIn) {
  SimulatorProcess simulator({"--offline-rate", "1"});
  DmRestConnector connector(ConnectorOptions(simulator.port()));
  LockOrder order = MakeOrder(1);
  ConnectorReply accepted = connector.Submit(order);
  ASSERT_EQ(accepted.kind, ConnectorReply::Kind::kAccepted) << accepted.message;
  order.platform_order_id = accepted.platform_order_id;
  EXPECT_EQ(connector.Poll(order).kind, ConnectorReply::Kind::kAccepted);

  SignedPost(simulator.port(), std::string("/v1/devices/") + kImei + "/check-in");
  ConnectorReply applied = PollUntilFinished(connector, order);
  EXPECT_EQ(applied.kind, ConnectorReply::Kind::kApplied) << applied.message;
  EXPECT_EQ(DeviceState(simulator.port(), kImei), "locked");
}

TEST(DmSimulatorFaults, UnsupportedDeviceIsRejectedWithItsReason) {
  SimulatorProcess simulator({"--unsupported-tac", std::string(kImei).substr(0, 8)});
  DmRestConnector connector(ConnectorOptions(simulator.port()));
  LockOrder order = MakeOrder(1);
  ConnectorReply accepted = connector.Submit(order);
  ASSERT_EQ(accepted.kind, ConnectorReply::Kind::kAccepted) << accepted.message;
  order.platform_order_id = accepted.platform_order_id;
  ConnectorReply rejected = PollUntilFinished(connector, order);
  EXPECT_EQ(rejected.kind, ConnectorReply::Kind::kRejected);
  EXPECT_NE(rejected.message.find("unsupported_device"), std::string::npos) << rejected.message;
  EXPECT_NE(rejected.message.find("cannot apply remote lock orders"), std::string::npos)
      << rejected.message;
}

TEST(DmSimulatorFaults, ReenrolledDeviceRejectsTheEarlierOrder) {
  SimulatorProcess simulator({"--offline-rate", "1"});
  DmRestConnector connector(ConnectorOptions(simulator.port()));
  LockOrder order = MakeOrder(1);
  ConnectorReply accepted = connector.Submit(order);
  ASSERT_EQ(accepted.kind, ConnectorReply::Kind::kAccepted) << accepted.message;
  order.platform_order_id = accepted.platform_order_id;

  SignedPost(simulator.port(), std::string("/v1/devices/") + kImei + "/enroll");
  ConnectorReply rejected = PollUntilFinished(connector, order);
  EXPECT_EQ(rejected.kind, ConnectorReply::Kind::kRejected);
  EXPECT_NE(rejected.message.find("device_reenrolled"), std::string::npos) << rejected.message;
  EXPECT_EQ(DeviceState(simulator.port(), kImei), "unlocked");
}

TEST(DmSimulatorFaults, OrderPastItsNotAfterIsRejectedAsExpired) {
  SimulatorProcess simulator({"--offline-rate", "1"});
  // An order whose not_after is a second away, for a device that stays offline past it.
  auto not_after = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()) + 1s;
  json::value created =
      SignedPost(simulator.port(), std::string("/v1/devices/") + kImei + "/lock",
                 R"({"not_after":")" +
                     FormatRfc3339(std::chrono::time_point_cast<Duration>(not_after)) + "\"}",
                 "expiring-order");
  ASSERT_TRUE(created.is_object());
  ASSERT_EQ(created.at("status").as_string(), "pending");

  DmRestConnector connector(ConnectorOptions(simulator.port()));
  LockOrder order = MakeOrder(1);
  order.platform_order_id = std::string(created.at("order_id").as_string());
  ConnectorReply rejected = PollUntilFinished(connector, order);
  EXPECT_EQ(rejected.kind, ConnectorReply::Kind::kRejected);
  EXPECT_NE(rejected.message.find("expired"), std::string::npos) << rejected.message;
}

}  // namespace
}  // namespace imeiguard
