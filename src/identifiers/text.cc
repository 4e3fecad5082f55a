#include "identifiers/text.h"

#include <cstdio>

namespace imeiguard {
namespace {

constexpr std::size_t kMaxQuotedCharacters = 40;

// The length of the valid UTF-8 sequence that starts at `offset`, or 0 when the bytes there are
// not one. Overlong forms, surrogates and code points past U+10FFFF are invalid.
std::size_t Utf8SequenceLength(std::string_view text, std::size_t offset, char32_t* code_point) {
  auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  unsigned char lead = byte(offset);
  std::size_t length = 0;
  char32_t value = 0;
  if (lead < 0x80) {
    *code_point = lead;
    return 1;
  } else if ((lead & 0xE0) == 0xC0) {
    length = 2;
    value = lead & 0x1F;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3;
    value = lead & 0x0F;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4;
    value = lead & 0x07;
  } else {
    return 0;
  }
  if (offset + length > text.size()) return 0;
  for (std::size_t i = 1; i < length; ++i) {
    if ((byte(offset + i) & 0xC0) != 0x80) return 0;
    value = (value << 6) | (byte(offset + i) & 0x3F);
  }
  static constexpr char32_t kMinimum[] = {0, 0, 0x80, 0x800, 0x10000};
  if (value < kMinimum[length] || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) {
    return 0;
  }
  *code_point = value;
  return length;
}

std::string HexByte(unsigned char byte) {
  char buffer[8];
  std::snprintf(buffer, sizeof buffer, "\\x%02X", byte);
  return buffer;
}

}  // namespace

std::string_view TrimAsciiSpace(std::string_view text) {
  while (!text.empty() && IsAsciiSpace(text.front())) text.remove_prefix(1);
  while (!text.empty() && IsAsciiSpace(text.back())) text.remove_suffix(1);
  return text;
}

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ToAsciiUpper(a[i]) != ToAsciiUpper(b[i])) return false;
  }
  return true;
}

bool StartsWithIgnoringCase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && EqualsIgnoringCase(text.substr(0, prefix.size()), prefix);
}

bool IsValidUtf8(std::string_view text) {
  std::size_t offset = 0;
  while (offset < text.size()) {
    char32_t code_point = 0;
    std::size_t length = Utf8SequenceLength(text, offset, &code_point);
    if (length == 0) return false;
    offset += length;
  }
  return true;
}

std::string QuoteForMessage(std::string_view text) {
  std::string quoted = "'";
  std::size_t characters = 0;
  std::size_t offset = 0;
  while (offset < text.size()) {
    if (characters == kMaxQuotedCharacters) {
      quoted += "...";
      break;
    }
    char32_t code_point = 0;
    std::size_t length = Utf8SequenceLength(text, offset, &code_point);
    if (length == 0 || code_point < 0x20 || code_point == 0x7F) {
      quoted += HexByte(static_cast<unsigned char>(text[offset]));
      length = 1;
    } else {
      quoted.append(text.substr(offset, length));
    }
    offset += length;
    ++characters;
  }
  quoted += "'";
  return quoted;
}

std::string DescribeCharacterAt(std::string_view text, std::size_t offset) {
  char32_t code_point = 0;
  std::size_t length = Utf8SequenceLength(text, offset, &code_point);
  char buffer[32];
  if (length == 0) {
    std::snprintf(buffer, sizeof buffer, "byte 0x%02X",
                  static_cast<unsigned>(static_cast<unsigned char>(text[offset])));
  } else if (code_point >= 0x21 && code_point < 0x7F) {
    std::snprintf(buffer, sizeof buffer, "'%c'", static_cast<char>(code_point));
  } else {
    std::snprintf(buffer, sizeof buffer, "U+%04X", static_cast<unsigned>(code_point));
  }
  return buffer;
}

std::size_t CharacterPosition(std::string_view text, std::size_t offset) {
  std::size_t position = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++position;
  }
  return position;
}

}  // namespace imeiguard
