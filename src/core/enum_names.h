// Two-way mapping between an enum and its stable wire names, from one constexpr table.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>
#include <utility>

namespace imeiguard {

template <typename Enum, std::size_t N>
using EnumNameTable = std::array<std::pair<Enum, std::string_view>, N>;

// The name of `value`, or the table's first name when the value is missing from the table.
template <typename Enum, std::size_t N>
constexpr std::string_view NameOf(const EnumNameTable<Enum, N>& table, Enum value) {
  for (const auto& [candidate, name] : table) {
    if (candidate == value) return name;
  }
  return table[0].second;
}

// The value whose name is exactly `text`, or std::nullopt.
template <typename Enum, std::size_t N>
constexpr std::optional<Enum> ValueOf(const EnumNameTable<Enum, N>& table, std::string_view text) {
  for (const auto& [value, name] : table) {
    if (name == text) return value;
  }
  return std::nullopt;
}

}  // namespace imeiguard
