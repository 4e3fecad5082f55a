// Groups checked manifest rows into parcels, and rejects the rows that contradict earlier ones.
#pragma once

#include <cstddef>
#include <string>
#include <unordered_map>

#include "registry/manifest.h"
#include "registry/manifest_fields.h"

namespace imeiguard {

// Adds rows to one batch, in file order. Not thread-safe.
class ManifestAssembler {
 public:
  explicit ManifestAssembler(ManifestBatch& batch) : batch_(batch) {}

  // Adds a row whose fields passed CheckParcelFields and CheckDeviceFields. The row joins the
  // parcel of the same parcel_id, or starts it at `line`. It is rejected with an error in
  // batch.errors, and changes nothing else, when its parcel fields differ from those of the
  // parcel's first row (reason "contradicts_line") or one of its IMEIs was on an earlier row
  // (reason "duplicate_imei"). `fields` gives the columns and lines that errors name.
  void Add(ParcelRecord parcel, DeviceRecord device, int line, const RawFields& fields);

 private:
  // The first parcel field in which `a` and `b` differ, if any.
  static std::optional<ManifestField> FirstDifference(const ParcelRecord& a, const ParcelRecord& b);
  bool RejectDuplicateImei(Imei imei, ManifestField field, const RawFields& fields);

  ManifestBatch& batch_;
  std::unordered_map<std::string, std::size_t> parcel_index_;  // parcel_id -> batch_.parcels
  std::unordered_map<Imei, int> imei_lines_;                   // IMEI -> line of its row
};

}  // namespace imeiguard
