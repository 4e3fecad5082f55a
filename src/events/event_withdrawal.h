// A declaration that an event already sent was in error, so that the engine treats the event as
// if it had never happened (EPCIS 2.0 errorDeclaration).
#pragma once

#include <string>

#include "core/time.h"

namespace imeiguard {

struct EventWithdrawal {
  std::string event_id;   // The scan event withdrawn, as its sender named it.
  std::string parcel_id;  // Its parcel.
  Timestamp declared_at;  // The declaration's own time (EPCIS declarationTime).
  std::string reason;     // Free text or a CBV error reason; may be empty.
};

}  // namespace imeiguard
