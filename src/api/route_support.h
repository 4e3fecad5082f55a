// Helpers shared by every group of API routes: the role check around each handler, errors as
// problem details, the parsing of path and query parameters, and the decision to show whole IMEIs.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "api/api_key.h"
#include "api/json_views.h"
#include "api/routes.h"
#include "core/time.h"
#include "identifiers/imei.h"
#include "net/http.h"
#include "store/store.h"

namespace imeiguard {

// Maps an error's kind to its status: kInvalidInput to 400 (401 for reason "unauthenticated"),
// kNotFound to 404, kConflict to 409, kUnavailable to 503 with Retry-After, kInternal to 500.
http::Response ErrorResponse(const Error& error);

http::Response JsonResponse(int status, const boost::json::value& value);

// Wraps a handler so that it runs only for callers with one of `roles` (an admin may call every
// route) and counts the request under `route`. `keys` and `counters` must outlive the handler.
http::Handler Guard(Store& keys, RequestCounters& counters, std::string route,
                    std::initializer_list<Role> roles,
                    std::function<http::Response(const http::Request&, const Principal&)> handler);

// The {imei} path parameter, parsed for `channel`.
Result<Imei> ImeiParam(const http::Request& request, ImeiChannel channel);

// Parses a whole decimal number in [minimum, maximum] from a query parameter; kInvalidInput
// "invalid_query" naming the parameter and the range otherwise.
Result<std::int64_t> QueryNumber(std::string_view name, std::string_view text, std::int64_t minimum,
                                 std::int64_t maximum);

// A whole positive number from the path, such as the case_id of /v1/cases/{case_id}.
Result<std::int64_t> PathNumber(const http::Request& request, const std::string& name);

// Decides whether a response shows whole IMEIs. A shipper sees its own devices' IMEIs, which it
// sent. Anyone else sees them masked unless the request asks with ?reveal=true&reason=..., and
// each such reveal is appended to the audit trail, naming `entity`, before anything is shown.
Result<ImeiDisclosure> Disclosure(const http::Request& request, const Principal& principal,
                                  Store& store, const Clock& clock, const std::string& entity);

// A shipper sees only its own parcels; to it, another shipper's parcel does not exist.
bool MayRead(const Principal& principal, std::string_view shipper_id);

// The devices of a request's {imei} that its caller may read, and how their IMEIs are shown.
struct ReadableDevices {
  std::vector<DeviceRow> devices;
  ImeiDisclosure disclosure = ImeiDisclosure::kMasked;
};

// Finds the devices of the {imei} path parameter with `find`, keeps those `principal` may read and
// decides their disclosure as Disclosure does. kNotFound "device_not_found" when none is left.
Result<ReadableDevices> FindReadableDevices(
    const http::Request& request, const Principal& principal, Store& store, const Clock& clock,
    const std::function<Result<std::vector<DeviceRow>>(Imei)>& find);

}  // namespace imeiguard
