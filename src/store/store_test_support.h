// Builders shared by the store's tests: a temporary directory, manifest parcels and event batches.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.h"
#include "events/scan_event.h"
#include "registry/manifest.h"

namespace imeiguard::testing_support {

// A fresh directory under the system's temporary directory, removed with its contents when the
// object is destroyed.
class TemporaryDirectory {
 public:
  explicit TemporaryDirectory(std::string_view name) {
    std::string pattern =
        (std::filesystem::temp_directory_path() / ("imeiguard-" + std::string(name) + "-XXXXXX"))
            .string();
    char* created = ::mkdtemp(pattern.data());
    if (created != nullptr) path_ = created;
  }
  TemporaryDirectory(const TemporaryDirectory&) = delete;
  TemporaryDirectory& operator=(const TemporaryDirectory&) = delete;
  ~TemporaryDirectory() {
    std::error_code ignored;
    if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
  }

  const std::filesystem::path& path() const { return path_; }  // Empty when mkdtemp failed.

 private:
  std::filesystem::path path_;
};

inline Timestamp At(std::string_view rfc3339) { return ParseRfc3339(rfc3339).value(); }

inline DeviceRecord MakeDevice(std::uint64_t imei_core, int line,
                               std::optional<std::uint64_t> imei2_core = std::nullopt) {
  DeviceRecord device;
  device.imei = Imei::FromCoreValue(imei_core);
  if (imei2_core.has_value()) device.imei2 = Imei::FromCoreValue(*imei2_core);
  device.serial = "SN" + std::to_string(imei_core % 100000);
  device.model = "Phone X";
  device.value_ore = 999000;
  device.line = line;
  return device;
}

inline ManifestParcel MakeParcel(std::string parcel_id, std::vector<DeviceRecord> devices,
                                 std::string shipper_id = "telco-a") {
  ManifestParcel parcel;
  parcel.parcel.parcel_id = std::move(parcel_id);
  parcel.parcel.shipper_id = std::move(shipper_id);
  parcel.parcel.service = Service::kLocker;
  parcel.parcel.promised_by = At("2026-03-03T22:59:59Z");
  parcel.parcel.origin = "SE-HUB-STO";
  parcel.parcel.destination_postcode = "41301";
  parcel.parcel.declared_weight_g = 640;
  parcel.devices = std::move(devices);
  parcel.first_line = parcel.devices.empty() ? 2 : parcel.devices.front().line;
  return parcel;
}

// Events owned by the batch, handed to AppendEvents as views into the batch.
class EventBatch {
 public:
  ScanEvent& Add(std::string event_id, std::string parcel_id, ScanType type, Timestamp time) {
    ScanEvent& event = events_.emplace_back();
    event.event_id = std::move(event_id);
    event.parcel_id = std::move(parcel_id);
    event.type = type;
    event.time = time;
    return event;
  }

  // Views into the batch, valid until the next Add.
  std::vector<ScanEventView> Views() const {
    std::vector<ScanEventView> views;
    views.reserve(events_.size());
    for (const ScanEvent& event : events_) {
      views.push_back(ScanEventView{
          .event_id = event.event_id,
          .parcel_id = event.parcel_id,
          .type = event.type,
          .time = event.time,
          .received = event.received,
          .node = event.node,
          .node_type = event.node_type,
          .handler = event.handler,
          .weight_g = event.weight_g,
          .next_node = event.next_node,
          .detail = event.detail,
      });
    }
    return views;
  }

  std::size_t size() const { return events_.size(); }

 private:
  std::vector<ScanEvent> events_;
};

}  // namespace imeiguard::testing_support
