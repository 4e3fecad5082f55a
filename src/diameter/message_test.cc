#include "diameter/message.h"

#include <gtest/gtest.h>

#include <string>

namespace imeiguard::diameter {
namespace {

using namespace std::string_literals;

Message WatchdogRequest() {
  Message message;
  message.flags = kFlagRequest;
  message.command_code = kCommandDeviceWatchdog;
  message.hop_by_hop = 0x01020304;
  message.end_to_end = 0x0a0b0c0d;
  message.avps.push_back(Avp::Utf8String(kAvpOriginHost, "mme"));
  message.avps.push_back(Avp::Utf8String(kAvpOriginRealm, "example"));
  return message;
}

TEST(MessageEncoding, HeaderFields) {
  std::string bytes = EncodeMessage(WatchdogRequest());
  ASSERT_EQ(bytes.size(), 20u + 12 + 16);
  EXPECT_EQ(bytes.substr(0, 20),
            "\x01\x00\x00\x30\x80\x00\x01\x18\x00\x00\x00\x00\x01\x02\x03\x04\x0a\x0b\x0c\x0d"s);
}

TEST(MessageDecoding, RoundTrip) {
  Message original = WatchdogRequest();
  original.application_id = kApplicationS13;
  original.flags |= kFlagProxiable;
  auto decoded = DecodeMessage(EncodeMessage(original));
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(decoded->flags, kFlagRequest | kFlagProxiable);
  EXPECT_EQ(decoded->command_code, kCommandDeviceWatchdog);
  EXPECT_EQ(decoded->application_id, kApplicationS13);
  EXPECT_EQ(decoded->hop_by_hop, 0x01020304u);
  EXPECT_EQ(decoded->end_to_end, 0x0a0b0c0du);
  ASSERT_EQ(decoded->avps.size(), 2u);
  EXPECT_EQ(decoded->Find(kAvpOriginRealm)->data, "example");
  EXPECT_EQ(decoded->Find(kAvpSessionId), nullptr);
}

TEST(MessageDecoding, LengthMustMatchBytes) {
  std::string bytes = EncodeMessage(WatchdogRequest());
  bytes += "\0\0\0\0"s;
  auto decoded = DecodeMessage(bytes);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.error().reason, "message_length");
  EXPECT_EQ(ResultCodeFor(decoded.error()), kInvalidMessageLength);
}

TEST(MessageDecoding, AvpFaultInsideMessage) {
  std::string bytes = EncodeMessage(WatchdogRequest());
  bytes[20 + 7] = 0x40;  // Origin-Host claims 64 bytes.
  AvpFault fault;
  auto decoded = DecodeMessage(bytes, &fault);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.error().reason, "avp_length");
  EXPECT_EQ(fault.result_code, kInvalidAvpLength);
}

TEST(MessageFraming, WaitsForFourBytesThenTheWhole) {
  std::string bytes = EncodeMessage(WatchdogRequest());
  auto none = ReadFrame(bytes.substr(0, 3), 4096);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->length, 0u);
  EXPECT_FALSE(none->complete);
  auto partial = ReadFrame(bytes.substr(0, 30), 4096);
  ASSERT_TRUE(partial.ok());
  EXPECT_EQ(partial->length, bytes.size());
  EXPECT_FALSE(partial->complete);
  auto whole = ReadFrame(bytes + bytes, 4096);
  ASSERT_TRUE(whole.ok());
  EXPECT_TRUE(whole->complete);
  EXPECT_EQ(whole->length, bytes.size());
}

TEST(MessageFraming, RejectsVersion) {
  auto frame = ReadFrame("\x02\x00\x00\x14"s, 4096);
  ASSERT_FALSE(frame.ok());
  EXPECT_EQ(frame.error().reason, "unsupported_version");
  EXPECT_EQ(ResultCodeFor(frame.error()), kUnsupportedVersion);
}

TEST(MessageFraming, RejectsShortAndUnalignedLengths) {
  EXPECT_EQ(ReadFrame("\x01\x00\x00\x10"s, 4096).error().reason, "message_length");
  EXPECT_EQ(ReadFrame("\x01\x00\x00\x15"s, 4096).error().reason, "message_length");
}

TEST(MessageFraming, RejectsOversizedMessage) {
  auto frame = ReadFrame("\x01\x01\x00\x00"s, 4096);
  ASSERT_FALSE(frame.ok());
  EXPECT_EQ(frame.error().reason, "message_too_large");
  EXPECT_EQ(frame.error().message, "the message of 65536 bytes is larger than the maximum of 4096");
}

}  // namespace
}  // namespace imeiguard::diameter
