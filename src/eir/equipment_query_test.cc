#include "eir/equipment_query.h"

#include <gtest/gtest.h>

namespace imeiguard::eir {
namespace {

constexpr std::uint64_t kCore = 35847210004217;

std::uint64_t CoreOf(std::string_view pei) {
  std::uint64_t core = 0;
  EXPECT_EQ(ParsePei(pei, core), QueryProblem::kNone) << pei;
  return core;
}

TEST(ParsePei, EveryFormOfOneDeviceGivesOneCore) {
  EXPECT_EQ(CoreOf("imei-358472100042174"), kCore);  // With its Luhn check digit.
  EXPECT_EQ(CoreOf("imei-358472100042170"), kCore);  // The network's spare 0.
  EXPECT_EQ(CoreOf("imeisv-3584721000421712"), kCore);
}

TEST(ParsePei, WrongCheckDigitRejected) {
  std::uint64_t core = 0;
  EXPECT_EQ(ParsePei("imei-358472100042175", core), QueryProblem::kPeiCheckDigit);
}

TEST(ParsePei, MalformedFormsRejected) {
  std::uint64_t core = 0;
  for (std::string_view pei : {"imei-35847210004217", "imei-3584721000421740",
                               "imeisv-358472100042171", "imei-35847210004217a", "358472100042174",
                               "IMEI-358472100042174", "imsi-240011234567890"}) {
    EXPECT_EQ(ParsePei(pei, core), QueryProblem::kPeiForm) << pei;
  }
}

TEST(ParsePei, MacAndEuiFormsAreNotImeis) {
  std::uint64_t core = 0;
  EXPECT_EQ(ParsePei("mac-00-11-22-33-44-55", core), QueryProblem::kPeiNotImei);
  EXPECT_EQ(ParsePei("eui-00-11-22-33-44-55-66-77", core), QueryProblem::kPeiNotImei);
}

TEST(ParseEquipmentQuery, ReadsPeiSupiAndGpsi) {
  EquipmentQueryText query;
  ParseEquipmentQuery("supi=imsi-240011234567890&pei=imei-358472100042174&gpsi=msisdn-46701234567",
                      query);
  ASSERT_EQ(query.problem, QueryProblem::kNone);
  EXPECT_EQ(query.core, kCore);
  EXPECT_EQ(query.supi.view(), "imsi-240011234567890");
  EXPECT_EQ(query.gpsi.view(), "msisdn-46701234567");
}

TEST(ParseEquipmentQuery, DecodesPercentEscapes) {
  EquipmentQueryText query;
  ParseEquipmentQuery("pei=imei%2D358472100042174&supi=nai-user%40example.net", query);
  ASSERT_EQ(query.problem, QueryProblem::kNone);
  EXPECT_EQ(query.supi.view(), "nai-user@example.net");
}

TEST(ParseEquipmentQuery, MissingOrEmptyPei) {
  EquipmentQueryText query;
  ParseEquipmentQuery("supi=imsi-240011234567890", query);
  EXPECT_EQ(query.problem, QueryProblem::kPeiMissing);
  ParseEquipmentQuery("pei=", query);
  EXPECT_EQ(query.problem, QueryProblem::kPeiMissing);
  ParseEquipmentQuery("", query);
  EXPECT_EQ(query.problem, QueryProblem::kPeiMissing);
}

TEST(ParseEquipmentQuery, IgnoresUnknownParameters) {
  EquipmentQueryText query;
  ParseEquipmentQuery("supported-features=1&pei=imei-358472100042174", query);
  EXPECT_EQ(query.problem, QueryProblem::kNone);
}

TEST(ParseEquipmentQuery, RejectsRepeatedPei) {
  EquipmentQueryText query;
  ParseEquipmentQuery("pei=imei-358472100042174&pei=imei-358472100042174", query);
  EXPECT_EQ(query.problem, QueryProblem::kQueryIncorrect);
}

TEST(ParseEquipmentQuery, RejectsMalformedSupiAndGpsi) {
  EquipmentQueryText query;
  ParseEquipmentQuery("pei=imei-358472100042174&supi=imsi-12a4", query);
  EXPECT_EQ(query.problem, QueryProblem::kSupiIncorrect);
  ParseEquipmentQuery("pei=imei-358472100042174&supi=", query);
  EXPECT_EQ(query.problem, QueryProblem::kSupiIncorrect);
  ParseEquipmentQuery("pei=imei-358472100042174&supi=a+b", query);
  EXPECT_EQ(query.problem, QueryProblem::kSupiIncorrect);
  ParseEquipmentQuery("pei=imei-358472100042174&gpsi=msisdn-1", query);
  EXPECT_EQ(query.problem, QueryProblem::kGpsiIncorrect);
  ParseEquipmentQuery("pei=imei-358472100042174&gpsi=%4", query);
  EXPECT_EQ(query.problem, QueryProblem::kGpsiIncorrect);
}

TEST(ParseEquipmentQuery, RejectsOverlongSupi) {
  EquipmentQueryText query;
  std::string text = "pei=imei-358472100042174&supi=nai-" + std::string(kMaxSubscriberBytes, 'a');
  ParseEquipmentQuery(text, query);
  EXPECT_EQ(query.problem, QueryProblem::kSupiIncorrect);
}

}  // namespace
}  // namespace imeiguard::eir
