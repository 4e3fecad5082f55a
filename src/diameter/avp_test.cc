#include "diameter/avp.h"

#include <gtest/gtest.h>

#include <string>

namespace imeiguard::diameter {
namespace {

using namespace std::string_literals;

TEST(AvpEncoding, Unsigned32WithoutVendor) {
  std::string out;
  AppendAvp(Avp::Unsigned32(kAvpResultCode, 2001), out);
  // Code 268, flags M, length 12, value 2001.
  EXPECT_EQ(out, "\x00\x00\x01\x0c\x40\x00\x00\x0c\x00\x00\x07\xd1"s);
}

TEST(AvpEncoding, VendorAvpCarriesVendorIdAndVBit) {
  std::string out;
  AppendAvp(Avp::Enumerated(kAvpEquipmentStatus, 1, kVendor3gpp), out);
  EXPECT_EQ(out, "\x00\x00\x05\xa5\xc0\x00\x00\x10\x00\x00\x28\xaf\x00\x00\x00\x01"s);
}

TEST(AvpEncoding, OctetStringIsPaddedButLengthIsNot) {
  std::string out;
  AppendAvp(Avp::Utf8String(kAvpOriginHost, "mme"), out);
  ASSERT_EQ(out.size(), 12u);
  EXPECT_EQ(out[7], '\x0b');  // 8 header bytes + 3 data bytes.
  EXPECT_EQ(out.substr(8), "mme\0"s);
  EXPECT_EQ(EncodedSize(Avp::Utf8String(kAvpOriginHost, "mme")), 12u);
}

TEST(AvpEncoding, Unsigned64AndInteger32) {
  std::string out;
  AppendAvp(Avp::Unsigned64(1, 0x0102030405060708ull), out);
  AppendAvp(Avp::Integer32(2, -2), out);
  auto avps = DecodeAvps(out);
  ASSERT_TRUE(avps.ok()) << avps.error().message;
  ASSERT_EQ(avps->size(), 2u);
  EXPECT_EQ(ReadUnsigned64((*avps)[0]).value(), 0x0102030405060708ull);
  EXPECT_EQ(ReadInteger32((*avps)[1]).value(), -2);
}

TEST(AvpEncoding, AddressIpv4AndIpv6) {
  Avp v4 = Avp::Address(kAvpHostIpAddress, "\x7f\x00\x00\x01"s);
  EXPECT_EQ(v4.data, "\x00\x01\x7f\x00\x00\x01"s);
  EXPECT_EQ(ReadAddress(v4).value(), "\x7f\x00\x00\x01"s);
  Avp v6 = Avp::Address(kAvpHostIpAddress, std::string(15, '\0') + "\x01"s);
  EXPECT_EQ(v6.data.substr(0, 2), "\x00\x02"s);
  EXPECT_EQ(ReadAddress(v6).value().size(), 16u);
}

TEST(AvpEncoding, GroupedRoundTrip) {
  Avp group = Avp::Grouped(kAvpTerminalInformation,
                           {Avp::Utf8String(kAvpImei, "35847210123456", kVendor3gpp),
                            Avp::Utf8String(kAvpSoftwareVersion, "07", kVendor3gpp)},
                           kVendor3gpp);
  std::string out;
  AppendAvp(group, out);
  auto decoded = DecodeAvps(out);
  ASSERT_TRUE(decoded.ok());
  ASSERT_EQ(decoded->size(), 1u);
  EXPECT_TRUE((*decoded)[0].Is(kAvpTerminalInformation, kVendor3gpp));
  auto members = DecodeGroup((*decoded)[0]);
  ASSERT_TRUE(members.ok());
  ASSERT_EQ(members->size(), 2u);
  EXPECT_EQ((*members)[0].data, "35847210123456");
  EXPECT_EQ((*members)[1].data, "07");
  EXPECT_EQ((*members)[1].vendor_id, kVendor3gpp);
}

TEST(AvpDecoding, KeepsFlags) {
  Avp avp = Avp::Utf8String(kAvpProductName, "x");
  avp.flags = kAvpFlagProtected;
  std::string out;
  AppendAvp(avp, out);
  auto decoded = DecodeAvps(out);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ((*decoded)[0].flags, kAvpFlagProtected);
  EXPECT_FALSE((*decoded)[0].mandatory());
}

TEST(AvpDecoding, RejectsLengthBelowHeader) {
  std::string bytes = "\x00\x00\x01\x08\x40\x00\x00\x04"s;
  AvpFault fault;
  auto decoded = DecodeAvps(bytes, &fault);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.error().reason, "avp_length");
  EXPECT_EQ(fault.result_code, kInvalidAvpLength);
  ASSERT_TRUE(fault.failed_avp.has_value());
  EXPECT_EQ(fault.failed_avp->code, 264u);
}

TEST(AvpDecoding, RejectsLengthPastEnd) {
  std::string bytes = "\x00\x00\x01\x08\x40\x00\x00\x10\x61\x62\x63\x64"s;
  auto decoded = DecodeAvps(bytes);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.error().reason, "avp_length");
  EXPECT_NE(decoded.error().message.find("length 16"), std::string::npos)
      << decoded.error().message;
}

