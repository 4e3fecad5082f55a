#include "diameter/answer.h"

#include <algorithm>
#include <string>

namespace imeiguard::diameter {

Message StartAnswer(const Message& request, Origin origin) {
  Message answer;
  answer.flags = request.flags & kFlagProxiable;
  answer.command_code = request.command_code;
  answer.application_id = request.application_id;
  answer.hop_by_hop = request.hop_by_hop;
  answer.end_to_end = request.end_to_end;
  if (const Avp* session = request.Find(kAvpSessionId)) answer.avps.push_back(*session);
  answer.avps.push_back(Avp::OctetString(kAvpOriginHost, origin.host));
  answer.avps.push_back(Avp::OctetString(kAvpOriginRealm, origin.realm));
  return answer;
}

void AddResultCode(Message& answer, std::uint32_t result_code) {
  if (IsProtocolError(result_code)) answer.flags |= kFlagError;
  answer.avps.push_back(Avp::Unsigned32(kAvpResultCode, result_code));
}

void AddFailedAvp(Message& answer, const Avp& failed) {
  answer.avps.push_back(Avp::Grouped(kAvpFailedAvp, {failed}));
}

void CopyProxyInfo(const Message& request, Message& answer) {
  for (const Avp& avp : request.avps) {
    if (avp.Is(kAvpProxyInfo)) answer.avps.push_back(avp);
  }
}

Message ErrorAnswer(const Message& request, Origin origin, std::uint32_t result_code,
                    std::string_view text, const std::optional<Avp>& failed) {
  Message answer = StartAnswer(request, origin);
  AddResultCode(answer, result_code);
  if (!text.empty()) answer.avps.push_back(Avp::Utf8String(kAvpErrorMessage, text));
  if (failed) AddFailedAvp(answer, *failed);
  CopyProxyInfo(request, answer);
  return answer;
}

std::optional<Avp> FirstMissing(const std::vector<Avp>& avps,
                                std::initializer_list<RequiredAvp> required) {
  for (const RequiredAvp& wanted : required) {
    if (FindAvp(avps, wanted.key.code, wanted.key.vendor) != nullptr) continue;
    Avp example =
        Avp::OctetString(wanted.key.code, std::string(wanted.empty_bytes, '\0'), wanted.key.vendor);
    return example;
  }
  return std::nullopt;
}

const Avp* FirstUnsupportedMandatory(const std::vector<Avp>& avps,
                                     std::initializer_list<AvpKey> known) {
  for (const Avp& avp : avps) {
    if (!avp.mandatory()) continue;
    bool is_known = std::any_of(known.begin(), known.end(),
                                [&](AvpKey key) { return avp.Is(key.code, key.vendor); });
    if (!is_known) return &avp;
  }
  return nullptr;
}

}  // namespace imeiguard::diameter
