// Text lines of the parts of a JSON manifest, which Boost.JSON's parsed value does not keep.
#pragma once

#include <cstddef>
#include <string_view>
#include <utility>
#include <vector>

namespace imeiguard {

// Finds the line of each parcel and device object of {"parcels": [{"devices": [{...}]}]} and of
// each key in them, so that an error names the line a person can open. The text must be the
// valid JSON that was parsed. Where a key is repeated, its last occurrence counts, as in
// Boost.JSON's parsed value. Keys written with escapes are not matched, so an error on them names
// the line of their object.
class ManifestJsonLines {
 public:
  explicit ManifestJsonLines(std::string_view text);

  // Each returns a 1-based line: that of the key, else that of its object, else line 1.
  int TopKey(std::string_view key) const;
  int Parcel(std::size_t parcel) const;
  int ParcelKey(std::size_t parcel, std::string_view key) const;
  int Device(std::size_t parcel, std::size_t device) const;
  int DeviceKey(std::size_t parcel, std::size_t device, std::string_view key) const;

 private:
  struct ObjectLines {
    int line = 0;  // 0 when the scan found no object here
    std::vector<std::pair<std::string_view, int>> keys;
    int KeyLine(std::string_view key, int fallback) const;
  };
  struct ParcelLines {
    ObjectLines object;
    std::vector<ObjectLines> devices;
  };
  enum class Role { kRoot, kParcels, kParcel, kDevices, kDevice, kOther };
  struct Frame {
    Role role = Role::kOther;
    bool is_object = false;
    bool expects_key = false;
    std::string_view key;    // the last key read in this object
    std::size_t index = 0;   // the element being read in this array
    std::size_t parcel = 0;  // the parcel this frame is in, from kParcel down
    std::size_t device = 0;  // the device this frame is in, from kDevice down
  };

  void Open(bool is_object, int line);
  void OnKey(std::string_view key, int line);

  std::vector<Frame> stack_;
  ObjectLines root_;
  std::vector<ParcelLines> parcels_;
};

}  // namespace imeiguard
