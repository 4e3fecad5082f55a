// Cases on a real `imeiguard serve` that locks through the reference device-management simulator:
// four eyes on an officer's declaration and on the unlock of a confirmed theft, and a rule's lock
// that waits for an officer's approval.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <thread>

#include "testing/child_process.h"
#include "testing/openapi_contract.h"
#include "testing/serve_process.h"

namespace imeiguard {
namespace {

namespace fs = std::filesystem;
using testing::ChildProcess;
using testing::ContractClient;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using testing::OpenApiContract;
using testing::ServeProcess;

constexpr std::string_view kManifest =
    "parcel_id,shipper_id,service,promised_by,destination_postcode,imei,value_sek\n"
    "373500000000001234,telco-a,locker,2030-01-01,41301,490154203237518,9990\n"
    "373500000000005678,telco-a,home,2030-01-01,41302,358472100042174,4990\n";

// One scan of each parcel, long before the server's clock: with the silence rule on, the parcels
// are lost (missing at once, silent once the idle feed counts as complete a second later).
constexpr std::string_view kOldScans =
    R"({"event_id":"c-1","parcel_id":"373500000000001234","type":"arrived",)"
    R"("time":"2026-03-02T06:14:09+01:00","node":"SE-TERM-GBG"})"
    "\n"
    R"({"event_id":"c-2","parcel_id":"373500000000005678","type":"exception_missing",)"
    R"("time":"2026-03-02T06:20:00+01:00","node":"SE-TERM-GBG"})"
    "\n";

class CasesServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("imeiguard-cases-server-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    StartSimulator();
  }

  void TearDown() override {
    if (client_) {
      EXPECT_THAT(client_->violations(), IsEmpty());
    }
    client_.reset();
    server_.reset();
    simulator_.reset();
    fs::remove_all(dir_);
  }

  void StartSimulator() {
    std::string port_file = (dir_ / "simulator.port").string();
    simulator_ =
        ChildProcess::Start({IMEIGUARD_DM_SIMULATOR_PATH, "--listen", "127.0.0.1", "--port", "0",
                             "--port-file", port_file, "--secret", "demo:cases-secret"},
                            (dir_ / "simulator.log").string());
    ASSERT_TRUE(simulator_.has_value());
    auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!fs::exists(port_file) || fs::file_size(port_file) == 0) {
      ASSERT_LT(std::chrono::steady_clock::now(), give_up) << "the simulator wrote no port";
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    std::ifstream(port_file) >> simulator_port_;
    std::ofstream(dir_ / "dm.secret") << "cases-secret\n";
  }

  // Starts the server with `policy` appended to its [default] table (a table of its own may
  // follow), and keys for two officers, the police, the carrier, the shipper and an admin.
  void StartServer(std::string_view policy) {
    auto contract =
        OpenApiContract::Load(std::string(IMEIGUARD_SOURCE_DIR) + "/src/api/openapi.json");
    ASSERT_TRUE(contract.ok()) << contract.error().message;
    contract_ = std::make_unique<OpenApiContract>(std::move(*contract));
    std::string config = "[default]\nconnectors = [\"dm\"]\n" + std::string(policy) +
                         "\n[outbox]\npoll_interval_ms = 100\n"
                         // The scans are days old and no more come: the feed counts as complete
                         // up to the wall clock about a second after the last one.
                         "[feed]\nidle_after_hours = 0.0003\n"
                         "[connectors.dm]\nhost = \"127.0.0.1\"\nport = " +
                         std::to_string(simulator_port_) + "\ntenant = \"demo\"\nsecret_file = \"" +
                         (dir_ / "dm.secret").string() + "\"\n";
    server_ = std::make_unique<ServeProcess>(IMEIGUARD_BINARY, dir_ / "serve", config);
    for (auto [key, role] :
         {std::pair{&officer_a_, "security_officer"}, std::pair{&officer_b_, "security_officer"},
          std::pair{&police_, "police"}, std::pair{&carrier_, "carrier"}}) {
      auto created = server_->CreateKey(role);
      ASSERT_TRUE(created.ok()) << created.error().message;
      *key = *created;
    }
    auto shipper = server_->CreateKey("shipper", "telco-a");
    ASSERT_TRUE(shipper.ok()) << shipper.error().message;
    shipper_ = *shipper;
    auto admin = server_->CreateKey("admin");
    ASSERT_TRUE(admin.ok()) << admin.error().message;
    admin_ = *admin;
    Status started = server_->Start();
    ASSERT_TRUE(started.ok()) << started.error().message;
    client_ = std::make_unique<ContractClient>(*contract_, server_->port());
    ASSERT_EQ(Call("POST", "/v1/manifests", shipper_, std::string(kManifest)).status, 200);
  }

