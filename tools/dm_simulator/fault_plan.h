// Faults that the simulator injects on purpose, so that a client can be tested against a platform
// that misbehaves the way real ones do.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <random>
#include <vector>

#include "core/time.h"

namespace imeiguard::dm_simulator {

// The faults to inject and how often. Each field is one kind of fault. A new kind (dropped
// connections, faults limited to a time window) gets a field here, a flag in main.cc and a method
// on FaultInjector that the API or the platform calls at the point where the fault happens.
struct FaultPlan {
  double fail_rate = 0;                         // Share of /v1 requests refused, 0 to 1.
  std::vector<int> fail_statuses = {429, 503};  // Statuses of refused requests, used in turn.
  int retry_after_seconds = 30;                 // Retry-After of refused requests; 0 sends none.
  Duration response_delay{0};                   // Added before every /v1 response.
  double reject_rate = 0;                       // Share of orders rejected when they are applied.
  bool no_dedup = false;   // Ignore Idempotency-Key, so that every POST creates a new order.
  std::uint64_t seed = 1;  // Seed of the random choices, so that a run can be repeated.
};

struct InjectedFailure {
  int status = 503;
  int retry_after_seconds = 0;  // 0: no Retry-After header.
};

// Draws the faults of a FaultPlan. Safe to call from several threads.
class FaultInjector {
 public:
  explicit FaultInjector(FaultPlan plan);

  // Returns the failure to send instead of handling a /v1 request, or nullopt to handle it.
  std::optional<InjectedFailure> FailRequest();
  // Returns true when the order being applied is to end rejected.
  bool RejectOnApply();

  const FaultPlan& plan() const { return plan_; }

 private:
  bool Draw(double rate);

  const FaultPlan plan_;
  std::mutex mutex_;
  std::mt19937_64 engine_;       // Guarded by mutex_.
  std::size_t next_status_ = 0;  // Guarded by mutex_.
};

}  // namespace imeiguard::dm_simulator
