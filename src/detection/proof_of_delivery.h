// How strongly a delivery scan proves that the recipient has the parcel, and where it was handed
// over. The engine weighs a recipient's claim of non-receipt by it; the console shows it on each
// delivery of a parcel's timeline.
#pragma once

#include <optional>
#include <string_view>

#include "events/scan_event.h"
#include "registry/manifest.h"

namespace imeiguard {

enum class Proof { kNone, kWeak, kStrong };

// A locker or a service-point pickup needs the recipient's code or ID; a mailbox or a doorstep
// needs nothing. A scan without a node type is judged by the parcel's service.
Proof ProofOf(const ScanEvent& delivery, const ParcelRecord& parcel);

// Where a delivered or picked_up scan handed the parcel over: "locker", "service_point",
// "mailbox" or "doorstep", from the scan's node type or, when it has none, the parcel's service.
// Empty for any other scan.
std::optional<std::string_view> HandoverKind(const ScanEvent& delivery, const ParcelRecord& parcel);

}  // namespace imeiguard
