// The police's and security officers' view of sightings: the leads of a case, the sightings of a
// SIM or a device, and the SIMs seen in several stolen devices.
#pragma once

#include "api/routes.h"
#include "eir/sighting.h"

namespace imeiguard {

// Adds GET /v1/cases/{case_id}/leads, GET /v1/sightings and GET /v1/fences, for security officers,
// police and admins. All arguments outlive the router. IMEIs are masked unless the request
// reveals them with a reason, which is audited.
void AddSightingRoutes(http::Router& router, ImeiguardService& service, Store& keys,
                       eir::SightingStore& sightings, RequestCounters& counters,
                       const Clock& clock);

}  // namespace imeiguard
