#include "diameter/s13_request.h"

namespace imeiguard::diameter {

Message BuildMeIdentityCheckRequest(const MeIdentityCheck& check) {
  Message request;
  request.flags = kFlagRequest | kFlagProxiable;
  request.command_code = kCommandMeIdentityCheck;
  request.application_id = kApplicationS13;
  request.hop_by_hop = check.hop_by_hop;
  request.end_to_end = check.end_to_end;
  std::vector<Avp>& avps = request.avps;
  avps.push_back(Avp::Utf8String(kAvpSessionId, check.session_id));
  avps.push_back(Avp::Grouped(kAvpVendorSpecificApplicationId,
                              {Avp::Unsigned32(kAvpVendorId, kVendor3gpp),
                               Avp::Unsigned32(kAvpAuthApplicationId, kApplicationS13)}));
  avps.push_back(Avp::Enumerated(kAvpAuthSessionState, kAuthSessionStateNoStateMaintained));
  avps.push_back(Avp::OctetString(kAvpOriginHost, check.origin_host));
  avps.push_back(Avp::OctetString(kAvpOriginRealm, check.origin_realm));
  avps.push_back(Avp::OctetString(kAvpDestinationRealm, check.destination_realm));
  std::vector<Avp> terminal;
  if (!check.imei.empty()) terminal.push_back(Avp::Utf8String(kAvpImei, check.imei, kVendor3gpp));
  if (!check.software_version.empty()) {
    terminal.push_back(Avp::Utf8String(kAvpSoftwareVersion, check.software_version, kVendor3gpp));
  }
  if (!check.meid.empty()) {
    terminal.push_back(Avp::OctetString(kAvp3gpp2Meid, check.meid, kVendor3gpp));
  }
  avps.push_back(Avp::Grouped(kAvpTerminalInformation, terminal, kVendor3gpp));
  if (!check.imsi.empty()) avps.push_back(Avp::Utf8String(kAvpUserName, check.imsi));
  return request;
}

}  // namespace imeiguard::diameter
