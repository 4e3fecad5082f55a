// A LockConnector for a device-management platform that speaks the REST API of the reference
// simulator (tools/dm_simulator/README.md): signed requests, idempotency keys, and asynchronous
// results that are polled.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "core/error.h"
#include "core/time.h"
#include "locking/connector.h"
#include "net/http_client.h"

namespace imeiguard {

// Sends one HTTP request and returns the response or a kUnavailable error, as http::Send does.
using HttpTransport = std::function<Result<http::ClientResponse>(const http::ClientRequest&)>;

struct DmRestConnectorOptions {
  std::string name;  // Connector name from the configuration, such as "dm-telco-a".
  std::string host = "127.0.0.1";
  std::uint16_t port = 8081;
  std::string base_path;  // Prefix of every target, such as "/dm"; empty for none.
  std::string tenant;     // Sent as X-Tenant; the platform picks the secret by it.
  std::string secret;     // Signing key. Never logged, and removed from every reply message.
  Duration request_timeout = std::chrono::seconds(5);  // Connect, write and read of one request.
  // The text and phone number that the locked phone shows.
  std::string lock_message =
      "This phone was reported lost in transport and is locked. Contact the sender to recover it.";
  std::string contact;
  const Clock* clock = nullptr;  // For X-Timestamp and Retry-After dates; nullptr: system clock.
  HttpTransport transport;       // Empty: http::Send. Tests put a scripted platform here.
};

// Submits lock and unlock orders as POST <base>/v1/devices/{imei}/lock or /unlock, with the
// order's idempotency key and, for an order that expires, ?not_after=<RFC 3339 time> (in the
// signed target, so that it cannot be altered on the way), and polls GET
// <base>/v1/orders/{platform_order_id}. A dual-SIM device gets one request, for its first IMEI,
// with the second IMEI in the body.
//
// Replies by HTTP status:
//   200 with status "applied"         kApplied
//   200 with status "rejected"        kRejected
//   202, or 200 with status "pending" kAccepted, with platform_order_id
//   408, 429, 5xx, no response        kRetryLater, with Retry-After (seconds or HTTP-date) parsed
//   any other 4xx                     kRejected
//   anything else, or an unreadable 200/202 body: kRetryLater, since the same idempotency key makes
//   sending again safe.
// For a timeout, a closed or reset connection and a 5xx, the message states that the platform may
// have taken the order. A rejection names the platform's reason and, for unsupported_device,
// device_reenrolled and expired, what it means. A hung platform costs at most request_timeout.
// Messages name the connector and the order id, mask IMEIs to their 8-digit type allocation code,
// and never contain the secret. The connector keeps no state between calls, so it is safe to call
// from several threads when its clock and transport are.
class DmRestConnector final : public LockConnector {
 public:
  explicit DmRestConnector(DmRestConnectorOptions options);

  const std::string& name() const override { return options_.name; }
  ConnectorReply Submit(const LockOrder& order) override;
  // Returns kRejected without a request when the order has no platform_order_id, and kRejected
  // when the platform answers 404, because it has no such order (for example after losing its
  // state), so polling again cannot help.
  ConnectorReply Poll(const LockOrder& order) override;
  // GET <base>/v1/orders?imei=<IMEI>. kUnavailable with the reason of the failure for no response,
  // a status other than 200, or a body without an "orders" array of readable orders.
  bool CanListOrders() const override { return true; }
  Result<std::vector<PlatformOrder>> ListOrders(const Imei& imei) override;

 private:
  http::ClientRequest BuildRequest(std::string method, std::string target, std::string body,
                                   const std::string& idempotency_key) const;
  ConnectorReply Interpret(const Result<http::ClientResponse>& result, const LockOrder& order,
                           std::string_view operation) const;
  ConnectorReply InterpretOrderBody(const http::ClientResponse& response, const LockOrder& order,
                                    std::string_view operation) const;
  // Replaces the secret and full IMEIs in `text` before it leaves the connector.
  std::string Redact(std::string text, const LockOrder& order) const;

  const DmRestConnectorOptions options_;
  SystemClock system_clock_;
  const Clock* clock_;
  HttpTransport transport_;
};

}  // namespace imeiguard
