#include "diameter/peer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "diameter/s13_request.h"

namespace imeiguard::diameter {
namespace {

using namespace std::string_literals;
using std::chrono::milliseconds;
using SteadyTime = PeerConnection::SteadyTime;

const std::string kLocalIp = "\x7f\x00\x00\x01"s;

Message CapabilitiesRequest(std::vector<Avp> applications) {
  Message request;
  request.flags = kFlagRequest;
  request.command_code = kCommandCapabilitiesExchange;
  request.hop_by_hop = 7;
  request.end_to_end = 8;
  request.avps = {Avp::OctetString(kAvpOriginHost, "mme.example"),
                  Avp::OctetString(kAvpOriginRealm, "example"),
                  Avp::Address(kAvpHostIpAddress, kLocalIp), Avp::Unsigned32(kAvpVendorId, 0),
                  Avp::Utf8String(kAvpProductName, "test mme")};
  for (Avp& avp : applications) request.avps.push_back(std::move(avp));
  return request;
}

Message S13CapabilitiesRequest() {
  return CapabilitiesRequest({Avp::Grouped(
      kAvpVendorSpecificApplicationId, {Avp::Unsigned32(kAvpVendorId, kVendor3gpp),
                                        Avp::Unsigned32(kAvpAuthApplicationId, kApplicationS13)})});
}

Message BaseRequest(std::uint32_t command_code, std::uint32_t hop_by_hop) {
  Message request;
  request.flags = kFlagRequest;
  request.command_code = command_code;
  request.hop_by_hop = hop_by_hop;
  request.avps = {Avp::OctetString(kAvpOriginHost, "mme.example"),
                  Avp::OctetString(kAvpOriginRealm, "example")};
  return request;
}

std::uint32_t ResultCodeOf(const Message& answer) {
  const Avp* result = answer.Find(kAvpResultCode);
  return result == nullptr ? 0 : ReadUnsigned32(*result).value();
}

class PeerTest : public ::testing::Test {
 protected:
  PeerTest() {
    settings_.identity.origin_host = "eir.test";
    settings_.identity.origin_realm = "imeiguard.localdomain";
    settings_.watchdog_interval = milliseconds(1000);
    settings_.max_message_bytes = 1024;
  }

  PeerConnection& Peer() {
    if (!peer_) peer_.emplace(settings_, kLocalIp, handler_, now_);
    return *peer_;
  }

  void Send(const Message& message) { Peer().Receive(EncodeMessage(message), now_); }

  // Decodes every message that the peer sent since the last call.
  std::vector<Message> Sent() {
    std::string output = Peer().TakeOutput();
    std::vector<Message> messages;
    while (!output.empty()) {
      auto frame = ReadFrame(output, 1 << 20);
      EXPECT_TRUE(frame.ok() && frame->complete);
      if (!frame.ok() || !frame->complete) break;
      auto message = DecodeMessage(output.substr(0, frame->length));
      EXPECT_TRUE(message.ok());
      if (message.ok()) messages.push_back(*message);
      output.erase(0, frame->length);
    }
    return messages;
  }

  void Open() {
    Send(S13CapabilitiesRequest());
    ASSERT_EQ(Sent().size(), 1u);
    ASSERT_EQ(Peer().state(), PeerConnection::State::kOpen);
  }

