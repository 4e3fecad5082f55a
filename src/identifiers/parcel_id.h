// The carrier's tracking id of a parcel.
#pragma once

#include <string>
#include <string_view>

#include "core/error.h"

namespace imeiguard {

// Checks that `text` is an 18-digit SSCC or a UPU S10 id (two letters, eight digits, a check digit,
// two letters, such as "RR123456785SE"). The SSCC's GS1 check digit is not enforced, because
// carriers issue test and legacy ranges that fail it; the S10 check digit is enforced. Returns the id
// unchanged (letters upper-cased) or kInvalidInput with reason "parcel_id".
Result<std::string> NormalizeParcelId(std::string_view text);

}  // namespace imeiguard
