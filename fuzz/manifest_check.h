// Invariants of every ManifestBatch, whatever the input, for the manifest fuzz targets.
#pragma once

#include <unordered_set>

#include "fuzz_check.h"
#include "identifiers/parcel_id.h"
#include "registry/manifest.h"
#include "registry/manifest_export_check.h"

inline void CheckManifestBatch(const imeiguard::ManifestBatch& batch) {
  std::unordered_set<imeiguard::Imei> imeis;
  std::unordered_set<std::string> parcel_ids;
  std::size_t devices = 0;
  for (const imeiguard::ManifestParcel& parcel : batch.parcels) {
    IG_FUZZ_CHECK(!parcel.devices.empty());
    IG_FUZZ_CHECK(parcel.first_line >= 1);
    IG_FUZZ_CHECK(imeiguard::NormalizeParcelId(parcel.parcel.parcel_id).ok());
    IG_FUZZ_CHECK(parcel_ids.insert(parcel.parcel.parcel_id).second);
    IG_FUZZ_CHECK(!parcel.parcel.shipper_id.empty());
    IG_FUZZ_CHECK(!parcel.parcel.destination_postcode.empty());
    for (const imeiguard::DeviceRecord& device : parcel.devices) {
      ++devices;
      IG_FUZZ_CHECK(device.line >= parcel.first_line);
      IG_FUZZ_CHECK(imeis.insert(device.imei).second);
      if (device.imei2) IG_FUZZ_CHECK(imeis.insert(*device.imei2).second);
    }
  }
  IG_FUZZ_CHECK(devices <= static_cast<std::size_t>(batch.rows_read));
  for (const imeiguard::RowError& error : batch.errors) {
    IG_FUZZ_CHECK(error.line >= 1);
    IG_FUZZ_CHECK(!error.reason.empty());
    IG_FUZZ_CHECK(!error.message.empty());
  }
  IG_FUZZ_CHECK(batch.lines_missing_leading_zero.size() <= batch.errors.size());

  // A rejection names a reason, a row error, a message, at least one row and a line.
  if (auto rejection = imeiguard::CheckManifestExport(batch)) {
    IG_FUZZ_CHECK(!rejection->reason.empty());
    IG_FUZZ_CHECK(!rejection->row_reason.empty());
    IG_FUZZ_CHECK(!rejection->message.empty());
    IG_FUZZ_CHECK(rejection->rows_affected >= 1);
    IG_FUZZ_CHECK(rejection->example_line >= 1);
  }
}
