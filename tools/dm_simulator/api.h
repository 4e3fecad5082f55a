// The simulator's REST API (described in README.md beside this file) on top of DmPlatform.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/time.h"
#include "fault_plan.h"
#include "net/http.h"
#include "platform.h"

namespace imeiguard::dm_simulator {

// The signing secrets the platform accepts, by tenant.
class TenantSecrets {
 public:
  // Parses "--secret" values: "TENANT:SECRET" for one tenant, or a bare "SECRET" that any tenant
  // may use (a secret that contains ':' must then be given with its tenant). Returns kInvalidInput
  // with reason "secret" for an empty secret or tenant, a tenant named twice, or two bare secrets.
  static Result<TenantSecrets> Parse(const std::vector<std::string>& specs);

  // The secret of `tenant`, falling back to the bare secret; nullptr when neither exists.
  const std::string* Find(const std::string& tenant) const;
  bool empty() const { return by_tenant_.empty() && !any_tenant_; }

 private:
  std::map<std::string, std::string> by_tenant_;
  std::optional<std::string> any_tenant_;
};

// Request handlers of the simulator. Every /v1 request first meets the fault plan, then the
// signature check, then the platform. Handlers log with spdlog, masking IMEIs to their type
// allocation code. Thread-safe because the platform and fault injector are.
class SimulatorApi {
 public:
  // `platform`, `faults` and `clock` are not owned and must outlive the API.
  SimulatorApi(DmPlatform& platform, FaultInjector& faults, TenantSecrets secrets,
               const Clock& clock);

  void AddRoutes(http::Router& router);

 private:
  // Gets the request, its tenant and when it arrived.
  using TenantHandler =
      std::function<http::Response(const http::Request&, const std::string&, PreciseTime)>;

  // Wraps `handler` with the fault plan and the signature check.
  http::Handler Guarded(TenantHandler handler);
  Result<std::string> Authenticate(const http::Request& request) const;
  http::Delivery DropDelivery() const;

  http::Response PostOrder(const http::Request& request, const std::string& tenant, DmAction action,
                           PreciseTime received_at);
  http::Response CheckIn(const http::Request& request, const std::string& tenant);
  http::Response Enroll(const http::Request& request, const std::string& tenant);
  http::Response Stats(const std::string& tenant);
  http::Response GetOrder(const http::Request& request, const std::string& tenant);
  http::Response GetDevice(const http::Request& request, const std::string& tenant);
  http::Response ListOrders(const http::Request& request, const std::string& tenant);

  DmPlatform& platform_;
  FaultInjector& faults_;
  const TenantSecrets secrets_;
  const Clock& clock_;
};

// Returns the 14-digit core of an IMEI given as 14, 15 or 16 digits (core, IMEI, IMEISV), or
// kInvalidInput with reason "invalid_imei". The platform does not check the Luhn digit.
Result<std::string> ParseImeiCore(std::string_view text);

// A response that breaks the connection, as the fault plan chose, instead of responding.
http::Response BrokenConnection(http::Delivery delivery);

// Replaces every run of 14 or more digits in `text` with its first 8 digits and "******".
std::string MaskImeis(std::string_view text);

}  // namespace imeiguard::dm_simulator
