// Diameter AVPs (RFC 6733 section 4): building them with a type, reading their data as a type,
// and encoding and decoding lists of them. No I/O; errors are returned as kInvalidInput.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "diameter/codes.h"

namespace imeiguard::diameter {

// One AVP as it is on the wire, with its data unpadded. A Grouped AVP keeps its encoded inner AVPs
// in `data`; DecodeGroup reads them.
struct Avp {
  std::uint32_t code = 0;
  std::uint8_t flags = 0;       // kAvpFlag*; the V bit always matches `vendor_id != 0`.
  std::uint32_t vendor_id = 0;  // 0 for the base protocol's AVPs.
  std::string data;

  bool mandatory() const { return (flags & kAvpFlagMandatory) != 0; }
  bool Is(std::uint32_t avp_code, std::uint32_t vendor = 0) const {
    return code == avp_code && vendor_id == vendor;
  }

  // Typed constructors. All set the M bit, which every AVP that imeiguard sends needs, and set
  // the V bit when `vendor` is not 0.
  static Avp OctetString(std::uint32_t code, std::string_view value, std::uint32_t vendor = 0);
  static Avp Utf8String(std::uint32_t code, std::string_view value, std::uint32_t vendor = 0) {
    return OctetString(code, value, vendor);
  }
  static Avp Unsigned32(std::uint32_t code, std::uint32_t value, std::uint32_t vendor = 0);
  static Avp Unsigned64(std::uint32_t code, std::uint64_t value, std::uint32_t vendor = 0);
  static Avp Integer32(std::uint32_t code, std::int32_t value, std::uint32_t vendor = 0);
  static Avp Enumerated(std::uint32_t code, std::uint32_t value, std::uint32_t vendor = 0) {
    return Unsigned32(code, value, vendor);
  }
  // An Address AVP: `ip` is 4 bytes (IPv4) or 16 bytes (IPv6) in network order.
  static Avp Address(std::uint32_t code, std::string_view ip, std::uint32_t vendor = 0);
  static Avp Grouped(std::uint32_t code, const std::vector<Avp>& members, std::uint32_t vendor = 0);
};

// Readers of an AVP's data as one of RFC 6733's types. Each returns kInvalidInput with reason
// "avp_length" when the data has the wrong size for the type, or "avp_value" when the content is
// not valid for it (a UTF8String that is not UTF-8, an Address of an unknown family).
Result<std::uint32_t> ReadUnsigned32(const Avp& avp);
Result<std::uint64_t> ReadUnsigned64(const Avp& avp);
Result<std::int32_t> ReadInteger32(const Avp& avp);
Result<std::string_view> ReadUtf8String(const Avp& avp);
// A DiameterIdentity: a non-empty string of printable ASCII (an FQDN or a realm).
Result<std::string_view> ReadDiameterIdentity(const Avp& avp);
// The IP address of an Address AVP: 4 or 16 bytes in network order.
Result<std::string_view> ReadAddress(const Avp& avp);

// The bytes of one encoded AVP: header, data and padding to a multiple of 4.
std::size_t EncodedSize(const Avp& avp);
// Appends `avp`, padded, to `out`.
void AppendAvp(const Avp& avp, std::string& out);

// The cause and the offending AVP of a failed decode, for the answer's Result-Code and Failed-AVP.
struct AvpFault {
  std::uint32_t result_code = 0;
  // The offending AVP as far as its header could be read, with no data: RFC 6733 section 7.5
  // wants the AVP that could not be processed, and its data is what is in doubt.
  std::optional<Avp> failed_avp;
};

// Decodes a sequence of padded AVPs that fills `bytes` exactly. Fails with kInvalidInput reason
// "avp_length" (Result-Code 5014) when an AVP's length is shorter than its header, runs past the
// end, or the padding does not fit. `fault`, when not null, then receives the result code and the
// offending AVP.
Result<std::vector<Avp>> DecodeAvps(std::string_view bytes, AvpFault* fault = nullptr);

// Decodes the members of a Grouped AVP, as DecodeAvps does.
inline Result<std::vector<Avp>> DecodeGroup(const Avp& grouped, AvpFault* fault = nullptr) {
  return DecodeAvps(grouped.data, fault);
}

// The first AVP with `code` and `vendor` in `avps`, or null.
const Avp* FindAvp(const std::vector<Avp>& avps, std::uint32_t code, std::uint32_t vendor = 0);

}  // namespace imeiguard::diameter
