// Column encodings of the SQLite store for values that the domain libraries have no text form
// for: evidence as a JSON array, and the parsing of LockActionName's output.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "detection/verdict.h"
#include "locking/lock_state.h"

namespace imeiguard::sqlite {

// The inverse of LockActionName: "lock" or "unlock".
std::optional<LockAction> ParseLockActionColumn(std::string_view text);

// Serialises evidence as [{"rule": ..., "at": <ms>, "event_id": ..., "detail": ...}, ...].
std::string EvidenceToJson(const std::vector<Evidence>& evidence);
// Parses what EvidenceToJson wrote. kInternal with reason "corrupt_evidence" on anything else.
Result<std::vector<Evidence>> ParseEvidenceJson(std::string_view json);

}  // namespace imeiguard::sqlite
