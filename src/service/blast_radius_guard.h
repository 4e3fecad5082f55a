// The blast-radius guard: a bound on how many locks the rules order on their own within a window,
// globally and per shipper. A burst beyond it looks like a fault rather than theft: a sorter
// breakdown that silences thousands of parcels, or a wrong event feed. So the guard trips, and the
// locks beyond the bound wait for a security officer, who approves or rejects them as one batch.
//
// No I/O; the caller holds one lock around it (not thread-safe on its own).
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>

#include "core/time.h"
#include "service/config.h"

namespace imeiguard {

// One trip of the guard: the locks it holds share its id until the count falls below the bound.
struct GuardTrip {
  std::int64_t trip_id = 0;
  std::string scope;  // "global", or "shipper:" and the shipper's id.
  int count = 0;      // Automatic locks within the window when it tripped.
  int limit = 0;
  Duration window{};
  bool opened = false;  // True for the parcel whose lock opened the trip.
};

class BlastRadiusGuard {
 public:
  explicit BlastRadiusGuard(const Config& config) : config_(config) {}

  // Checks whether one more automatic lock of `shipper_id` at `now` stays within every bound.
  // Returns std::nullopt when it does, and otherwise the trip that keeps it waiting, opening a trip
  // when none is open for that bound.
  std::optional<GuardTrip> Check(const std::string& shipper_id, Timestamp now);

  // Counts an automatic lock of `shipper_id` made at `at`.
  void RecordLock(const std::string& shipper_id, Timestamp at);

 private:
  struct Window {
    std::deque<Timestamp> locks;         // Times of automatic locks, oldest first.
    std::optional<GuardTrip> open_trip;  // Set while the bound is reached.
  };

  // Checks one bound; `scope` names it in the trip.
  std::optional<GuardTrip> CheckWindow(Window& window, const AutoLockLimit& limit,
                                       const std::string& scope, Timestamp now);

  const Config& config_;
  Window global_;
  std::map<std::string, Window> shippers_;
  std::int64_t last_trip_id_ = 0;
};

}  // namespace imeiguard
