#include "eir/equipment_status.h"

namespace imeiguard::eir {

std::string_view EquipmentStatusName(EquipmentStatus status) {
  switch (status) {
    case EquipmentStatus::kWhitelisted:
      return "WHITELISTED";
    case EquipmentStatus::kGreylisted:
      return "GREYLISTED";
    case EquipmentStatus::kBlacklisted:
      return "BLACKLISTED";
  }
  return "WHITELISTED";
}

EquipmentStatus EquipmentStatusOf(LockState state) {
  switch (state) {
    case LockState::kWatched:
    case LockState::kReleased:
      return EquipmentStatus::kWhitelisted;
    case LockState::kGreylisted:
    case LockState::kLockPending:
      return EquipmentStatus::kGreylisted;
    case LockState::kLocked:
    case LockState::kUnlockPending:
      return EquipmentStatus::kBlacklisted;
  }
  return EquipmentStatus::kWhitelisted;
}

bool StateIsTraced(LockState state) { return state != LockState::kReleased; }

bool StateIsStolen(LockState state) {
  return state != LockState::kReleased && state != LockState::kWatched;
}

}  // namespace imeiguard::eir
