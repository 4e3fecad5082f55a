// The HTTP API: routes, who may call each, and how results and errors become responses.
#pragma once

#include <atomic>
#include <map>
#include <mutex>
#include <string>

#include "api/input_limits.h"
#include "api/rate_limiter.h"
#include "net/http.h"
#include "service/config.h"
#include "service/service.h"
#include "store/store.h"

namespace imeiguard {

// Counts of requests by route and status, for /metrics. Thread-safe.
class RequestCounters {
 public:
  void Count(const std::string& route, int status);
  std::string Prometheus() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, int>, std::int64_t> counts_;  // Guarded by mutex_.
};

// The credentials that verify the callbacks of one connector's platform: its tenant (empty: any)
// and the secret that signs its requests.
struct CallbackCredentials {
  std::string tenant;
  std::string secret;
};

// Adds every API route to `router`, as src/api/openapi.json describes them. `service`, `keys` and
// `counters` must outlive the router. Errors are application/problem+json with the error's reason;
// kInvalidInput maps to 400 (401 for a bad key), kNotFound to 404, kConflict to 409, kUnavailable
// to 503 with Retry-After, and kInternal to 500. A manifest or event body that breaks `limits` is
// rejected whole, before the service sees it. With `check_limiter` and `clock`, the public check
// is rate-limited per caller (the API key, or the IP address of a caller without one) and answers
// 429 with Retry-After. Platform callbacks are verified with `callbacks`, by connector name; a
// connector missing from it (or all of them, when it is null) gets 404. The console's routes
// (console_routes.h) read `keys`, the store, with the settings of `console`.
void AddApiRoutes(http::Router& router, ImeiguardService& service, Store& keys,
                  RequestCounters& counters, const InputLimits& limits,
                  RateLimiter* check_limiter = nullptr, const Clock* clock = nullptr,
                  const std::map<std::string, CallbackCredentials>* callbacks = nullptr,
                  const ConsoleConfig& console = ConsoleConfig{});

}  // namespace imeiguard