TEST(AvpDecoding, RejectsMissingPadding) {
  // Length 9 needs 3 bytes of padding that are not there.
  std::string bytes = "\x00\x00\x01\x08\x40\x00\x00\x09\x61"s;
  EXPECT_FALSE(DecodeAvps(bytes).ok());
}

TEST(AvpDecoding, RejectsCutHeaderAndCutVendorId) {
  EXPECT_FALSE(DecodeAvps("\x00\x00\x01\x08\x40\x00"s).ok());
  EXPECT_FALSE(DecodeAvps("\x00\x00\x05\xa5\xc0\x00\x00\x10"s).ok());
}

TEST(AvpReading, WrongSizesAreAvpLengthErrors) {
  Avp avp = Avp::OctetString(kAvpResultCode, "abc");
  auto value = ReadUnsigned32(avp);
  ASSERT_FALSE(value.ok());
  EXPECT_EQ(value.error().reason, "avp_length");
  EXPECT_EQ(value.error().message, "AVP 268 has 3 bytes of data, which is not a valid Unsigned32");
  EXPECT_FALSE(ReadUnsigned64(avp).ok());
  EXPECT_FALSE(ReadInteger32(avp).ok());
  EXPECT_FALSE(ReadAddress(Avp::OctetString(kAvpHostIpAddress, "\x00\x01\x7f"s)).ok());
}

TEST(AvpReading, AddressFamilyMustBeIp) {
  auto address = ReadAddress(Avp::OctetString(kAvpHostIpAddress, "\x00\x08\x01\x02\x03\x04"s));
  ASSERT_FALSE(address.ok());
  EXPECT_EQ(address.error().reason, "avp_value");
}

TEST(AvpReading, Utf8StringMustBeUtf8) {
  EXPECT_TRUE(ReadUtf8String(Avp::Utf8String(1, "J\xc3\xb6rg")).ok());
  EXPECT_FALSE(ReadUtf8String(Avp::Utf8String(1, "\xc3")).ok());
  EXPECT_FALSE(ReadUtf8String(Avp::Utf8String(1, "\xc0\xaf")).ok());      // overlong '/'
  EXPECT_FALSE(ReadUtf8String(Avp::Utf8String(1, "\xed\xa0\x80")).ok());  // surrogate
  EXPECT_FALSE(ReadUtf8String(Avp::Utf8String(1, "\xff")).ok());
}

TEST(AvpReading, DiameterIdentityMustBePrintable) {
  EXPECT_TRUE(ReadDiameterIdentity(Avp::Utf8String(kAvpOriginHost, "mme.example")).ok());
  EXPECT_FALSE(ReadDiameterIdentity(Avp::Utf8String(kAvpOriginHost, "")).ok());
  EXPECT_FALSE(ReadDiameterIdentity(Avp::Utf8String(kAvpOriginHost, "mme example")).ok());
}

}  // namespace
}  // namespace imeiguard::diameter
