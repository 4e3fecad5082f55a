// Request signing between imeiguard and a device-management platform. The connector signs each
// request and the reference simulator verifies it with this same code, so the two cannot drift.
//
// The signature is the lower-case hex HMAC-SHA256, keyed by the tenant's secret, of the canonical
// request: these lines joined by "\n", with no newline at the end:
//   IG1-HMAC-SHA256
//   <method>            "POST"
//   <target>            path and query exactly as on the request line: "/v1/devices/35.../lock"
//   <tenant>            the X-Tenant header, or empty
//   <timestamp>         the X-Timestamp header: Unix time in whole seconds, decimal
//   <idempotency key>   the Idempotency-Key header, or empty
//   <body hash>         lower-case hex SHA-256 of the body (of the empty string when there is none)
// Signing the tenant and the idempotency key as well as the body stops a captured request from
// being replayed under another tenant or as a new order within the allowed clock skew.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.h"
#include "core/time.h"

namespace imeiguard {

inline constexpr std::string_view kTenantHeader = "X-Tenant";
inline constexpr std::string_view kTimestampHeader = "X-Timestamp";
inline constexpr std::string_view kSignatureHeader = "X-Signature";
inline constexpr std::string_view kIdempotencyKeyHeader = "Idempotency-Key";

// How far X-Timestamp may be from the verifier's clock, either way.
inline constexpr std::chrono::seconds kMaxSignatureClockSkew{300};

// The parts of a request that the signature covers. The views must outlive the call they are
// passed to.
struct SignedRequestParts {
  std::string_view method;
  std::string_view target;
  std::string_view tenant;
  std::string_view idempotency_key;
  std::string_view body;
};

// Lower-case hex SHA-256 of `data`.
std::string Sha256Hex(std::string_view data);

// The canonical request text described at the top of this file.
std::string CanonicalRequest(const SignedRequestParts& parts, std::int64_t unix_seconds);

// The X-Signature value for `parts` sent at `unix_seconds`.
std::string SignRequest(std::string_view secret, const SignedRequestParts& parts,
                        std::int64_t unix_seconds);

// Checks the X-Timestamp and X-Signature header values of a received request against `secret` and
// the verifier's clock `now`. Returns kInvalidInput with reason "signature_missing",
// "timestamp_invalid" (missing or not a whole number of seconds), "timestamp_skew" (more than
// kMaxSignatureClockSkew from `now`) or "signature_mismatch". Compares signatures in constant time.
// Messages never contain the secret or the expected signature.
Status VerifyRequestSignature(std::string_view secret, const SignedRequestParts& parts,
                              std::string_view timestamp_header, std::string_view signature_header,
                              Timestamp now);

}  // namespace imeiguard
