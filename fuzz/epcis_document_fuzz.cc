// Fuzzes epcis::ParseDocument and the mapping of its events to scans.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "epcis/epcis_document.h"
#include "epcis/event_hash.h"
#include "epcis/scan_mapping.h"
#include "fuzz_check.h"
#include "identifiers/parcel_id.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  imeiguard::epcis::DocumentLimits limits;
  limits.max_events = 64;
  auto document = imeiguard::epcis::ParseDocument(text, limits);
  if (!document.ok()) {
    IG_FUZZ_CHECK(!document.error().reason.empty());
    IG_FUZZ_CHECK(!document.error().message.empty());
    return 0;
  }
  IG_FUZZ_CHECK(document->events.size() + document->errors.size() ==
                static_cast<std::size_t>(document->event_count));
  for (const auto& error : document->errors) {
    IG_FUZZ_CHECK(error.index >= 0 && error.index < document->event_count);
    IG_FUZZ_CHECK(!error.message.empty());
  }

  imeiguard::epcis::Mapped mapped;
  for (const auto& event : document->events) {
    IG_FUZZ_CHECK(event.event_hash.starts_with("ni:///sha-256;"));
    // The hash depends on the event alone, so hashing its stored body again gives the same.
    IG_FUZZ_CHECK(imeiguard::epcis::EventHashId(event.body, document->prefixes) ==
                  event.event_hash);
    IG_FUZZ_CHECK(!event.Identity().empty());
    imeiguard::epcis::MapEvent(event, {}, {}, mapped);
  }
  for (const auto& scan : mapped.scans) {
    IG_FUZZ_CHECK(imeiguard::NormalizeParcelId(scan.parcel_id).ok());
    IG_FUZZ_CHECK(!scan.event_id.empty());
  }
  for (const auto& withdrawal : mapped.withdrawals) {
    IG_FUZZ_CHECK(imeiguard::NormalizeParcelId(withdrawal.parcel_id).ok());
  }
  return 0;
}
