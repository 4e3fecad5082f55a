#include "locking/dm_rest_connector.h"

#include <boost/json.hpp>

#include "locking/request_signing.h"
#include "net/http.h"
#include "net/http_date.h"

namespace imeiguard {
namespace {

namespace json = boost::json;

constexpr size_t kMaxDetailLength = 300;

// Percent-encodes everything but RFC 3986 unreserved characters, for one path segment.
std::string EncodePathSegment(std::string_view segment) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string encoded;
  for (char c : segment) {
    bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      encoded.push_back(c);
    } else {
      auto byte = static_cast<unsigned char>(c);
      encoded.push_back('%');
      encoded.push_back(kHex[byte >> 4]);
      encoded.push_back(kHex[byte & 0x0f]);
    }
  }
  return encoded;
}

// "35847210******", the type allocation code with the serial masked.
std::string MaskImei(const Imei& imei) { return imei.Core().substr(0, 8) + "******"; }

void ReplaceAll(std::string& text, std::string_view from, std::string_view to) {
  if (from.empty()) return;
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
}

std::string StringField(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  if (value == nullptr || !value->is_string()) return {};
  return std::string(value->get_string());
}

// "signature_mismatch: X-Signature does not match ..." from a problem details body, or "".
std::string ProblemSummary(const std::string& body) {
  json::error_code ec;
  json::value parsed = json::parse(body, ec);
  if (ec || !parsed.is_object()) return {};
  std::string reason = StringField(parsed.get_object(), "reason");
  std::string detail = StringField(parsed.get_object(), "detail");
  std::string summary = reason.empty() || detail.empty() ? reason + detail : reason + ": " + detail;
  if (summary.size() > kMaxDetailLength) summary = summary.substr(0, kMaxDetailLength) + "...";
  return summary;
}

std::string RejectionHint(int status, std::string_view connector) {
  switch (status) {
    case 400:
      return "the platform found the request invalid";
    case 401:
    case 403:
      return "check the tenant and secret of connector " + std::string(connector);
    case 404:
      return "the platform does not know this device or order";
    case 422:
      return "the idempotency key was already used for a different request";
    default:
      return "retrying the same request cannot help";
  }
}

// Explains a transport failure for the order: without a response the client cannot know whether
// the platform took it.
std::string NoResponseHint(std::string_view reason, std::chrono::milliseconds timeout) {
  if (reason == "timeout") {
    return "no response within the request timeout of " + std::to_string(timeout.count()) +
           " ms; the platform may still have taken the order, and the same idempotency key makes "
           "sending it again safe";
  }
  if (reason == "connection_lost") {
    return "the platform closed or reset the connection without a response; it may have taken "
           "the order, and the same idempotency key makes sending it again safe";
  }
  if (reason == "connect") return "the platform cannot be reached";
  return "the response could not be read";
}

// Explains why the platform rejected an order that it had accepted, for the reasons it names.
std::string RejectionReasonHint(std::string_view reason) {
  if (reason == "unsupported_device") {
    return " (the device cannot apply remote lock orders; another connector or a blocklist must "
           "serve it)";
  }
  if (reason == "device_reenrolled") {
    return " (the device was enrolled anew after the order was made, and the platform does not "
           "carry orders over to a new enrolment; a new order is needed)";
  }
  if (reason == "expired") {
    return " (the order's not_after passed before the device could apply it; a new order is "
           "needed)";
  }
  return "";
}

std::string StatusText(int status) {
  return "HTTP " + std::to_string(status) + " (" + std::string(http::StatusReasonPhrase(status)) +
         ")";
}

}  // namespace

DmRestConnector::DmRestConnector(DmRestConnectorOptions options)
    : options_(std::move(options)),
      clock_(options_.clock != nullptr ? options_.clock : &system_clock_),
      transport_(options_.transport ? options_.transport : HttpTransport(http::Send)) {}

