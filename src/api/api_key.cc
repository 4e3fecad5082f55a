#include "api/api_key.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

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

}  // namespace

std::string_view RoleName(Role role) { return NameOf(kRoleNames, role); }
std::optional<Role> ParseRole(std::string_view text) { return ValueOf(kRoleNames, text); }

Result<std::string> CreateApiKey(Store& store, Role role, std::string_view shipper_id,
                                 Timestamp now) {
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
  if (Status s = store.SaveApiKey(record); !s.ok()) return s.error();
  return std::string(kKeyPrefix) + *key_id + "_" + *secret;
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
  // Hash even for an unknown id, so that known and unknown ids take the same time.
  std::string presented = Sha256Hex(secret);
  if (!record->has_value() || (*record)->revoked) return Unauthenticated();
  const std::string& stored = (*record)->secret_hash;
  if (stored.size() != presented.size() ||
      CRYPTO_memcmp(stored.data(), presented.data(), stored.size()) != 0) {
    return Unauthenticated();
  }
  std::optional<Role> role = ParseRole((*record)->role);
  if (!role) return Unauthenticated();
  return Principal{*role, (*record)->key_id, (*record)->shipper_id};
}

}  // namespace imeiguard
