// Fuzzes ParseManifestJson: it must not crash or throw, and its batch must be consistent.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "manifest_check.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  imeiguard::ManifestBatch batch = imeiguard::ParseManifestJson(text, {});
  CheckManifestBatch(batch);
  return 0;
}
