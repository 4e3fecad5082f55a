#include "api.h"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <thread>

#include "locking/request_signing.h"
#include "records.h"

namespace imeiguard::dm_simulator {
namespace {

namespace json = boost::json;

constexpr std::string_view kDefaultTenant = "default";
constexpr size_t kMaxIdempotencyKeyLength = 200;
constexpr size_t kMaxImeiLength = 32;
constexpr size_t kMaxMessageLength = 500;
constexpr size_t kMaxContactLength = 100;
constexpr size_t kMaxReferenceLength = 200;
constexpr size_t kMaxTimeLength = 64;

http::Response JsonResponse(int status, const json::object& body) {
  return http::Response::Json(status, json::serialize(body));
}

http::Response Unauthorized(const Error& error) {
  http::Response response = http::Response::Problem(401, error.reason, error.message);
  response.SetHeader("WWW-Authenticate", "IG1-HMAC-SHA256");
  return response;
}

std::string Describe(const http::Request& request) {
  return request.method + " " + MaskImeis(request.path) + " from " + request.remote_address;
}

// The fields of a lock or unlock body, after the checks of ParseOrderBody.
struct OrderBody {
  std::string imei2;
  std::string message;
  std::string contact;
  std::string reference;
  std::optional<Timestamp> not_after;
};

Result<std::string> StringMember(const json::value& value, std::string_view name, size_t limit) {
  if (!value.is_string()) {
    return Error::InvalidInput("invalid_body",
                               "field \"" + std::string(name) + "\" must be a string");
  }
  std::string text(value.get_string());
  if (text.size() > limit) {
    return Error::InvalidInput("invalid_body", "field \"" + std::string(name) + "\" has " +
                                                   std::to_string(text.size()) +
                                                   " bytes; the limit is " + std::to_string(limit));
  }
  return text;
}

// An empty body is an empty object. Unknown fields are rejected, so that a misspelt field in a
// client shows up in its tests instead of being ignored.
Result<OrderBody> ParseOrderBody(std::string_view body_text) {
  OrderBody body;
  if (body_text.empty()) return body;
  json::error_code ec;
  json::value parsed = json::parse(body_text, ec);
  if (ec || !parsed.is_object()) {
    return Error::InvalidInput("invalid_body", "the body is not a JSON object: " +
                                                   (ec ? ec.message() : std::string("other type")));
  }
  for (const auto& member : parsed.get_object()) {
    std::string_view name = member.key();
    std::string* field = nullptr;
    size_t limit = 0;
    if (name == "imei2") {
      field = &body.imei2;
      limit = kMaxImeiLength;
    } else if (name == "message") {
      field = &body.message;
      limit = kMaxMessageLength;
    } else if (name == "contact") {
      field = &body.contact;
      limit = kMaxContactLength;
    } else if (name == "reference") {
      field = &body.reference;
      limit = kMaxReferenceLength;
    } else if (name == "not_after") {
      Result<std::string> text = StringMember(member.value(), name, kMaxTimeLength);
      if (!text.ok()) return text.error();
      Result<Timestamp> time = ParseRfc3339(*text);
      if (!time.ok()) {
        return Error::InvalidInput("invalid_body", "field \"not_after\": " + time.error().message);
      }
      body.not_after = *time;
      continue;
    } else {
      return Error::InvalidInput(
          "invalid_body", "unknown field \"" + std::string(name) +
                              "\"; expected imei2, message, contact, reference or not_after");
    }
    Result<std::string> text = StringMember(member.value(), name, limit);
    if (!text.ok()) return text.error();
    *field = std::move(*text);
  }

  if (!body.imei2.empty()) {
    Result<std::string> core = ParseImeiCore(body.imei2);
    if (!core.ok()) return core.error();
    body.imei2 = *core;
  }
  return body;
}

}  // namespace

Result<TenantSecrets> TenantSecrets::Parse(const std::vector<std::string>& specs) {
  TenantSecrets secrets;
  for (const std::string& spec : specs) {
    size_t colon = spec.find(':');
    if (colon == std::string::npos) {
      if (spec.empty()) return Error::InvalidInput("secret", "a --secret value is empty");
      if (secrets.any_tenant_) {
        return Error::InvalidInput("secret",
                                   "two --secret values have no tenant; give at most "
                                   "one secret without a TENANT: prefix");
      }
      secrets.any_tenant_ = spec;
      continue;
    }
    std::string tenant = spec.substr(0, colon);
    std::string secret = spec.substr(colon + 1);
    if (tenant.empty() || secret.empty()) {
      return Error::InvalidInput("secret",
                                 "a --secret value of the form TENANT:SECRET has an "
                                 "empty tenant or secret");
    }
    if (!secrets.by_tenant_.emplace(tenant, secret).second) {
      return Error::InvalidInput("secret", "tenant '" + tenant + "' has two --secret values");
    }
  }
  return secrets;
}

const std::string* TenantSecrets::Find(const std::string& tenant) const {
  auto found = by_tenant_.find(tenant);
  if (found != by_tenant_.end()) return &found->second;
  return any_tenant_ ? &*any_tenant_ : nullptr;
}

Result<std::string> ParseImeiCore(std::string_view text) {
  bool digits = !text.empty();
  for (char c : text) digits = digits && c >= '0' && c <= '9';
  if (!digits || text.size() < 14 || text.size() > 16) {
    return Error::InvalidInput("invalid_imei",
                               "invalid IMEI '" + MaskImeis(text.substr(0, 32)) +
                                   "': expected 14, 15 or 16 digits (core, IMEI or IMEISV)");
  }
  return std::string(text.substr(0, 14));
}

http::Response BrokenConnection(http::Delivery delivery) {
  http::Response response;
  response.delivery = delivery;
  return response;
}

std::string MaskImeis(std::string_view text) {
  std::string masked;
  size_t i = 0;
  while (i < text.size()) {
    size_t run = 0;
    while (i + run < text.size() && text[i + run] >= '0' && text[i + run] <= '9') ++run;
    if (run >= 14) {
      masked.append(text.substr(i, 8));
      masked.append("******");
    } else {
      masked.append(text.substr(i, std::max<size_t>(run, 1)));
    }
    i += std::max<size_t>(run, 1);
  }
  return masked;
}

SimulatorApi::SimulatorApi(DmPlatform& platform, FaultInjector& faults, TenantSecrets secrets,
                           const Clock& clock)
    : platform_(platform), faults_(faults), secrets_(std::move(secrets)), clock_(clock) {}

void SimulatorApi::AddRoutes(http::Router& router) {
  router.Add("GET", "/healthz",
             [](const http::Request&) { return http::Response::Json(200, R"({"status":"ok"})"); });
  router.Add("POST", "/v1/devices/{imei}/lock",
             Guarded([this](const http::Request& request, const std::string& tenant,
                            PreciseTime received_at) {
               return PostOrder(request, tenant, DmAction::kLock, received_at);
             }));
  router.Add("POST", "/v1/devices/{imei}/unlock",
             Guarded([this](const http::Request& request, const std::string& tenant,
                            PreciseTime received_at) {
               return PostOrder(request, tenant, DmAction::kUnlock, received_at);
             }));
  router.Add("POST", "/v1/devices/{imei}/check-in",
             Guarded([this](const http::Request& request, const std::string& tenant, PreciseTime) {
               return CheckIn(request, tenant);
             }));
  router.Add("POST", "/v1/devices/{imei}/enroll",
             Guarded([this](const http::Request& request, const std::string& tenant, PreciseTime) {
               return Enroll(request, tenant);
             }));
  router.Add("GET", "/v1/devices/{imei}",
             Guarded([this](const http::Request& request, const std::string& tenant, PreciseTime) {
               return GetDevice(request, tenant);
             }));
  router.Add("GET", "/v1/orders/{order_id}",
             Guarded([this](const http::Request& request, const std::string& tenant, PreciseTime) {
               return GetOrder(request, tenant);
             }));
  router.Add("GET", "/v1/orders",
             Guarded([this](const http::Request& request, const std::string& tenant, PreciseTime) {
               return ListOrders(request, tenant);
             }));
  router.Add("GET", "/v1/stats",
             Guarded([this](const http::Request&, const std::string& tenant, PreciseTime) {
               return Stats(tenant);
             }));
}

http::Handler SimulatorApi::Guarded(TenantHandler handler) {
  return [this, handler = std::move(handler)](const http::Request& request) {
    PreciseTime received_at =
        std::chrono::floor<std::chrono::microseconds>(std::chrono::system_clock::now());
    if (Duration delay = faults_.ResponseDelay(); delay > Duration::zero()) {
      std::this_thread::sleep_for(delay);
    }
    switch (faults_.BreakBeforeHandling()) {
      case ConnectionFault::kHang:
        spdlog::info("{}: injected hang, no response", Describe(request));
        return BrokenConnection(http::Delivery::kHold);
      case ConnectionFault::kDrop:
        spdlog::info("{}: injected drop before handling", Describe(request));
        return BrokenConnection(DropDelivery());
      case ConnectionFault::kNone:
        break;
    }
    if (std::optional<InjectedFailure> failure = faults_.FailRequest()) {
      spdlog::info("{}: injected HTTP {}", Describe(request), failure->status);
      http::Response response = http::Response::Problem(
          failure->status, "injected_failure",
          "the simulator failed this request on purpose (--fail-rate); send it again later");
      if (failure->retry_after_seconds > 0) {
        response.SetHeader("Retry-After", std::to_string(failure->retry_after_seconds));
      }
      return response;
    }

    Result<std::string> tenant = Authenticate(request);
    if (!tenant.ok()) {
      spdlog::warn("{}: rejected with 401: {}", Describe(request), tenant.error().message);
      return Unauthorized(tenant.error());
    }
    return handler(request, *tenant, received_at);
  };
}

http::Delivery SimulatorApi::DropDelivery() const {
  return faults_.plan().drop_with_reset ? http::Delivery::kReset : http::Delivery::kClose;
}

Result<std::string> SimulatorApi::Authenticate(const http::Request& request) const {
  std::string tenant(request.Header(kTenantHeader));
  const std::string* secret = secrets_.Find(tenant.empty() ? std::string(kDefaultTenant) : tenant);
  if (secret == nullptr) {
    return Error::InvalidInput(
        "unknown_tenant",
        "X-Tenant '" + tenant.substr(0, 64) + "' names no tenant configured on this platform");
  }

  SignedRequestParts parts{request.method, request.target, tenant,
                           request.Header(kIdempotencyKeyHeader), request.body};
  Status verified = VerifyRequestSignature(*secret, parts, request.Header(kTimestampHeader),
                                           request.Header(kSignatureHeader), clock_.Now());
  if (!verified.ok()) return verified.error();
  return tenant.empty() ? std::string(kDefaultTenant) : tenant;
}

http::Response SimulatorApi::PostOrder(const http::Request& request, const std::string& tenant,
                                       DmAction action, PreciseTime received_at) {
  Result<std::string> imei = ParseImeiCore(request.path_params.at("imei"));
  if (!imei.ok()) return http::Response::Problem(400, imei.error().reason, imei.error().message);

  std::string key(request.Header(kIdempotencyKeyHeader));
  if (key.empty() || key.size() > kMaxIdempotencyKeyLength) {
    return http::Response::Problem(400, "invalid_idempotency_key",
                                   "the Idempotency-Key header is missing or longer than " +
                                       std::to_string(kMaxIdempotencyKeyLength) +
                                       " bytes; send one unique key per order");
  }

  Result<OrderBody> body = ParseOrderBody(request.body);
  if (!body.ok()) {
    spdlog::warn("{}: rejected with 400: {}", Describe(request), body.error().message);
    return http::Response::Problem(400, body.error().reason, body.error().message);
  }
  if (body->imei2 == *imei) {
    return http::Response::Problem(400, "invalid_imei2",
                                   "imei2 names the same device as the IMEI in the path; leave "
                                   "imei2 out for a single-SIM device");
  }

  OrderRequest order_request{tenant,          *imei,         body->imei2,     action,
                             body->message,   body->contact, body->reference, key,
                             body->not_after, received_at};
  SubmitResult result = platform_.Submit(order_request);
  const DmOrder& order = result.order;
  if (result.outcome == SubmitOutcome::kKeyReused) {
    spdlog::warn("{}: rejected with 422: Idempotency-Key reused, first used by order {}",
                 Describe(request), order.order_id);
    return http::Response::Problem(422, "idempotency_key_reused",
                                   "Idempotency-Key '" + key + "' was already used for order " +
                                       order.order_id +
                                       " with other content; use a new key for a new order");
  }

  if (result.outcome == SubmitOutcome::kCreated) {
    spdlog::info("order {} created: {} of device {}******, tenant {}, key {}", order.order_id,
                 DmActionName(action), imei->substr(0, 8), tenant, key);
  }
  if (faults_.DropAfterApply()) {
    // The platform stores the order, but the client never learns it: only the same idempotency
    // key sent again keeps it from becoming two orders.
    spdlog::info("{}: injected drop after order {} was {}", Describe(request), order.order_id,
                 DmOrderStatusName(order.status));
    return BrokenConnection(DropDelivery());
  }
  int status = order.status == DmOrderStatus::kPending ? 202 : 200;
  http::Response response = JsonResponse(status, OrderToJson(order));
  response.SetHeader("Location", "/v1/orders/" + order.order_id);
  if (result.outcome == SubmitOutcome::kReplayed) response.SetHeader("Idempotent-Replayed", "true");
  return response;
}

http::Response SimulatorApi::GetOrder(const http::Request& request, const std::string& tenant) {
  const std::string& order_id = request.path_params.at("order_id");
  std::optional<DmOrder> order = platform_.FindOrder(tenant, order_id);
  if (!order) {
    return http::Response::Problem(
        404, "order_not_found",
        "tenant '" + tenant + "' has no order '" + order_id.substr(0, 64) + "'");
  }
  return JsonResponse(200, OrderToJson(*order));
}

http::Response SimulatorApi::GetDevice(const http::Request& request, const std::string& tenant) {
  Result<std::string> imei = ParseImeiCore(request.path_params.at("imei"));
  if (!imei.ok()) return http::Response::Problem(400, imei.error().reason, imei.error().message);
  std::optional<DmDevice> device = platform_.FindDevice(tenant, *imei);
  if (!device) {
    return http::Response::Problem(
        404, "device_not_found",
        "no order of tenant '" + tenant + "' has named device " + imei->substr(0, 8) + "******");
  }
  return JsonResponse(200, DeviceToJson(*device));
}

http::Response SimulatorApi::CheckIn(const http::Request& request, const std::string& tenant) {
  Result<std::string> imei = ParseImeiCore(request.path_params.at("imei"));
  if (!imei.ok()) return http::Response::Problem(400, imei.error().reason, imei.error().message);
  std::optional<DmDevice> device = platform_.CheckIn(tenant, *imei);
  if (!device) {
    return http::Response::Problem(404, "device_not_found",
                                   "no order or enrolment of tenant '" + tenant +
                                       "' has named device " + imei->substr(0, 8) + "******");
  }
  spdlog::info("device {}****** of tenant {} checked in", imei->substr(0, 8), tenant);
  return JsonResponse(200, DeviceToJson(*device));
}

http::Response SimulatorApi::Enroll(const http::Request& request, const std::string& tenant) {
  Result<std::string> imei = ParseImeiCore(request.path_params.at("imei"));
  if (!imei.ok()) return http::Response::Problem(400, imei.error().reason, imei.error().message);
  DmDevice device = platform_.Enroll(tenant, *imei);
  spdlog::info("device {}****** of tenant {} enrolled, enrolment {}", imei->substr(0, 8), tenant,
               device.enrolment);
  return JsonResponse(200, DeviceToJson(device));
}

http::Response SimulatorApi::Stats(const std::string& tenant) {
  json::array devices;
  std::int64_t locks = 0;
  std::int64_t unlocks = 0;
  for (const DmDevice& device : platform_.ListDevices(tenant)) {
    json::object entry;
    entry["imei"] = device.imei;
    if (!device.imei2.empty()) entry["imei2"] = device.imei2;
    entry["applied_locks"] = device.applied_locks;
    entry["applied_unlocks"] = device.applied_unlocks;
    devices.push_back(std::move(entry));
    locks += device.applied_locks;
    unlocks += device.applied_unlocks;
  }
  json::object body;
  body["applied_locks"] = locks;
  body["applied_unlocks"] = unlocks;
  body["devices"] = std::move(devices);
  return JsonResponse(200, body);
}

http::Response SimulatorApi::ListOrders(const http::Request& request, const std::string& tenant) {
  OrderFilter filter;
  if (std::string_view imei = request.Query("imei"); !imei.empty()) {
    Result<std::string> core = ParseImeiCore(imei);
    if (!core.ok()) return http::Response::Problem(400, core.error().reason, core.error().message);
    filter.imei = *core;
  }
  if (std::string_view status = request.Query("status"); !status.empty()) {
    filter.status = ParseDmOrderStatus(status);
    if (!filter.status) {
      return http::Response::Problem(400, "invalid_query",
                                     "invalid status '" + std::string(status.substr(0, 32)) +
                                         "': expected pending, applied or rejected");
    }
  }
  if (std::string_view action = request.Query("action"); !action.empty()) {
    filter.action = ParseDmAction(action);
    if (!filter.action) {
      return http::Response::Problem(
          400, "invalid_query",
          "invalid action '" + std::string(action.substr(0, 32)) + "': expected lock or unlock");
    }
  }

  json::array orders;
  for (const DmOrder& order : platform_.ListOrders(tenant, filter)) {
    orders.push_back(OrderToJson(order));
  }
  json::object body;
  body["orders"] = std::move(orders);
  return JsonResponse(200, body);
}

}  // namespace imeiguard::dm_simulator
