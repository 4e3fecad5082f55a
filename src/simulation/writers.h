// Writes a simulated flow as the files the product reads (manifest CSV and NDJSON scan events, as
// the input formats describe them) and the labels that a scorer compares a replay report with.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

#include "simulation/flow.h"
#include "simulation/network.h"

namespace imeiguard::simulation {

// Formats Unix seconds as RFC 3339: in UTC+01:00 ("2026-03-02T06:14:09+01:00") when `local`,
// else in UTC with "Z".
std::string FormatSeconds(std::int64_t unix_seconds, bool local);

// One row per phone: parcel_id, shipper_id, service, promised_by, origin, destination_postcode,
// declared_weight_g, imei, imei2, serial, model, value_sek.
void WriteManifestCsv(const SimulatedFlow& flow, const Network& network, std::ostream& out);

// One scan a line, in the flow's order (by received time). Event time is written in UTC+01:00,
// received in UTC.
void WriteEventsNdjson(const SimulatedFlow& flow, const Network& network, std::ostream& out);

// One row per phone (by its first IMEI): imei, imei2, parcel_id, shipper_id, service, scenario,
// stolen (0 or 1), theft_time, delivered_time, closed_received, outcome, value_sek. Times are
// RFC 3339 in UTC, empty when they do not apply.
void WriteLabelsCsv(const SimulatedFlow& flow, std::ostream& out);

}  // namespace imeiguard::simulation
