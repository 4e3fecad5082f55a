// The carrier feed's watermark: the event time up to which the feed is believed complete.
// Time-based rules (silence, overdue, a broken scan chain) fire against it rather than against the
// wall clock, so that a backlog of old scans uploaded in small batches does not make its parcels
// look silent between batches.
//
// Pure: no I/O and no clock of its own; the caller passes the wall clock (or replay's clock).
// Not thread-safe; GuardService holds its mutex around it.
#pragma once

#include <optional>

#include "core/time.h"

namespace imeiguard {

struct WatermarkPolicy {
  // How late, in event time, a scan may come after a later one and still be on time.
  Duration allowed_lateness = std::chrono::hours(1);
  // A feed that delivered nothing for this long is taken to have nothing more to send up to the
  // wall clock minus this time. Without it a quiet feed would stop every time-based rule.
  Duration idle_after = std::chrono::hours(6);
};

class FeedWatermark {
 public:
  explicit FeedWatermark(WatermarkPolicy policy) : policy_(policy) {}

  // Takes one carrier scan's event time, received at wall time `wall`. An event time ahead of
  // `wall` counts as `wall`, so a scanner whose clock runs ahead cannot pull the watermark forward.
  void Observe(Timestamp event_time, Timestamp wall);

  // Moves the watermark to its value at `wall` and returns it. The watermark never moves
  // back and never passes `wall`. Before the first event it stays empty: nothing is complete.
  std::optional<Timestamp> Advance(Timestamp wall);

  // The earliest wall time, no earlier than the latest arrival, at which the watermark reaches
  // `event_time` if no further event comes. Empty before the first event. Replay uses it to fire
  // deadlines at the time a server's ticker would have.
  std::optional<Timestamp> WallTimeReaching(Timestamp event_time) const;

  // Declares the feed complete up to `t`: the end of a replayed log, or a point the watermark is
  // known to have passed before a restart. The watermark moves to `t` unless it is past it.
  void Close(Timestamp t);

  std::optional<Timestamp> value() const { return floor_; }

 private:
  std::optional<Timestamp> Compute(Timestamp wall) const;

  WatermarkPolicy policy_;
  std::optional<Timestamp> max_event_;     // Latest event time observed, capped at its wall time.
  std::optional<Timestamp> last_arrival_;  // Wall time of the latest observed event.
  std::optional<Timestamp> floor_;         // The watermark as last advanced.
};

}  // namespace imeiguard
