// Fuzzes the body bounds scan that runs on every manifest and event body before it is parsed.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "api/input_limits.h"
#include "fuzz_check.h"

namespace {

// Small limits, so that inputs of a few hundred bytes reach every bound.
imeiguard::InputLimits FuzzLimits() {
  imeiguard::InputLimits limits;
  limits.max_line_bytes = 256;
  limits.max_json_depth = 6;
  limits.max_field_bytes = 16;
  limits.max_text_field_bytes = 32;
  limits.max_batch_lines = 8;
  limits.max_manifest_rows = 4;
  return limits;
}

void CheckViolation(const imeiguard::InputViolation& violation, std::string_view text) {
  // CSV counts a lone CR as a line break too, so both characters bound the line number.
  int max_line = 1;
  for (char c : text) max_line += c == '\n' || c == '\r';
  IG_FUZZ_CHECK(violation.line >= 1 && violation.line <= max_line);
  IG_FUZZ_CHECK(!violation.offset || *violation.offset < text.size());
  IG_FUZZ_CHECK(violation.status == 400 || violation.status == 413);
  IG_FUZZ_CHECK(violation.reason == "batch_too_long" || violation.reason == "line_too_long" ||
                violation.reason == "field_too_long" || violation.reason == "too_deep");
  IG_FUZZ_CHECK(violation.limit > 0);
  IG_FUZZ_CHECK(!violation.message.empty());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const imeiguard::InputLimits limits = FuzzLimits();
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto violation = imeiguard::CheckEventBatch(text, limits)) CheckViolation(*violation, text);
  if (auto violation = imeiguard::CheckManifest(text, limits)) CheckViolation(*violation, text);
  return 0;
}
