// Column encodings of the SQLite store: enums as their wire names, evidence as a JSON array.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "detection/verdict.h"
#include "locking/lock_state.h"

namespace imeiguard::sqlite {

// The same names as VerdictName, LockStateName, LockActionName and OrderStatusName, which the
// CHECK constraints of the schema list too. They are repeated here so that the store does not
// link the detection and locking libraries (the latter brings the HTTP client), and
// column_values_test checks that both lists agree.
std::string_view VerdictColumn(Verdict verdict);
std::optional<Verdict> ParseVerdictColumn(std::string_view text);
std::string_view LockStateColumn(LockState state);
std::optional<LockState> ParseLockStateColumn(std::string_view text);
std::string_view LockActionColumn(LockAction action);
std::optional<LockAction> ParseLockActionColumn(std::string_view text);
std::string_view OrderStatusColumn(OrderStatus status);
std::optional<OrderStatus> ParseOrderStatusColumn(std::string_view text);

// Serialises evidence as [{"rule": ..., "at": <ms>, "event_id": ..., "detail": ...}, ...].
std::string EvidenceToJson(const std::vector<Evidence>& evidence);
// Parses what EvidenceToJson wrote. kInternal with reason "corrupt_evidence" on anything else.
Result<std::vector<Evidence>> ParseEvidenceJson(std::string_view json);

}  // namespace imeiguard::sqlite
