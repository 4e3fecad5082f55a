#include "store/audit_chain.h"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <charconv>

namespace imeiguard {
namespace {

void AppendField(std::string& encoding, std::string_view field) {
  encoding.append(std::to_string(field.size()));
  encoding.push_back(':');
  encoding.append(field);
  encoding.push_back(',');
}

std::string HexEncode(const unsigned char* bytes, unsigned int size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(2 * size);
  for (unsigned int i = 0; i < size; ++i) {
    hex.push_back(kDigits[bytes[i] >> 4]);
    hex.push_back(kDigits[bytes[i] & 0x0f]);
  }
  return hex;
}

}  // namespace

Result<std::string> AuditEntryHash(std::string_view prev_hash, const AuditEntry& entry) {
  std::string encoding;
  encoding.reserve(prev_hash.size() + entry.actor.size() + entry.action.size() +
                   entry.entity.size() + entry.detail.size() + 64);
  AppendField(encoding, prev_hash);
  AppendField(encoding, std::to_string(entry.sequence));
  AppendField(encoding, std::to_string(ToMillis(entry.at)));
  AppendField(encoding, entry.actor);
  AppendField(encoding, entry.action);
  AppendField(encoding, entry.entity);
  AppendField(encoding, entry.detail);

  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int digest_size = 0;
  if (EVP_Digest(encoding.data(), encoding.size(), digest.data(), &digest_size, EVP_sha256(),
                 nullptr) != 1) {
    return Error::Internal("audit_hash", "failed to compute the SHA-256 of audit entry " +
                                             std::to_string(entry.sequence) + " with OpenSSL");
  }
  return HexEncode(digest.data(), digest_size);
}

std::string FormatAuditHead(const AuditHead& head) {
  return std::to_string(head.sequence) + ":" + head.hash;
}

Result<AuditHead> ParseAuditHead(std::string_view text) {
  auto invalid = [&text]() {
    return Error::InvalidInput("audit_anchor",
                               "invalid audit anchor '" + std::string(text) +
                                   "': expected <sequence>:<hash> as `imeiguard audit verify`"
                                   " prints it, such as 12:" +
                                   std::string(kAuditGenesisHash));
  };
  std::size_t colon = text.find(':');
  if (colon == std::string_view::npos) return invalid();

  AuditHead head;
  std::string_view sequence = text.substr(0, colon);
  auto [end, error] =
      std::from_chars(sequence.data(), sequence.data() + sequence.size(), head.sequence);
  if (error != std::errc() || end != sequence.data() + sequence.size() || head.sequence < 1) {
    return invalid();
  }

  head.hash = std::string(text.substr(colon + 1));
  bool hex = head.hash.size() == kAuditGenesisHash.size() &&
             std::all_of(head.hash.begin(), head.hash.end(),
                         [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
  if (!hex) return invalid();
  return head;
}

}  // namespace imeiguard
