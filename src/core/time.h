// Points in time as the product exchanges them: RFC 3339 text outside, UTC milliseconds inside.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.h"

namespace imeiguard {

// Milliseconds since the Unix epoch, UTC. Every event time, record time and deadline uses it.
using Timestamp = std::chrono::sys_time<std::chrono::milliseconds>;
using Duration = std::chrono::milliseconds;

inline std::int64_t ToMillis(Timestamp t) { return t.time_since_epoch().count(); }
inline Timestamp FromMillis(std::int64_t ms) { return Timestamp(Duration(ms)); }

// Parses an RFC 3339 date-time with a mandatory offset ("Z", "+01:00", "-0530" is rejected): for
// example "2026-03-02T06:14:09+01:00" or "2026-03-02T05:14:09.250Z". Fractions beyond milliseconds
// are truncated. Returns kInvalidInput with reason "time" and a message quoting the text otherwise.
Result<Timestamp> ParseRfc3339(std::string_view text);

// Formats as RFC 3339 in UTC with a "Z" suffix; milliseconds are written only when non-zero.
std::string FormatRfc3339(Timestamp t);

// Parses a calendar date "YYYY-MM-DD" into the number of days since 1970-01-01.
Result<std::chrono::sys_days> ParseIsoDate(std::string_view text);

// Source of the current time. The server uses the system clock; replay and tests use a clock that
// they move themselves. Implementations must be safe to call from several threads.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual Timestamp Now() const = 0;
};

class SystemClock final : public Clock {
 public:
  Timestamp Now() const override;
};

// A clock that only moves when told to; replay advances it along the event log.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(Timestamp start = Timestamp{}) : now_ms_(ToMillis(start)) {}
  Timestamp Now() const override;
  // Moves the clock to `t`; a `t` earlier than the current time leaves it unchanged.
  void AdvanceTo(Timestamp t);

 private:
  std::atomic<std::int64_t> now_ms_;
};

}  // namespace imeiguard
