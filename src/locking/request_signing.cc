#include "locking/request_signing.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <charconv>

namespace imeiguard {
namespace {

constexpr std::string_view kAlgorithm = "IG1-HMAC-SHA256";

std::string Hex(const unsigned char* bytes, unsigned int length) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(std::size_t{length} * 2);
  for (unsigned int i = 0; i < length; ++i) {
    hex.push_back(kDigits[bytes[i] >> 4]);
    hex.push_back(kDigits[bytes[i] & 0x0f]);
  }
  return hex;
}

std::string ToLowerAscii(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
  }
  return lower;
}

}  // namespace

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr);
  return Hex(digest, length);
}

std::string CanonicalRequest(const SignedRequestParts& parts, std::int64_t unix_seconds) {
  std::string text(kAlgorithm);
  for (std::string_view line : {parts.method, parts.target, parts.tenant}) {
    text += '\n';
    text += line;
  }
  text += '\n';
  text += std::to_string(unix_seconds);
  text += '\n';
  text += parts.idempotency_key;
  text += '\n';
  text += Sha256Hex(parts.body);
  return text;
}

std::string SignRequest(std::string_view secret, const SignedRequestParts& parts,
                        std::int64_t unix_seconds) {
  std::string canonical = CanonicalRequest(parts, unix_seconds);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(canonical.data()), canonical.size(), mac, &length);
  return Hex(mac, length);
}

Status VerifyRequestSignature(std::string_view secret, const SignedRequestParts& parts,
                              std::string_view timestamp_header, std::string_view signature_header,
                              Timestamp now) {
  if (signature_header.empty()) {
    return Error::InvalidInput("signature_missing",
                               "the request has no X-Signature header; sign "
                               "each request with the tenant's secret");
  }

  std::int64_t unix_seconds = 0;
  const char* end = timestamp_header.data() + timestamp_header.size();
  auto [stop, error] = std::from_chars(timestamp_header.data(), end, unix_seconds);
  if (timestamp_header.empty() || error != std::errc() || stop != end) {
    return Error::InvalidInput(
        "timestamp_invalid", "invalid X-Timestamp '" + std::string(timestamp_header.substr(0, 40)) +
                                 "': expected the Unix time in whole seconds");
  }

  std::int64_t now_seconds = ToMillis(now) / 1000;
  std::int64_t skew =
      unix_seconds > now_seconds ? unix_seconds - now_seconds : now_seconds - unix_seconds;
  if (skew > kMaxSignatureClockSkew.count()) {
    return Error::InvalidInput(
        "timestamp_skew",
        "X-Timestamp " + std::to_string(unix_seconds) + " is " + std::to_string(skew) +
            " s from the platform's clock (" + std::to_string(now_seconds) + "); the limit is " +
            std::to_string(kMaxSignatureClockSkew.count()) + " s, so check the sender's clock");
  }

  std::string expected = SignRequest(secret, parts, unix_seconds);
  std::string received = ToLowerAscii(signature_header);
  if (received.size() != expected.size() ||
      CRYPTO_memcmp(received.data(), expected.data(), expected.size()) != 0) {
    return Error::InvalidInput("signature_mismatch",
                               "X-Signature does not match the request; check the tenant and "
                               "secret, and sign the target, body and headers as sent");
  }
  return Status::Ok();
}

}  // namespace imeiguard
