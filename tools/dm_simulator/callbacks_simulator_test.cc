// Callbacks of the real simulator process, received by an HTTP server in the test on 127.0.0.1
// that checks each one as imeiguard's receiver must: the signature, the headers and the body.
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <boost/json.hpp>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <thread>

#include "locking/dm_rest_connector.h"
#include "locking/request_signing.h"
#include "net/http_server.h"
#include "testing/child_process.h"

namespace imeiguard {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

constexpr char kTenant[] = "tenant-a";
constexpr char kSecret[] = "callback-test-secret";
constexpr char kImei[] = "867315042291587";
constexpr char kCallbackPath[] = "/callbacks/dm";

struct ReceivedCallback {
  std::string idempotency_key;
  std::string tenant;
  json::object order;
  std::string signature_error;  // Empty when the signature verified.
};

// The receiving end: records every callback, and responds 503 to the first `refuse` of them.
class CallbackReceiver {
 public:
  explicit CallbackReceiver(int refuse = 0) : refuse_(refuse) {
    router_.Add("POST", kCallbackPath, [this](const http::Request& request) {
      ReceivedCallback callback;
      callback.idempotency_key = std::string(request.Header("idempotency-key"));
      callback.tenant = std::string(request.Header("x-tenant"));
      SignedRequestParts parts{request.method, request.target, callback.tenant,
                               callback.idempotency_key, request.body};
      Status verified = VerifyRequestSignature(kSecret, parts, request.Header("x-timestamp"),
                                               request.Header("x-signature"), SystemClock().Now());
      if (!verified.ok()) callback.signature_error = verified.error().message;
      json::error_code ec;
      json::value body = json::parse(request.body, ec);
      if (!ec && body.is_object()) callback.order = body.get_object();

      std::lock_guard lock(mutex_);
      received_.push_back(std::move(callback));
      changed_.notify_all();
      if (static_cast<int>(received_.size()) <= refuse_) {
        return http::Response::Problem(503, "busy", "the receiver refuses on purpose");
      }
      return http::Response::Json(200, R"({"status":"ok"})");
    });
    server_ = std::make_unique<http::Server>(http::ServerOptions{}, router_);
    Status started = server_->Start();
    EXPECT_TRUE(started.ok()) << started.error().message;
  }

  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(server_->port()) + kCallbackPath;
  }

  // Waits up to 10 s for `count` callbacks and returns those received by then.
  std::vector<ReceivedCallback> WaitFor(size_t count) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, 10s, [&] { return received_.size() >= count; });
    return received_;
  }

 private:
  const int refuse_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<ReceivedCallback> received_;  // Guarded by mutex_.
  http::Router router_;
  // Last, so that it stops before the members its handler uses are destroyed.
  std::unique_ptr<http::Server> server_;
};

// One simulator process that sends callbacks to `receiver`, with `flags` added.
class Simulator {
 public:
  Simulator(const CallbackReceiver& receiver, std::vector<std::string> flags) {
    char pattern[] = "/tmp/dm_callbacks_test_XXXXXX";
    directory_ = ::mkdtemp(pattern);
    std::vector<std::string> argv = {IMEIGUARD_DM_SIMULATOR_PATH,
                                     "--port",
                                     "0",
                                     "--port-file",
                                     directory_ + "/port",
                                     "--secret",
                                     std::string(kTenant) + ":" + kSecret,
                                     "--callback-url",
                                     receiver.url()};
    argv.insert(argv.end(), flags.begin(), flags.end());
    process_ = testing::ChildProcess::Start(argv, directory_ + "/simulator.log");
    EXPECT_TRUE(process_.has_value());
    std::optional<std::uint16_t> port = testing::WaitForPortFile(directory_ + "/port", 10s);
    EXPECT_TRUE(port.has_value()) << "the simulator did not start; see " << directory_;
    port_ = port.value_or(0);
  }
  ~Simulator() {
    if (process_) process_->Stop(SIGTERM);
    std::filesystem::remove_all(directory_);
  }

  DmRestConnector Connector() const {
    DmRestConnectorOptions options;
    options.name = "dm-sim";
    options.port = port_;
    options.tenant = kTenant;
    options.secret = kSecret;
    return DmRestConnector(options);
  }

  // The order as GET /v1/orders/{id} returns it.
  json::object GetOrder(const std::string& order_id) const {
    std::int64_t now = ToMillis(SystemClock().Now()) / 1000;
    http::ClientRequest request;
    request.port = port_;
    request.target = "/v1/orders/" + order_id;
    SignedRequestParts parts{"GET", request.target, kTenant, "", ""};
    request.headers = {{std::string(kTenantHeader), kTenant},
                       {std::string(kTimestampHeader), std::to_string(now)},
                       {std::string(kSignatureHeader), SignRequest(kSecret, parts, now)}};
    auto response = http::Send(request);
    EXPECT_TRUE(response.ok());
    if (!response.ok()) return {};
    EXPECT_EQ(response->status, 200);
    return json::parse(response->body).as_object();
  }

 private:
  std::string directory_;
  std::optional<testing::ChildProcess> process_;
  std::uint16_t port_ = 0;
};

