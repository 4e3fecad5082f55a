// Faults that the simulator injects on purpose, so that a client can be tested against a platform
// that misbehaves the way real ones do.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "core/time.h"

namespace imeiguard::dm_simulator {

// The faults to inject and how often. Each field is one kind of fault. A new kind gets a field
// here, a flag in main.cc and a method on FaultInjector that the API or the platform calls at the
// point where the fault happens.
struct FaultPlan {
  double fail_rate = 0;                         // Share of /v1 requests refused, 0 to 1.
  std::vector<int> fail_statuses = {429, 503};  // Statuses of refused requests, used in turn.
  int retry_after_seconds = 30;                 // Retry-After of refused requests; 0 sends none.
  Duration response_delay{0};                   // Added before every /v1 response.
  Duration response_jitter{0};  // Up to this much more, drawn evenly for each response.
  double hang_rate = 0;         // Share of /v1 requests read and never responded to.
  double drop_rate = 0;         // Share of /v1 requests whose connection closes before handling.
  double drop_after_apply_rate = 0;        // Share of new orders whose connection closes after they
                                           // were created (and applied, when due at once).
  bool drop_with_reset = false;            // Drop with a TCP reset instead of an orderly close.
  double reject_rate = 0;                  // Share of orders rejected when they are applied.
  double offline_rate = 0;                 // Share of devices offline when first named.
  double unsupported_rate = 0;             // Share of devices that cannot apply orders.
  std::set<std::string> unsupported_tacs;  // 8-digit type allocation codes that cannot either.
  double duplicate_callback_rate = 0;      // Share of callbacks delivered twice.
  bool reorder_callbacks = false;  // After each final callback, deliver the stale pending state.
  bool no_dedup = false;           // Ignore Idempotency-Key, so that every POST creates an order.
  std::uint64_t seed = 1;          // Seed of the random choices, so that a run can be repeated.
};

struct InjectedFailure {
  int status = 503;
  int retry_after_seconds = 0;  // 0: no Retry-After header.
};

// The fault applied to a request's connection in place of a response.
enum class ConnectionFault { kNone, kHang, kDrop };

// Draws the faults of a FaultPlan. Safe to call from several threads. With one client sending one
// request at a time, the same seed gives the same faults in the same order.
class FaultInjector {
 public:
  explicit FaultInjector(FaultPlan plan);

  // Returns the failure to send instead of handling a /v1 request, or nullopt to handle it.
  std::optional<InjectedFailure> FailRequest();
  // The delay before a /v1 response: response_delay plus a drawn share of response_jitter.
  Duration ResponseDelay();
  // Whether a /v1 request is hung or dropped before it is handled.
  ConnectionFault BreakBeforeHandling();
  // Whether the connection of a new order is dropped after the order was created.
  bool DropAfterApply();
  // Returns true when the order being applied is to end rejected.
  bool RejectOnApply();
  // Drawn once for each new device (`imei` is its 14-digit core).
  bool OfflineWhenFirstNamed();
  bool Unsupported(const std::string& imei);
  bool DuplicateCallback();

  const FaultPlan& plan() const { return plan_; }

 private:
  bool Draw(double rate);

  const FaultPlan plan_;
  std::mutex mutex_;
  std::mt19937_64 engine_;       // Guarded by mutex_.
  std::size_t next_status_ = 0;  // Guarded by mutex_.
};

}  // namespace imeiguard::dm_simulator
