// The fields of a manifest row, and their checks, shared by the CSV and JSON readers.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "registry/manifest.h"

namespace date {
class time_zone;
}

namespace imeiguard {

enum class ManifestField : std::size_t {
  kParcelId,
  kShipperId,
  kService,
  kPromisedBy,
  kOrigin,
  kDestinationPostcode,
  kDeclaredWeightG,
  kImei,
  kImei2,
  kSerial,
  kModel,
  kValueSek,
};
inline constexpr std::size_t kManifestFieldCount = 12;

// The CSV column and JSON key: "parcel_id", "shipper_id", ... "value_sek".
std::string_view ManifestFieldName(ManifestField field);
bool IsRequired(ManifestField field);
// The field whose name is exactly `name`, if any.
std::optional<ManifestField> ManifestFieldNamed(std::string_view name);

// One field of one row as a reader found it, before it is checked.
struct RawField {
  std::optional<std::string> text;  // No value: no such column, an empty cell, a null or no key.
  bool rejected = false;            // The reader has already reported an error on this field.
  int line = 0;                     // The line that an error on this field names.
  std::string column;               // The CSV column name or the JSON path.
};

using RawFields = std::array<RawField, kManifestFieldCount>;

inline RawField& FieldOf(RawFields& fields, ManifestField field) {
  return fields[static_cast<std::size_t>(field)];
}
inline const RawField& FieldOf(const RawFields& fields, ManifestField field) {
  return fields[static_cast<std::size_t>(field)];
}

// Finds the IANA zone `name` in the OS time zone database. Returns kInvalidInput with reason
// "time_zone" when the zone or the database cannot be found.
Result<const date::time_zone*> LocateZone(std::string_view name);

// Checks the parcel fields of a row. Returns the parcel, or std::nullopt after appending an error
// for each bad field to `errors`. A date-only promised_by ends at 24:00 of that day in `zone`.
std::optional<ParcelRecord> CheckParcelFields(const RawFields& fields, const date::time_zone& zone,
                                              std::vector<RowError>& errors);

// Checks the device fields of a row, as CheckParcelFields does. `line` is left 0. Appends the
// row's line to `lines_missing_leading_zero` when its imei or imei2 is 14 digits that a leading 0
// makes a valid IMEI (see ImeiWithLeadingZero).
std::optional<DeviceRecord> CheckDeviceFields(const RawFields& fields,
                                              std::vector<RowError>& errors,
                                              std::vector<int>& lines_missing_leading_zero);

// Parses a decimal amount of SEK with '.' as decimal point, at most two decimals that are not
// zero, into öre. Returns kInvalidInput with reason "invalid_value" otherwise.
Result<std::int64_t> ParseSekAsOre(std::string_view text);

// Parses a positive whole number of grams that fits in 32 bits.
Result<std::int32_t> ParseGrams(std::string_view text);

// Parses a promised delivery time: an ISO 8601 date, ending at 24:00 of that day in `zone`, or an
// RFC 3339 date-time with offset.
Result<Timestamp> ParsePromisedBy(std::string_view text, const date::time_zone& zone);

}  // namespace imeiguard
