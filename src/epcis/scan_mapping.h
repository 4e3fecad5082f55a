// How EPCIS 2.0 events become the carrier's scans of parcels.
//
// A parcel is an SSCC, written as an EPC URI or a GS1 Digital Link, in an ObjectEvent's epcList
// or as an AggregationEvent's parentID. The disposition decides its scan type first: damaged,
// container_open, stolen and unknown give the exception scans, and completeness_verified at an
// address or locker node gives delivered. Otherwise the business step decides: accepting,
// arriving, departing, loading, unloading, inspecting with a weight, returning, receiving. An event
// that names no parcel, or whose step and disposition map to no scan type, is kept by the capture
// interface but gives no scan. An event with an errorDeclaration gives no scan but withdraws the
// scans of the event it repeats.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "epcis/epcis_document.h"
#include "events/event_withdrawal.h"
#include "events/scan_event.h"

namespace imeiguard::epcis {

// The carrier's own part of the mapping, from configuration.
struct MappingRules {
  // Node types of read points and business locations by their id as written. A node missing here
  // has type kUnknown.
  std::map<std::string, NodeType, std::less<>> node_types;
  // Further business steps, by bare CBV term or full IRI, and the scan types they give.
  std::map<std::string, ScanType, std::less<>> biz_steps;
};

struct Mapped {
  std::vector<ScanEvent> scans;
  std::vector<EventWithdrawal> withdrawals;
};

// Adds the scans or withdrawals of `event` to `out`. Each parcel of the event gets one scan whose
// event_id is the event's identity, followed by "#" and the parcel id when the event names more
// than one parcel. `recorded_at` stamps the scans.
void MapEvent(const Event& event, const MappingRules& rules, Timestamp recorded_at, Mapped& out);

// The parcel ids (18-digit SSCCs) that `event` is about.
std::vector<std::string> ParcelsOf(const Event& event);

}  // namespace imeiguard::epcis