  using Reply = testing::JsonReply;

  Reply Call(std::string_view method, const std::string& target, const std::string& key,
             std::string body = "") {
    Reply reply = client_->SendForJson(std::string(method), target, key, std::move(body));
    EXPECT_EQ(reply.transport_error, "");
    return reply;
  }

  static std::string Reason(std::string_view text) {
    return boost::json::serialize(boost::json::object{{"reason", text}});
  }

  // The orders of the parcel, once `count` of them are acknowledged by the simulator.
  boost::json::array AcknowledgedOrders(std::string_view parcel_id, std::size_t count) {
    auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    while (true) {
      Reply parcel = Call("GET", "/v1/parcels/" + std::string(parcel_id), officer_a_);
      boost::json::array orders = parcel.body["orders"].as_array();
      std::size_t acknowledged = 0;
      for (const auto& order : orders) {
        if (order.at("status") == "acknowledged") ++acknowledged;
      }
      if (acknowledged >= count || std::chrono::steady_clock::now() > give_up) return orders;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }

  // Waits until the case queue contains `count` cases, because verdicts that wait on the feed's
  // watermark come from the server's ticker a second or so after the scans.
  void WaitForCases(std::size_t count) {
    auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    while (Call("GET", "/v1/cases", officer_a_).body["cases"].as_array().size() < count &&
           std::chrono::steady_clock::now() < give_up) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }

  std::vector<std::string> Steps(std::int64_t case_id) {
    Reply detail = Call("GET", "/v1/cases/" + std::to_string(case_id), police_);
    EXPECT_EQ(detail.status, 200);
    std::vector<std::string> actions;
    for (const auto& step : detail.body["steps"].as_array()) {
      actions.emplace_back(step.at("action").as_string());
    }
    return actions;
  }

  fs::path dir_;
  std::optional<ChildProcess> simulator_;
  int simulator_port_ = 0;
  std::unique_ptr<OpenApiContract> contract_;
  std::unique_ptr<ServeProcess> server_;
  std::unique_ptr<ContractClient> client_;
  std::string officer_a_, officer_b_, police_, carrier_, shipper_, admin_;
};

TEST_F(CasesServerTest, DeclarationLocksOnlyAfterASecondOfficerApproves) {
  StartServer("silence = \"ignore\"");
  std::string parcel = "373500000000001234";
  Reply declared = Call("POST", "/v1/parcels/" + parcel + "/declare-lost", officer_a_,
                        Reason("driver confessed"));
  ASSERT_EQ(declared.status, 200);
  EXPECT_EQ(declared.body["lock"], "awaiting_approval");
  EXPECT_TRUE(declared.body["orders"].as_array().empty());
  std::int64_t case_id = declared.body["case_id"].as_int64();
  std::string approve = "/v1/cases/" + std::to_string(case_id) + "/approve-lock";

  Reply own = Call("POST", approve, officer_a_, Reason("I saw it"));
  EXPECT_EQ(own.status, 409);
  EXPECT_EQ(own.body["reason"], "second_officer_required");
  Reply parcel_view = Call("GET", "/v1/parcels/" + parcel, officer_a_);
  EXPECT_TRUE(parcel_view.body["orders"].as_array().empty());
  EXPECT_EQ(parcel_view.body["devices"].at(0).at("state"), "greylisted");

  Reply approved = Call("POST", approve, officer_b_, Reason("confession on file"));
  ASSERT_EQ(approved.status, 200);
  EXPECT_EQ(approved.body["lock"], "approved");
  boost::json::array orders = AcknowledgedOrders(parcel, 1);
  ASSERT_EQ(orders.size(), 1u);
  EXPECT_EQ(orders[0].at("action"), "lock");
  EXPECT_EQ(orders[0].at("status"), "acknowledged");
  EXPECT_EQ(Call("GET", "/v1/check/490154203237518", "").body["status"], "blocked");

  // The case shows the devices masked, the order and every step.
  Reply detail = Call("GET", "/v1/cases/" + std::to_string(case_id), officer_b_);
  ASSERT_EQ(detail.status, 200);
  EXPECT_EQ(detail.body["parcel"].at("devices").at(0).at("imei_masked"), true);
  EXPECT_EQ(detail.body["parcel"].at("orders").as_array().size(), 1u);
  EXPECT_THAT(Steps(case_id), ElementsAre("case_opened", "lock_held", "lock_approved"));
}

TEST_F(CasesServerTest, UnlockOfConfirmedTheftNeedsTwoOfficers) {
  StartServer("silence = \"ignore\"");
  std::string parcel = "373500000000005678";
  ASSERT_EQ(Call("POST", "/v1/events", carrier_, std::string(kOldScans)).status, 200);
  ASSERT_EQ(AcknowledgedOrders(parcel, 1).size(), 1u);
  Reply queue = Call("GET", "/v1/cases", police_);
  ASSERT_EQ(queue.status, 200);
  ASSERT_EQ(queue.body["cases"].as_array().size(), 1u);
  std::int64_t case_id = queue.body["cases"].at(0).at("case_id").as_int64();
  std::string base = "/v1/cases/" + std::to_string(case_id);

  Reply reported =
      Call("POST", base + "/police-report", police_, R"({"report_number": "5000-K123456-26"})");
  ASSERT_EQ(reported.status, 200);
  EXPECT_EQ(reported.body["theft_confirmed"], true);

  Reply requested = Call("POST", base + "/unlock", officer_a_, Reason("owner has it"));
  ASSERT_EQ(requested.status, 202);
  EXPECT_EQ(requested.body["lock"], "unlock_awaiting_approval");
  Reply twice = Call("POST", base + "/unlock", officer_a_, Reason("really"));
  EXPECT_EQ(twice.status, 409);
  EXPECT_EQ(twice.body["reason"], "second_officer_required");
  EXPECT_EQ(AcknowledgedOrders(parcel, 1).size(), 1u);

  Reply approved = Call("POST", base + "/unlock", officer_b_, Reason("receipt checked"));
  ASSERT_EQ(approved.status, 200);
  EXPECT_EQ(approved.body["lock"], "unlocked");
  boost::json::array orders = AcknowledgedOrders(parcel, 2);
  ASSERT_EQ(orders.size(), 2u);
  EXPECT_EQ(orders[1].at("action"), "unlock");
  EXPECT_EQ(orders[1].at("status"), "acknowledged");
  EXPECT_EQ(Call("GET", "/v1/check/358472100042174", "").body["status"], "not_blocked");
  EXPECT_THAT(Steps(case_id), ElementsAre("case_opened", "police_report_recorded",
                                          "unlock_requested", "unlock_approved"));
}

TEST_F(CasesServerTest, RuleThatNeedsApprovalWaitsInTheQueue) {
  StartServer("auto_lock_rules = [\"exception_scan\"]");
  ASSERT_EQ(Call("POST", "/v1/events", carrier_, std::string(kOldScans)).status, 200);
  // The missing parcel locks on its own; the silent one waits.
  ASSERT_EQ(AcknowledgedOrders("373500000000005678", 1).size(), 1u);
  WaitForCases(2);
  Reply queue = Call("GET", "/v1/cases?limit=1", officer_a_);
  ASSERT_EQ(queue.status, 200);
  ASSERT_EQ(queue.body["cases"].as_array().size(), 1u);
  ASSERT_FALSE(queue.body["next_after"].is_null());
  Reply rest = Call("GET", "/v1/cases?after=" + std::to_string(queue.body["next_after"].as_int64()),
                    officer_a_);
  ASSERT_EQ(rest.body["cases"].as_array().size(), 1u);
  // Both cases opened with the same batch, so the more valuable parcel comes first.
  boost::json::object silent = queue.body["cases"].at(0).as_object();
  EXPECT_EQ(silent["parcel_id"], "373500000000001234");
  EXPECT_EQ(rest.body["cases"].at(0).at("parcel_id"), "373500000000005678");
  EXPECT_EQ(silent["lock"], "awaiting_approval");
  EXPECT_EQ(silent["hold_reason"], "rule_needs_approval");
  EXPECT_EQ(silent["hold_rule"], "silence");
  EXPECT_EQ(silent["verdict"], "lost");
  EXPECT_EQ(Call("GET", "/v1/check/490154203237518", "").body["status"], "not_blocked");

  std::string approve =
      "/v1/cases/" + std::to_string(silent["case_id"].as_int64()) + "/approve-lock";
  EXPECT_EQ(Call("POST", approve, police_, Reason("not mine to approve")).status, 403);
  ASSERT_EQ(Call("POST", approve, officer_a_, Reason("three days silent")).status, 200);
  boost::json::array orders = AcknowledgedOrders("373500000000001234", 1);
  ASSERT_EQ(orders.size(), 1u);
  EXPECT_EQ(orders[0].at("status"), "acknowledged");
  EXPECT_EQ(Call("GET", "/v1/check/490154203237518", "").body["status"], "blocked");
}

TEST_F(CasesServerTest, BurstOfSilencesTripsGuardAndBatchIsApproved) {
  StartServer("[detection]\nmax_auto_locks = 1\nauto_lock_window = \"1h\"");
  // Both parcels fall silent at once: the first locks, the second waits for the guard's batch.
  std::string scans = R"({"event_id":"b-1","parcel_id":"373500000000001234","type":"arrived",)"
                      R"("time":"2026-03-02T06:14:09+01:00","node":"SE-TERM-GBG"})"
                      "\n"
                      R"({"event_id":"b-2","parcel_id":"373500000000005678","type":"arrived",)"
                      R"("time":"2026-03-02T06:14:09+01:00","node":"SE-TERM-GBG"})"
                      "\n";
  ASSERT_EQ(Call("POST", "/v1/events", carrier_, scans).status, 200);
  WaitForCases(2);
  Reply queue = Call("GET", "/v1/cases", officer_a_);
  ASSERT_EQ(queue.status, 200);
  ASSERT_EQ(queue.body["cases"].as_array().size(), 2u);
  std::int64_t trip = 0;
  std::string held_parcel;
  int automatic = 0;
  for (const auto& item : queue.body["cases"].as_array()) {
    if (item.at("lock") == "automatic") ++automatic;
    if (item.at("lock") != "awaiting_approval") continue;
    EXPECT_EQ(item.at("hold_reason"), "blast_radius_guard");
    trip = item.at("guard_trip").as_int64();
    held_parcel = std::string(item.at("parcel_id").as_string());
  }
  EXPECT_EQ(automatic, 1);
  ASSERT_NE(trip, 0);

  auto metrics = client_->Send("GET", "/metrics", admin_, "");
  ASSERT_TRUE(metrics.ok());
  EXPECT_NE(metrics->body.find("imeiguard_blast_radius_guard_trips_total 1\n"), std::string::npos)
      << metrics->body;
  EXPECT_TRUE(
      Call("GET", "/v1/parcels/" + held_parcel, officer_a_).body["orders"].as_array().empty());

  std::string approve = "/v1/guard-trips/" + std::to_string(trip) + "/approve";
  Reply decided = Call("POST", approve, officer_b_, Reason("real theft at GBG"));
  ASSERT_EQ(decided.status, 200);
  EXPECT_EQ(decided.body["decision"], "approved");
  ASSERT_EQ(decided.body["cases"].as_array().size(), 1u);
  EXPECT_EQ(decided.body["cases"].at(0).at("lock"), "approved");
  EXPECT_EQ(AcknowledgedOrders(held_parcel, 1).size(), 1u);
  EXPECT_EQ(Call("POST", approve, officer_b_, Reason("again")).status, 404);
}

}  // namespace
}  // namespace imeiguard
