// Diameter messages (RFC 6733 section 3): the 20-byte header and its AVPs, framing on a byte
// stream, encoding and decoding. No I/O; errors are returned as kInvalidInput.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "diameter/avp.h"

namespace imeiguard::diameter {

struct Message {
  std::uint8_t flags = 0;  // kFlag*
  std::uint32_t command_code = 0;
  std::uint32_t application_id = 0;
  std::uint32_t hop_by_hop = 0;
  std::uint32_t end_to_end = 0;
  std::vector<Avp> avps;

  bool is_request() const { return (flags & kFlagRequest) != 0; }
  const Avp* Find(std::uint32_t code, std::uint32_t vendor = 0) const {
    return FindAvp(avps, code, vendor);
  }
};

// What a received byte stream holds at its start.
struct Frame {
  // The length of the first message, from its header. 0 while fewer than 4 bytes are buffered.
  std::uint32_t length = 0;
  // True when the whole first message is buffered.
  bool complete = false;
};

// Reads the length of the first message in `buffered`. Fails with kInvalidInput, after which the
// stream cannot be framed any more, with reason "unsupported_version" (Result-Code 5011) when the
// version is not 1, "message_length" (5015) when the length is below 20 or not a multiple of 4,
// and "message_too_large" (5015) when it is above `max_message_bytes`.
Result<Frame> ReadFrame(std::string_view buffered, std::size_t max_message_bytes);

// The result code that goes with a ReadFrame or DecodeMessage error reason.
std::uint32_t ResultCodeFor(const Error& error);

// Decodes one whole message. Fails with kInvalidInput and the reasons of ReadFrame, or
// "message_length" when the header's length differs from the size of `bytes`, or "avp_length"
// (with `fault` filled as DecodeAvps does) when the AVPs do not fill the message exactly.
Result<Message> DecodeMessage(std::string_view bytes, AvpFault* fault = nullptr);

// Decodes only the header of a message whose AVPs may be unreadable, so that an error answer can
// still name its command and identifiers. `bytes` must have at least kHeaderBytes.
Message DecodeHeader(std::string_view bytes);

// Encodes `message`. The length field is computed; AVPs are padded.
std::string EncodeMessage(const Message& message);
// Appends the encoding of `message` to `out`, for writing several messages in one buffer.
void AppendMessage(const Message& message, std::string& out);

}  // namespace imeiguard::diameter
