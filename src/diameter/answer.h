// Building answers and checking requests, shared by the base protocol and the S13 application.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string_view>

#include "diameter/message.h"

namespace imeiguard::diameter {

// An AVP by code and vendor.
struct AvpKey {
  std::uint32_t code = 0;
  std::uint32_t vendor = 0;
};

// The local node's Origin-Host and Origin-Realm, which every answer carries.
struct Origin {
  std::string_view host;
  std::string_view realm;
};

// Starts the answer to `request`: the same command, application and identifiers, the P bit
// copied, then Session-Id (when the request has one), Origin-Host and Origin-Realm. The caller
// appends the rest.
Message StartAnswer(const Message& request, Origin origin);

// Appends Result-Code, or for a protocol error (3xxx) also sets the E bit.
void AddResultCode(Message& answer, std::uint32_t result_code);

// Appends a Failed-AVP that contains `failed`.
void AddFailedAvp(Message& answer, const Avp& failed);

// Appends the request's Proxy-Info AVPs, in order, as RFC 6733 section 6.2 wants in every answer.
void CopyProxyInfo(const Message& request, Message& answer);

// A whole error answer: StartAnswer, Result-Code, Error-Message when `text` is not empty,
// Failed-AVP when `failed` is set, and Proxy-Info.
Message ErrorAnswer(const Message& request, Origin origin, std::uint32_t result_code,
                    std::string_view text, const std::optional<Avp>& failed = std::nullopt);

// The first of `required` missing from `avps`, as the AVP that Failed-AVP carries for it: the
// right code and vendor, with `empty_bytes` zero bytes of data (4 for integers, 0 for strings).
struct RequiredAvp {
  AvpKey key;
  std::size_t empty_bytes = 0;
};
std::optional<Avp> FirstMissing(const std::vector<Avp>& avps,
                                std::initializer_list<RequiredAvp> required);

// The first AVP with the M bit whose code and vendor are not among `known`, which a receiver must
// answer with DIAMETER_AVP_UNSUPPORTED (RFC 6733 section 4.1). Null when there is none.
const Avp* FirstUnsupportedMandatory(const std::vector<Avp>& avps,
                                     std::initializer_list<AvpKey> known);

}  // namespace imeiguard::diameter
