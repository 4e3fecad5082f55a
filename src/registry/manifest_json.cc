// ParseManifestJson: {"shipper_id": ..., "parcels": [{..., "devices": [{...}]}]}.
#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <exception>

#include "core/json_kind.h"
#include "identifiers/text.h"
#include "registry/manifest.h"
#include "registry/manifest_assembler.h"
#include "registry/manifest_fields.h"
#include "registry/manifest_json_lines.h"

namespace imeiguard {
namespace {

namespace json = boost::json;

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";
// The manifest nests five levels deep; extra fields get room to nest below that.
constexpr std::size_t kMaxJsonDepth = 32;

constexpr ManifestField kParcelFields[] = {
    ManifestField::kParcelId,
    ManifestField::kService,
    ManifestField::kPromisedBy,
    ManifestField::kOrigin,
    ManifestField::kDestinationPostcode,
    ManifestField::kDeclaredWeightG,
};
constexpr ManifestField kDeviceFields[] = {
    ManifestField::kImei,  ManifestField::kImei2,    ManifestField::kSerial,
    ManifestField::kModel, ManifestField::kValueSek,
};

ManifestBatch FileError(int line, std::string column, std::string reason, std::string message) {
  ManifestBatch batch;
  batch.errors.push_back({line, std::move(column), std::move(reason), std::move(message)});
  return batch;
}

// The exact text of a JSON number as SEK with two decimals, or std::nullopt when it has finer
// fractions than öre. A double such as 9990.99 is not exact in binary, so a tolerance far below
// one öre decides.
std::optional<std::string> SekText(double sek) {
  double ore = sek * 100.0;
  if (!(std::fabs(ore) < 9e15)) return std::to_string(sek);  // ParseSekAsOre rejects it
  double rounded = std::nearbyint(ore);
  if (std::fabs(ore - rounded) > std::max(1e-6, std::fabs(ore) * 1e-12)) return std::nullopt;
  auto whole_ore = static_cast<std::int64_t>(std::fabs(rounded));
  std::string cents = std::to_string(whole_ore % 100);
  if (cents.size() < 2) cents.insert(0, "0");
  return std::string(rounded < 0 ? "-" : "") + std::to_string(whole_ore / 100) + "." + cents;
}

// The text of a number for a field that takes one, or std::nullopt when it cannot be written.
std::optional<std::string> NumberText(const json::value& value, ManifestField field) {
  if (value.is_int64()) return std::to_string(value.get_int64());
  if (value.is_uint64()) return std::to_string(value.get_uint64());
  double number = value.get_double();
  if (field == ManifestField::kValueSek) return SekText(number);
  if (number == std::floor(number) && std::fabs(number) < 1e15) {
    return std::to_string(static_cast<std::int64_t>(number));
  }
  return std::nullopt;
}

bool TakesNumber(ManifestField field) {
  return field == ManifestField::kDeclaredWeightG || field == ManifestField::kValueSek;
}

// Reads `field` of `object` into `raw`, and reports a value of the wrong JSON type.
void ReadField(const json::object& object, ManifestField field, RawField& raw,
               std::vector<RowError>& errors) {
  std::string_view name = ManifestFieldName(field);
  const json::value* value = object.if_contains(name);
  if (value == nullptr || value->is_null()) return;

  if (const json::string* string = value->if_string()) {
    std::string_view text = TrimAsciiSpace(std::string_view(string->data(), string->size()));
    if (!text.empty()) raw.text = std::string(text);
    return;
  }
  if (value->is_number() && TakesNumber(field)) {
    raw.text = NumberText(*value, field);
    if (raw.text) return;
    raw.rejected = true;
    errors.push_back({raw.line, raw.column, "invalid_value",
                      std::string(name) + " " + json::serialize(*value) +
                          (field == ManifestField::kValueSek
                               ? " has more than two decimals, but a value is kept in whole öre. "
                                 "Round it to two decimals."
                               : " is not a whole number of grams. Write it as an integer.")});
    return;
  }
  raw.rejected = true;
  std::string expected = TakesNumber(field) ? "a number or a string" : "a string";
  std::string hint;
  if (field == ManifestField::kImei || field == ManifestField::kImei2) {
    hint = " Write the IMEI in quotes, because a number loses leading zeros.";
  }
  errors.push_back({raw.line, raw.column, "invalid_value",
                    std::string(name) + " must be " + expected + ", not " +
                        std::string(JsonKindName(*value)) + "." + hint});
}

class JsonManifestReader {
 public:
  JsonManifestReader(std::string_view text, const date::time_zone& zone, ManifestBatch& batch)
      : lines_(text), zone_(zone), batch_(batch), assembler_(batch) {}

