// Records of EPCIS 2.0 capture in the store: capture jobs, captured events and their query.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.h"

namespace imeiguard {

// The GS1-Capture-Error-Behaviour of a capture job: keep nothing of a document with any invalid
// event (rollback, the binding's default), or keep the valid events (proceed).
enum class CaptureErrorBehaviour { kRollback, kProceed };

inline std::string_view CaptureErrorBehaviourName(CaptureErrorBehaviour behaviour) {
  return behaviour == CaptureErrorBehaviour::kRollback ? "rollback" : "proceed";
}

inline std::optional<CaptureErrorBehaviour> ParseCaptureErrorBehaviour(std::string_view text) {
  if (text == "rollback") return CaptureErrorBehaviour::kRollback;
  if (text == "proceed") return CaptureErrorBehaviour::kProceed;
  return std::nullopt;
}

struct CaptureJob {
  std::int64_t capture_id = 0;  // Assigned by the store.
  std::string key_id;           // The API key that posted the document.
  CaptureErrorBehaviour error_behaviour = CaptureErrorBehaviour::kRollback;
  std::string document;  // The body as posted; empty once the job has finished.
  Timestamp created_at;
  std::optional<Timestamp> finished_at;  // Absent while the job runs.
  bool success = true;
  std::string errors = "[]";  // JSON array of problem details, one per rejected event.
  int events_captured = 0;    // Events new to the store.
};

// One captured event as the query serves it.
struct CapturedEvent {
  std::string archive_key;  // The CBV event hash, marked for an error declaration.
  std::string event_id;     // Its eventID, or the hash when it has none.
  std::string event_type;   // "ObjectEvent", ...
  Timestamp event_time;
  std::vector<std::string> epcs;  // Canonical EPCs of epcList and childEPCs.
  std::string body;               // JSON-LD of the event with eventID and recordTime.
};

// A page of captured events: every condition given must hold. Empty lists and absent times do
// not filter.
struct CapturedEventQuery {
  std::vector<std::string> event_types;
  std::optional<Timestamp> event_time_from;   // GE_eventTime
  std::optional<Timestamp> event_time_until;  // LT_eventTime, exclusive.
  std::vector<std::string> epcs;              // MATCH_epc, canonical.
  std::int64_t after_sequence = 0;            // The last sequence of the page before.
  int limit = 100;
};

struct CapturedEventRow {
  std::int64_t sequence = 0;  // Capture order; the next page starts after it.
  std::string body;
};

}  // namespace imeiguard
