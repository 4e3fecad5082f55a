#include "api/api_key.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <boost/json.hpp>
#include <utility>

#include "core/enum_names.h"
#include "locking/request_signing.h"

namespace imeiguard {
namespace {

constexpr EnumNameTable<Role, 7> kRoleNames = {{
    {Role::kPublic, "public"},
    {Role::kShipper, "shipper"},
    {Role::kCarrier, "carrier"},
    {Role::kSecurityOfficer, "security_officer"},
    {Role::kPolice, "police"},
    {Role::kOperator, "operator"},
    {Role::kAdmin, "admin"},
}};

constexpr std::string_view kKeyPrefix = "igk_";
constexpr std::size_t kKeyIdBytes = 6;
constexpr std::size_t kSecretBytes = 24;
// Compared with the presented hash when no stored hash is usable. It is not hex, so no secret
// hashes to it, and it has the length of a SHA-256 in hex.
constexpr std::string_view kNoSecretHash =
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";
static_assert(kNoSecretHash.size() == 64);

std::string Hex(const unsigned char* bytes, std::size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    hex.push_back(kDigits[bytes[i] >> 4]);
    hex.push_back(kDigits[bytes[i] & 0x0f]);
  }
  return hex;
}

Result<std::string> RandomHex(std::size_t bytes) {
  unsigned char buffer[64];
  if (bytes > sizeof buffer || RAND_bytes(buffer, static_cast<int>(bytes)) != 1) {
    return Error::Unavailable("random", "the system's random source failed; no key was created");
  }
  return Hex(buffer, bytes);
}

Error Unauthenticated() {
  return Error::InvalidInput("unauthenticated",
                             "the API key is missing, malformed, unknown or revoked; send "
                             "'Authorization: Bearer igk_<id>_<secret>' with a valid key");
}

// The audit entry of a change to `key`: its id, role and shipper, never its secret or hash.
AuditEntry KeyAuditEntry(const ApiKeyRecord& key, std::string_view action, Timestamp now,
                         std::string_view actor) {
  boost::json::object detail;
  detail["role"] = key.role;
  detail["shipper_id"] = key.shipper_id;
  AuditEntry entry;
  entry.at = now;
  entry.actor = std::string(actor);
  entry.action = std::string(action);
  entry.entity = "key:" + key.key_id;
  entry.detail = boost::json::serialize(detail);
  return entry;
}

}  // namespace

std::string_view RoleName(Role role) { return NameOf(kRoleNames, role); }
std::optional<Role> ParseRole(std::string_view text) { return ValueOf(kRoleNames, text); }

Result<std::string> CreateApiKey(Store& store, Role role, std::string_view shipper_id,
                                 Timestamp now, std::string_view actor) {
  if (role == Role::kShipper && shipper_id.empty()) {
    return Error::InvalidInput("shipper_id", "a shipper key needs the shipper it belongs to");
  }
  if (role == Role::kPublic) {
    return Error::InvalidInput("role", "the public needs no key");
  }
  auto key_id = RandomHex(kKeyIdBytes);
  if (!key_id.ok()) return key_id.error();
  auto secret = RandomHex(kSecretBytes);
  if (!secret.ok()) return secret.error();

  ApiKeyRecord record;
  record.key_id = *key_id;
  record.secret_hash = Sha256Hex(*secret);
  record.role = std::string(RoleName(role));
  record.shipper_id = role == Role::kShipper ? std::string(shipper_id) : std::string();
  record.created_at = now;
  AuditEntry audit = KeyAuditEntry(record, "key_created", now, actor);
  if (Status s = store.SaveApiKey(record, audit); !s.ok()) return s.error();
  return std::string(kKeyPrefix) + *key_id + "_" + *secret;
}

Result<bool> RevokeApiKey(Store& store, std::string_view key_id, Timestamp now,
                          std::string_view actor) {
  auto found = store.FindApiKey(key_id);
  if (!found.ok()) return found.error();
  if (!found->has_value()) {
    return Error::NotFound("key_not_found", "no API key has the id '" + std::string(key_id) +
                                                "'; `imeiguard keys list` shows the stored ids");
  }
  ApiKeyRecord record = std::move(**found);
  if (record.revoked) return false;

  record.revoked = true;
  AuditEntry audit = KeyAuditEntry(record, "key_revoked", now, actor);
  if (Status s = store.SaveApiKey(record, audit); !s.ok()) return s.error();
  return true;
}

Result<Principal> Authenticate(Store& store, std::string_view authorization) {
  if (authorization.empty()) return Principal{};
  constexpr std::string_view kBearer = "Bearer ";
  if (authorization.substr(0, kBearer.size()) != kBearer) return Unauthenticated();
  std::string_view key = authorization.substr(kBearer.size());
  if (key.substr(0, kKeyPrefix.size()) != kKeyPrefix) return Unauthenticated();
  key.remove_prefix(kKeyPrefix.size());
  std::size_t separator = key.find('_');
  if (separator == std::string_view::npos) return Unauthenticated();
  std::string_view key_id = key.substr(0, separator);
  std::string_view secret = key.substr(separator + 1);

  auto record = store.FindApiKey(key_id);
  if (!record.ok()) return record.error();
  // Hash and compare even for an unknown or revoked id, against a hash that no secret has, so
  // that every refusal takes the same steps. CRYPTO_memcmp takes the same time for any two
  // inputs of equal length, and both are 64 hex digits.
  std::string presented = Sha256Hex(secret);
  bool usable = record->has_value() && !(*record)->revoked &&
                (*record)->secret_hash.size() == presented.size();
  std::string_view stored = usable ? std::string_view((*record)->secret_hash) : kNoSecretHash;
  bool matches = presented.size() == stored.size() &&
                 CRYPTO_memcmp(stored.data(), presented.data(), stored.size()) == 0;
  if (!usable || !matches) return Unauthenticated();
  std::optional<Role> role = ParseRole((*record)->role);
  if (!role) return Unauthenticated();
  return Principal{*role, (*record)->key_id, (*record)->shipper_id};
}

}  // namespace imeiguard
