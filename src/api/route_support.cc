#include "api/route_support.h"

#include <algorithm>
#include <charconv>
#include <vector>

namespace imeiguard {

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

Result<Imei> ImeiParam(const Request& request, ImeiChannel channel) {
  auto it = request.path_params.find("imei");
  std::string_view text = it == request.path_params.end() ? "" : std::string_view(it->second);
  return Imei::Parse(text, channel);
}

Result<std::int64_t> QueryNumber(std::string_view name, std::string_view text, std::int64_t minimum,
                                 std::int64_t maximum) {
  std::int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < minimum ||
      value > maximum) {
    return Error::InvalidInput(
        "invalid_query", "query parameter " + std::string(name) + "=" + std::string(text) +
                             " is invalid; use a whole number from " + std::to_string(minimum) +
                             " to " + std::to_string(maximum));
  }
  return value;
}

Result<std::int64_t> PathNumber(const Request& request, const std::string& name) {
  auto it = request.path_params.find(name);
  std::string_view text = it == request.path_params.end() ? "" : std::string_view(it->second);
  std::int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < 1) {
    return Error::InvalidInput(
        "invalid_path", name + " " + std::string(text) + " is invalid; use a whole number from 1");
  }
  return value;
}

namespace {

constexpr std::size_t kMaxRevealReasonLength = 500;

}  // namespace

Result<ImeiDisclosure> Disclosure(const Request& request, const Principal& principal, Store& store,
                                  const Clock& clock, const std::string& entity) {
  if (principal.role == Role::kShipper) return ImeiDisclosure::kRevealed;
  std::string_view reveal = request.Query("reveal");
  if (reveal.empty() || reveal == "false") return ImeiDisclosure::kMasked;
  if (reveal != "true") {
    return Error::InvalidInput("invalid_query", "query parameter reveal=" + std::string(reveal) +
                                                    " is invalid; use true or false");
  }
  std::string_view reason = request.Query("reason");
  if (reason.empty() || reason.size() > kMaxRevealReasonLength) {
    return Error::InvalidInput("invalid_query", "reveal=true needs a reason of 1 to " +
                                                    std::to_string(kMaxRevealReasonLength) +
                                                    " bytes, such as &reason=case+4711");
  }
  AuditEntry audit;
  audit.at = clock.Now();
  audit.actor = principal.key_id;
  audit.action = "imei_revealed";
  audit.entity = entity;
  audit.detail = boost::json::serialize(
      boost::json::object{{"reason", reason}, {"role", RoleName(principal.role)}});
  if (Status s = store.AppendAudit(audit); !s.ok()) {
    return Error::Unavailable("audit_unavailable",
                              "the reveal could not be recorded, so the IMEIs stay masked; try "
                              "again later");
  }
  return ImeiDisclosure::kRevealed;
}

bool MayRead(const Principal& principal, std::string_view shipper_id) {
  return principal.role != Role::kShipper || principal.shipper_id == shipper_id;
}

Result<ReadableDevices> FindReadableDevices(
    const Request& request, const Principal& principal, Store& store, const Clock& clock,
    const std::function<Result<std::vector<DeviceRow>>(Imei)>& find) {
  auto imei = ImeiParam(request, ImeiChannel::kHuman);
  if (!imei.ok()) return imei.error();
  auto devices = find(*imei);
  if (!devices.ok()) return devices.error();
  std::erase_if(*devices,
                [&](const DeviceRow& device) { return !MayRead(principal, device.shipper_id); });
  if (devices->empty()) {
    return Error::NotFound("device_not_found",
                           "no device with IMEI " + imei->WithCheckDigit() + " is registered");
  }
  std::string entity = "device:";
  for (const DeviceRow& device : *devices) {
    if (&device != &devices->front()) entity += ",";
    entity += std::to_string(device.device_id);
  }
  auto disclosure = Disclosure(request, principal, store, clock, entity);
  if (!disclosure.ok()) return disclosure.error();
  return ReadableDevices{std::move(devices).value(), *disclosure};
}

}  // namespace imeiguard
