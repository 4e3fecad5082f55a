#include "diameter/message.h"

#include "diameter/wire.h"

namespace imeiguard::diameter {
namespace {

using wire::AppendUint32;
using wire::LoadUint32;

void StoreUint24(std::uint32_t value, std::string& out, std::size_t at) {
  out[at] = static_cast<char>(value >> 16);
  out[at + 1] = static_cast<char>(value >> 8);
  out[at + 2] = static_cast<char>(value);
}

}  // namespace

Result<Frame> ReadFrame(std::string_view buffered, std::size_t max_message_bytes) {
  if (buffered.size() < 4) return Frame{};
  auto version = static_cast<std::uint8_t>(buffered[0]);
  if (version != kVersion) {
    return Error::InvalidInput("unsupported_version", "the message has Diameter version " +
                                                          std::to_string(version) +
                                                          "; only version 1 is supported");
  }
  std::uint32_t length = LoadUint32(buffered, 0) & 0xffffff;
  if (length < kHeaderBytes || length % 4 != 0) {
    return Error::InvalidInput("message_length",
                               "the message length " + std::to_string(length) +
                                   " is not a multiple of 4 of at least 20 bytes");
  }
  if (length > max_message_bytes) {
    return Error::InvalidInput("message_too_large", "the message of " + std::to_string(length) +
                                                        " bytes is larger than the maximum of " +
                                                        std::to_string(max_message_bytes));
  }
  return Frame{length, buffered.size() >= length};
}

std::uint32_t ResultCodeFor(const Error& error) {
  if (error.reason == "unsupported_version") return kUnsupportedVersion;
  if (error.reason == "message_length" || error.reason == "message_too_large") {
    return kInvalidMessageLength;
  }
  if (error.reason == "avp_length") return kInvalidAvpLength;
  if (error.reason == "avp_value") return kInvalidAvpValue;
  return kUnableToComply;
}

Message DecodeHeader(std::string_view bytes) {
  Message message;
  message.flags = static_cast<std::uint8_t>(bytes[4]);
  message.command_code = LoadUint32(bytes, 4) & 0xffffff;
  message.application_id = LoadUint32(bytes, 8);
  message.hop_by_hop = LoadUint32(bytes, 12);
  message.end_to_end = LoadUint32(bytes, 16);
  return message;
}

Result<Message> DecodeMessage(std::string_view bytes, AvpFault* fault) {
  auto frame = ReadFrame(bytes, bytes.size());
  if (!frame.ok()) return frame.error();
  if (bytes.size() < kHeaderBytes || frame->length != bytes.size()) {
    return Error::InvalidInput("message_length",
                               "the header gives a length of " + std::to_string(frame->length) +
                                   " bytes, but the message has " + std::to_string(bytes.size()));
  }
  Message message = DecodeHeader(bytes);
  auto avps = DecodeAvps(bytes.substr(kHeaderBytes), fault);
  if (!avps.ok()) return avps.error();
  message.avps = std::move(*avps);
  return message;
}

void AppendMessage(const Message& message, std::string& out) {
  std::size_t start = out.size();
  AppendUint32(std::uint32_t{kVersion} << 24, out);
  AppendUint32(std::uint32_t{message.flags} << 24 | (message.command_code & 0xffffff), out);
  AppendUint32(message.application_id, out);
  AppendUint32(message.hop_by_hop, out);
  AppendUint32(message.end_to_end, out);
  for (const Avp& avp : message.avps) AppendAvp(avp, out);
  StoreUint24(static_cast<std::uint32_t>(out.size() - start), out, start + 1);
}

std::string EncodeMessage(const Message& message) {
  std::string out;
  AppendMessage(message, out);
  return out;
}

}  // namespace imeiguard::diameter
