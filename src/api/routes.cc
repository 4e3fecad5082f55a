#include "api/routes.h"

#include <algorithm>
#include <charconv>
#include <functional>
#include <initializer_list>
#include <limits>
#include <sstream>

#include "api/api_key.h"
#include "api/json_views.h"
#include "api/openapi.h"
#include "api/route_guard.h"
#include "locking/request_signing.h"

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

namespace {

Response TooManyRequests(Duration wait) {
  auto seconds = std::max<std::int64_t>(1, std::chrono::ceil<std::chrono::seconds>(wait).count());
  Response response = Response::Problem(
      429, "rate_limited",
      "too many checks from this client; try again in " + std::to_string(seconds) + " s");
  response.SetHeader("Retry-After", std::to_string(seconds));
  return response;
}

}  // namespace

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

namespace {

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

constexpr int kDefaultOrderPage = 100;
constexpr int kMaxOrderPage = 1000;

// The query of GET /v1/orders: ?status=acknowledged&after=42&limit=100, each optional.
struct OrderPage {
  std::optional<OrderStatus> status;
  std::int64_t after = 0;
  int limit = kDefaultOrderPage;
};

// Parses a whole decimal number in [minimum, maximum] from a query parameter.
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

Result<OrderPage> ReadOrderPage(const Request& request) {
  OrderPage page;
  if (std::string_view status = request.Query("status"); !status.empty()) {
    page.status = ParseOrderStatus(status);
    if (!page.status) {
      return Error::InvalidInput("invalid_query",
                                 "query parameter status=" + std::string(status) +
                                     " is invalid; use pending, sent, acknowledged, cancelled or "
                                     "failed");
    }
  }
  if (std::string_view after = request.Query("after"); !after.empty()) {
    auto value = QueryNumber("after", after, 0, std::numeric_limits<std::int64_t>::max());
    if (!value.ok()) return value.error();
    page.after = *value;
  }
  if (std::string_view limit = request.Query("limit"); !limit.empty()) {
    auto value = QueryNumber("limit", limit, 1, kMaxOrderPage);
    if (!value.ok()) return value.error();
    page.limit = static_cast<int>(*value);
  }
  return page;
}

// The ?force= query parameter of POST /v1/manifests: "true" imports the good rows of a file that
// looks wrongly exported.
Result<ExportCheck> ReadExportCheck(const Request& request) {
  std::string_view force = request.Query("force");
  if (force.empty() || force == "false") return ExportCheck::kEnforce;
  if (force == "true") return ExportCheck::kForce;
  return Error::InvalidInput("invalid_query", "query parameter force=" + std::string(force) +
                                                  " is invalid; use true or false");
}

// The 422 problem details of a manifest rejected whole, with the counts and the example row.
Response RejectionResponse(const ManifestRejection& rejection) {
  http::ProblemMembers members;
  members.emplace_back("row_reason", rejection.row_reason);
  members.emplace_back("rows_affected", std::int64_t{rejection.rows_affected});
  members.emplace_back("rows_read", std::int64_t{rejection.rows_read});
  members.emplace_back("line", std::int64_t{rejection.example_line});
  if (!rejection.example_column.empty()) members.emplace_back("field", rejection.example_column);
  return Response::Problem(422, rejection.reason, rejection.message, members);
}

// A string member of a JSON object body, such as "reason" in {"reason": "seen on CCTV"}.
Result<std::string> StringMember(std::string_view body, std::string_view name) {
  boost::system::error_code error;
  boost::json::value parsed = boost::json::parse(body, error);
  if (error || !parsed.is_object()) {
    return Error::InvalidInput("invalid_body", "the body must be a JSON object such as {\"" +
                                                   std::string(name) + "\": \"...\"}");
  }
  const boost::json::value* member = parsed.as_object().if_contains(name);
  if (member == nullptr || !member->is_string()) {
    return Error::InvalidInput("invalid_" + std::string(name),
                               "the body needs a \"" + std::string(name) + "\" string");
  }
  return std::string(member->as_string());
}

Result<std::string> ReasonMember(std::string_view body) { return StringMember(body, "reason"); }

// A whole positive number from the path, such as the case_id of /v1/cases/{case_id}.
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

constexpr std::size_t kMaxRevealReasonLength = 500;

// Decides whether a response shows whole IMEIs. A shipper sees its own devices' IMEIs, which it
// sent. Anyone else sees them masked unless the request asks with ?reveal=true&reason=..., and
// each such reveal is appended to the audit trail, naming `entity`, before anything is shown.
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

// A shipper sees only its own parcels; to it, another shipper's parcel does not exist.
bool MayRead(const Principal& principal, std::string_view shipper_id) {
  return principal.role != Role::kShipper || principal.shipper_id == shipper_id;
}

// An officer's step on a case, such as POST /v1/cases/{case_id}/approve-lock with
// {"reason": "..."}: `member` names the body's string that the step takes.
using CaseStepCall = std::function<Result<CaseRecord>(ImeiguardService&, std::int64_t,
                                                      std::string_view, std::string_view)>;

void AddCaseStep(http::Router& router, ImeiguardService& service, Store& keys,
                 RequestCounters& counters, const std::string& step,
                 std::initializer_list<Role> roles, std::string_view member, CaseStepCall call) {
  std::string route = "/v1/cases/{case_id}/" + step;
  router.Add("POST", route,
             Guard(keys, counters, route, roles,
                   [&service, member = std::string(member), call = std::move(call)](
                       const Request& request, const Principal& principal) {
                     auto case_id = PathNumber(request, "case_id");
                     if (!case_id.ok()) return ErrorResponse(case_id.error());
                     auto text = StringMember(request.body, member);
                     if (!text.ok()) return ErrorResponse(text.error());
                     auto record = call(service, *case_id, principal.key_id, *text);
                     if (!record.ok()) return ErrorResponse(record.error());
                     // A step that waits for a second officer is accepted, not yet done.
                     int status = record->lock == CaseLock::kUnlockAwaitingApproval ? 202 : 200;
                     return JsonResponse(status, CaseJson(*record));
                   }));
}

void AddGuardTripDecision(http::Router& router, ImeiguardService& service, Store& keys,
                          RequestCounters& counters, bool approve) {
  std::string route = std::string("/v1/guard-trips/{trip_id}/") + (approve ? "approve" : "reject");
  router.Add("POST", route,
             Guard(keys, counters, route, {Role::kSecurityOfficer},
                   [&service, approve](const Request& request, const Principal& principal) {
                     auto trip_id = PathNumber(request, "trip_id");
                     if (!trip_id.ok()) return ErrorResponse(trip_id.error());
                     auto reason = ReasonMember(request.body);
                     if (!reason.ok()) return ErrorResponse(reason.error());
                     auto decision =
                         service.DecideGuardTrip(*trip_id, approve, principal.key_id, *reason);
                     if (!decision.ok()) return ErrorResponse(decision.error());
                     return JsonResponse(200, GuardTripDecisionJson(*decision));
                   }));
}

constexpr int kDefaultCasePage = 50;
constexpr int kMaxCasePage = 500;

// The case queue and the officers' and police's steps on a case.
void AddCaseRoutes(http::Router& router, ImeiguardService& service, Store& keys,
                   RequestCounters& counters, const Clock& clock) {
  router.Add("GET", "/v1/cases",
             Guard(keys, counters, "/v1/cases", {Role::kSecurityOfficer, Role::kPolice},
                   [&service](const Request& request, const Principal&) {
                     std::int64_t after = 0;
                     int limit = kDefaultCasePage;
                     if (std::string_view text = request.Query("after"); !text.empty()) {
                       auto value =
                           QueryNumber("after", text, 0, std::numeric_limits<std::int64_t>::max());
                       if (!value.ok()) return ErrorResponse(value.error());
                       after = *value;
                     }
                     if (std::string_view text = request.Query("limit"); !text.empty()) {
                       auto value = QueryNumber("limit", text, 1, kMaxCasePage);
                       if (!value.ok()) return ErrorResponse(value.error());
                       limit = static_cast<int>(*value);
                     }
                     auto cases = service.ListCases(after, limit);
                     if (!cases.ok()) return ErrorResponse(cases.error());
                     boost::json::array items;
                     for (const CaseSummary& summary : *cases)
                       items.push_back(CaseSummaryJson(summary));
                     boost::json::value next_after = nullptr;
                     if (static_cast<int>(cases->size()) == limit) {
                       next_after = cases->back().record.case_id;
                     }
                     return JsonResponse(200, boost::json::object{{"cases", std::move(items)},
                                                                  {"next_after", next_after}});
                   }));

  router.Add(
      "GET", "/v1/cases/{case_id}",
      Guard(keys, counters, "/v1/cases/{case_id}", {Role::kSecurityOfficer, Role::kPolice},
            [&service, &keys, &clock](const Request& request, const Principal& principal) {
              auto case_id = PathNumber(request, "case_id");
              if (!case_id.ok()) return ErrorResponse(case_id.error());
              auto detail = service.GetCase(*case_id);
              if (!detail.ok()) return ErrorResponse(detail.error());
              if (!detail->has_value()) {
                return Response::Problem(404, "case_not_found",
                                         "no case " + std::to_string(*case_id) + " is stored");
              }
              auto disclosure =
                  Disclosure(request, principal, keys, clock, "case:" + std::to_string(*case_id));
              if (!disclosure.ok()) return ErrorResponse(disclosure.error());
              return JsonResponse(200, CaseDetailJson(**detail, *disclosure));
            }));

  AddCaseStep(router, service, keys, counters, "approve-lock", {Role::kSecurityOfficer}, "reason",
              &ImeiguardService::ApproveLock);
  AddCaseStep(router, service, keys, counters, "reject-lock", {Role::kSecurityOfficer}, "reason",
              &ImeiguardService::RejectLock);
  AddCaseStep(router, service, keys, counters, "unlock", {Role::kSecurityOfficer}, "reason",
              &ImeiguardService::OrderUnlock);
  AddCaseStep(router, service, keys, counters, "confirm-theft", {Role::kSecurityOfficer}, "reason",
              &ImeiguardService::ConfirmTheft);
  AddCaseStep(router, service, keys, counters, "police-report",
              {Role::kSecurityOfficer, Role::kPolice}, "report_number",
              &ImeiguardService::RecordPoliceReport);
  AddGuardTripDecision(router, service, keys, counters, true);
  AddGuardTripDecision(router, service, keys, counters, false);
}

Response CallbackUnauthorized(std::string_view reason, std::string message) {
  Response response = Response::Problem(401, std::string(reason), std::move(message));
  response.SetHeader("WWW-Authenticate", "IG1-HMAC-SHA256");
  return response;
}

// A platform's report of one of its orders, signed like imeiguard's requests to the platform.
// Nothing is read from the body before the signature verifies.
Response ReceiveCallback(const Request& request, ImeiguardService& service,
                         const std::map<std::string, CallbackCredentials>* callbacks,
                         const Clock& clock) {
  const std::string& connector = request.path_params.at("connector");
  const CallbackCredentials* credentials = nullptr;
  if (callbacks != nullptr) {
    auto found = callbacks->find(connector);
    if (found != callbacks->end()) credentials = &found->second;
  }
  if (credentials == nullptr) {
    return Response::Problem(404, "connector_not_found",
                             "no connector named '" + connector.substr(0, 64) + "' is configured");
  }
  if (credentials->secret.empty()) {
    return CallbackUnauthorized("signature_unverifiable",
                                "connector " + connector +
                                    " has no secret configured, so its callbacks cannot be "
                                    "verified; configure its secret");
  }
  std::string_view tenant = request.Header(kTenantHeader);
  if (!credentials->tenant.empty() && tenant != credentials->tenant) {
    return CallbackUnauthorized("unknown_tenant", "X-Tenant '" + std::string(tenant.substr(0, 64)) +
                                                      "' is not the tenant of connector " +
                                                      connector);
  }
  SignedRequestParts parts{request.method, request.target, tenant,
                           request.Header(kIdempotencyKeyHeader), request.body};
  Status verified =
      VerifyRequestSignature(credentials->secret, parts, request.Header(kTimestampHeader),
                             request.Header(kSignatureHeader), clock.Now());
  if (!verified.ok()) {
    return CallbackUnauthorized(verified.error().reason, verified.error().message);
  }

  Result<PlatformOrder> report = ParsePlatformOrder(request.body);
  if (!report.ok()) return ErrorResponse(report.error());
  Result<LockOrder> order = service.ReceivePlatformReport(connector, *report);
  if (!order.ok()) return ErrorResponse(order.error());
  return JsonResponse(200, OrderJson(*order));
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
                  RequestCounters& counters, const InputLimits& limits, RateLimiter* check_limiter,
                  const Clock* clock, const std::map<std::string, CallbackCredentials>* callbacks) {
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
                     auto export_check = ReadExportCheck(request);
                     if (!export_check.ok()) return ErrorResponse(export_check.error());
                     auto report = service.ImportManifest(request.body, scope, *export_check);
                     if (!report.ok()) return ErrorResponse(report.error());
                     if (report->rejection) return RejectionResponse(*report->rejection);
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

  static const SystemClock system_clock;
  const Clock& now_clock = clock != nullptr ? *clock : system_clock;

  router.Add(
      "GET", "/v1/parcels/{parcel_id}",
      Guard(keys, counters, "/v1/parcels/{parcel_id}",
            {Role::kShipper, Role::kSecurityOfficer, Role::kPolice},
            [&service, &keys, &now_clock](const Request& request, const Principal& principal) {
              const std::string& id = request.path_params.at("parcel_id");
              auto parcel = service.GetParcel(id);
              if (!parcel.ok()) return ErrorResponse(parcel.error());
              if (!parcel->has_value() ||
                  !MayRead(principal, (*parcel)->parcel.record.shipper_id)) {
                return Response::Problem(404, "parcel_not_found",
                                         "no parcel " + id + " is registered");
              }
              auto disclosure = Disclosure(request, principal, keys, now_clock, "parcel:" + id);
              if (!disclosure.ok()) return ErrorResponse(disclosure.error());
              return JsonResponse(200, ParcelJson(**parcel, *disclosure));
            }));

  router.Add(
      "GET", "/v1/devices/{imei}",
      Guard(keys, counters, "/v1/devices/{imei}",
            {Role::kShipper, Role::kSecurityOfficer, Role::kPolice},
            [&service, &keys, &now_clock](const Request& request, const Principal& principal) {
              auto imei = ImeiParam(request, ImeiChannel::kHuman);
              if (!imei.ok()) return ErrorResponse(imei.error());
              auto devices = service.FindDevices(*imei);
              if (!devices.ok()) return ErrorResponse(devices.error());
              std::erase_if(*devices, [&](const DeviceRow& device) {
                return !MayRead(principal, device.shipper_id);
              });
              if (devices->empty()) {
                return Response::Problem(
                    404, "device_not_found",
                    "no device with IMEI " + imei->WithCheckDigit() + " is registered");
              }
              std::string entity = "device:";
              for (const DeviceRow& device : *devices) {
                if (&device != &devices->front()) entity += ",";
                entity += std::to_string(device.device_id);
              }
              auto disclosure = Disclosure(request, principal, keys, now_clock, entity);
              if (!disclosure.ok()) return ErrorResponse(disclosure.error());
              boost::json::array items;
              for (const DeviceRow& device : *devices) {
                items.push_back(DeviceJson(device, *disclosure));
              }
              return JsonResponse(200, boost::json::object{{"devices", std::move(items)}});
            }));

  // Lock orders, a page at a time in order_id order; `after` is the last order_id of the page
  // before.
  router.Add(
      "GET", "/v1/orders",
      Guard(keys, counters, "/v1/orders", {Role::kShipper, Role::kSecurityOfficer, Role::kPolice},
            [&service](const Request& request, const Principal& principal) {
              auto page = ReadOrderPage(request);
              if (!page.ok()) return ErrorResponse(page.error());
              std::string_view scope = principal.role == Role::kShipper
                                           ? std::string_view(principal.shipper_id)
                                           : std::string_view();
              auto orders = service.ListOrders(page->status, scope, page->after, page->limit);
              if (!orders.ok()) return ErrorResponse(orders.error());
              boost::json::array items;
              for (const LockOrder& order : *orders) items.push_back(OrderJson(order));
              boost::json::value next_after = nullptr;
              if (static_cast<int>(orders->size()) == page->limit) {
                next_after = orders->back().order_id;
              }
              return JsonResponse(200, boost::json::object{{"orders", std::move(items)},
                                                           {"next_after", next_after}});
            }));

  // A security officer's declaration of loss. A device whose lock is already live (another trigger
  // made it) gets no second order; the response names the order that serves it.
  router.Add("POST", "/v1/parcels/{parcel_id}/declare-lost",
             Guard(keys, counters, "/v1/parcels/{parcel_id}/declare-lost", {Role::kSecurityOfficer},
                   [&service](const Request& request, const Principal& principal) {
                     const std::string& id = request.path_params.at("parcel_id");
                     auto reason = ReasonMember(request.body);
                     if (!reason.ok()) return ErrorResponse(reason.error());
                     auto declared = service.DeclareLost(id, principal.key_id, *reason);
                     if (!declared.ok()) return ErrorResponse(declared.error());
                     return JsonResponse(200, LossDeclarationJson(id, *declared));
                   }));

  AddCaseRoutes(router, service, keys, counters, now_clock);

  // The public check: no key, and nothing in the answer but blocked or not blocked.
  router.Add(
      "GET", "/v1/check/{imei}",
      Guard(keys, counters, "/v1/check/{imei}",
            {Role::kPublic, Role::kShipper, Role::kCarrier, Role::kSecurityOfficer, Role::kPolice,
             Role::kOperator},
            [&service, check_limiter, clock](const Request& request, const Principal& principal) {
              if (check_limiter != nullptr && clock != nullptr) {
                std::string caller = principal.key_id.empty() ? "ip:" + request.remote_address
                                                              : "key:" + principal.key_id;
                if (auto wait = check_limiter->Acquire(caller, clock->Now())) {
                  return TooManyRequests(*wait);
                }
              }
              auto imei = ImeiParam(request, ImeiChannel::kHuman);
              if (!imei.ok()) return ErrorResponse(imei.error());
              bool blocked = service.Check(*imei) == CheckAnswer::kBlocked;
              Response response = JsonResponse(
                  200, boost::json::object{{"status", blocked ? "blocked" : "not_blocked"}});
              response.SetHeader("Cache-Control", "no-store");
              return response;
            }));

  // No API key: the platform signs its callbacks with the connector's secret.
  router.Add("POST", "/v1/connectors/{connector}/callbacks",
             [&service, &counters, callbacks, &now_clock](const Request& request) {
               Response response = ReceiveCallback(request, service, callbacks, now_clock);
               counters.Count("/v1/connectors/{connector}/callbacks", response.status);
               return response;
             });

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
