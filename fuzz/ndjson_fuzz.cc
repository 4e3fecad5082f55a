// Fuzzes NdjsonEventReader with one reader across inputs, as a server keeps it across batches.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "events/ndjson.h"
#include "fuzz_check.h"
#include "identifiers/parcel_id.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static imeiguard::NdjsonEventReader reader;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  int line_count = 1;
  for (char c : text) line_count += c == '\n';

  int last_line = 0;
  reader.Parse(
      text,
      [&](const imeiguard::ScanEventView& view) {
        IG_FUZZ_CHECK(!view.event_id.empty());
        IG_FUZZ_CHECK(imeiguard::NormalizeParcelId(view.parcel_id).ok());
        IG_FUZZ_CHECK(imeiguard::ParseScanType(imeiguard::ScanTypeName(view.type)) == view.type);
        imeiguard::ScanEvent event = imeiguard::ScanEvent::FromView(view, {});
        IG_FUZZ_CHECK(event.View().detail == view.detail);
      },
      [&](const imeiguard::EventError& error) {
        IG_FUZZ_CHECK(error.line > last_line && error.line <= line_count);
        IG_FUZZ_CHECK(!error.reason.empty());
        IG_FUZZ_CHECK(!error.message.empty());
        last_line = error.line;
      });
  return 0;
}
