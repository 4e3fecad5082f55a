// Small text helpers that the identifier, manifest and event parsers share.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace imeiguard {

inline bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }
inline bool IsAsciiLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
inline bool IsAsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
inline char ToAsciiUpper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c; }

// Drops ASCII white space at both ends.
std::string_view TrimAsciiSpace(std::string_view text);

bool EqualsIgnoringCase(std::string_view a, std::string_view b);
bool StartsWithIgnoringCase(std::string_view text, std::string_view prefix);

// True when `text` is well-formed UTF-8: no overlong forms, surrogates or code points past
// U+10FFFF.
bool IsValidUtf8(std::string_view text);

// Quotes a value for an error message: 'text' in single quotes, cut after 40 characters with
// "...", control characters and invalid UTF-8 written as \xNN so that a message is always
// printable UTF-8.
std::string QuoteForMessage(std::string_view text);

// Names the character that starts at byte `offset` of `text` for an error message: 'O' for a
// printable ASCII character, U+00A0 for another UTF-8 character, byte 0xFF for invalid UTF-8.
std::string DescribeCharacterAt(std::string_view text, std::size_t offset);

// The 1-based position, in UTF-8 characters, of the character that starts at byte `offset`.
std::size_t CharacterPosition(std::string_view text, std::size_t offset);

}  // namespace imeiguard
