// The JSON form of orders and devices: as the API returns them, and as the state file stores them.
#pragma once

#include <boost/json/object.hpp>
#include <optional>

#include "platform.h"

namespace imeiguard::dm_simulator {

// "2026-03-02T05:14:09.250123Z": RFC 3339 in UTC with six fraction digits, and back.
std::string FormatPreciseTime(PreciseTime time);
std::optional<PreciseTime> ParsePreciseTime(std::string_view text);

// The API form. Times are RFC 3339 in UTC; optional fields are left out when empty.
boost::json::object OrderToJson(const DmOrder& order);
boost::json::object DeviceToJson(const DmDevice& device);

// The state-file form: the API form plus "record" ("order" or "device") and the fields that only
// the platform needs (tenant, sequence, fingerprint, apply_at, enrolment, ...). Fields added after
// the first version may be missing from an older file and then take their defaults.
boost::json::object OrderRecord(const DmOrder& order);
boost::json::object DeviceRecord(const DmDevice& device);

// Reads a state-file record back; nullopt when a field is missing or malformed.
std::optional<DmOrder> OrderFromRecord(const boost::json::object& record);
std::optional<DmDevice> DeviceFromRecord(const boost::json::object& record);

}  // namespace imeiguard::dm_simulator
