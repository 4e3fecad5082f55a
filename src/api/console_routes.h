// The read-only routes of the security officers' and the police's console: a parcel's timeline,
// a device's lock history and the hotspot report.
#pragma once

#include "api/routes.h"
#include "core/time.h"
#include "net/http.h"
#include "service/config.h"
#include "store/store.h"

namespace imeiguard {

// Adds GET /v1/parcels/{parcel_id}/timeline, GET /v1/devices/{imei}/orders and GET /v1/hotspots
// to `router`, as src/api/openapi.json describes them. They read `store` directly, because
// everything they show is durable there. `store`, `counters` and `clock` must outlive the router.
void AddConsoleRoutes(http::Router& router, Store& store, RequestCounters& counters,
                      const Clock& clock, const ConsoleConfig& console);

}  // namespace imeiguard
