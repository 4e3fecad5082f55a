#include "diameter/s13.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "diameter/answer.h"
#include "diameter/s13_request.h"

namespace imeiguard::diameter {
namespace {

constexpr std::uint64_t kLocked = 35847210123456;
constexpr std::uint64_t kSuspect = 35847210654321;
constexpr std::uint64_t kClean = 35847210111111;
constexpr std::uint64_t kNeverSeen = 35847210999999;

struct RecordedQuery {
  std::uint64_t core;
  std::string interface;
  std::string network_element;
  std::string imsi;
  Timestamp at;
};

class S13Test : public ::testing::Test {
 protected:
  S13Test() : clock_(FromMillis(1'780'000'000'000)) {}

  S13Responder Responder(UnknownEquipment unknown = UnknownEquipment::kEquipmentUnknown) {
    S13Settings settings{"eir.test", "imeiguard.localdomain", unknown};
    return S13Responder(
        settings,
        [this](Imei imei) -> std::optional<EquipmentStatus> {
          auto it = statuses_.find(imei.core_value());
          if (it == statuses_.end()) return std::nullopt;
          return it->second;
        },
        [this](const S13Query& query) {
          queries_.push_back({query.core, std::string(query.interface),
                              std::string(query.network_element), std::string(query.imsi),
                              query.at});
        },
        clock_);
  }

  Message Check(const MeIdentityCheck& check,
                UnknownEquipment unknown = UnknownEquipment::kEquipmentUnknown) {
    return Responder(unknown).Answer(BuildMeIdentityCheckRequest(check));
  }

  static MeIdentityCheck WithImei(std::string imei, std::string software_version = "07") {
    MeIdentityCheck check;
    check.imei = std::move(imei);
    check.software_version = std::move(software_version);
    check.imsi = "240011234567890";
    return check;
  }

