// Numbers that the Diameter base protocol (RFC 6733) and the S13 application (3GPP TS 29.272)
// assign: command codes, AVP codes, flags and result codes.
#pragma once

#include <cstdint>

namespace imeiguard::diameter {

inline constexpr std::uint8_t kVersion = 1;
inline constexpr std::uint32_t kHeaderBytes = 20;

// Header flags (RFC 6733 section 3).
inline constexpr std::uint8_t kFlagRequest = 0x80;
inline constexpr std::uint8_t kFlagProxiable = 0x40;
inline constexpr std::uint8_t kFlagError = 0x20;
inline constexpr std::uint8_t kFlagRetransmitted = 0x10;

// AVP flags (RFC 6733 section 4.1).
inline constexpr std::uint8_t kAvpFlagVendor = 0x80;
inline constexpr std::uint8_t kAvpFlagMandatory = 0x40;
inline constexpr std::uint8_t kAvpFlagProtected = 0x20;

// Vendors and applications.
inline constexpr std::uint32_t kVendor3gpp = 10415;
inline constexpr std::uint32_t kApplicationBase = 0;
inline constexpr std::uint32_t kApplicationS13 = 16777252;
inline constexpr std::uint32_t kApplicationRelay = 0xffffffff;

// Command codes.
inline constexpr std::uint32_t kCommandCapabilitiesExchange = 257;
inline constexpr std::uint32_t kCommandDeviceWatchdog = 280;
inline constexpr std::uint32_t kCommandDisconnectPeer = 282;
inline constexpr std::uint32_t kCommandMeIdentityCheck = 324;

// Base protocol AVP codes (vendor 0).
inline constexpr std::uint32_t kAvpUserName = 1;
inline constexpr std::uint32_t kAvpHostIpAddress = 257;
inline constexpr std::uint32_t kAvpAuthApplicationId = 258;
inline constexpr std::uint32_t kAvpAcctApplicationId = 259;
inline constexpr std::uint32_t kAvpVendorSpecificApplicationId = 260;
inline constexpr std::uint32_t kAvpSessionId = 263;
inline constexpr std::uint32_t kAvpOriginHost = 264;
inline constexpr std::uint32_t kAvpSupportedVendorId = 265;
inline constexpr std::uint32_t kAvpVendorId = 266;
inline constexpr std::uint32_t kAvpFirmwareRevision = 267;
inline constexpr std::uint32_t kAvpResultCode = 268;
inline constexpr std::uint32_t kAvpProductName = 269;
inline constexpr std::uint32_t kAvpDisconnectCause = 273;
inline constexpr std::uint32_t kAvpAuthSessionState = 277;
inline constexpr std::uint32_t kAvpOriginStateId = 278;
inline constexpr std::uint32_t kAvpFailedAvp = 279;
inline constexpr std::uint32_t kAvpErrorMessage = 281;
inline constexpr std::uint32_t kAvpRouteRecord = 282;
inline constexpr std::uint32_t kAvpDestinationRealm = 283;
inline constexpr std::uint32_t kAvpProxyInfo = 284;
inline constexpr std::uint32_t kAvpDestinationHost = 293;
inline constexpr std::uint32_t kAvpErrorReportingHost = 294;
inline constexpr std::uint32_t kAvpOriginRealm = 296;
inline constexpr std::uint32_t kAvpExperimentalResult = 297;
inline constexpr std::uint32_t kAvpExperimentalResultCode = 298;
inline constexpr std::uint32_t kAvpInbandSecurityId = 299;
inline constexpr std::uint32_t kAvpDrmp = 301;  // RFC 7944

// S13 AVP codes (vendor 10415, 3GPP TS 29.272 section 7.3).
inline constexpr std::uint32_t kAvpTerminalInformation = 1401;
inline constexpr std::uint32_t kAvpImei = 1402;
inline constexpr std::uint32_t kAvpSoftwareVersion = 1403;
inline constexpr std::uint32_t kAvpEquipmentStatus = 1445;
inline constexpr std::uint32_t kAvp3gpp2Meid = 1471;

// Values of enumerated AVPs.
inline constexpr std::uint32_t kAuthSessionStateNoStateMaintained = 1;
inline constexpr std::uint32_t kInbandSecurityNone = 0;
inline constexpr std::uint32_t kDisconnectCauseRebooting = 0;

// Result codes (RFC 6733 section 7.1) and the S13 experimental result (TS 29.272 section 7.4).
inline constexpr std::uint32_t kSuccess = 2001;
inline constexpr std::uint32_t kCommandUnsupported = 3001;
inline constexpr std::uint32_t kUnableToDeliver = 3002;
inline constexpr std::uint32_t kRealmNotServed = 3003;
inline constexpr std::uint32_t kApplicationUnsupported = 3007;
inline constexpr std::uint32_t kInvalidHeaderBits = 3008;
inline constexpr std::uint32_t kAvpUnsupported = 5001;
inline constexpr std::uint32_t kInvalidAvpValue = 5004;
inline constexpr std::uint32_t kMissingAvp = 5005;
inline constexpr std::uint32_t kNoCommonApplication = 5010;
inline constexpr std::uint32_t kUnsupportedVersion = 5011;
inline constexpr std::uint32_t kUnableToComply = 5012;
inline constexpr std::uint32_t kInvalidAvpLength = 5014;
inline constexpr std::uint32_t kInvalidMessageLength = 5015;
inline constexpr std::uint32_t kNoCommonSecurity = 5017;
inline constexpr std::uint32_t kErrorEquipmentUnknown = 5422;

// Whether `result_code` is a protocol error (3xxx), whose answer carries the E bit.
constexpr bool IsProtocolError(std::uint32_t result_code) {
  return result_code >= 3000 && result_code < 4000;
}

}  // namespace imeiguard::diameter
