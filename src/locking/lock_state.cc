#include "locking/lock_state.h"

#include "core/enum_names.h"

namespace imeiguard {
namespace {

constexpr EnumNameTable<LockState, 6> kLockStateNames = {{
    {LockState::kWatched, "watched"},
    {LockState::kGreylisted, "greylisted"},
    {LockState::kLockPending, "lock_pending"},
    {LockState::kLocked, "locked"},
    {LockState::kUnlockPending, "unlock_pending"},
    {LockState::kReleased, "released"},
}};

constexpr EnumNameTable<OrderStatus, 5> kOrderStatusNames = {{
    {OrderStatus::kPending, "pending"},
    {OrderStatus::kSent, "sent"},
    {OrderStatus::kAcknowledged, "acknowledged"},
    {OrderStatus::kCancelled, "cancelled"},
    {OrderStatus::kFailed, "failed"},
}};

}  // namespace

std::string_view LockStateName(LockState state) { return NameOf(kLockStateNames, state); }
std::optional<LockState> ParseLockState(std::string_view text) {
  return ValueOf(kLockStateNames, text);
}

std::string_view LockActionName(LockAction action) {
  return action == LockAction::kLock ? "lock" : "unlock";
}

std::string_view OrderStatusName(OrderStatus status) { return NameOf(kOrderStatusNames, status); }
std::optional<OrderStatus> ParseOrderStatus(std::string_view text) {
  return ValueOf(kOrderStatusNames, text);
}

}  // namespace imeiguard
