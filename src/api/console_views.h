// JSON renderings for the security officers' and the police's console: a parcel's timeline, the
// evidence behind a verdict, a device's lock history and the hotspot report.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <vector>

#include "api/json_views.h"
#include "detection/hotspots.h"
#include "store/store.h"

namespace imeiguard {

// An order with the audit entries that record its steps, oldest first: its creation (an entry of
// its device), then each entry of the order itself.
struct OrderHistory {
  LockOrder order;
  std::vector<AuditEntry> steps;
};

// A device with every order of its lock, by connector and then oldest first.
struct DeviceLockHistory {
  DeviceRow device;
  std::vector<OrderHistory> orders;
};

// One page of a hotspot report.
struct HotspotPage {
  HotspotDimension dimension = HotspotDimension::kTerminal;
  Timestamp from;
  Timestamp to;
  std::int64_t parcels = 0;  // The dimension's totals, as FlowTallies has them.
  std::int64_t losses = 0;
  double loss_rate = 0;
  std::vector<Hotspot> rows;  // This page's rows, most significant first.
  std::int64_t rows_total = 0;
  std::optional<std::int64_t> next_offset;
};

// A scan with its event and record times, whether it came late (its received time, or its record
// time when it has none, more than `late_after` after its event time), its weight against the
// parcel's declared weight and, on a delivery, the kind and strength of its proof.
boost::json::object TimelineEventJson(const ScanEvent& event, const ParcelRecord& parcel,
                                      Duration late_after);
// The parcel's scans in event-time order, as TimelineEventJson renders each.
boost::json::object ParcelTimelineJson(const ParcelSnapshot& parcel, Duration late_after);
// The facts behind the parcel's verdict, each with the scan that fired its rule (null for a rule
// that fired on a deadline).
boost::json::array EvidenceFindingsJson(const ParcelSnapshot& parcel, Duration late_after);
boost::json::object DeviceLockHistoryJson(const DeviceLockHistory& history,
                                          ImeiDisclosure disclosure);
boost::json::object HotspotPageJson(const HotspotPage& page, const ShiftSchedule& shifts);

}  // namespace imeiguard
