// Reader of scan events as NDJSON, one JSON object a line (FORMATS.md, "Scan events, NDJSON").
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "events/scan_event.h"

namespace imeiguard {

// One line that could not be read as an event. `line` is 1-based; `field` names the offending field
// or is empty for a line that is not JSON.
struct EventError {
  int line = 0;
  std::string field;
  // "json" (not a JSON object), "too_deep", "line_too_long", "missing_field" or "invalid_value".
  std::string reason;
  std::string message;
};

// Parses NDJSON text line by line. The reader reuses its buffers between lines and batches, so a
// steady stream parses without a heap allocation per event. Not thread-safe: one reader per thread.
class NdjsonEventReader {
 public:
  NdjsonEventReader();
  ~NdjsonEventReader();
  NdjsonEventReader(const NdjsonEventReader&) = delete;
  NdjsonEventReader& operator=(const NdjsonEventReader&) = delete;

  // Calls `on_event` for each valid line, in file order, with a view valid only during the call,
  // and `on_error` for each bad line. Blank lines are skipped. `first_line` numbers the first line
  // of `text`, for callers that feed a file in chunks, and a last line without a line break counts
  // as a whole line. A line may end in CRLF, and a UTF-8 BOM at the start of `text` is skipped.
  //
  // A line is rejected unread past 64 KiB, or when it nests deeper than 32 levels. An error names
  // the first bad field in the order event_id, parcel_id, type, time, received, node, node_type,
  // handler, weight_g, next_node, detail. The parcel id is normalized (S10 letters upper-cased).
  // A null or empty optional field counts as absent, and a fractional weight_g is rounded to
  // whole grams. Exceptions thrown by the callbacks propagate.
  void Parse(std::string_view text, const std::function<void(const ScanEventView&)>& on_event,
             const std::function<void(const EventError&)>& on_error, int first_line = 1);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace imeiguard
