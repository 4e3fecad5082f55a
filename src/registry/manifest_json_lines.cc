#include "registry/manifest_json_lines.h"

namespace imeiguard {

ManifestJsonLines::ManifestJsonLines(std::string_view text) {
  int line = 1;
  for (std::size_t i = 0; i < text.size(); ++i) {
    switch (text[i]) {
      case '\n':
        ++line;
        break;
      case '"': {
        std::size_t end = i + 1;
        while (end < text.size() && text[end] != '"') end += text[end] == '\\' ? 2 : 1;
        std::size_t length = std::min(end, text.size()) - (i + 1);
        std::string_view string = text.substr(i + 1, length);
        if (!stack_.empty() && stack_.back().is_object && stack_.back().expects_key) {
          OnKey(string, line);
        }
        i = end;
        break;
      }
      case '{':
      case '[':
        Open(text[i] == '{', line);
        break;
      case '}':
      case ']':
        if (!stack_.empty()) stack_.pop_back();
        break;
      case ',':
        if (!stack_.empty()) {
          Frame& frame = stack_.back();
          if (frame.is_object) {
            frame.expects_key = true;
          } else {
            ++frame.index;
          }
        }
        break;
      default:
        break;
    }
  }
  stack_.clear();
}

void ManifestJsonLines::Open(bool is_object, int line) {
  Frame frame;
  frame.is_object = is_object;
  frame.expects_key = is_object;
  if (stack_.empty()) {
    frame.role = is_object ? Role::kRoot : Role::kOther;
    if (is_object) root_.line = line;
    stack_.push_back(frame);
    return;
  }

  const Frame& parent = stack_.back();
  frame.parcel = parent.parcel;
  frame.device = parent.device;
  if (parent.role == Role::kRoot && parent.key == "parcels" && !is_object) {
    // A repeated "parcels" key replaces the earlier array.
    frame.role = Role::kParcels;
    parcels_.clear();
  } else if (parent.role == Role::kParcels && is_object) {
    frame.role = Role::kParcel;
    frame.parcel = parent.index;
    if (parcels_.size() <= parent.index) parcels_.resize(parent.index + 1);
    parcels_[parent.index] = ParcelLines{{line, {}}, {}};
  } else if (parent.role == Role::kParcel && parent.key == "devices" && !is_object) {
    frame.role = Role::kDevices;
    parcels_[parent.parcel].devices.clear();
  } else if (parent.role == Role::kDevices && is_object) {
    frame.role = Role::kDevice;
    frame.device = parent.index;
    std::vector<ObjectLines>& devices = parcels_[parent.parcel].devices;
    if (devices.size() <= parent.index) devices.resize(parent.index + 1);
    devices[parent.index] = ObjectLines{line, {}};
  }
  stack_.push_back(frame);
}

void ManifestJsonLines::OnKey(std::string_view key, int line) {
  Frame& frame = stack_.back();
  frame.key = key;
  frame.expects_key = false;
  switch (frame.role) {
    case Role::kRoot:
      root_.keys.emplace_back(key, line);
      break;
    case Role::kParcel:
      parcels_[frame.parcel].object.keys.emplace_back(key, line);
      break;
    case Role::kDevice:
      parcels_[frame.parcel].devices[frame.device].keys.emplace_back(key, line);
      break;
    default:
      break;
  }
}

int ManifestJsonLines::ObjectLines::KeyLine(std::string_view key, int fallback) const {
  for (auto it = keys.rbegin(); it != keys.rend(); ++it) {
    if (it->first == key) return it->second;
  }
  return line > 0 ? line : fallback;
}

int ManifestJsonLines::TopKey(std::string_view key) const { return root_.KeyLine(key, 1); }

int ManifestJsonLines::Parcel(std::size_t parcel) const {
  if (parcel < parcels_.size() && parcels_[parcel].object.line > 0) {
    return parcels_[parcel].object.line;
  }
  return TopKey("parcels");
}

int ManifestJsonLines::ParcelKey(std::size_t parcel, std::string_view key) const {
  if (parcel >= parcels_.size()) return Parcel(parcel);
  return parcels_[parcel].object.KeyLine(key, Parcel(parcel));
}

int ManifestJsonLines::Device(std::size_t parcel, std::size_t device) const {
  if (parcel < parcels_.size() && device < parcels_[parcel].devices.size() &&
      parcels_[parcel].devices[device].line > 0) {
    return parcels_[parcel].devices[device].line;
  }
  return ParcelKey(parcel, "devices");
}

int ManifestJsonLines::DeviceKey(std::size_t parcel, std::size_t device,
                                 std::string_view key) const {
  if (parcel >= parcels_.size() || device >= parcels_[parcel].devices.size()) {
    return Device(parcel, device);
  }
  return parcels_[parcel].devices[device].KeyLine(key, Device(parcel, device));
}

}  // namespace imeiguard
