// Big-endian integers as Diameter puts them on the wire; shared by the AVP and message codecs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace imeiguard::diameter::wire {

// Reads 4 bytes at `at`; the caller checks that they are there.
inline std::uint32_t LoadUint32(std::string_view bytes, std::size_t at) {
  auto byte = [&](std::size_t i) {
    return static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[at + i]));
  };
  return byte(0) << 24 | byte(1) << 16 | byte(2) << 8 | byte(3);
}

inline void AppendUint32(std::uint32_t value, std::string& out) {
  out.push_back(static_cast<char>(value >> 24));
  out.push_back(static_cast<char>(value >> 16));
  out.push_back(static_cast<char>(value >> 8));
  out.push_back(static_cast<char>(value));
}

}  // namespace imeiguard::diameter::wire
