// Fuzzes ParseBlocklistFile, which reads back the feed's own delta files after a crash and the
// files that `imeiguard blocklist fetch` checks. An accepted file must format back to text that
// parses to the same rows.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "locking/blocklist_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = imeiguard::ParseBlocklistFile(text, "fuzz.csv");
  if (!parsed.ok()) {
    IG_FUZZ_CHECK(parsed.error().message.rfind("fuzz.csv:", 0) == 0);
    return 0;
  }
  IG_FUZZ_CHECK(parsed->complete_bytes <= size);
  IG_FUZZ_CHECK(parsed->complete_bytes == size || text[parsed->complete_bytes - 1] == '\n');

  bool full = parsed->kind == imeiguard::BlocklistFileKind::kFull;
  std::string again(full ? imeiguard::kBlocklistFullHeader : imeiguard::kBlocklistDeltaHeader);
  again += "\n";
  for (const imeiguard::BlocklistRow& row : parsed->rows) {
    again += full ? imeiguard::FormatFullRow(row) : imeiguard::FormatDeltaRow(row);
  }
  auto reparsed = imeiguard::ParseBlocklistFile(again, "again.csv");
  IG_FUZZ_CHECK(reparsed.ok());
  IG_FUZZ_CHECK(reparsed->complete_bytes == again.size());
  IG_FUZZ_CHECK(reparsed->rows.size() == parsed->rows.size());
  for (std::size_t i = 0; i < parsed->rows.size(); ++i) {
    const imeiguard::BlocklistRow& a = parsed->rows[i];
    const imeiguard::BlocklistRow& b = reparsed->rows[i];
    IG_FUZZ_CHECK(a.imei == b.imei);
    IG_FUZZ_CHECK(a.action == b.action);
    IG_FUZZ_CHECK(a.reason == b.reason);
    IG_FUZZ_CHECK(a.reported_at == b.reported_at);
    IG_FUZZ_CHECK(a.changed_at == b.changed_at);
    IG_FUZZ_CHECK(a.order_id == b.order_id);
  }
  return 0;
}
