// The carrier's tracking id of a parcel.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

#include "core/error.h"

namespace imeiguard {

// Checks that `text` is an 18-digit SSCC or a UPU S10 id (two letters, eight digits, a check digit,
// two letters, such as "RR123456785SE"). The SSCC's GS1 check digit is not enforced, because
// carriers issue test and legacy ranges that fail it; the S10 check digit is enforced. Returns the
// id unchanged (letters upper-cased) or kInvalidInput with reason "parcel_id".
Result<std::string> NormalizeParcelId(std::string_view text);

// Maximum length of a parcel id in characters: an SSCC has 18 digits, an S10 id 13 characters.
inline constexpr std::size_t kMaxParcelIdLength = 18;
using ParcelIdBuffer = std::array<char, kMaxParcelIdLength>;

// Checks `text` as NormalizeParcelId does, without allocating for a valid id: the view returned
// points into `text`, or into `buffer` when letters had to be upper-cased. It is valid while both
// are and until the next call with the same buffer.
Result<std::string_view> NormalizeParcelId(std::string_view text, ParcelIdBuffer& buffer);

}  // namespace imeiguard
