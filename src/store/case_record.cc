#include "store/case_record.h"

#include <array>
#include <utility>

namespace imeiguard {
namespace {

constexpr std::array<std::pair<CaseLock, std::string_view>, 6> kCaseLockNames = {{
    {CaseLock::kAutomatic, "automatic"},
    {CaseLock::kAwaitingApproval, "awaiting_approval"},
    {CaseLock::kApproved, "approved"},
    {CaseLock::kRejected, "rejected"},
    {CaseLock::kUnlockAwaitingApproval, "unlock_awaiting_approval"},
    {CaseLock::kUnlocked, "unlocked"},
}};

}  // namespace

std::string_view CaseLockName(CaseLock lock) {
  for (const auto& [value, name] : kCaseLockNames) {
    if (value == lock) return name;
  }
  return "automatic";
}

std::optional<CaseLock> ParseCaseLock(std::string_view text) {
  for (const auto& [value, name] : kCaseLockNames) {
    if (name == text) return value;
  }
  return std::nullopt;
}

}  // namespace imeiguard
