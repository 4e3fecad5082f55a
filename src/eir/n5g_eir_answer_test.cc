#include "eir/n5g_eir_answer.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>
#include <vector>

namespace imeiguard::eir {
namespace {

using namespace std::chrono_literals;

constexpr std::uint64_t kCore = 35847210004217;
constexpr std::string_view kTarget = "/n5g-eir-eic/v1/equipment-status?pei=imei-358472100042174";

class RecordingRecorder final : public SightingRecorder {
 public:
  void Record(const EquipmentQuery& query) override {
    cores.push_back(query.core);
    subscribers.emplace_back(query.supi_or_imsi);
    gpsis.emplace_back(query.gpsi);
    network_elements.emplace_back(query.network_element);
    interfaces.emplace_back(query.interface);
  }
  std::vector<std::uint64_t> cores;
  std::vector<std::string> subscribers;
  std::vector<std::string> gpsis;
  std::vector<std::string> network_elements;
  std::vector<std::string> interfaces;
};

class N5gEirAnswer : public ::testing::Test {
 protected:
  N5gEirAnswer() : snapshot_(EquipmentSnapshotOptions{0ms, 1 << 16}) {}

  EirResponse Get(std::string_view target) {
    return AnswerEirRequest("GET", target, snapshot_, &recorder_, "AMF-1", FromMillis(1000));
  }
  void SetState(LockState state) {
    snapshot_.Set(kCore, state);
    snapshot_.PublishPending();
  }
  static boost::json::object Body(const EirResponse& response) {
    return boost::json::parse(response.body).as_object();
  }

  EquipmentSnapshot snapshot_;
  RecordingRecorder recorder_;
};

TEST_F(N5gEirAnswer, EveryLockStateMapsToItsStatus) {
  const std::pair<LockState, std::string_view> cases[] = {
      {LockState::kWatched, "WHITELISTED"},   {LockState::kReleased, "WHITELISTED"},
      {LockState::kGreylisted, "GREYLISTED"}, {LockState::kLockPending, "GREYLISTED"},
      {LockState::kLocked, "BLACKLISTED"},    {LockState::kUnlockPending, "BLACKLISTED"}};
  for (const auto& [state, status] : cases) {
    SetState(state);
    EirResponse response = Get(kTarget);
    EXPECT_EQ(response.status, 200) << LockStateName(state);
    EXPECT_EQ(response.content_type, "application/json");
    EXPECT_EQ(Body(response).at("status").as_string(), status) << LockStateName(state);
  }
}

TEST_F(N5gEirAnswer, ImeisvAndSpareZeroFindSameDevice) {
  SetState(LockState::kLocked);
  for (std::string_view pei : {"imeisv-3584721000421712", "imei-358472100042170"}) {
    EirResponse response = Get("/n5g-eir-eic/v1/equipment-status?pei=" + std::string(pei));
    EXPECT_EQ(Body(response).at("status").as_string(), "BLACKLISTED") << pei;
  }
}

TEST_F(N5gEirAnswer, UnknownDeviceIs404EquipmentUnknown) {
  EirResponse response = Get(kTarget);
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(response.content_type, "application/problem+json");
  EXPECT_EQ(Body(response).at("cause").as_string(), "ERROR_EQUIPMENT_UNKNOWN");
  EXPECT_EQ(Body(response).at("status").as_int64(), 404);
}

TEST_F(N5gEirAnswer, MacPeiIs404EquipmentUnknown) {
  EirResponse response = Get("/n5g-eir-eic/v1/equipment-status?pei=mac-00-11-22-33-44-55");
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(Body(response).at("cause").as_string(), "ERROR_EQUIPMENT_UNKNOWN");
}

TEST_F(N5gEirAnswer, MissingPeiIs400NamingPei) {
  EirResponse response = Get("/n5g-eir-eic/v1/equipment-status?supi=imsi-240011234567890");
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(response.content_type, "application/problem+json");
  boost::json::object body = Body(response);
  EXPECT_EQ(body.at("cause").as_string(), "MANDATORY_QUERY_PARAM_MISSING");
  EXPECT_EQ(body.at("invalidParams").as_array().at(0).at("param").as_string(), "pei");
}

TEST_F(N5gEirAnswer, MalformedPeiIs400NamingPei) {
  for (std::string_view pei : {"imei-12", "imei-358472100042175", "foo"}) {
    EirResponse response = Get("/n5g-eir-eic/v1/equipment-status?pei=" + std::string(pei));
    EXPECT_EQ(response.status, 400) << pei;
    boost::json::object body = Body(response);
    EXPECT_EQ(body.at("cause").as_string(), "MANDATORY_QUERY_PARAM_INCORRECT") << pei;
    EXPECT_EQ(body.at("invalidParams").as_array().at(0).at("param").as_string(), "pei") << pei;
  }
}

TEST_F(N5gEirAnswer, MalformedSupiIs400NamingSupi) {
  EirResponse response = Get(std::string(kTarget) + "&supi=imsi-1");
  EXPECT_EQ(response.status, 400);
  boost::json::object body = Body(response);
  EXPECT_EQ(body.at("cause").as_string(), "OPTIONAL_QUERY_PARAM_INCORRECT");
  EXPECT_EQ(body.at("invalidParams").as_array().at(0).at("param").as_string(), "supi");
}

TEST_F(N5gEirAnswer, MalformedGpsiIs400NamingGpsi) {
  EirResponse response = Get(std::string(kTarget) + "&gpsi=msisdn-x");
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(Body(response).at("invalidParams").as_array().at(0).at("param").as_string(), "gpsi");
}

TEST_F(N5gEirAnswer, OtherPathIs404AndOtherMethodIs405) {
  EirResponse other_path = Get("/n5g-eir-eic/v1/equipment-statuses?pei=imei-358472100042174");
  EXPECT_EQ(other_path.status, 404);
  EXPECT_EQ(Body(other_path).at("cause").as_string(), "RESOURCE_URI_STRUCTURE_NOT_FOUND");

  EirResponse post = AnswerEirRequest("POST", kTarget, snapshot_, &recorder_, "AMF-1", {});
  EXPECT_EQ(post.status, 405);
  EXPECT_TRUE(post.allow_get_only);
}

TEST_F(N5gEirAnswer, WellFormedQueryIsReportedToRecorder) {
  Get(std::string(kTarget) + "&supi=imsi-240011234567890&gpsi=msisdn-46701234567");
  Get("/n5g-eir-eic/v1/equipment-status?pei=imei-1");
  ASSERT_EQ(recorder_.cores.size(), 1u);
  EXPECT_EQ(recorder_.cores[0], kCore);
  EXPECT_EQ(recorder_.subscribers[0], "imsi-240011234567890");
  EXPECT_EQ(recorder_.gpsis[0], "msisdn-46701234567");
  EXPECT_EQ(recorder_.network_elements[0], "AMF-1");
  EXPECT_EQ(recorder_.interfaces[0], "n5g-eir");
}

}  // namespace
}  // namespace imeiguard::eir
