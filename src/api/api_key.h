// API keys: how a client proves who it is, and what it may do.
//
// A key reads "igk_<key id>_<secret>". Only the SHA-256 of the secret is stored, and a presented
// secret is compared with it in constant time, so neither the store nor timing gives a key away.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"
#include "store/store.h"

namespace imeiguard {

enum class Role { kPublic, kShipper, kCarrier, kSecurityOfficer, kPolice, kOperator, kAdmin };

// "public", "shipper", "carrier", "security_officer", "police", "operator", "admin".
std::string_view RoleName(Role role);
std::optional<Role> ParseRole(std::string_view text);

// The authenticated caller of a request.
struct Principal {
  Role role = Role::kPublic;
  std::string key_id;      // Empty for the public.
  std::string shipper_id;  // The only shipper whose data a shipper key reaches.
};

// Creates a key with a fresh random secret, stores its hash with a "key_created" audit entry by
// `actor` in one transaction, and returns the whole key: the only time it is ever shown. A shipper
// key needs `shipper_id`. kInvalidInput for a missing shipper, kUnavailable when the store or the
// random source fails.
Result<std::string> CreateApiKey(Store& store, Role role, std::string_view shipper_id,
                                 Timestamp now, std::string_view actor);

// Marks the key revoked and appends a "key_revoked" audit entry by `actor`, in one transaction.
// Returns false, and writes nothing, when the key was revoked already. kNotFound with reason
// "key_not_found" when no key has `key_id`; the store's errors otherwise.
Result<bool> RevokeApiKey(Store& store, std::string_view key_id, Timestamp now,
                          std::string_view actor);

// Authenticates an "Authorization: Bearer <key>" header value. An empty header is the public.
// kInvalidInput (reason "unauthenticated") for a malformed, unknown, wrong or revoked key; the
// message never says which, so that it cannot be used to probe for key ids.
Result<Principal> Authenticate(Store& store, std::string_view authorization);

}  // namespace imeiguard
