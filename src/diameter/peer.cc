#include "diameter/peer.h"

#include <utility>

namespace imeiguard::diameter {
namespace {

// The AVPs of the capabilities exchange, the watchdog and the disconnect that this node reads or
// may receive with the M bit (RFC 6733 sections 5.3, 5.4 and 5.5).
constexpr std::initializer_list<AvpKey> kBaseAvps = {
    {kAvpOriginHost},        {kAvpOriginRealm},
    {kAvpHostIpAddress},     {kAvpVendorId},
    {kAvpProductName},       {kAvpOriginStateId},
    {kAvpSupportedVendorId}, {kAvpAuthApplicationId},
    {kAvpAcctApplicationId}, {kAvpVendorSpecificApplicationId},
    {kAvpInbandSecurityId},  {kAvpFirmwareRevision},
    {kAvpDisconnectCause},   {kAvpResultCode},
    {kAvpErrorMessage},      {kAvpFailedAvp},
    {kAvpSessionId},         {kAvpDrmp}};

bool IsBaseCommand(const Message& message, std::uint32_t command_code) {
  return message.application_id == kApplicationBase && message.command_code == command_code;
}

// Whether the peer's Capabilities-Exchange-Request names S13 or the relay application, directly
// or in a Vendor-Specific-Application-Id.
bool AdvertisesS13(const Message& request) {
  auto names_s13 = [](const Avp& avp) {
    auto id = ReadUnsigned32(avp);
    return id.ok() && (*id == kApplicationS13 || *id == kApplicationRelay);
  };
  for (const Avp& avp : request.avps) {
    if (avp.Is(kAvpAuthApplicationId) && names_s13(avp)) return true;
    if (avp.Is(kAvpAcctApplicationId) && names_s13(avp)) return true;
    if (!avp.Is(kAvpVendorSpecificApplicationId)) continue;
    auto members = DecodeGroup(avp);
    if (!members.ok()) continue;
    const Avp* auth = FindAvp(*members, kAvpAuthApplicationId);
    if (auth != nullptr && names_s13(*auth)) return true;
  }
  return false;
}

// Whether the peer accepts a connection without in-band TLS: it sends no Inband-Security-Id, or
// one of them is NO_INBAND_SECURITY.
bool AcceptsNoInbandSecurity(const Message& request) {
  bool any = false;
  for (const Avp& avp : request.avps) {
    if (!avp.Is(kAvpInbandSecurityId)) continue;
    any = true;
    auto value = ReadUnsigned32(avp);
    if (value.ok() && *value == kInbandSecurityNone) return true;
  }
  return !any;
}

// The first Origin-Host, Origin-Realm or Host-IP-Address whose value is invalid, with the reason.
std::optional<std::pair<Avp, std::string>> FirstInvalidIdentity(const Message& request) {
  for (const Avp& avp : request.avps) {
    Status status;
    if (avp.Is(kAvpOriginHost) || avp.Is(kAvpOriginRealm)) {
      auto identity = ReadDiameterIdentity(avp);
      if (!identity.ok()) status = identity.error();
    } else if (avp.Is(kAvpHostIpAddress)) {
      auto address = ReadAddress(avp);
      if (!address.ok()) status = address.error();
    } else if (avp.Is(kAvpVendorId)) {
      auto vendor = ReadUnsigned32(avp);
      if (!vendor.ok()) status = vendor.error();
    }
    if (!status.ok()) return std::pair{avp, status.error().message};
  }
  return std::nullopt;
}

}  // namespace

PeerConnection::PeerConnection(const PeerSettings& settings, std::string local_ip,
                               const RequestHandler& handler, SteadyTime now)
    : settings_(settings),
      local_ip_(std::move(local_ip)),
      handler_(handler),
      last_received_(now),
      deadline_(now + settings.watchdog_interval),
      next_hop_by_hop_(settings.identity.origin_state_id * 2654435761u),
      // RFC 6733 section 3: the high 12 bits of End-to-End identifiers come from the start time.
      next_end_to_end_(settings.identity.origin_state_id << 20) {}

void PeerConnection::Receive(std::string_view bytes, SteadyTime now) {
  if (state_ == State::kClosed) return;
  input_.append(bytes);
  std::size_t consumed = 0;
  while (state_ != State::kClosed) {
    std::string_view rest = std::string_view(input_).substr(consumed);
    auto frame = ReadFrame(rest, settings_.max_message_bytes);
    if (!frame.ok()) {
      RejectStream(rest, frame.error());
      break;
    }
    if (!frame->complete) break;

    std::string_view whole = rest.substr(0, frame->length);
    consumed += frame->length;
    last_received_ = now;
    if (state_ == State::kOpen && !watchdog_pending_) deadline_ = now + settings_.watchdog_interval;
    AvpFault fault;
    auto message = DecodeMessage(whole, &fault);
    if (message.ok()) {
      HandleMessage(*message, now);
    } else {
      HandleUndecodable(whole, message.error(), fault);
    }
  }
  input_.erase(0, consumed);
}

void PeerConnection::OnTimer(SteadyTime now) {
  if (state_ == State::kClosed || now < deadline_) return;
  switch (state_) {
    case State::kWaitCer:
      Close("no Capabilities-Exchange-Request within the watchdog interval");
      return;
    case State::kDisconnecting:
      Close("no Disconnect-Peer-Answer within the watchdog interval");
      return;
    case State::kOpen:
      if (watchdog_pending_) {
        Close("no Device-Watchdog-Answer within the watchdog interval");
        return;
      }
      break;
    case State::kClosed:
      return;
  }
  Message request = StartRequest(kCommandDeviceWatchdog);
  request.avps.push_back(Avp::Unsigned32(kAvpOriginStateId, settings_.identity.origin_state_id));
  watchdog_pending_ = true;
  watchdog_hop_by_hop_ = request.hop_by_hop;
  deadline_ = now + settings_.watchdog_interval;
  Send(request);
}

void PeerConnection::Disconnect(SteadyTime now) {
  if (state_ != State::kOpen) {
    if (state_ != State::kClosed) Close("the server is stopping");
    return;
  }
  Message request = StartRequest(kCommandDisconnectPeer);
  request.avps.push_back(Avp::Enumerated(kAvpDisconnectCause, kDisconnectCauseRebooting));
  Send(request);
  state_ = State::kDisconnecting;
  deadline_ = now + settings_.watchdog_interval;
}

std::string PeerConnection::TakeOutput() { return std::exchange(output_, {}); }

void PeerConnection::HandleMessage(const Message& message, SteadyTime now) {
  if (!message.is_request()) {
    HandleAnswer(message);
    return;
  }
  if ((message.flags & kFlagError) != 0) {
    Send(ErrorAnswer(message, origin(), kInvalidHeaderBits, "a request must not have the E bit"));
    if (state_ == State::kWaitCer) Close("the first request had the E bit set");
    return;
  }
  if (state_ == State::kWaitCer) {
    if (!IsBaseCommand(message, kCommandCapabilitiesExchange)) {
      Close("command " + std::to_string(message.command_code) +
            " arrived before the Capabilities-Exchange-Request");
      return;
    }
    HandleCapabilitiesExchange(message);
    if (state_ == State::kOpen) deadline_ = now + settings_.watchdog_interval;
    return;
  }
  HandleOpenRequest(message);
}

void PeerConnection::HandleCapabilitiesExchange(const Message& request) {
  Message answer = StartAnswer(request, origin());
  std::uint32_t result = kSuccess;
  std::optional<Avp> failed;
  std::string problem;

  if (auto missing = FirstMissing(request.avps, {{{kAvpOriginHost}},
                                                 {{kAvpOriginRealm}},
                                                 {{kAvpHostIpAddress}, 6},
                                                 {{kAvpVendorId}, 4},
                                                 {{kAvpProductName}}})) {
    result = kMissingAvp;
    failed = std::move(missing);
    problem = "a required AVP of the Capabilities-Exchange-Request is missing";
  } else if (const Avp* unknown = FirstUnsupportedMandatory(request.avps, kBaseAvps)) {
    result = kAvpUnsupported;
    failed = *unknown;
    problem = "AVP " + std::to_string(unknown->code) + " with the M bit is not supported";
  } else if (auto invalid = FirstInvalidIdentity(request)) {
    result = kInvalidAvpValue;
    failed = invalid->first;
    problem = invalid->second;
  } else if (!AcceptsNoInbandSecurity(request)) {
    result = kNoCommonSecurity;
    problem = "the peer asks for in-band TLS, which this node does not offer";
  } else if (!AdvertisesS13(request)) {
    result = kNoCommonApplication;
    problem = "the peer does not advertise the S13 application (16777252)";
  }

  AddResultCode(answer, result);
  const LocalIdentity& identity = settings_.identity;
  answer.avps.push_back(Avp::Address(kAvpHostIpAddress, local_ip_));
  answer.avps.push_back(Avp::Unsigned32(kAvpVendorId, identity.vendor_id));
  // RFC 6733 section 5.3 forbids the M bit on Product-Name and Firmware-Revision.
  Avp product = Avp::Utf8String(kAvpProductName, identity.product_name);
  product.flags = 0;
  answer.avps.push_back(std::move(product));
  answer.avps.push_back(Avp::Unsigned32(kAvpOriginStateId, identity.origin_state_id));
  answer.avps.push_back(Avp::Unsigned32(kAvpSupportedVendorId, kVendor3gpp));
  answer.avps.push_back(Avp::Grouped(kAvpVendorSpecificApplicationId,
                                     {Avp::Unsigned32(kAvpVendorId, kVendor3gpp),
                                      Avp::Unsigned32(kAvpAuthApplicationId, kApplicationS13)}));
  Avp firmware = Avp::Unsigned32(kAvpFirmwareRevision, identity.firmware_revision);
  firmware.flags = 0;
  answer.avps.push_back(std::move(firmware));
  if (!problem.empty()) answer.avps.push_back(Avp::Utf8String(kAvpErrorMessage, problem));
  if (failed) AddFailedAvp(answer, *failed);
  Send(answer);

  if (result != kSuccess) {
    Close("capabilities exchange failed with " + std::to_string(result) + ": " + problem);
    return;
  }
  peer_host_ = request.Find(kAvpOriginHost)->data;
  state_ = State::kOpen;
}

void PeerConnection::HandleOpenRequest(const Message& request) {
  if (IsBaseCommand(request, kCommandCapabilitiesExchange)) {
    // RFC 6733 section 5.6 answers a CER on an open connection as the first one.
    HandleCapabilitiesExchange(request);
    return;
  }
  if (IsBaseCommand(request, kCommandDeviceWatchdog)) {
    Message answer = StartAnswer(request, origin());
    AddResultCode(answer, kSuccess);
    answer.avps.push_back(Avp::Unsigned32(kAvpOriginStateId, settings_.identity.origin_state_id));
    Send(answer);
    return;
  }
  if (IsBaseCommand(request, kCommandDisconnectPeer)) {
    Message answer = StartAnswer(request, origin());
    AddResultCode(answer, kSuccess);
    Send(answer);
    Close("the peer sent Disconnect-Peer-Request");
    return;
  }
  if (request.application_id != kApplicationS13) {
    std::uint32_t code =
        request.application_id == kApplicationBase ? kCommandUnsupported : kApplicationUnsupported;
    Send(ErrorAnswer(request, origin(), code,
                     "application " + std::to_string(request.application_id) + " command " +
                         std::to_string(request.command_code) + " is not served"));
    return;
  }
  if (request.command_code != kCommandMeIdentityCheck) {
    Send(ErrorAnswer(request, origin(), kCommandUnsupported,
                     "S13 command " + std::to_string(request.command_code) + " is not served"));
    return;
  }
  const Avp* host = request.Find(kAvpDestinationHost);
  if (host != nullptr && host->data != settings_.identity.origin_host) {
    Send(ErrorAnswer(request, origin(), kUnableToDeliver,
                     "Destination-Host " + host->data + " is not this node", *host));
    return;
  }
  const Avp* realm = request.Find(kAvpDestinationRealm);
  if (realm != nullptr && realm->data != settings_.identity.origin_realm) {
    Send(ErrorAnswer(request, origin(), kRealmNotServed,
                     "Destination-Realm " + realm->data + " is not served", *realm));
    return;
  }
  Send(handler_(request));
}

void PeerConnection::HandleAnswer(const Message& answer) {
  if (IsBaseCommand(answer, kCommandDeviceWatchdog) && watchdog_pending_ &&
      answer.hop_by_hop == watchdog_hop_by_hop_) {
    watchdog_pending_ = false;
    deadline_ = last_received_ + settings_.watchdog_interval;
    return;
  }
  if (IsBaseCommand(answer, kCommandDisconnectPeer) && state_ == State::kDisconnecting) {
    Close("disconnected after Disconnect-Peer-Request");
    return;
  }
  // Any other answer matches no request this node sent, and RFC 6733 section 6.2 drops it.
}

void PeerConnection::HandleUndecodable(std::string_view bytes, const Error& error,
                                       const AvpFault& fault) {
  Message header = DecodeHeader(bytes);
  if (header.is_request()) {
    std::uint32_t code = fault.result_code != 0 ? fault.result_code : ResultCodeFor(error);
    Send(ErrorAnswer(header, origin(), code, error.message, fault.failed_avp));
  }
  if (state_ == State::kWaitCer) Close("the first message could not be decoded: " + error.message);
}

void PeerConnection::RejectStream(std::string_view buffered, const Error& error) {
  if (buffered.size() >= kHeaderBytes) {
    Message header = DecodeHeader(buffered);
    if (header.is_request()) {
      Send(ErrorAnswer(header, origin(), ResultCodeFor(error), error.message));
    }
  }
  Close("the byte stream cannot be framed: " + error.message);
}

Message PeerConnection::StartRequest(std::uint32_t command_code) {
  Message request;
  request.flags = kFlagRequest;
  request.command_code = command_code;
  request.application_id = kApplicationBase;
  request.hop_by_hop = next_hop_by_hop_++;
  request.end_to_end = next_end_to_end_++;
  request.avps.push_back(Avp::OctetString(kAvpOriginHost, settings_.identity.origin_host));
  request.avps.push_back(Avp::OctetString(kAvpOriginRealm, settings_.identity.origin_realm));
  return request;
}

void PeerConnection::Send(const Message& message) { AppendMessage(message, output_); }

void PeerConnection::Close(std::string reason) {
  state_ = State::kClosed;
  close_reason_ = std::move(reason);
}

Origin PeerConnection::origin() const {
  return Origin{settings_.identity.origin_host, settings_.identity.origin_realm};
}

}  // namespace imeiguard::diameter
