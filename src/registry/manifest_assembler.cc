#include "registry/manifest_assembler.h"

#include "identifiers/text.h"

namespace imeiguard {
namespace {

// The value of one parcel field as a message shows it.
std::string DescribeValue(const ParcelRecord& parcel, ManifestField field) {
  switch (field) {
    case ManifestField::kShipperId:
      return QuoteForMessage(parcel.shipper_id);
    case ManifestField::kService:
      return QuoteForMessage(ServiceName(parcel.service));
    case ManifestField::kPromisedBy:
      return FormatRfc3339(parcel.promised_by);
    case ManifestField::kOrigin:
      return parcel.origin.empty() ? "none" : QuoteForMessage(parcel.origin);
    case ManifestField::kDestinationPostcode:
      return QuoteForMessage(parcel.destination_postcode);
    case ManifestField::kDeclaredWeightG:
      return parcel.declared_weight_g ? std::to_string(*parcel.declared_weight_g) + " g" : "none";
    default:
      return QuoteForMessage(parcel.parcel_id);
  }
}

}  // namespace

std::optional<ManifestField> ManifestAssembler::FirstDifference(const ParcelRecord& a,
                                                                const ParcelRecord& b) {
  if (a.shipper_id != b.shipper_id) return ManifestField::kShipperId;
  if (a.service != b.service) return ManifestField::kService;
  if (a.promised_by != b.promised_by) return ManifestField::kPromisedBy;
  if (a.origin != b.origin) return ManifestField::kOrigin;
  if (a.destination_postcode != b.destination_postcode) return ManifestField::kDestinationPostcode;
  if (a.declared_weight_g != b.declared_weight_g) return ManifestField::kDeclaredWeightG;
  return std::nullopt;
}

bool ManifestAssembler::RejectDuplicateImei(Imei imei, ManifestField field,
                                            const RawFields& fields) {
  auto earlier = imei_lines_.find(imei);
  if (earlier == imei_lines_.end()) return false;
  const RawField& raw = FieldOf(fields, field);
  batch_.errors.push_back({raw.line, raw.column, "duplicate_imei",
                           "IMEI " + imei.WithCheckDigit() + " in " +
                               std::string(ManifestFieldName(field)) + " is already on line " +
                               std::to_string(earlier->second) +
                               ". List each device once, in one row."});
  return true;
}

void ManifestAssembler::Add(ParcelRecord parcel, DeviceRecord device, int line,
                            const RawFields& fields) {
  auto known = parcel_index_.find(parcel.parcel_id);
  if (known != parcel_index_.end()) {
    const ManifestParcel& first = batch_.parcels[known->second];
    if (std::optional<ManifestField> field = FirstDifference(parcel, first.parcel)) {
      const RawField& raw = FieldOf(fields, *field);
      batch_.errors.push_back({raw.line, raw.column, "contradicts_line",
                               "line " + std::to_string(line) + " gives parcel " +
                                   parcel.parcel_id + " " + std::string(ManifestFieldName(*field)) +
                                   " " + DescribeValue(parcel, *field) + ", but line " +
                                   std::to_string(first.first_line) + " gave " +
                                   DescribeValue(first.parcel, *field) +
                                   ". Every row of one parcel must agree on its parcel fields."});
      return;
    }
  }

  if (RejectDuplicateImei(device.imei, ManifestField::kImei, fields)) return;
  if (device.imei2 && RejectDuplicateImei(*device.imei2, ManifestField::kImei2, fields)) return;

  imei_lines_.emplace(device.imei, line);
  if (device.imei2) imei_lines_.emplace(*device.imei2, line);
  device.line = line;
  std::size_t index = batch_.parcels.size();
  if (known != parcel_index_.end()) {
    index = known->second;
  } else {
    parcel_index_.emplace(parcel.parcel_id, index);
    batch_.parcels.push_back({std::move(parcel), {}, line});
  }
  batch_.parcels[index].devices.push_back(std::move(device));
}

}  // namespace imeiguard