ConnectorReply DmRestConnector::Submit(const LockOrder& order) {
  std::string action(LockActionName(order.action));
  std::string target =
      options_.base_path + "/v1/devices/" + order.imei.WithCheckDigit() + "/" + action;
  json::object body;
  // A platform that keeps the order for an offline device must not apply it after this instant,
  // because the device may belong to someone else by then.
  if (order.expires_at) body["not_after"] = FormatRfc3339(*order.expires_at);
  if (order.imei2) body["imei2"] = order.imei2->WithCheckDigit();
  if (order.action == LockAction::kLock) {
    body["message"] = options_.lock_message;
    if (!options_.contact.empty()) body["contact"] = options_.contact;
  }
  body["reference"] = std::to_string(order.order_id);

  http::ClientRequest request =
      BuildRequest("POST", std::move(target), json::serialize(body), order.idempotency_key);
  return Interpret(transport_(request), order, action + " order " + std::to_string(order.order_id));
}

ConnectorReply DmRestConnector::Poll(const LockOrder& order) {
  std::string operation = "poll of " + std::string(LockActionName(order.action)) + " order " +
                          std::to_string(order.order_id);
  if (order.platform_order_id.empty()) {
    ConnectorReply reply;
    reply.kind = ConnectorReply::Kind::kRejected;
    reply.message = options_.name + ": " + operation +
                    " is impossible because the order has no platform order id; submit it first";
    return reply;
  }

  std::string target =
      options_.base_path + "/v1/orders/" + EncodePathSegment(order.platform_order_id);
  http::ClientRequest request = BuildRequest("GET", std::move(target), "", "");
  return Interpret(transport_(request), order, operation);
}

Result<std::vector<PlatformOrder>> DmRestConnector::ListOrders(const Imei& imei) {
  std::string target = options_.base_path + "/v1/orders?imei=" + imei.WithCheckDigit();
  Result<http::ClientResponse> result = transport_(BuildRequest("GET", std::move(target), "", ""));
  std::string prefix = options_.name + ": listing the orders of " + MaskImei(imei);
  if (!result.ok()) {
    return Error::Unavailable("platform_unreachable",
                              prefix + " got no response (" + result.error().reason + ")");
  }
  if (result->status != 200) {
    std::string summary = ProblemSummary(result->body);
    return Error::Unavailable("platform_error", prefix + " got " + StatusText(result->status) +
                                                    (summary.empty() ? "" : ": " + summary));
  }

  json::error_code ec;
  json::value parsed = json::parse(result->body, ec);
  const json::value* orders =
      !ec && parsed.is_object() ? parsed.get_object().if_contains("orders") : nullptr;
  if (orders == nullptr || !orders->is_array()) {
    return Error::Unavailable("platform_error", prefix + " got a body without an orders array");
  }
  std::vector<PlatformOrder> listed;
  for (const json::value& item : orders->get_array()) {
    Result<PlatformOrder> order =
        item.is_object() ? ParsePlatformOrder(item.get_object())
                         : Result<PlatformOrder>(Error::InvalidInput(
                               "invalid_platform_order", "an order is not a JSON object"));
    if (!order.ok()) {
      return Error::Unavailable("platform_error",
                                prefix + " got an unreadable order: " + order.error().message);
    }
    listed.push_back(std::move(*order));
  }
  return listed;
}

http::ClientRequest DmRestConnector::BuildRequest(std::string method, std::string target,
                                                  std::string body,
                                                  const std::string& idempotency_key) const {
  std::int64_t now_seconds = ToMillis(clock_->Now()) / 1000;
  SignedRequestParts parts{method, target, options_.tenant, idempotency_key, body};
  std::string signature = SignRequest(options_.secret, parts, now_seconds);

  http::ClientRequest request;
  request.host = options_.host;
  request.port = options_.port;
  request.timeout = options_.request_timeout;
  request.headers.emplace_back("Accept", "application/json");
  if (!body.empty()) request.headers.emplace_back("Content-Type", "application/json");
  request.headers.emplace_back(kTenantHeader, options_.tenant);
  request.headers.emplace_back(kTimestampHeader, std::to_string(now_seconds));
  request.headers.emplace_back(kSignatureHeader, std::move(signature));
  if (!idempotency_key.empty())
    request.headers.emplace_back(kIdempotencyKeyHeader, idempotency_key);
  request.method = std::move(method);
  request.target = std::move(target);
  request.body = std::move(body);
  return request;
}

