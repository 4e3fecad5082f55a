// Bounds on the bodies of the ingest operations, checked before any of a body is parsed into
// domain objects or stored, so that a body that breaks one is rejected whole.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace imeiguard {

struct InputLimits {
  // Bytes of one NDJSON line, line break excluded. The event reader itself stops at 64 KiB.
  std::size_t max_line_bytes = std::size_t{16} * 1024;
  // Nesting of JSON objects and arrays: a JSON manifest needs 5 levels and an event 1.
  int max_json_depth = 16;
  // Bytes of the value of a manifest or event field that is stored, except the free-text fields
  // below, counted as sent with any JSON escapes. Fields that are ignored are bounded only by the
  // line and body size.
  std::size_t max_field_bytes = 256;
  // Bytes of the free-text fields "detail" (events) and "model" (manifests).
  std::size_t max_text_field_bytes = 4096;
  // Non-blank NDJSON lines of one POST /v1/events.
  int max_batch_lines = 50000;
  // CSV data rows of one manifest, or of each of its JSON parcel and device objects.
  int max_manifest_rows = 50000;
};

// A broken bound: which one, and where in the body it broke.
struct InputViolation {
  int status = 413;    // 413 for a size or count, 400 for nesting.
  std::string reason;  // "batch_too_long", "line_too_long", "field_too_long" or "too_deep".
  std::string message;
  int line = 0;                       // 1-based line of the body; 0 when not known.
  std::string field;                  // JSON key or CSV column; empty when no field is at fault.
  std::optional<std::size_t> offset;  // 0-based byte offset in the body, when known.
  std::size_t limit = 0;              // The bound that was passed.
};

// Checks an NDJSON event batch: the number of non-blank lines, the length of each line, and the
// nesting and stored string fields of each line's JSON. Lines that are not valid JSON pass here and
// are reported by the event reader. Returns the first violation in body order, or std::nullopt.
std::optional<InputViolation> CheckEventBatch(std::string_view ndjson, const InputLimits& limits);

// Checks a manifest, told apart as CSV or JSON as the manifest parser does: for JSON the nesting,
// stored string fields and the counts of "parcels" and "devices" objects, for CSV the data rows
// and the stored columns. Returns the first violation in body order, or std::nullopt.
std::optional<InputViolation> CheckManifest(std::string_view text, const InputLimits& limits);

}  // namespace imeiguard
