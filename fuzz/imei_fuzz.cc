// Fuzzes Imei::Parse on both channels, and NormalizeParcelId on the same bytes.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.h"
#include "identifiers/imei.h"
#include "identifiers/parcel_id.h"

namespace {

using imeiguard::ErrorKind;
using imeiguard::Imei;
using imeiguard::ImeiChannel;
using imeiguard::ImeiRejection;

void CheckChannel(std::string_view text, ImeiChannel channel) {
  ImeiRejection rejection = ImeiRejection::kEmpty;
  imeiguard::Result<Imei> imei = Imei::Parse(text, channel, &rejection);
  if (!imei.ok()) {
    IG_FUZZ_CHECK(imei.error().kind == ErrorKind::kInvalidInput);
    IG_FUZZ_CHECK(imei.error().reason == imeiguard::ImeiRejectionCode(rejection));
    IG_FUZZ_CHECK(!imei.error().message.empty());
    return;
  }

  // An accepted IMEI is a 14-digit core whose printed form parses back to it on both channels.
  IG_FUZZ_CHECK(imei->core_value() < 100000000000000ull);
  std::string printed = imei->WithCheckDigit();
  IG_FUZZ_CHECK(printed.size() == 15);
  IG_FUZZ_CHECK(imeiguard::LuhnCheckDigit(imei->Core()) == printed[14] - '0');
  imeiguard::Result<Imei> again = Imei::Parse(printed, ImeiChannel::kHuman);
  IG_FUZZ_CHECK(again.ok() && *again == *imei);
  imeiguard::Result<Imei> network = Imei::Parse(imei->Core(), ImeiChannel::kNetwork);
  IG_FUZZ_CHECK(network.ok() && *network == *imei);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  CheckChannel(text, ImeiChannel::kHuman);
  CheckChannel(text, ImeiChannel::kNetwork);

  imeiguard::Result<std::string> parcel_id = imeiguard::NormalizeParcelId(text);
  if (parcel_id.ok()) {
    IG_FUZZ_CHECK(parcel_id->size() == 18 || parcel_id->size() == 13);
    imeiguard::Result<std::string> again = imeiguard::NormalizeParcelId(*parcel_id);
    IG_FUZZ_CHECK(again.ok() && *again == *parcel_id);
  } else {
    IG_FUZZ_CHECK(parcel_id.error().reason == "parcel_id");
  }
  return 0;
}
