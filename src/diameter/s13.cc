#include "diameter/s13.h"

#include <algorithm>
#include <string>
#include <utility>

#include "diameter/answer.h"

namespace imeiguard::diameter {
namespace {

// The AVPs that an ME-Identity-Check-Request may carry with the M bit.
constexpr std::initializer_list<AvpKey> kRequestAvps = {{kAvpSessionId},
                                                        {kAvpDrmp},
                                                        {kAvpVendorSpecificApplicationId},
                                                        {kAvpAuthSessionState},
                                                        {kAvpOriginHost},
                                                        {kAvpOriginRealm},
                                                        {kAvpDestinationHost},
                                                        {kAvpDestinationRealm},
                                                        {kAvpTerminalInformation, kVendor3gpp},
                                                        {kAvpUserName},
                                                        {kAvpProxyInfo},
                                                        {kAvpRouteRecord}};

constexpr std::initializer_list<AvpKey> kTerminalInformationAvps = {
    {kAvpImei, kVendor3gpp}, {kAvpSoftwareVersion, kVendor3gpp}, {kAvp3gpp2Meid, kVendor3gpp}};

bool AllDigits(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The outcome of reading the request: the device's IMEI, or the answer's error.
struct Reading {
  std::optional<Imei> imei;
  std::uint32_t result_code = kSuccess;
  std::optional<Avp> failed_avp;
  std::string problem;
  bool meid_only = false;
};

Reading Fail(std::uint32_t result_code, Avp failed, std::string problem) {
  Reading reading;
  reading.result_code = result_code;
  reading.failed_avp = std::move(failed);
  reading.problem = std::move(problem);
  return reading;
}

// Reads IMEI and Software-Version, or 3GPP2-MEID, from Terminal-Information.
Reading ReadTerminal(const Avp& terminal) {
  AvpFault fault;
  auto members = DecodeGroup(terminal, &fault);
  if (!members.ok()) {
    return Fail(kInvalidAvpLength, fault.failed_avp.value_or(terminal), members.error().message);
  }
  if (const Avp* unknown = FirstUnsupportedMandatory(*members, kTerminalInformationAvps)) {
    return Fail(kAvpUnsupported, *unknown,
                "AVP " + std::to_string(unknown->code) +
                    " with the M bit is not defined in Terminal-Information");
  }
  const Avp* imei = FindAvp(*members, kAvpImei, kVendor3gpp);
  if (imei == nullptr) {
    Reading reading;
    if (FindAvp(*members, kAvp3gpp2Meid, kVendor3gpp) != nullptr) {
      reading.meid_only = true;
      return reading;
    }
    return Fail(kMissingAvp,
                Avp::Grouped(kAvpTerminalInformation, {Avp::Utf8String(kAvpImei, "", kVendor3gpp)},
                             kVendor3gpp),
                "Terminal-Information has neither IMEI nor 3GPP2-MEID");
  }

  // TS 29.272 sends the 14 digits of TAC and serial, optionally with a 15th; a network's 15th
  // digit is a spare or check digit that the core does not include.
  if ((imei->data.size() != 14 && imei->data.size() != 15) || !AllDigits(imei->data)) {
    return Fail(kInvalidAvpValue, *imei, "IMEI must be 14 or 15 digits");
  }
  auto parsed = Imei::Parse(imei->data, ImeiChannel::kNetwork);
  if (!parsed.ok()) return Fail(kInvalidAvpValue, *imei, parsed.error().message);
  const Avp* version = FindAvp(*members, kAvpSoftwareVersion, kVendor3gpp);
  if (version != nullptr && (version->data.size() != 2 || !AllDigits(version->data))) {
    return Fail(kInvalidAvpValue, *version, "Software-Version must be 2 digits");
  }
  Reading reading;
  reading.imei = *parsed;
  return reading;
}

Reading ReadRequest(const Message& request) {
  if (auto missing = FirstMissing(request.avps, {{{kAvpSessionId}},
                                                 {{kAvpAuthSessionState}, 4},
                                                 {{kAvpOriginHost}},
                                                 {{kAvpOriginRealm}},
                                                 {{kAvpDestinationRealm}},
                                                 {{kAvpTerminalInformation, kVendor3gpp}}})) {
    return Fail(kMissingAvp, *missing,
                "a required AVP of the ME-Identity-Check-Request is missing");
  }
  if (const Avp* unknown = FirstUnsupportedMandatory(request.avps, kRequestAvps)) {
    return Fail(kAvpUnsupported, *unknown,
                "AVP " + std::to_string(unknown->code) + " with the M bit is not defined in S13");
  }
  for (std::uint32_t code : {kAvpOriginHost, kAvpOriginRealm}) {
    const Avp* identity = request.Find(code);
    auto read = ReadDiameterIdentity(*identity);
    if (!read.ok()) return Fail(kInvalidAvpValue, *identity, read.error().message);
  }
  if (const Avp* user = request.Find(kAvpUserName)) {
    auto read = ReadUtf8String(*user);
    if (!read.ok()) return Fail(kInvalidAvpValue, *user, read.error().message);
  }
  return ReadTerminal(*request.Find(kAvpTerminalInformation, kVendor3gpp));
}

}  // namespace

S13Responder::S13Responder(S13Settings settings, EquipmentStatusSource source,
                           S13QueryObserver observer, const Clock& clock)
    : settings_(settings),
      source_(std::move(source)),
      observer_(std::move(observer)),
      clock_(clock) {}

Message S13Responder::StartEca(const Message& request) const {
  Message answer = StartAnswer(request, {settings_.origin_host, settings_.origin_realm});
  answer.avps.push_back(Avp::Grouped(kAvpVendorSpecificApplicationId,
                                     {Avp::Unsigned32(kAvpVendorId, kVendor3gpp),
                                      Avp::Unsigned32(kAvpAuthApplicationId, kApplicationS13)}));
  answer.avps.push_back(Avp::Enumerated(kAvpAuthSessionState, kAuthSessionStateNoStateMaintained));
  return answer;
}

Message S13Responder::Answer(const Message& request) const {
  Message answer = StartEca(request);
  Reading reading = ReadRequest(request);

  std::optional<EquipmentStatus> status;
  if (reading.imei) {
    if (observer_) {
      const Avp* user = request.Find(kAvpUserName);
      S13Query query;
      query.core = reading.imei->core_value();
      query.network_element = request.Find(kAvpOriginHost)->data;
      query.imsi = user != nullptr ? std::string_view(user->data) : std::string_view();
      query.at = clock_.Now();
      observer_(query);
    }
    status = source_(*reading.imei);
    if (!status && settings_.unknown_equipment == UnknownEquipment::kWhitelisted) {
      status = EquipmentStatus::kWhitelisted;
    }
  }

  if (reading.result_code != kSuccess) {
    AddResultCode(answer, reading.result_code);
    answer.avps.push_back(Avp::Utf8String(kAvpErrorMessage, reading.problem));
    AddFailedAvp(answer, *reading.failed_avp);
  } else if (status) {
    AddResultCode(answer, kSuccess);
    answer.avps.push_back(
        Avp::Enumerated(kAvpEquipmentStatus, static_cast<std::uint32_t>(*status), kVendor3gpp));
  } else {
    answer.avps.push_back(
        Avp::Grouped(kAvpExperimentalResult,
                     {Avp::Unsigned32(kAvpVendorId, kVendor3gpp),
                      Avp::Unsigned32(kAvpExperimentalResultCode, kErrorEquipmentUnknown)}));
  }
  CopyProxyInfo(request, answer);
  return answer;
}

}  // namespace imeiguard::diameter