  ManualClock clock_;
  std::map<std::uint64_t, EquipmentStatus> statuses_ = {{kLocked, EquipmentStatus::kBlacklisted},
                                                        {kSuspect, EquipmentStatus::kGreylisted},
                                                        {kClean, EquipmentStatus::kWhitelisted}};
  std::vector<RecordedQuery> queries_;
};

std::optional<std::uint32_t> Unsigned(const Message& message, std::uint32_t code,
                                      std::uint32_t vendor = 0) {
  const Avp* avp = message.Find(code, vendor);
  if (avp == nullptr) return std::nullopt;
  return ReadUnsigned32(*avp).value();
}

std::optional<std::uint32_t> EquipmentStatusOf(const Message& answer) {
  return Unsigned(answer, kAvpEquipmentStatus, kVendor3gpp);
}

Avp FailedAvpOf(const Message& answer) {
  const Avp* failed = answer.Find(kAvpFailedAvp);
  EXPECT_NE(failed, nullptr);
  if (failed == nullptr) return {};
  return DecodeGroup(*failed).value().at(0);
}

TEST_F(S13Test, LockedDeviceIsBlacklisted) {
  Message answer = Check(WithImei("35847210123456"));
  EXPECT_EQ(Unsigned(answer, kAvpResultCode), kSuccess);
  EXPECT_EQ(EquipmentStatusOf(answer), 1u);
}

TEST_F(S13Test, SuspectDeviceIsGreylisted) {
  EXPECT_EQ(EquipmentStatusOf(Check(WithImei("35847210654321"))), 2u);
}

TEST_F(S13Test, CleanDeviceIsWhitelisted) {
  EXPECT_EQ(EquipmentStatusOf(Check(WithImei("35847210111111"))), 0u);
}

TEST_F(S13Test, UnknownDeviceIsExperimentalResult5422) {
  Message answer = Check(WithImei("35847210999999"));
  EXPECT_EQ(answer.Find(kAvpResultCode), nullptr);
  EXPECT_EQ(EquipmentStatusOf(answer), std::nullopt);
  const Avp* experimental = answer.Find(kAvpExperimentalResult);
  ASSERT_NE(experimental, nullptr);
  auto members = DecodeGroup(*experimental).value();
  EXPECT_EQ(ReadUnsigned32(*FindAvp(members, kAvpVendorId)).value(), kVendor3gpp);
  EXPECT_EQ(ReadUnsigned32(*FindAvp(members, kAvpExperimentalResultCode)).value(),
            kErrorEquipmentUnknown);
}

TEST_F(S13Test, UnknownDeviceWhitelistedWhenConfigured) {
  Message answer = Check(WithImei("35847210999999"), UnknownEquipment::kWhitelisted);
  EXPECT_EQ(Unsigned(answer, kAvpResultCode), kSuccess);
  EXPECT_EQ(EquipmentStatusOf(answer), 0u);
}

TEST_F(S13Test, FifteenDigitImeiMapsToSameCore) {
  std::string with_check = "35847210123456" + std::to_string(LuhnCheckDigit("35847210123456"));
  EXPECT_EQ(EquipmentStatusOf(Check(WithImei(with_check, ""))), 1u);
  ASSERT_EQ(queries_.size(), 1u);
  EXPECT_EQ(queries_[0].core, kLocked);
}

TEST_F(S13Test, AnswerCarriesSessionAndOrigin) {
  MeIdentityCheck check = WithImei("35847210123456");
  check.session_id = "mme.example;42;7";
  check.hop_by_hop = 99;
  Message answer = Check(check);
  EXPECT_FALSE(answer.is_request());
  EXPECT_EQ(answer.command_code, kCommandMeIdentityCheck);
  EXPECT_EQ(answer.application_id, kApplicationS13);
  EXPECT_EQ(answer.hop_by_hop, 99u);
  EXPECT_EQ(answer.flags & kFlagProxiable, kFlagProxiable);
  EXPECT_EQ(answer.avps.at(0).code, kAvpSessionId);
  EXPECT_EQ(answer.avps.at(0).data, "mme.example;42;7");
  EXPECT_EQ(answer.Find(kAvpOriginHost)->data, "eir.test");
  EXPECT_EQ(answer.Find(kAvpOriginRealm)->data, "imeiguard.localdomain");
  EXPECT_EQ(Unsigned(answer, kAvpAuthSessionState), kAuthSessionStateNoStateMaintained);
}

TEST_F(S13Test, ProxyInfoIsCopied) {
  Message request = BuildMeIdentityCheckRequest(WithImei("35847210123456"));
  Avp proxy = Avp::Grouped(kAvpProxyInfo,
                           {Avp::OctetString(280, "dra.example"), Avp::OctetString(33, "state")});
  request.avps.push_back(proxy);
  Message answer = Responder().Answer(request);
  ASSERT_NE(answer.Find(kAvpProxyInfo), nullptr);
  EXPECT_EQ(answer.Find(kAvpProxyInfo)->data, proxy.data);
}

TEST_F(S13Test, ObserverReceivesEachQuery) {
  clock_.AdvanceTo(FromMillis(1'780'000'123'000));
  Check(WithImei("35847210999999"));
  ASSERT_EQ(queries_.size(), 1u);
  EXPECT_EQ(queries_[0].core, kNeverSeen);
  EXPECT_EQ(queries_[0].interface, "s13");
  EXPECT_EQ(queries_[0].network_element, "mme.example");
  EXPECT_EQ(queries_[0].imsi, "240011234567890");
  EXPECT_EQ(queries_[0].at, FromMillis(1'780'000'123'000));
}

TEST_F(S13Test, MissingTerminalInformation) {
  Message request = BuildMeIdentityCheckRequest(WithImei("35847210123456"));
  std::erase_if(request.avps,
                [](const Avp& avp) { return avp.Is(kAvpTerminalInformation, kVendor3gpp); });
  Message answer = Responder().Answer(request);
  EXPECT_EQ(Unsigned(answer, kAvpResultCode), kMissingAvp);
  EXPECT_TRUE(FailedAvpOf(answer).Is(kAvpTerminalInformation, kVendor3gpp));
  EXPECT_TRUE(queries_.empty());
}

TEST_F(S13Test, MissingSessionId) {
  Message request = BuildMeIdentityCheckRequest(WithImei("35847210123456"));
  request.avps.erase(request.avps.begin());
  Message answer = Responder().Answer(request);
  EXPECT_EQ(Unsigned(answer, kAvpResultCode), kMissingAvp);
  EXPECT_TRUE(FailedAvpOf(answer).Is(kAvpSessionId));
}

TEST_F(S13Test, TerminalInformationWithoutImeiOrMeid) {
  Message answer = Check(WithImei("", "07"));
  EXPECT_EQ(Unsigned(answer, kAvpResultCode), kMissingAvp);
  Avp failed = FailedAvpOf(answer);
  ASSERT_TRUE(failed.Is(kAvpTerminalInformation, kVendor3gpp));
  EXPECT_TRUE(DecodeGroup(failed).value().at(0).Is(kAvpImei, kVendor3gpp));
}

TEST_F(S13Test, MeidIsUnknownEquipment) {
  MeIdentityCheck check;
  check.meid = std::string("\xa0\x00\x00\x12\x34\x56\x78", 7);
  Message answer = Check(check, UnknownEquipment::kWhitelisted);
  EXPECT_NE(answer.Find(kAvpExperimentalResult), nullptr);
  EXPECT_EQ(EquipmentStatusOf(answer), std::nullopt);
  EXPECT_TRUE(queries_.empty());
}

TEST_F(S13Test, ImeiWithLettersIsInvalidValue) {
  Message answer = Check(WithImei("3584721012345A"));
  EXPECT_EQ(Unsigned(answer, kAvpResultCode), kInvalidAvpValue);
  Avp failed = FailedAvpOf(answer);
  EXPECT_TRUE(failed.Is(kAvpImei, kVendor3gpp));
  EXPECT_EQ(failed.data, "3584721012345A");
  EXPECT_TRUE(queries_.empty());
}

TEST_F(S13Test, ImeiOfWrongLengthIsInvalidValue) {
  EXPECT_EQ(Unsigned(Check(WithImei("3584721012345")), kAvpResultCode), kInvalidAvpValue);
  EXPECT_EQ(Unsigned(Check(WithImei("3584721012345678")), kAvpResultCode), kInvalidAvpValue);
}

TEST_F(S13Test, PlaceholderImeiIsInvalidValue) {
  EXPECT_EQ(Unsigned(Check(WithImei("00000000000000")), kAvpResultCode), kInvalidAvpValue);
}

TEST_F(S13Test, SoftwareVersionMustBeTwoDigits) {
  Message answer = Check(WithImei("35847210123456", "7"));
  EXPECT_EQ(Unsigned(answer, kAvpResultCode), kInvalidAvpValue);
  EXPECT_TRUE(FailedAvpOf(answer).Is(kAvpSoftwareVersion, kVendor3gpp));
}

TEST_F(S13Test, UnknownMandatoryAvpIsUnsupported) {
  Message request = BuildMeIdentityCheckRequest(WithImei("35847210123456"));
  request.avps.push_back(Avp::Unsigned32(1407, 1, kVendor3gpp));
  Message answer = Responder().Answer(request);
  EXPECT_EQ(Unsigned(answer, kAvpResultCode), kAvpUnsupported);
  EXPECT_TRUE(FailedAvpOf(answer).Is(1407, kVendor3gpp));
}

TEST_F(S13Test, UnknownOptionalAvpIsIgnored) {
  Message request = BuildMeIdentityCheckRequest(WithImei("35847210123456"));
  Avp extra = Avp::Unsigned32(1407, 1, kVendor3gpp);
  extra.flags = kAvpFlagVendor;
  request.avps.push_back(extra);
  EXPECT_EQ(EquipmentStatusOf(Responder().Answer(request)), 1u);
}

TEST_F(S13Test, BadLengthInsideTerminalInformation) {
  Message request = BuildMeIdentityCheckRequest(WithImei("35847210123456"));
  for (Avp& avp : request.avps) {
    if (avp.Is(kAvpTerminalInformation, kVendor3gpp)) avp.data[7] = 0x7f;
  }
  Message answer = Responder().Answer(request);
  EXPECT_EQ(Unsigned(answer, kAvpResultCode), kInvalidAvpLength);
  EXPECT_TRUE(FailedAvpOf(answer).Is(kAvpImei, kVendor3gpp));
}

}  // namespace
}  // namespace imeiguard::diameter
