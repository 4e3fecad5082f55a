// Fuzzes the Diameter decoder and the peer state machine: DecodeMessage and DecodeGroup on the
// bytes, then the same bytes fed to an open PeerConnection that answers S13 requests, in two
// reads split at the first byte's value.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "diameter/peer.h"
#include "diameter/s13.h"
#include "fuzz_check.h"

namespace {

using namespace imeiguard;
using namespace imeiguard::diameter;

// Decodes every AVP as if it were Grouped, down to `depth` levels, and checks that the decoded
// AVPs re-encode within the bytes they came from.
void CheckAvps(const std::vector<Avp>& avps, std::size_t available, int depth) {
  std::size_t encoded = 0;
  for (const Avp& avp : avps) {
    encoded += EncodedSize(avp);
    if (depth > 0) {
      auto members = DecodeGroup(avp);
      if (members.ok()) CheckAvps(*members, avp.data.size(), depth - 1);
    }
  }
  // Re-encoding can only drop a V bit that came without a vendor, so it is never longer.
  IG_FUZZ_CHECK(encoded <= available);
}

void CheckDecode(std::string_view bytes) {
  AvpFault fault;
  auto message = DecodeMessage(bytes, &fault);
  if (!message.ok()) {
    IG_FUZZ_CHECK(message.error().kind == ErrorKind::kInvalidInput);
    IG_FUZZ_CHECK(!message.error().message.empty());
    IG_FUZZ_CHECK(ResultCodeFor(message.error()) >= 5000);
    return;
  }
  CheckAvps(message->avps, bytes.size() - kHeaderBytes, 4);
  auto again = DecodeMessage(EncodeMessage(*message));
  IG_FUZZ_CHECK(again.ok());
  IG_FUZZ_CHECK(again->avps.size() == message->avps.size());
  IG_FUZZ_CHECK(again->command_code == message->command_code);
}

void CheckPeer(std::string_view bytes) {
  static const PeerSettings settings = [] {
    PeerSettings s;
    s.identity.origin_host = "eir.fuzz";
    s.identity.origin_realm = "fuzz";
    s.max_message_bytes = 4096;
    return s;
  }();
  static const ManualClock clock;
  static const S13Responder responder(
      {"eir.fuzz", "fuzz", UnknownEquipment::kEquipmentUnknown},
      [](Imei imei) -> std::optional<EquipmentStatus> {
        if (imei.core_value() % 4 == 3) return std::nullopt;
        return static_cast<EquipmentStatus>(imei.core_value() % 3);
      },
      {}, clock);
  static const RequestHandler handler = [](const Message& request) {
    return responder.Answer(request);
  };

  const std::string loopback("\x7f\x00\x00\x01", 4);
  PeerConnection peer(settings, loopback, handler, PeerConnection::SteadyTime{});
  // Open the connection first, so that the fuzzed bytes reach the S13 answers.
  Message cer;
  cer.flags = kFlagRequest;
  cer.command_code = kCommandCapabilitiesExchange;
  cer.avps = {Avp::OctetString(kAvpOriginHost, "mme.fuzz"),
              Avp::OctetString(kAvpOriginRealm, "fuzz"),
              Avp::Address(kAvpHostIpAddress, loopback),
              Avp::Unsigned32(kAvpVendorId, 0),
              Avp::Utf8String(kAvpProductName, "fuzz"),
              Avp::Unsigned32(kAvpAuthApplicationId, kApplicationS13)};
  peer.Receive(EncodeMessage(cer), PeerConnection::SteadyTime{});
  IG_FUZZ_CHECK(peer.state() == PeerConnection::State::kOpen);
  peer.TakeOutput();

  std::size_t split = bytes.empty() ? 0 : static_cast<unsigned char>(bytes[0]) % bytes.size();
  peer.Receive(bytes.substr(0, split), PeerConnection::SteadyTime{});
  peer.Receive(bytes.substr(split), PeerConnection::SteadyTime{});
  std::string output = peer.TakeOutput();
  // Every answer the peer wrote must decode.
  std::string_view rest = output;
  while (!rest.empty()) {
    auto frame = ReadFrame(rest, 1 << 24);
    IG_FUZZ_CHECK(frame.ok() && frame->complete);
    IG_FUZZ_CHECK(DecodeMessage(rest.substr(0, frame->length)).ok());
    rest.remove_prefix(frame->length);
  }
  if (peer.state() == PeerConnection::State::kClosed) {
    IG_FUZZ_CHECK(!peer.close_reason().empty());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  CheckDecode(bytes);
  CheckPeer(bytes);
  return 0;
}
