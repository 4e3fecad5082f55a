// A shipper's pre-advice: which parcels it hands to the carrier and which phones are inside each.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.h"
#include "identifiers/imei.h"

namespace imeiguard {

enum class Service { kHome, kServicePoint, kLocker, kMailbox, kBusiness };

// "home", "service_point", "locker", "mailbox", "business".
std::string_view ServiceName(Service service);
std::optional<Service> ParseService(std::string_view text);

// The parcel-level fields of a manifest. Two rows of one parcel must agree on every one of them.
struct ParcelRecord {
  std::string parcel_id;
  std::string shipper_id;
  Service service = Service::kHome;
  Timestamp promised_by;  // A date alone means the end of that day in the destination zone.
  std::string origin;     // Empty when not given.
  std::string destination_postcode;
  std::optional<std::int32_t> declared_weight_g;

  friend bool operator==(const ParcelRecord&, const ParcelRecord&) = default;
};

struct DeviceRecord {
  Imei imei = Imei::FromCoreValue(0);
  std::optional<Imei> imei2;  // The second IMEI of a dual-SIM phone: the same device.
  std::string serial;
  std::string model;
  std::optional<std::int64_t> value_ore;  // Value in öre (1/100 SEK), to keep money exact.
  int line = 0;  // Text line of its CSV row, or of the opening brace of its JSON object.

  friend bool operator==(const DeviceRecord& a, const DeviceRecord& b) {
    return a.imei == b.imei && a.imei2 == b.imei2 && a.serial == b.serial && a.model == b.model &&
           a.value_ore == b.value_ore;
  }
};

struct ManifestParcel {
  ParcelRecord parcel;
  std::vector<DeviceRecord> devices;
  int first_line = 0;
};

// One rejected row or field. `line` is 1-based and counts the header; `column` is the CSV column or
// the JSON path ("parcels[2].devices[0].imei"). `reason` is a stable code such as "check_digit",
// "missing_field", "contradicts_line" or "duplicate_imei".
struct RowError {
  int line = 0;
  std::string column;
  std::string reason;
  std::string message;
};

// What a manifest file yields: the good parcels, and an error for every bad row. A bad row never
// hides a good one.
struct ManifestBatch {
  std::vector<ManifestParcel> parcels;
  std::vector<RowError> errors;
  int rows_read = 0;  // Data rows (CSV) or devices (JSON) read, good and bad.
  // Lines of the rows whose imei or imei2 is 14 digits that a leading 0 makes a valid IMEI, each
  // once, in file order: the mark of an IMEI column that a spreadsheet stored as numbers. Each
  // such row is also in `errors` with reason "length_14".
  std::vector<int> lines_missing_leading_zero;
};

struct ManifestOptions {
  // Time zone (IANA name) in which a date-only `promised_by` ends. The carrier is Nordic; its
  // destinations are in one zone unless configured otherwise.
  std::string destination_zone = "Europe/Stockholm";
  // Parcel-level guard: a file larger than this is rejected whole rather than parsed.
  std::size_t max_bytes = 64u << 20;
};

// The manifest parsers never throw: a malformed file yields errors. Row errors come in file order.
// Their reason is "missing_field", "invalid_value", an ImeiRejectionCode for the IMEI columns,
// "contradicts_line" or "duplicate_imei". A rejected row adds nothing to the parcels, and so
// neither does a row with a placeholder IMEI.

// Parses a CSV manifest as FORMATS.md describes: UTF-8 with or without BOM, LF or CRLF, ',' or ';'
// as the header row shows, RFC 4180 quoting, extra columns ignored. A file-level problem (no
// header, a missing required column) is returned as a single RowError on line 1. An Excel
// "sep=;" first line sets the separator. Fields are trimmed of surrounding white space, and blank
// rows (",,,,") are skipped without counting. A row error names the line on which the row starts,
// and line numbers count the line breaks inside quoted fields.
ManifestBatch ParseManifestCsv(std::string_view text, const ManifestOptions& options);

// Parses a JSON manifest {"shipper_id": ..., "parcels": [{..., "devices": [{...}]}]}, where each
// device is a row. A row error's column is the JSON path, such as "parcels[2].devices[0].imei",
// and its line is the text line of that key, or of its object when the key is absent. A file
// that is not valid JSON yields one error with reason "json" on the line of the syntax error.
ManifestBatch ParseManifestJson(std::string_view text, const ManifestOptions& options);

// Tells CSV from JSON by the first non-blank character after any BOM and parses accordingly.
ManifestBatch ParseManifest(std::string_view text, const ManifestOptions& options);

}  // namespace imeiguard