ConnectorReply DmRestConnector::Interpret(const Result<http::ClientResponse>& result,
                                          const LockOrder& order,
                                          std::string_view operation) const {
  ConnectorReply reply;
  std::string prefix = options_.name + ": " + std::string(operation);
  if (!result.ok()) {
    reply.kind = ConnectorReply::Kind::kRetryLater;
    reply.message = Redact(prefix + " got no response (" + result.error().reason +
                               "): " + result.error().message + "; " +
                               NoResponseHint(result.error().reason, options_.request_timeout) +
                               "; it will be sent again",
                           order);
    return reply;
  }

  const http::ClientResponse& response = *result;
  int status = response.status;
  if (status == 200 || status == 202) return InterpretOrderBody(response, order, operation);

  std::string summary = ProblemSummary(response.body);
  std::string received = StatusText(status) + (summary.empty() ? "" : ": " + summary);
  if (status == 408 || status == 429 || (status >= 500 && status <= 599)) {
    reply.kind = ConnectorReply::Kind::kRetryLater;
    reply.retry_after = http::ParseRetryAfter(response.Header("retry-after"), clock_->Now());
    std::string when = reply.retry_after
                           ? "retry after " +
                                 std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                                    *reply.retry_after)
                                                    .count()) +
                                 " s, as the platform asked"
                           : "it will be sent again";
    reply.message = Redact(prefix + " got " + received + "; " + when, order);
    return reply;
  }
  if (status >= 400 && status <= 499) {
    reply.kind = ConnectorReply::Kind::kRejected;
    reply.message = Redact(
        prefix + " was rejected with " + received + "; " + RejectionHint(status, options_.name),
        order);
    return reply;
  }

  reply.kind = ConnectorReply::Kind::kRetryLater;
  reply.message =
      Redact(prefix + " got the unexpected " + received + "; it will be sent again", order);
  return reply;
}

ConnectorReply DmRestConnector::InterpretOrderBody(const http::ClientResponse& response,
                                                   const LockOrder& order,
                                                   std::string_view operation) const {
  ConnectorReply reply;
  std::string prefix = options_.name + ": " + std::string(operation);
  json::error_code ec;
  json::value parsed = json::parse(response.body, ec);
  std::string platform_order_id;
  std::string status;
  std::string reason;
  if (!ec && parsed.is_object()) {
    platform_order_id = StringField(parsed.get_object(), "order_id");
    status = StringField(parsed.get_object(), "status");
    reason = StringField(parsed.get_object(), "reason");
  }

  if (platform_order_id.empty() ||
      (status != "applied" && status != "pending" && status != "rejected")) {
    // The platform may hold the order already; the same idempotency key makes sending again safe.
    reply.kind = ConnectorReply::Kind::kRetryLater;
    reply.message = Redact(prefix + " got " + StatusText(response.status) +
                               " without an order id and a known status in the body; it will be "
                               "sent again",
                           order);
    return reply;
  }

  reply.platform_order_id = platform_order_id;
  if (status == "applied") {
    reply.kind = ConnectorReply::Kind::kApplied;
  } else if (status == "pending") {
    reply.kind = ConnectorReply::Kind::kAccepted;
  } else {
    reply.kind = ConnectorReply::Kind::kRejected;
    reply.message = Redact(prefix + " was rejected by the platform as order " + platform_order_id +
                               (reason.empty() ? "" : ": " + reason.substr(0, kMaxDetailLength)) +
                               RejectionReasonHint(reason),
                           order);
  }
  return reply;
}

std::string DmRestConnector::Redact(std::string text, const LockOrder& order) const {
  ReplaceAll(text, options_.secret, "[secret]");
  ReplaceAll(text, order.imei.WithCheckDigit(), MaskImei(order.imei));
  ReplaceAll(text, order.imei.Core(), MaskImei(order.imei));
  if (order.imei2) {
    ReplaceAll(text, order.imei2->WithCheckDigit(), MaskImei(*order.imei2));
    ReplaceAll(text, order.imei2->Core(), MaskImei(*order.imei2));
  }
  return text;
}

}  // namespace imeiguard
