#include "registry/manifest_fields.h"

#include <date/tz.h>

#include <chrono>
#include <exception>
#include <limits>

#include "identifiers/parcel_id.h"
#include "identifiers/text.h"

namespace imeiguard {
namespace {

// Whole SEK digits beyond this could overflow öre in 64 bits; no phone costs that much.
constexpr std::size_t kMaxSekDigits = 15;

constexpr std::string_view kFieldNames[kManifestFieldCount] = {
    "parcel_id",         "shipper_id", "service", "promised_by", "origin", "destination_postcode",
    "declared_weight_g", "imei",       "imei2",   "serial",      "model",  "value_sek"};

Error InvalidValue(std::string message) {
  return Error::InvalidInput("invalid_value", std::move(message));
}

void AddError(std::vector<RowError>& errors, const RawField& raw, std::string reason,
              std::string message) {
  errors.push_back({raw.line, raw.column, std::move(reason), std::move(message)});
}

std::string_view MissingHint(ManifestField field) {
  switch (field) {
    case ManifestField::kParcelId:
      return "Give the parcel's tracking id, an 18-digit SSCC or a UPU S10 id.";
    case ManifestField::kShipperId:
      return "Give the shipper's id as configured in imeiguard.";
    case ManifestField::kService:
      return "Give one of home, service_point, locker, mailbox or business.";
    case ManifestField::kPromisedBy:
      return "Give the promised delivery date, such as 2026-03-03.";
    case ManifestField::kDestinationPostcode:
      return "Give the postcode of the destination.";
    case ManifestField::kImei:
      return "Give the device's 15-digit IMEI.";
    default:
      return "Give a value.";
  }
}

// The text of `field`, or std::nullopt after reporting it when it is required and missing, or is
// not UTF-8. A field that the reader already rejected yields std::nullopt and no new error.
std::optional<std::string_view> TextOf(const RawFields& fields, ManifestField field,
                                       std::vector<RowError>& errors, bool* failed) {
  const RawField& raw = FieldOf(fields, field);
  if (raw.rejected) {
    *failed = true;
    return std::nullopt;
  }
  if (!raw.text.has_value()) {
    if (IsRequired(field)) {
      *failed = true;
      AddError(errors, raw, "missing_field",
               std::string(ManifestFieldName(field)) + " is missing. " +
                   std::string(MissingHint(field)));
    }
    return std::nullopt;
  }
  if (!IsValidUtf8(*raw.text)) {
    *failed = true;
    AddError(errors, raw, "invalid_value",
             std::string(ManifestFieldName(field)) + " " + QuoteForMessage(*raw.text) +
                 " is not valid UTF-8. Save the manifest as UTF-8.");
    return std::nullopt;
  }
  return std::string_view(*raw.text);
}

// Reports `result`'s error on `field` and clears the row, or returns the value.
template <typename T>
std::optional<T> Take(Result<T> result, const RawFields& fields, ManifestField field,
                      std::vector<RowError>& errors, bool* failed) {
  if (result.ok()) return std::move(result).value();
  *failed = true;
  AddError(errors, FieldOf(fields, field), result.error().reason, result.error().message);
  return std::nullopt;
}

Result<std::string> CheckParcelId(std::string_view text) {
  Result<std::string> id = NormalizeParcelId(text);
  if (!id.ok()) return InvalidValue(id.error().message);
  return id;
}

Result<Service> CheckService(std::string_view text) {
  std::optional<Service> service = ParseService(text);
  if (!service.has_value()) {
    return InvalidValue("service " + QuoteForMessage(text) +
                        " is not one of home, service_point, locker, mailbox or business.");
  }
  return *service;
}

Result<Imei> CheckImei(std::string_view text, ManifestField field) {
  Result<Imei> imei = Imei::Parse(text, ImeiChannel::kHuman);
  if (imei.ok()) return imei;
  if (std::optional<Imei> padded = ImeiWithLeadingZero(text)) {
    std::string column(ManifestFieldName(field));
    return Error::InvalidInput(
        imei.error().reason,
        QuoteForMessage(text) + " has 14 digits, and with a leading 0 it is the valid IMEI " +
            padded->WithCheckDigit() +
            ", so a spreadsheet probably stored the column as a number and dropped the zero. "
            "Re-export the " +
            column + " column as text.");
  }
  if (!imei.ok() && field == ManifestField::kImei2 &&
      imei.error().reason == ImeiRejectionCode(ImeiRejection::kPlaceholder)) {
    return Error::InvalidInput(imei.error().reason, imei.error().message +
                                                        " Leave imei2 empty for a single-SIM "
                                                        "phone.");
  }
  return imei;
}

Timestamp EndOfDay(std::chrono::sys_days day, const date::time_zone& zone) {
  date::local_days next_day{date::days{day.time_since_epoch().count() + 1}};
  // A midnight that a DST change skips or repeats resolves to its first instant.
  auto end = zone.to_sys(next_day, date::choose::earliest);
  return std::chrono::time_point_cast<std::chrono::milliseconds>(end);
}

}  // namespace

std::string_view ManifestFieldName(ManifestField field) {
  return kFieldNames[static_cast<std::size_t>(field)];
}

bool IsRequired(ManifestField field) {
  switch (field) {
    case ManifestField::kParcelId:
    case ManifestField::kShipperId:
    case ManifestField::kService:
    case ManifestField::kPromisedBy:
    case ManifestField::kDestinationPostcode:
    case ManifestField::kImei:
      return true;
    default:
      return false;
  }
}

std::optional<ManifestField> ManifestFieldNamed(std::string_view name) {
  for (std::size_t i = 0; i < kManifestFieldCount; ++i) {
    if (kFieldNames[i] == name) return static_cast<ManifestField>(i);
  }
  return std::nullopt;
}

Result<const date::time_zone*> LocateZone(std::string_view name) {
  try {
    return date::locate_zone(name);
  } catch (const std::exception& e) {
    return Error::InvalidInput("time_zone",
                               "the destination time zone " + QuoteForMessage(name) +
                                   " was not found in the time zone database (" + e.what() +
                                   "). Configure an IANA zone such as Europe/Stockholm.");
  }
}

Result<std::int64_t> ParseSekAsOre(std::string_view text) {
  std::string quoted = QuoteForMessage(text);
  if (!text.empty() && text[0] == '-') {
    return InvalidValue("value_sek " + quoted + " is negative. Give the device's value in SEK.");
  }
  if (text.find(',') != std::string_view::npos) {
    return InvalidValue("value_sek " + quoted +
                        " has a ',', but the decimal point is '.' and no thousands separator is "
                        "allowed. Write it as 9990.50.");
  }
  std::size_t point = text.find('.');
  std::string_view whole = text.substr(0, point);
  std::string_view fraction = point == std::string_view::npos ? "" : text.substr(point + 1);
  bool digits_only = !whole.empty() && (point == std::string_view::npos || !fraction.empty());
  for (char c : whole) digits_only = digits_only && IsAsciiDigit(c);
  for (char c : fraction) digits_only = digits_only && IsAsciiDigit(c);
  if (!digits_only) {
    return InvalidValue("value_sek " + quoted +
                        " is not a decimal number. Write the value in SEK, such as 9990.50.");
  }
  if (whole.size() > kMaxSekDigits) {
    return InvalidValue("value_sek " + quoted + " is too large for a device's value in SEK.");
  }
  for (std::size_t i = 2; i < fraction.size(); ++i) {
    if (fraction[i] != '0') {
      return InvalidValue("value_sek " + quoted +
                          " has more than two decimals, but a value is kept in whole öre. Round "
                          "it to two decimals.");
    }
  }

  std::int64_t ore = 0;
  for (char c : whole) ore = ore * 10 + (c - '0');
  ore *= 100;
  if (fraction.size() >= 1) ore += std::int64_t{fraction[0] - '0'} * 10;
  if (fraction.size() >= 2) ore += fraction[1] - '0';
  return ore;
}

Result<std::int32_t> ParseGrams(std::string_view text) {
  std::string quoted = QuoteForMessage(text);
  bool digits_only = !text.empty();
  for (char c : text) digits_only = digits_only && IsAsciiDigit(c);
  if (!digits_only) {
    return InvalidValue("declared_weight_g " + quoted +
                        " is not a whole number of grams. Write it as digits only, such as 640.");
  }
  std::int64_t grams = 0;
  for (char c : text) {
    grams = grams * 10 + (c - '0');
    if (grams > std::numeric_limits<std::int32_t>::max()) {
      return InvalidValue("declared_weight_g " + quoted + " is too large. Give grams, not mg.");
    }
  }
  if (grams == 0) {
    return InvalidValue(
        "declared_weight_g is 0. Give the parcel's weight in grams, or leave it "
        "empty when it is not known.");
  }
  return static_cast<std::int32_t>(grams);
}

Result<Timestamp> ParsePromisedBy(std::string_view text, const date::time_zone& zone) {
  constexpr std::string_view kHint =
      " Write a date such as 2026-03-03 or a date-time with offset such as "
      "2026-03-03T18:00:00+01:00.";
  if (text.size() == 10) {
    Result<std::chrono::sys_days> day = ParseIsoDate(text);
    if (!day.ok()) {
      return InvalidValue("promised_by is invalid (" + day.error().message + ")." +
                          std::string(kHint));
    }
    return EndOfDay(*day, zone);
  }
  Result<Timestamp> time = ParseRfc3339(text);
  if (!time.ok()) {
    return InvalidValue("promised_by is invalid (" + time.error().message + ")." +
                        std::string(kHint));
  }
  return time;
}

std::optional<ParcelRecord> CheckParcelFields(const RawFields& fields, const date::time_zone& zone,
                                              std::vector<RowError>& errors) {
  bool failed = false;
  ParcelRecord parcel;

  if (auto text = TextOf(fields, ManifestField::kParcelId, errors, &failed)) {
    auto id = Take(CheckParcelId(*text), fields, ManifestField::kParcelId, errors, &failed);
    if (id) parcel.parcel_id = std::move(*id);
  }
  if (auto text = TextOf(fields, ManifestField::kShipperId, errors, &failed)) {
    parcel.shipper_id = std::string(*text);
  }
  if (auto text = TextOf(fields, ManifestField::kService, errors, &failed)) {
    auto service = Take(CheckService(*text), fields, ManifestField::kService, errors, &failed);
    if (service) parcel.service = *service;
  }
  if (auto text = TextOf(fields, ManifestField::kPromisedBy, errors, &failed)) {
    auto promised_by =
        Take(ParsePromisedBy(*text, zone), fields, ManifestField::kPromisedBy, errors, &failed);
    if (promised_by) parcel.promised_by = *promised_by;
  }
  if (auto text = TextOf(fields, ManifestField::kOrigin, errors, &failed)) {
    parcel.origin = std::string(*text);
  }
  if (auto text = TextOf(fields, ManifestField::kDestinationPostcode, errors, &failed)) {
    parcel.destination_postcode = std::string(*text);
  }
  if (auto text = TextOf(fields, ManifestField::kDeclaredWeightG, errors, &failed)) {
    parcel.declared_weight_g =
        Take(ParseGrams(*text), fields, ManifestField::kDeclaredWeightG, errors, &failed);
  }

  if (failed) return std::nullopt;
  return parcel;
}

std::optional<DeviceRecord> CheckDeviceFields(const RawFields& fields,
                                              std::vector<RowError>& errors,
                                              std::vector<int>& lines_missing_leading_zero) {
  bool failed = false;
  DeviceRecord device;

  // The row's line once, if either IMEI column lost its leading zero.
  for (ManifestField field : {ManifestField::kImei, ManifestField::kImei2}) {
    const RawField& raw = FieldOf(fields, field);
    if (raw.rejected || !raw.text.has_value() || !ImeiWithLeadingZero(*raw.text)) continue;
    lines_missing_leading_zero.push_back(raw.line);
    break;
  }

  if (auto text = TextOf(fields, ManifestField::kImei, errors, &failed)) {
    auto imei =
        Take(CheckImei(*text, ManifestField::kImei), fields, ManifestField::kImei, errors, &failed);
    if (imei) device.imei = *imei;
  }
  if (auto text = TextOf(fields, ManifestField::kImei2, errors, &failed)) {
    device.imei2 = Take(CheckImei(*text, ManifestField::kImei2), fields, ManifestField::kImei2,
                        errors, &failed);
  }
  if (auto text = TextOf(fields, ManifestField::kSerial, errors, &failed)) {
    device.serial = std::string(*text);
  }
  if (auto text = TextOf(fields, ManifestField::kModel, errors, &failed)) {
    device.model = std::string(*text);
  }
  if (auto text = TextOf(fields, ManifestField::kValueSek, errors, &failed)) {
    device.value_ore =
        Take(ParseSekAsOre(*text), fields, ManifestField::kValueSek, errors, &failed);
  }
  if (failed) return std::nullopt;

  if (device.imei2.has_value() && *device.imei2 == device.imei) {
    AddError(errors, FieldOf(fields, ManifestField::kImei2), "duplicate_imei",
             "imei2 repeats imei " + device.imei.WithCheckDigit() +
                 ". A dual-SIM phone has two different IMEIs, so leave imei2 empty for a "
                 "single-SIM phone.");
    return std::nullopt;
  }
  return device;
}

}  // namespace imeiguard
