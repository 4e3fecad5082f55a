// The responses of the N5g-eir Equipment Identity Check service (3GPP TS 29.511), independent of
// HTTP/1.1 or HTTP/2 framing, so that both framings and the tests share one code path.
#pragma once

#include <string_view>

#include "core/time.h"
#include "eir/equipment_snapshot.h"
#include "eir/sighting.h"

namespace imeiguard::eir {

// The resource of the service.
inline constexpr std::string_view kEquipmentStatusPath = "/n5g-eir-eic/v1/equipment-status";

// A response whose body is static text: building one allocates nothing.
struct EirResponse {
  int status = 200;
  std::string_view content_type;  // "application/json" or "application/problem+json".
  std::string_view body;
  bool allow_get_only = false;  // 405: the response needs "Allow: GET".
};

// Builds the response to one request. `target` is the request target, path and query. A known
// device gets 200 with its status, an unknown one 404 with cause ERROR_EQUIPMENT_UNKNOWN, and a
// missing or malformed pei 400 with cause MANDATORY_QUERY_PARAM_MISSING or
// MANDATORY_QUERY_PARAM_INCORRECT and invalidParams naming pei (OPTIONAL_QUERY_PARAM_INCORRECT
// naming supi or gpsi). Another path gets 404 RESOURCE_URI_STRUCTURE_NOT_FOUND and another method
// on the path 405. Every well-formed query goes to `recorder` (may be null) with `network_element`
// and `now`. Thread-safe; allocates nothing.
EirResponse AnswerEirRequest(std::string_view method, std::string_view target,
                             const EquipmentSnapshot& snapshot, SightingRecorder* recorder,
                             std::string_view network_element, Timestamp now);

}  // namespace imeiguard::eir
