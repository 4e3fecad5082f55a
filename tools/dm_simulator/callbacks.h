// Callbacks: the simulator notifies the client when an order became applied or rejected, by a
// signed POST of the order to a URL that the client gave (README.md, "Callbacks").
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "api.h"
#include "core/error.h"
#include "core/time.h"
#include "fault_plan.h"
#include "platform.h"

namespace imeiguard::dm_simulator {

// The destination of callbacks: plain HTTP on a loopback address.
struct CallbackTarget {
  std::string host;  // "127.0.0.1" or "::1".
  std::uint16_t port = 80;
  std::string path;  // "/callbacks/dm", also what the signature covers.
};

// Parses "http://127.0.0.1:8090/callbacks/dm" (or "http://[::1]:8090/..."). Returns kInvalidInput
// with reason "callback_url" for another scheme, a host that is not a loopback address, a query
// or fragment, or a missing path.
Result<CallbackTarget> ParseCallbackUrl(std::string_view url);

struct CallbackOptions {
  CallbackTarget target;
  int attempts = 5;                                // Deliveries of one callback before giving up.
  Duration first_retry = std::chrono::seconds(1);  // Doubled after each failed delivery.
  Duration timeout = std::chrono::seconds(2);      // Of one delivery.
};

// Counts of the sender's deliveries so far.
struct CallbackCounts {
  std::int64_t delivered = 0;  // Acknowledged with 2xx.
  std::int64_t failed = 0;     // Deliveries that failed (and were retried or given up).
  std::int64_t given_up = 0;   // Callbacks dropped after their last attempt.
};

// Sends callbacks from a thread of its own, in the order they became due. A delivery fails when
// the receiver cannot be reached or responds with a status other than 2xx. It is then sent again
// later, with the same idempotency key, up to `attempts` times.
class CallbackSender {
 public:
  // `faults` is not owned and must outlive the sender.
  CallbackSender(CallbackOptions options, TenantSecrets secrets, FaultInjector& faults);
  ~CallbackSender();  // Stops; callbacks not yet delivered are dropped.
  CallbackSender(const CallbackSender&) = delete;
  CallbackSender& operator=(const CallbackSender&) = delete;

  // Queues the callback of an order that became applied or rejected, with the faults of the plan
  // (a duplicate, the stale pending state after it). Only queues, so the platform may call it
  // under its lock.
  void OrderFinished(const DmOrder& order);

  CallbackCounts counts();

 private:
  using Clock = std::chrono::steady_clock;
  struct Callback {
    std::string tenant;
    std::string idempotency_key;
    std::string body;
    std::string description;  // "ord-000001 applied", for the log.
    int attempt = 0;          // Deliveries made so far.
  };

  void Queue(Callback callback, Clock::time_point due);
  void Run();
  // Sends once; returns true when the receiver took it (2xx).
  bool Deliver(const Callback& callback);

  const CallbackOptions options_;
  const TenantSecrets secrets_;
  FaultInjector& faults_;

  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;                           // Guarded by mutex_.
  std::multimap<Clock::time_point, Callback> due_;  // Equal times keep queue order. Guarded.
  CallbackCounts counts_;                           // Guarded by mutex_.
  std::thread thread_;
};

// The body of a callback: the order as GET /v1/orders/{id} returns it.
std::string CallbackBody(const DmOrder& order);
// "callback-ord-000001-applied": the Idempotency-Key of the callback of `order` in its state.
std::string CallbackIdempotencyKey(const DmOrder& order);

}  // namespace imeiguard::dm_simulator