  // Reads the whole manifest; `root` is the parsed text.
  void Read(const json::value& root);

 private:
  bool ReadShipper(const json::object& root);
  void ReadParcel(const json::value& value, std::size_t index);
  void ReadDevices(const json::object& parcel_object, std::size_t index,
                   const std::optional<ParcelRecord>& parcel, const RawFields& parcel_fields);
  void AddError(int line, std::string column, std::string reason, std::string message) {
    batch_.errors.push_back({line, std::move(column), std::move(reason), std::move(message)});
  }

  ManifestJsonLines lines_;
  const date::time_zone& zone_;
  ManifestBatch& batch_;
  ManifestAssembler assembler_;
  std::string shipper_id_;
  int shipper_line_ = 1;
};

void JsonManifestReader::Read(const json::value& root) {
  const json::object* root_object = root.if_object();
  if (root_object == nullptr) {
    AddError(1, "", "invalid_value",
             "the manifest is " + std::string(JsonKindName(root)) +
                 ", but it must be an object {\"shipper_id\": ..., \"parcels\": [...]}.");
    return;
  }
  if (!ReadShipper(*root_object)) return;

  const json::value* parcels = root_object->if_contains("parcels");
  if (parcels == nullptr || parcels->is_null()) {
    AddError(1, "parcels", "missing_field",
             "parcels is missing. List the parcels as \"parcels\": [{...}].");
    return;
  }
  const json::array* parcel_array = parcels->if_array();
  if (parcel_array == nullptr) {
    AddError(lines_.TopKey("parcels"), "parcels", "invalid_value",
             "parcels must be an array, not " + std::string(JsonKindName(*parcels)) + ".");
    return;
  }
  for (std::size_t i = 0; i < parcel_array->size(); ++i) ReadParcel((*parcel_array)[i], i);
}

bool JsonManifestReader::ReadShipper(const json::object& root) {
  const json::value* shipper = root.if_contains("shipper_id");
  const json::string* text = shipper == nullptr ? nullptr : shipper->if_string();
  std::string_view id =
      text == nullptr ? std::string_view() : TrimAsciiSpace({text->data(), text->size()});
  if (id.empty() || !IsValidUtf8(id)) {
    bool missing = shipper == nullptr || shipper->is_null() || (text != nullptr && id.empty());
    AddError(shipper == nullptr ? 1 : lines_.TopKey("shipper_id"), "shipper_id",
             missing ? "missing_field" : "invalid_value",
             missing ? "shipper_id is missing. Give the shipper's id as configured in imeiguard."
                     : "shipper_id must be a UTF-8 string.");
    return false;
  }
  shipper_id_ = std::string(id);
  shipper_line_ = lines_.TopKey("shipper_id");
  return true;
}

void JsonManifestReader::ReadParcel(const json::value& value, std::size_t index) {
  std::string path = "parcels[" + std::to_string(index) + "]";
  const json::object* object = value.if_object();
  if (object == nullptr) {
    AddError(lines_.Parcel(index), path, "invalid_value",
             path + " must be an object, not " + std::string(JsonKindName(value)) + ".");
    return;
  }

  RawFields fields;
  RawField& shipper = FieldOf(fields, ManifestField::kShipperId);
  shipper.text = shipper_id_;
  shipper.line = shipper_line_;
  shipper.column = "shipper_id";
  for (ManifestField field : kParcelFields) {
    RawField& raw = FieldOf(fields, field);
    raw.line = lines_.ParcelKey(index, ManifestFieldName(field));
    raw.column = path + "." + std::string(ManifestFieldName(field));
    ReadField(*object, field, raw, batch_.errors);
  }
  std::optional<ParcelRecord> parcel = CheckParcelFields(fields, zone_, batch_.errors);
  ReadDevices(*object, index, parcel, fields);
}

void JsonManifestReader::ReadDevices(const json::object& parcel_object, std::size_t index,
                                     const std::optional<ParcelRecord>& parcel,
                                     const RawFields& parcel_fields) {
  std::string path = "parcels[" + std::to_string(index) + "].devices";
  const json::value* devices = parcel_object.if_contains("devices");
  const json::array* device_array = devices == nullptr ? nullptr : devices->if_array();
  if (device_array == nullptr || device_array->empty()) {
    bool missing = devices == nullptr || devices->is_null();
    AddError(lines_.ParcelKey(index, "devices"), path, missing ? "missing_field" : "invalid_value",
             missing ? path + " is missing. List the phones in the parcel as \"devices\": [{...}]."
             : device_array == nullptr
                 ? path + " must be an array, not " + std::string(JsonKindName(*devices)) + "."
                 : path + " is empty. List the phones in the parcel, or leave the parcel out.");
    return;
  }

  for (std::size_t j = 0; j < device_array->size(); ++j) {
    ++batch_.rows_read;
    std::string device_path = path + "[" + std::to_string(j) + "]";
    int device_line = lines_.Device(index, j);
    const json::object* object = (*device_array)[j].if_object();
    if (object == nullptr) {
      AddError(device_line, device_path, "invalid_value",
               device_path + " must be an object, not " +
                   std::string(JsonKindName((*device_array)[j])) + ".");
      continue;
    }

    RawFields fields = parcel_fields;
    for (ManifestField field : kDeviceFields) {
      RawField& raw = FieldOf(fields, field);
      raw.line = lines_.DeviceKey(index, j, ManifestFieldName(field));
      raw.column = device_path + "." + std::string(ManifestFieldName(field));
      ReadField(*object, field, raw, batch_.errors);
    }
    std::optional<DeviceRecord> device =
        CheckDeviceFields(fields, batch_.errors, batch_.lines_missing_leading_zero);
    if (parcel && device) assembler_.Add(*parcel, std::move(*device), device_line, fields);
  }
}

ManifestBatch ParseUnguarded(std::string_view text, const ManifestOptions& options) {
  if (text.size() > options.max_bytes) {
    return FileError(1, "", "file_too_large",
                     "the manifest has " + std::to_string(text.size()) +
                         " bytes, more than the maximum of " + std::to_string(options.max_bytes) +
                         ". Split it into smaller files.");
  }
  if (text.substr(0, kUtf8Bom.size()) == kUtf8Bom) text.remove_prefix(kUtf8Bom.size());

  json::monotonic_resource resource;
  json::parse_options parse_options;
  parse_options.max_depth = kMaxJsonDepth;
  json::parser parser(&resource, parse_options);
  json::error_code error;
  std::size_t consumed = parser.write(text.data(), text.size(), error);
  if (error) {
    std::string_view before = text.substr(0, consumed);
    int line = 1 + static_cast<int>(std::count(before.begin(), before.end(), '\n'));
    std::size_t line_start = before.rfind('\n');
    std::size_t column = consumed - (line_start == std::string_view::npos ? 0 : line_start + 1) + 1;
    return FileError(line, "", "json",
                     "the manifest is not valid JSON: " + error.message() + " at line " +
                         std::to_string(line) + ", column " + std::to_string(column) +
                         ". Fix the JSON syntax and send the file again.");
  }
  json::value root = parser.release();

  Result<const date::time_zone*> zone = LocateZone(options.destination_zone);
  if (!zone.ok()) return FileError(1, "", zone.error().reason, zone.error().message);

  ManifestBatch batch;
  JsonManifestReader reader(text, **zone, batch);
  reader.Read(root);
  return batch;
}

}  // namespace

ManifestBatch ParseManifestJson(std::string_view text, const ManifestOptions& options) {
  try {
    return ParseUnguarded(text, options);
  } catch (const std::exception& e) {
    // Only an allocation failure can get here, on a file too large for the memory left.
    return FileError(1, "", "internal",
                     std::string("the manifest could not be read: ") + e.what() +
                         ". Split it into smaller files.");
  }
}

}  // namespace imeiguard
