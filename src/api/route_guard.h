// Helpers that every route file shares: the role check of a route, and the responses of errors and
// JSON values.
#pragma once

#include <boost/json/value.hpp>
#include <functional>
#include <initializer_list>
#include <string>

#include "api/api_key.h"
#include "api/routes.h"
#include "net/http.h"

namespace imeiguard {

// The problem details of `error`: kInvalidInput is 400 (401 for reason "unauthenticated", with
// WWW-Authenticate), kNotFound 404, kConflict 409, kUnavailable 503 with Retry-After and
// kInternal 500.
http::Response ErrorResponse(const Error& error);

http::Response JsonResponse(int status, const boost::json::value& value);

// Wraps a handler so that it runs only for callers with one of `roles` (an admin key may call
// every route) and counts the request by route and status. `keys` and `counters` must outlive
// the handler.
http::Handler Guard(Store& keys, RequestCounters& counters, std::string route,
                    std::initializer_list<Role> roles,
                    std::function<http::Response(const http::Request&, const Principal&)> handler);

}  // namespace imeiguard
