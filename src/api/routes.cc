#include "api/routes.h"

#include <algorithm>
#include <initializer_list>
#include <sstream>

#include "api/api_key.h"
#include "api/json_views.h"
#include "api/openapi.h"

namespace imeiguard {
namespace {

using http::Request;
using http::Response;

Response ErrorResponse(const Error& error) {
  int status = 500;
  switch (error.kind) {
    case ErrorKind::kInvalidInput:
      status = error.reason == "unauthenticated" ? 401 : 400;
      break;
    case ErrorKind::kNotFound:
      status = 404;
      break;
    case ErrorKind::kConflict:
      status = 409;
      break;
    case ErrorKind::kUnavailable:
      status = 503;
      break;
    case ErrorKind::kInternal:
      status = 500;
      break;
  }
  Response response = Response::Problem(status, error.reason, error.message);
  if (status == 503) response.SetHeader("Retry-After", "5");
  if (status == 401) response.SetHeader("WWW-Authenticate", "Bearer");
  return response;
}

Response JsonResponse(int status, const boost::json::value& value) {
  return Response::Json(status, boost::json::serialize(value));
}

// Wraps a handler so that it runs only for callers with one of `roles`, counts the request and
// turns a thrown exception into a 500 that names no internals.
http::Handler Guard(Store& keys, RequestCounters& counters, std::string route,
                    std::initializer_list<Role> roles,
                    std::function<Response(const Request&, const Principal&)> handler) {
  std::vector<Role> allowed(roles);
  return [&keys, &counters, route = std::move(route), allowed = std::move(allowed),
          handler = std::move(handler)](const Request& request) {
    Response response;
    auto principal = Authenticate(keys, request.Header("authorization"));
    if (!principal.ok()) {
      response = ErrorResponse(principal.error());
    } else if (std::find(allowed.begin(), allowed.end(), principal->role) == allowed.end() &&
               !(principal->role == Role::kAdmin)) {
      response = principal->role == Role::kPublic
                     ? ErrorResponse(
                           Error::InvalidInput("unauthenticated", "this endpoint needs an API key"))
                     : Response::Problem(403, "forbidden",
                                         "a " + std::string(RoleName(principal->role)) +
                                             " key may not call " + route);
    } else {
      response = handler(request, *principal);
    }
    counters.Count(route, response.status);
    return response;
  };
}

// Builds the problem details of a broken bound, naming where in the body it broke.
Response ViolationResponse(const InputViolation& violation) {
  http::ProblemMembers members;
  if (violation.line > 0) members.emplace_back("line", std::int64_t{violation.line});
  if (!violation.field.empty()) members.emplace_back("field", violation.field);
  if (violation.offset) {
    members.emplace_back("offset", static_cast<std::int64_t>(*violation.offset));
  }
  members.emplace_back("limit", static_cast<std::int64_t>(violation.limit));
  return Response::Problem(violation.status, violation.reason, violation.message, members);
}

Result<Imei> ImeiParam(const Request& request, ImeiChannel channel) {
  auto it = request.path_params.find("imei");
  std::string_view text = it == request.path_params.end() ? "" : std::string_view(it->second);
  return Imei::Parse(text, channel);
}

// A shipper sees only its own parcels; to it, another shipper's parcel does not exist.
bool MayRead(const Principal& principal, std::string_view shipper_id) {
  return principal.role != Role::kShipper || principal.shipper_id == shipper_id;
}

}  // namespace

void RequestCounters::Count(const std::string& route, int status) {
  std::lock_guard lock(mutex_);
  ++counts_[{route, status}];
}

std::string RequestCounters::Prometheus() const {
  std::ostringstream out;
  out << "# TYPE imeiguard_http_requests_total counter\n";
  std::lock_guard lock(mutex_);
  for (const auto& [key, count] : counts_) {
    out << "imeiguard_http_requests_total{route=\"" << key.first << "\",status=\"" << key.second
        << "\"} " << count << "\n";
  }
  return out.str();
}

void AddApiRoutes(http::Router& router, ImeiguardService& service, Store& keys,
                  RequestCounters& counters, const InputLimits& limits) {
  router.Add("POST", "/v1/manifests",
             Guard(keys, counters, "/v1/manifests", {Role::kShipper},
                   [&service, limits](const Request& request, const Principal& principal) {
                     if (auto violation = CheckManifest(request.body, limits)) {
                       return ViolationResponse(*violation);
                     }
                     // Not a conditional expression: its std::string result would be a
                     // temporary that the view outlives.
                     std::string_view scope;
                     if (principal.role == Role::kShipper) scope = principal.shipper_id;
                     auto report = service.ImportManifest(request.body, scope);
                     if (!report.ok()) return ErrorResponse(report.error());
                     return JsonResponse(200, ManifestReportJson(*report));
                   }));

  router.Add("POST", "/v1/events",
             Guard(keys, counters, "/v1/events", {Role::kCarrier},
                   [&service, limits](const Request& request, const Principal&) {
                     if (auto violation = CheckEventBatch(request.body, limits)) {
                       return ViolationResponse(*violation);
                     }
                     auto report = service.IngestEvents(request.body);
                     if (!report.ok()) return ErrorResponse(report.error());
                     return JsonResponse(200, EventReportJson(*report));
                   }));

  router.Add("GET", "/v1/parcels/{parcel_id}",
             Guard(keys, counters, "/v1/parcels/{parcel_id}",
                   {Role::kShipper, Role::kSecurityOfficer, Role::kPolice},
                   [&service](const Request& request, const Principal& principal) {
                     const std::string& id = request.path_params.at("parcel_id");
                     auto parcel = service.GetParcel(id);
                     if (!parcel.ok()) return ErrorResponse(parcel.error());
                     if (!parcel->has_value() ||
                         !MayRead(principal, (*parcel)->parcel.record.shipper_id)) {
                       return Response::Problem(404, "parcel_not_found",
                                                "no parcel " + id + " is registered");
                     }
                     return JsonResponse(200, ParcelJson(**parcel));
                   }));

  router.Add("GET", "/v1/devices/{imei}",
             Guard(keys, counters, "/v1/devices/{imei}",
                   {Role::kShipper, Role::kSecurityOfficer, Role::kPolice},
                   [&service](const Request& request, const Principal& principal) {
                     auto imei = ImeiParam(request, ImeiChannel::kHuman);
                     if (!imei.ok()) return ErrorResponse(imei.error());
                     auto devices = service.FindDevices(*imei);
                     if (!devices.ok()) return ErrorResponse(devices.error());
                     boost::json::array items;
                     for (const DeviceRow& device : *devices) {
                       if (MayRead(principal, device.shipper_id)) {
                         items.push_back(DeviceJson(device));
                       }
                     }
                     if (items.empty()) {
                       return Response::Problem(
                           404, "device_not_found",
                           "no device with IMEI " + imei->WithCheckDigit() + " is registered");
                     }
                     return JsonResponse(200, boost::json::object{{"devices", std::move(items)}});
                   }));

  // The public check: no key, and nothing in the answer but blocked or not blocked.
  router.Add("GET", "/v1/check/{imei}",
             Guard(keys, counters, "/v1/check/{imei}",
                   {Role::kPublic, Role::kShipper, Role::kCarrier, Role::kSecurityOfficer,
                    Role::kPolice, Role::kOperator},
                   [&service](const Request& request, const Principal&) {
                     auto imei = ImeiParam(request, ImeiChannel::kHuman);
                     if (!imei.ok()) return ErrorResponse(imei.error());
                     bool blocked = service.Check(*imei) == CheckAnswer::kBlocked;
                     Response response = JsonResponse(
                         200, boost::json::object{{"status", blocked ? "blocked" : "not_blocked"}});
                     response.SetHeader("Cache-Control", "no-store");
                     return response;
                   }));

  router.Add("GET", "/healthz", [&counters](const Request&) {
    counters.Count("/healthz", 200);
    return Response::Json(200, R"({"status":"ok"})");
  });

  router.Add("GET", "/readyz", [&service, &counters](const Request&) {
    bool ready = service.Ready();
    counters.Count("/readyz", ready ? 200 : 503);
    return ready ? Response::Json(200, R"({"status":"ready"})")
                 : Response::Problem(503, "starting", "start-up recovery has not finished");
  });

  // Metrics reveal routes, traffic and outbox health, so only an admin key may read them.
  router.Add("GET", "/metrics",
             Guard(keys, counters, "/metrics", {},
                   [&service, &counters](const Request&, const Principal&) {
                     std::ostringstream out;
                     for (const auto& [name, value] : service.Metrics()) {
                       bool counter = name.size() > 6 && name.ends_with("_total");
                       out << "# TYPE " << name << (counter ? " counter\n" : " gauge\n");
                       out << name << " " << value << "\n";
                     }
                     out << counters.Prometheus();
                     return Response::Text(200, out.str(), "text/plain; version=0.0.4");
                   }));

  router.Add("GET", "/v1/openapi.json", [&counters](const Request&) {
    counters.Count("/v1/openapi.json", 200);
    return Response::Json(200, std::string(OpenApiDocument()));
  });
}

}  // namespace imeiguard
