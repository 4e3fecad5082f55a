// The status an Equipment Identity Register returns to the network for a device, derived from
// its lock state.
#pragma once

#include <string_view>

#include "locking/lock_state.h"

namespace imeiguard::eir {

// The EquipmentStatus of 3GPP TS 29.511 and the Equipment-Status of TS 29.272 (S13).
enum class EquipmentStatus {
  kWhitelisted,  // May attach.
  kGreylisted,   // May attach, and is traced.
  kBlacklisted,  // Is denied service.
};

// "WHITELISTED", "GREYLISTED" or "BLACKLISTED".
std::string_view EquipmentStatusName(EquipmentStatus status);

// Maps a lock state to the status the network receives. Watched and released devices are
// whitelisted. Suspect devices and locks that no platform has confirmed yet are greylisted, so that
// a parcel that turns up again never left its phone off the network. Locked devices stay
// blacklisted until the unlock is confirmed, as the platforms still hold them locked until then.
EquipmentStatus EquipmentStatusOf(LockState state);

// Whether a query naming a device in this state is a sighting worth a lead: the device is watched,
// suspect or locked. Released devices are not followed any more.
bool StateIsTraced(LockState state);

// Whether the device is believed stolen: suspect, lock pending, locked or unlock pending. A SIM
// seen in more than one such device points at a fence.
bool StateIsStolen(LockState state);

}  // namespace imeiguard::eir
