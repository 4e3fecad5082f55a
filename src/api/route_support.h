// Helpers that every route file shares: authentication and roles, error mapping, query and path
// numbers, and the disclosure of whole IMEIs. Defined in routes.cc.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>

#include "api/api_key.h"
#include "api/json_views.h"
#include "api/routes.h"
#include "net/http.h"

namespace imeiguard {

// Problem details for `error`, with the status its kind maps to (see AddApiRoutes).
http::Response ErrorResponse(const Error& error);
http::Response JsonResponse(int status, const boost::json::value& value);

// Wraps a handler so that it runs only for callers with one of `roles` (an admin always may),
// counts the request under `route` and turns a thrown exception into a 500 that names no
// internals.
http::Handler Guard(Store& keys, RequestCounters& counters, std::string route,
                    std::initializer_list<Role> roles,
                    std::function<http::Response(const http::Request&, const Principal&)> handler);

// Parses a whole decimal number in [minimum, maximum] from a query parameter; kInvalidInput
// "invalid_query" naming the parameter otherwise.
Result<std::int64_t> QueryNumber(std::string_view name, std::string_view text, std::int64_t minimum,
                                 std::int64_t maximum);
// A whole positive number from the path; kInvalidInput "invalid_path" otherwise.
Result<std::int64_t> PathNumber(const http::Request& request, const std::string& name);

// Whether a response shows whole IMEIs: ?reveal=true&reason=... appends an "imei_revealed" audit
// entry naming `entity` first. kInvalidInput for a malformed request, kUnavailable when the audit
// entry cannot be stored.
Result<ImeiDisclosure> Disclosure(const http::Request& request, const Principal& principal,
                                  Store& store, const Clock& clock, const std::string& entity);

}  // namespace imeiguard
