// What the loss-detection engine concludes about a parcel, and why.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.h"

namespace imeiguard {

enum class Verdict { kInFlow, kDelivered, kReturned, kSuspect, kLost, kRecovered };

// "in_flow", "delivered", "returned", "suspect", "lost", "recovered".
std::string_view VerdictName(Verdict verdict);
std::optional<Verdict> ParseVerdict(std::string_view text);

// Lost parcels have their phones locked; suspect parcels are watched (greylisted).
inline bool VerdictLocks(Verdict v) { return v == Verdict::kLost; }
inline bool VerdictIsClosed(Verdict v) {
  return v == Verdict::kDelivered || v == Verdict::kReturned;
}

// One fact behind a verdict: the rule that fired, when, and the event that made it fire (empty for
// rules that fire on silence, such as overdue).
struct Evidence {
  std::string rule;      // "exception_scan", "overdue", "silence", "manual", "delivered", ...
  Timestamp at;          // Event time or deadline at which the rule fired.
  std::string event_id;  // The event that fired it, if any.
  std::string detail;    // One sentence a security officer reads.
  // The fact's weight: "lost" or "suspect" for a rule that fired, "context" for a fact that
  // softened one (a node-wide outage), empty for a closing or reopening scan.
  std::string outcome;

  friend bool operator==(const Evidence&, const Evidence&) = default;
};

// A parcel's verdict as of some clock time, with every fact that led to it.
struct Assessment {
  Verdict verdict = Verdict::kInFlow;
  Timestamp since;                 // Event time at which the verdict began.
  std::vector<Evidence> evidence;  // In the order the rules fired.
  // The next clock time at which the verdict may change with no new event (a silence or overdue
  // deadline); empty when only a new event can change it.
  std::optional<Timestamp> next_deadline;

  friend bool operator==(const Assessment&, const Assessment&) = default;
};

}  // namespace imeiguard
