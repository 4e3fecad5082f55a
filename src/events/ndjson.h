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
  std::string reason;  // "json", "missing_field", "invalid_value", "line_too_long", ...
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
  // of `text`, for callers that feed a file in chunks.
  void Parse(std::string_view text, const std::function<void(const ScanEventView&)>& on_event,
             const std::function<void(const EventError&)>& on_error, int first_line = 1);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace imeiguard