  PeerSettings settings_;
  int handled_ = 0;
  RequestHandler handler_ = [this](const Message& request) {
    ++handled_;
    Message answer = StartAnswer(request, {"eir.test", "imeiguard.localdomain"});
    AddResultCode(answer, kSuccess);
    return answer;
  };
  SteadyTime now_{};
  std::optional<PeerConnection> peer_;
};

TEST_F(PeerTest, CapabilitiesExchangeSucceedsForS13) {
  Send(S13CapabilitiesRequest());
  auto sent = Sent();
  ASSERT_EQ(sent.size(), 1u);
  const Message& answer = sent[0];
  EXPECT_FALSE(answer.is_request());
  EXPECT_EQ(answer.command_code, kCommandCapabilitiesExchange);
  EXPECT_EQ(answer.hop_by_hop, 7u);
  EXPECT_EQ(answer.end_to_end, 8u);
  EXPECT_EQ(ResultCodeOf(answer), kSuccess);
  EXPECT_EQ(answer.Find(kAvpOriginHost)->data, "eir.test");
  EXPECT_EQ(ReadAddress(*answer.Find(kAvpHostIpAddress)).value(), kLocalIp);
  EXPECT_EQ(answer.Find(kAvpProductName)->data, "imeiguard");
  EXPECT_FALSE(answer.Find(kAvpProductName)->mandatory());
  const Avp* application = answer.Find(kAvpVendorSpecificApplicationId);
  ASSERT_NE(application, nullptr);
  auto members = DecodeGroup(*application);
  ASSERT_TRUE(members.ok());
  EXPECT_EQ(ReadUnsigned32(*FindAvp(*members, kAvpAuthApplicationId)).value(), kApplicationS13);
  EXPECT_EQ(Peer().state(), PeerConnection::State::kOpen);
  EXPECT_EQ(Peer().peer_host(), "mme.example");
}

TEST_F(PeerTest, CapabilitiesExchangeAcceptsRelayApplication) {
  Send(CapabilitiesRequest({Avp::Unsigned32(kAvpAuthApplicationId, kApplicationRelay)}));
  EXPECT_EQ(ResultCodeOf(Sent().at(0)), kSuccess);
  EXPECT_EQ(Peer().state(), PeerConnection::State::kOpen);
}

TEST_F(PeerTest, CapabilitiesExchangeWithoutS13Fails) {
  Send(CapabilitiesRequest({Avp::Unsigned32(kAvpAuthApplicationId, 16777251)}));
  EXPECT_EQ(ResultCodeOf(Sent().at(0)), kNoCommonApplication);
  EXPECT_EQ(Peer().state(), PeerConnection::State::kClosed);
}

TEST_F(PeerTest, CapabilitiesExchangeMissingOriginHost) {
  Message request = S13CapabilitiesRequest();
  request.avps.erase(request.avps.begin());
  Send(request);
  Message answer = Sent().at(0);
  EXPECT_EQ(ResultCodeOf(answer), kMissingAvp);
  const Avp* failed = answer.Find(kAvpFailedAvp);
  ASSERT_NE(failed, nullptr);
  EXPECT_TRUE(DecodeGroup(*failed).value().at(0).Is(kAvpOriginHost));
  EXPECT_EQ(Peer().state(), PeerConnection::State::kClosed);
}

TEST_F(PeerTest, CapabilitiesExchangeRejectsInbandTlsOnly) {
  Message request = S13CapabilitiesRequest();
  request.avps.push_back(Avp::Unsigned32(kAvpInbandSecurityId, 1));
  Send(request);
  EXPECT_EQ(ResultCodeOf(Sent().at(0)), kNoCommonSecurity);
  EXPECT_EQ(Peer().state(), PeerConnection::State::kClosed);
}

TEST_F(PeerTest, RequestBeforeCapabilitiesExchangeCloses) {
  Send(BaseRequest(kCommandDeviceWatchdog, 1));
  EXPECT_TRUE(Sent().empty());
  EXPECT_EQ(Peer().state(), PeerConnection::State::kClosed);
  EXPECT_NE(Peer().close_reason().find("before the Capabilities-Exchange-Request"),
            std::string::npos);
}

TEST_F(PeerTest, NoCapabilitiesExchangeWithinIntervalCloses) {
  Peer().OnTimer(now_ + milliseconds(999));
  EXPECT_EQ(Peer().state(), PeerConnection::State::kWaitCer);
  Peer().OnTimer(now_ + milliseconds(1000));
  EXPECT_EQ(Peer().state(), PeerConnection::State::kClosed);
}

TEST_F(PeerTest, AnswersDeviceWatchdog) {
  Open();
  Send(BaseRequest(kCommandDeviceWatchdog, 42));
  Message answer = Sent().at(0);
  EXPECT_EQ(answer.command_code, kCommandDeviceWatchdog);
  EXPECT_EQ(answer.hop_by_hop, 42u);
  EXPECT_EQ(ResultCodeOf(answer), kSuccess);
  EXPECT_NE(answer.Find(kAvpOriginStateId), nullptr);
}

TEST_F(PeerTest, SendsWatchdogWhenIdleAndClosesWithoutAnswer) {
  Open();
  Peer().OnTimer(now_ + milliseconds(500));
  EXPECT_TRUE(Sent().empty());
  now_ += milliseconds(1000);
  Peer().OnTimer(now_);
  auto sent = Sent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_TRUE(sent[0].is_request());
  EXPECT_EQ(sent[0].command_code, kCommandDeviceWatchdog);
  EXPECT_EQ(Peer().next_deadline(), now_ + milliseconds(1000));
  Peer().OnTimer(now_ + milliseconds(1000));
  EXPECT_EQ(Peer().state(), PeerConnection::State::kClosed);
  EXPECT_EQ(Peer().close_reason(), "no Device-Watchdog-Answer within the watchdog interval");
}

TEST_F(PeerTest, WatchdogAnswerKeepsConnectionOpen) {
  Open();
  now_ += milliseconds(1000);
  Peer().OnTimer(now_);
  Message request = Sent().at(0);
  Message answer = StartAnswer(request, {"mme.example", "example"});
  AddResultCode(answer, kSuccess);
  now_ += milliseconds(100);
  Send(answer);
  Peer().OnTimer(now_ + milliseconds(999));
  EXPECT_EQ(Peer().state(), PeerConnection::State::kOpen);
  EXPECT_TRUE(Sent().empty());
}

TEST_F(PeerTest, DisconnectPeerIsAnsweredThenClosed) {
  Open();
  Message request = BaseRequest(kCommandDisconnectPeer, 9);
  request.avps.push_back(Avp::Enumerated(kAvpDisconnectCause, 0));
  Send(request);
  EXPECT_EQ(ResultCodeOf(Sent().at(0)), kSuccess);
  EXPECT_EQ(Peer().state(), PeerConnection::State::kClosed);
}

TEST_F(PeerTest, LocalDisconnectWaitsForAnswer) {
  Open();
  Peer().Disconnect(now_);
  Message request = Sent().at(0);
  EXPECT_EQ(request.command_code, kCommandDisconnectPeer);
  EXPECT_EQ(Peer().state(), PeerConnection::State::kDisconnecting);
  Message answer = StartAnswer(request, {"mme.example", "example"});
  AddResultCode(answer, kSuccess);
  Send(answer);
  EXPECT_EQ(Peer().state(), PeerConnection::State::kClosed);
}

TEST_F(PeerTest, MessageSplitAcrossReads) {
  Open();
  MeIdentityCheck check;
  check.imei = "35847210123456";
  std::string bytes = EncodeMessage(BuildMeIdentityCheckRequest(check));
  for (char byte : bytes) Peer().Receive(std::string_view(&byte, 1), now_);
  EXPECT_EQ(handled_, 1);
  EXPECT_EQ(Sent().size(), 1u);
}

TEST_F(PeerTest, SeveralMessagesInOneRead) {
  Open();
  MeIdentityCheck check;
  check.imei = "35847210123456";
  std::string bytes;
  for (std::uint32_t i = 1; i <= 3; ++i) {
    check.hop_by_hop = i;
    AppendMessage(BuildMeIdentityCheckRequest(check), bytes);
  }
  AppendMessage(BaseRequest(kCommandDeviceWatchdog, 4), bytes);
  Peer().Receive(bytes, now_);
  auto sent = Sent();
  ASSERT_EQ(sent.size(), 4u);
  for (std::uint32_t i = 0; i < 4; ++i) EXPECT_EQ(sent[i].hop_by_hop, i + 1);
}

TEST_F(PeerTest, OversizedMessageIsAnsweredAndClosed) {
  Open();
  MeIdentityCheck check;
  check.imei = "35847210123456";
  check.imsi = std::string(2000, '2');
  Send(BuildMeIdentityCheckRequest(check));
  auto sent = Sent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(ResultCodeOf(sent[0]), kInvalidMessageLength);
  EXPECT_EQ(Peer().state(), PeerConnection::State::kClosed);
  EXPECT_EQ(handled_, 0);
}

TEST_F(PeerTest, WrongVersionCloses) {
  Open();
  std::string bytes = EncodeMessage(BaseRequest(kCommandDeviceWatchdog, 1));
  bytes[0] = 2;
  Peer().Receive(bytes, now_);
  EXPECT_EQ(ResultCodeOf(Sent().at(0)), kUnsupportedVersion);
  EXPECT_EQ(Peer().state(), PeerConnection::State::kClosed);
}

TEST_F(PeerTest, BadAvpLengthIsAnsweredAndConnectionStays) {
  Open();
  MeIdentityCheck check;
  check.imei = "35847210123456";
  std::string bytes = EncodeMessage(BuildMeIdentityCheckRequest(check));
  bytes[20 + 7] = static_cast<char>(0xf0);  // Session-Id claims 240 bytes.
  Peer().Receive(bytes, now_);
  Message answer = Sent().at(0);
  EXPECT_EQ(ResultCodeOf(answer), kInvalidAvpLength);
  EXPECT_EQ(answer.hop_by_hop, 1u);
  ASSERT_NE(answer.Find(kAvpFailedAvp), nullptr);
  EXPECT_TRUE(DecodeGroup(*answer.Find(kAvpFailedAvp)).value().at(0).Is(kAvpSessionId));
  EXPECT_EQ(Peer().state(), PeerConnection::State::kOpen);
  EXPECT_EQ(handled_, 0);
}

TEST_F(PeerTest, UnknownApplicationIsProtocolError) {
  Open();
  Message request = BaseRequest(316, 5);
  request.application_id = 16777251;
  Send(request);
  Message answer = Sent().at(0);
  EXPECT_EQ(ResultCodeOf(answer), kApplicationUnsupported);
  EXPECT_NE(answer.flags & kFlagError, 0);
}

TEST_F(PeerTest, UnknownBaseCommandIsUnsupported) {
  Open();
  Send(BaseRequest(271, 5));
  EXPECT_EQ(ResultCodeOf(Sent().at(0)), kCommandUnsupported);
}

TEST_F(PeerTest, RequestWithErrorBitIsInvalidHeaderBits) {
  Open();
  Message request = BaseRequest(kCommandDeviceWatchdog, 5);
  request.flags |= kFlagError;
  Send(request);
  EXPECT_EQ(ResultCodeOf(Sent().at(0)), kInvalidHeaderBits);
}

TEST_F(PeerTest, OtherDestinationHostCannotBeDelivered) {
  Open();
  Message request = BuildMeIdentityCheckRequest({});
  request.avps.push_back(Avp::OctetString(kAvpDestinationHost, "other.eir"));
  Send(request);
  EXPECT_EQ(ResultCodeOf(Sent().at(0)), kUnableToDeliver);
  EXPECT_EQ(handled_, 0);
}

TEST_F(PeerTest, OtherDestinationRealmIsNotServed) {
  Open();
  MeIdentityCheck check;
  check.destination_realm = "other.realm";
  Send(BuildMeIdentityCheckRequest(check));
  EXPECT_EQ(ResultCodeOf(Sent().at(0)), kRealmNotServed);
}

TEST_F(PeerTest, UnexpectedAnswerIsDropped) {
  Open();
  Message answer = BaseRequest(kCommandDeviceWatchdog, 77);
  answer.flags = 0;
  Send(answer);
  EXPECT_TRUE(Sent().empty());
  EXPECT_EQ(Peer().state(), PeerConnection::State::kOpen);
}

}  // namespace
}  // namespace imeiguard::diameter
