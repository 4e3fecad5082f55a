// Fuzzes the N5g-eir query parser: ParseEquipmentQuery on the whole input, and ParsePei on it as
// one value.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "eir/equipment_query.h"
#include "fuzz_check.h"

namespace {

using imeiguard::eir::EquipmentQueryText;
using imeiguard::eir::QueryProblem;

constexpr std::uint64_t kCoreLimit = 100000000000000ull;  // 10^14: fourteen digits.

// An accepted value is non-empty printable ASCII without spaces and fits its buffer.
void CheckSubscriber(const imeiguard::eir::BoundedText& text) {
  IG_FUZZ_CHECK(text.view().size() <= imeiguard::eir::kMaxSubscriberBytes);
  for (char c : text.view()) IG_FUZZ_CHECK(c > ' ' && c <= '~');
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);

  EquipmentQueryText query;
  imeiguard::eir::ParseEquipmentQuery(text, query);
  if (query.problem == QueryProblem::kNone) {
    IG_FUZZ_CHECK(query.core < kCoreLimit);
    CheckSubscriber(query.supi);
    CheckSubscriber(query.gpsi);
  }

  std::uint64_t core = 0;
  QueryProblem problem = imeiguard::eir::ParsePei(text, core);
  if (problem == QueryProblem::kNone) {
    IG_FUZZ_CHECK(core < kCoreLimit);
    IG_FUZZ_CHECK(text.starts_with("imei-") || text.starts_with("imeisv-"));
  }
  return 0;
}
