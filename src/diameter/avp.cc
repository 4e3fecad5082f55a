#include "diameter/avp.h"

#include <algorithm>

#include "diameter/wire.h"
#include "identifiers/text.h"

namespace imeiguard::diameter {
namespace {

using wire::AppendUint32;
using wire::LoadUint32;

constexpr std::size_t kAvpHeaderBytes = 8;
constexpr std::size_t kVendorIdBytes = 4;

std::size_t Padded(std::size_t size) { return (size + 3) & ~std::size_t{3}; }

Avp Make(std::uint32_t code, std::uint32_t vendor, std::string data) {
  std::uint8_t flags = kAvpFlagMandatory;
  if (vendor != 0) flags |= kAvpFlagVendor;
  return Avp{code, flags, vendor, std::move(data)};
}

std::string Describe(const Avp& avp) {
  std::string name = "AVP " + std::to_string(avp.code);
  if (avp.vendor_id != 0) name += " (vendor " + std::to_string(avp.vendor_id) + ")";
  return name;
}

Error WrongLength(const Avp& avp, std::string_view type) {
  return Error::InvalidInput("avp_length",
                             Describe(avp) + " has " + std::to_string(avp.data.size()) +
                                 " bytes of data, which is not a valid " + std::string(type));
}

Error InvalidValue(const Avp& avp, std::string_view what) {
  return Error::InvalidInput("avp_value", Describe(avp) + " " + std::string(what));
}

}  // namespace

Avp Avp::OctetString(std::uint32_t code, std::string_view value, std::uint32_t vendor) {
  return Make(code, vendor, std::string(value));
}

Avp Avp::Unsigned32(std::uint32_t code, std::uint32_t value, std::uint32_t vendor) {
  std::string data;
  AppendUint32(value, data);
  return Make(code, vendor, std::move(data));
}

Avp Avp::Unsigned64(std::uint32_t code, std::uint64_t value, std::uint32_t vendor) {
  std::string data;
  AppendUint32(static_cast<std::uint32_t>(value >> 32), data);
  AppendUint32(static_cast<std::uint32_t>(value), data);
  return Make(code, vendor, std::move(data));
}

Avp Avp::Integer32(std::uint32_t code, std::int32_t value, std::uint32_t vendor) {
  return Unsigned32(code, static_cast<std::uint32_t>(value), vendor);
}

Avp Avp::Address(std::uint32_t code, std::string_view ip, std::uint32_t vendor) {
  // Address families from IANA's registry: 1 is IPv4, 2 is IPv6.
  std::string data = {'\0', ip.size() == 16 ? '\2' : '\1'};
  data.append(ip);
  return Make(code, vendor, std::move(data));
}

Avp Avp::Grouped(std::uint32_t code, const std::vector<Avp>& members, std::uint32_t vendor) {
  std::string data;
  for (const Avp& member : members) AppendAvp(member, data);
  return Make(code, vendor, std::move(data));
}

Result<std::uint32_t> ReadUnsigned32(const Avp& avp) {
  if (avp.data.size() != 4) return WrongLength(avp, "Unsigned32");
  return LoadUint32(avp.data, 0);
}

Result<std::uint64_t> ReadUnsigned64(const Avp& avp) {
  if (avp.data.size() != 8) return WrongLength(avp, "Unsigned64");
  return std::uint64_t{LoadUint32(avp.data, 0)} << 32 | LoadUint32(avp.data, 4);
}

Result<std::int32_t> ReadInteger32(const Avp& avp) {
  if (avp.data.size() != 4) return WrongLength(avp, "Integer32");
  return static_cast<std::int32_t>(LoadUint32(avp.data, 0));
}

Result<std::string_view> ReadUtf8String(const Avp& avp) {
  if (!IsValidUtf8(avp.data)) return InvalidValue(avp, "is not valid UTF-8");
  return std::string_view(avp.data);
}

Result<std::string_view> ReadDiameterIdentity(const Avp& avp) {
  if (avp.data.empty()) return InvalidValue(avp, "is an empty DiameterIdentity");
  bool printable =
      std::all_of(avp.data.begin(), avp.data.end(), [](char c) { return c > ' ' && c < 0x7f; });
  if (!printable) return InvalidValue(avp, "is a DiameterIdentity with a non-printable byte");
  return std::string_view(avp.data);
}

Result<std::string_view> ReadAddress(const Avp& avp) {
  if (avp.data.size() < 2) return WrongLength(avp, "Address");
  std::uint32_t family =
      static_cast<unsigned char>(avp.data[0]) << 8 | static_cast<unsigned char>(avp.data[1]);
  std::size_t expected = family == 1 ? 4 : family == 2 ? 16 : 0;
  if (expected == 0) {
    return InvalidValue(avp, "has address family " + std::to_string(family) +
                                 "; only 1 (IPv4) and 2 (IPv6) are supported");
  }
  if (avp.data.size() != 2 + expected) return WrongLength(avp, "Address");
  return std::string_view(avp.data).substr(2);
}

std::size_t EncodedSize(const Avp& avp) {
  std::size_t header = kAvpHeaderBytes + (avp.vendor_id != 0 ? kVendorIdBytes : 0);
  return Padded(header + avp.data.size());
}

void AppendAvp(const Avp& avp, std::string& out) {
  std::uint8_t flags = avp.flags & ~kAvpFlagVendor;
  if (avp.vendor_id != 0) flags |= kAvpFlagVendor;
  std::size_t length =
      kAvpHeaderBytes + (avp.vendor_id != 0 ? kVendorIdBytes : 0) + avp.data.size();
  AppendUint32(avp.code, out);
  AppendUint32(static_cast<std::uint32_t>(flags) << 24 | static_cast<std::uint32_t>(length), out);
  if (avp.vendor_id != 0) AppendUint32(avp.vendor_id, out);
  out.append(avp.data);
  out.append(Padded(length) - length, '\0');
}

Result<std::vector<Avp>> DecodeAvps(std::string_view bytes, AvpFault* fault) {
  std::vector<Avp> avps;
  std::size_t at = 0;
  auto fail = [&](std::optional<Avp> failed, std::string message) -> Error {
    if (fault != nullptr) *fault = AvpFault{kInvalidAvpLength, std::move(failed)};
    return Error::InvalidInput("avp_length", std::move(message));
  };
  while (at < bytes.size()) {
    if (bytes.size() - at < kAvpHeaderBytes) {
      return fail(std::nullopt, "an AVP header at byte " + std::to_string(at) + " is cut short");
    }
    Avp avp;
    avp.code = LoadUint32(bytes, at);
    avp.flags = static_cast<std::uint8_t>(bytes[at + 4]);
    std::size_t length = LoadUint32(bytes, at + 4) & 0xffffff;
    std::size_t header = kAvpHeaderBytes;
    if ((avp.flags & kAvpFlagVendor) != 0) {
      if (bytes.size() - at < kAvpHeaderBytes + kVendorIdBytes) {
        return fail(
            avp, Describe(avp) + " at byte " + std::to_string(at) + " has its Vendor-Id cut short");
      }
      avp.vendor_id = LoadUint32(bytes, at + kAvpHeaderBytes);
      header += kVendorIdBytes;
    }
    if (length < header || Padded(length) > bytes.size() - at) {
      return fail(avp, Describe(avp) + " at byte " + std::to_string(at) + " has length " +
                           std::to_string(length) + ", which does not fit between " +
                           std::to_string(header) + " and the " +
                           std::to_string(bytes.size() - at) + " bytes left");
    }
    avp.data.assign(bytes.substr(at + header, length - header));
    avps.push_back(std::move(avp));
    at += Padded(length);
  }
  return avps;
}

const Avp* FindAvp(const std::vector<Avp>& avps, std::uint32_t code, std::uint32_t vendor) {
  for (const Avp& avp : avps) {
    if (avp.Is(code, vendor)) return &avp;
  }
  return nullptr;
}

}  // namespace imeiguard::diameter
