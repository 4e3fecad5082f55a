// The routes of the EPCIS 2.0 REST binding that a carrier uses to capture scan events and read
// them back: OPTIONS, POST and GET /capture, GET /capture/{captureID} and GET /events.
#pragma once

#include "api/routes.h"
#include "net/http.h"
#include "service/epcis_capture.h"
#include "store/store.h"

namespace imeiguard {

// The capture limits the routes advertise and enforce.
struct EpcisRouteLimits {
  int capture_limit = 10000;                        // Events of one document.
  std::size_t capture_file_size_limit = 16u << 20;  // Bytes of one document.
};

// Adds the routes. Every route needs a carrier (or admin) key. `capture`, `store` and `counters`
// must outlive the router.
void AddEpcisRoutes(http::Router& router, EpcisCapture& capture, Store& store,
                    RequestCounters& counters, const EpcisRouteLimits& limits);

}  // namespace imeiguard