LockOrder MakeOrder() {
  LockOrder order;
  order.order_id = 7;
  order.connector = "dm-sim";
  order.imei = *Imei::Parse(kImei, ImeiChannel::kHuman);
  order.idempotency_key = "order-7";
  return order;
}

TEST(SimulatorCallbacks, AppliedOrderIsPostedSignedAsTheOrderJson) {
  CallbackReceiver receiver;
  Simulator simulator(receiver, {});
  ConnectorReply reply = simulator.Connector().Submit(MakeOrder());
  ASSERT_EQ(reply.kind, ConnectorReply::Kind::kApplied) << reply.message;

  std::vector<ReceivedCallback> received = receiver.WaitFor(1);
  ASSERT_EQ(received.size(), 1u);
  const ReceivedCallback& callback = received[0];
  EXPECT_EQ(callback.signature_error, "");
  EXPECT_EQ(callback.tenant, kTenant);
  EXPECT_EQ(callback.idempotency_key, "callback-" + reply.platform_order_id + "-applied");
  EXPECT_EQ(callback.order, simulator.GetOrder(reply.platform_order_id));
}

TEST(SimulatorCallbacks, DelayedOrderSendsItsCallbackWhenApplied) {
  CallbackReceiver receiver;
  Simulator simulator(receiver, {"--apply-delay-ms", "200"});
  ConnectorReply reply = simulator.Connector().Submit(MakeOrder());
  ASSERT_EQ(reply.kind, ConnectorReply::Kind::kAccepted) << reply.message;
  // No request comes after the order; the simulator applies it on its own timer.
  std::vector<ReceivedCallback> received = receiver.WaitFor(1);
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].order.at("status").as_string(), "applied");
}

TEST(SimulatorCallbacks, DuplicatedAndStaleCallbacksFollowTheFinalOne) {
  CallbackReceiver receiver;
  Simulator simulator(receiver, {"--duplicate-callback-rate", "1", "--reorder-callbacks"});
  ConnectorReply reply = simulator.Connector().Submit(MakeOrder());
  ASSERT_EQ(reply.kind, ConnectorReply::Kind::kApplied) << reply.message;

  std::vector<ReceivedCallback> received = receiver.WaitFor(3);
  ASSERT_EQ(received.size(), 3u);
  std::string prefix = "callback-" + reply.platform_order_id;
  EXPECT_EQ(received[0].idempotency_key, prefix + "-applied");
  EXPECT_EQ(received[1].idempotency_key, prefix + "-applied");
  EXPECT_EQ(received[1].order, received[0].order);
  EXPECT_EQ(received[2].idempotency_key, prefix + "-pending");
  EXPECT_EQ(received[2].order.at("status").as_string(), "pending");
  EXPECT_FALSE(received[2].order.contains("finished_at"));
  for (const ReceivedCallback& callback : received) EXPECT_EQ(callback.signature_error, "");
}

TEST(SimulatorCallbacks, RefusedCallbackIsSentAgainWithTheSameKey) {
  CallbackReceiver receiver(/*refuse=*/2);
  Simulator simulator(receiver, {"--callback-retry-ms", "50"});
  ConnectorReply reply = simulator.Connector().Submit(MakeOrder());
  ASSERT_EQ(reply.kind, ConnectorReply::Kind::kApplied) << reply.message;

  std::vector<ReceivedCallback> received = receiver.WaitFor(3);
  ASSERT_EQ(received.size(), 3u);
  for (const ReceivedCallback& callback : received) {
    EXPECT_EQ(callback.idempotency_key, received[0].idempotency_key);
    EXPECT_EQ(callback.order, received[0].order);
    EXPECT_EQ(callback.signature_error, "");
  }
  // Taken on the third delivery: no fourth comes.
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(receiver.WaitFor(0).size(), 3u);
}

TEST(SimulatorCallbacks, RejectedOrderCarriesItsReason) {
  CallbackReceiver receiver;
  Simulator simulator(receiver, {"--unsupported-tac", std::string(kImei).substr(0, 8)});
  ConnectorReply reply = simulator.Connector().Submit(MakeOrder());
  ASSERT_EQ(reply.kind, ConnectorReply::Kind::kAccepted) << reply.message;

  std::vector<ReceivedCallback> received = receiver.WaitFor(1);
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].idempotency_key, "callback-" + reply.platform_order_id + "-rejected");
  EXPECT_EQ(received[0].order.at("status").as_string(), "rejected");
  EXPECT_EQ(received[0].order.at("reason").as_string(), "unsupported_device");
}

TEST(SimulatorCallbacks, UrlOffLoopbackIsRefusedAtStart) {
  CallbackReceiver receiver;
  char pattern[] = "/tmp/dm_callbacks_test_XXXXXX";
  std::string directory = ::mkdtemp(pattern);
  std::string log = directory + "/simulator.log";
  auto process =
      testing::ChildProcess::Start({IMEIGUARD_DM_SIMULATOR_PATH, "--port", "0", "--secret", kSecret,
                                    "--callback-url", "http://192.0.2.1:8090/cb"},
                                   log);
  ASSERT_TRUE(process.has_value());
  int status = process->Stop(0);  // Signal 0 only waits.
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 2);
  std::filesystem::remove_all(directory);
}

}  // namespace
}  // namespace imeiguard
