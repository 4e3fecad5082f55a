// The N5g-eir listener of a real `imeiguard serve`, asked by real HTTP/2 and HTTP/1.1 clients from
// Debian (curl and nghttp2's nghttp), and the sightings and fences its queries leave for the
// police.
#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "testing/openapi_contract.h"
#include "testing/serve_process.h"

namespace imeiguard {
namespace {

namespace fs = std::filesystem;
using testing::ContractClient;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::OpenApiContract;
using testing::ServeProcess;

constexpr std::string_view kManifest =
    "parcel_id,shipper_id,service,promised_by,destination_postcode,imei\n"
    "373500000000001234,telco-a,locker,2030-01-01,41301,490154203237518\n"
    "373500000000005678,telco-a,home,2030-01-01,41302,358472100042174\n"
    "373500000000009012,telco-a,home,2030-01-01,41303,867315042291587\n";
// The first and third parcels go missing, which locks their phones; the second stays in flow.
constexpr std::string_view kMissing =
    R"({"event_id":"eir-1","parcel_id":"373500000000001234","type":"exception_missing",)"
    R"("time":"2026-03-02T06:14:09Z"})"
    "\n"
    R"({"event_id":"eir-2","parcel_id":"373500000000009012","type":"exception_missing",)"
    R"("time":"2026-03-02T06:20:00Z"})"
    "\n";
constexpr std::string_view kSupi = "imsi-240011234567890";

struct CommandResult {
  int exit_code = -1;
  std::string output;
};

// Runs a shell command and returns its exit code and standard output.
CommandResult RunCommand(const std::string& command) {
  CommandResult result;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  char buffer[4096];
  std::size_t read = 0;
  while ((read = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0)
    result.output.append(buffer, read);
  int status = ::pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

// A port that was free a moment ago on 127.0.0.1, for the listener's configuration.
std::uint16_t FreePort() {
  int socket_fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  ::bind(socket_fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  socklen_t size = sizeof(address);
  ::getsockname(socket_fd, reinterpret_cast<sockaddr*>(&address), &size);
  ::close(socket_fd);
  return ntohs(address.sin_port);
}

class N5gEirServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("imeiguard-n5g-eir-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    auto contract =
        OpenApiContract::Load(std::string(IMEIGUARD_SOURCE_DIR) + "/src/api/openapi.json");
    ASSERT_TRUE(contract.ok()) << contract.error().message;
    contract_ = std::make_unique<OpenApiContract>(std::move(*contract));

    eir_port_ = FreePort();
    std::string config =
        "[default]\nconnectors = [\"ops\"]\n"
        "[outbox]\nbase_delay_ms = 100\nmax_delay_ms = 500\n"
        "[connectors.ops]\nkind = \"blocklist_file\"\ndirectory = \"" +
        (dir_ / "feed").string() +
        "\"\n"
        "[eir]\nn5g_listen = \"127.0.0.1:" +
        std::to_string(eir_port_) + "\"\n";
    server_ = std::make_unique<ServeProcess>(IMEIGUARD_BINARY, dir_, config);
    for (auto [key, role] : {std::pair{&police_, "police"}, std::pair{&carrier_, "carrier"},
                             std::pair{&operator_, "operator"}, std::pair{&admin_, "admin"}}) {
      auto created = server_->CreateKey(role);
      ASSERT_TRUE(created.ok()) << created.error().message;
      *key = *created;
    }
    auto shipper = server_->CreateKey("shipper", "telco-a");
    ASSERT_TRUE(shipper.ok()) << shipper.error().message;
    shipper_ = *shipper;
    Status started = server_->Start();
    ASSERT_TRUE(started.ok()) << started.error().message;
    client_ = std::make_unique<ContractClient>(*contract_, server_->port());
    ASSERT_EQ(Call("POST", "/v1/manifests", shipper_, std::string(kManifest)).status, 200);
  }

  void TearDown() override {
    if (client_) {
      EXPECT_THAT(client_->violations(), IsEmpty());
    }
    client_.reset();
    server_.reset();
    fs::remove_all(dir_);
  }

  using Reply = testing::JsonReply;

  Reply Call(std::string_view method, const std::string& target, const std::string& key,
             std::string body = "") {
    Reply reply = client_->SendForJson(std::string(method), target, key, std::move(body));
    EXPECT_EQ(reply.transport_error, "");
    return reply;
  }

  std::string EirUrl(std::string_view query) const {
    return "http://127.0.0.1:" + std::to_string(eir_port_) + "/n5g-eir-eic/v1/equipment-status?" +
           std::string(query);
  }

  // Asks with curl; `protocol` is --http2-prior-knowledge or --http1.1. The output is the body,
  // then a line with the status and the HTTP version curl used.
  CommandResult Curl(std::string_view protocol, std::string_view query,
                     std::string_view network_element = "AMF-test-1") const {
    return RunCommand("curl -sS " + std::string(protocol) + " -A '" + std::string(network_element) +
                      "' -w '\\n%{http_code} %{http_version}' '" + EirUrl(query) + "'");
  }

  // Requests over HTTP/2 until the response has `status`, for up to 15 s (the lock is acknowledged
  // by the outbox in the background).
  std::string WaitForStatus(std::string_view query, std::string_view status) {
    auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    std::string expected = "{\"status\":\"" + std::string(status) + "\"}";
    while (true) {
      CommandResult result = Curl("--http2-prior-knowledge", query);
      if (result.output.starts_with(expected) || std::chrono::steady_clock::now() > give_up) {
        return result.output;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }

  fs::path dir_;
  std::uint16_t eir_port_ = 0;
  std::unique_ptr<OpenApiContract> contract_;
  std::unique_ptr<ServeProcess> server_;
  std::unique_ptr<ContractClient> client_;
  std::string police_, carrier_, operator_, admin_, shipper_;
};

TEST_F(N5gEirServerTest, CurlHttp2WatchedDeviceWhitelisted) {
  CommandResult result = Curl("--http2-prior-knowledge", "pei=imei-358472100042174");
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_EQ(result.output, "{\"status\":\"WHITELISTED\"}\n200 2");
}

TEST_F(N5gEirServerTest, CurlHttp11SameAnswerOnSamePort) {
  CommandResult result = Curl("--http1.1", "pei=imeisv-3584721000421712");
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_EQ(result.output, "{\"status\":\"WHITELISTED\"}\n200 1.1");
}

TEST_F(N5gEirServerTest, NghttpClientGetsAnswer) {
  CommandResult result = RunCommand("nghttp -v '" + EirUrl("pei=imei-358472100042170") + "'");
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_THAT(result.output, HasSubstr(":status: 200"));
  EXPECT_THAT(result.output, HasSubstr("{\"status\":\"WHITELISTED\"}"));
}

// Many streams at once on few connections, as an AMF multiplexes its queries.
TEST_F(N5gEirServerTest, H2loadManyConcurrentStreams) {
  CommandResult result =
      RunCommand("h2load -n 2000 -c 4 -m 100 '" + EirUrl("pei=imei-358472100042174") + "' 2>&1");
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_THAT(result.output, HasSubstr("2000 succeeded, 0 failed, 0 errored")) << result.output;
  EXPECT_THAT(result.output, HasSubstr("2000 2xx")) << result.output;
}

TEST_F(N5gEirServerTest, UnknownDeviceIs404OverBothProtocols) {
  for (std::string_view protocol : {"--http2-prior-knowledge", "--http1.1"}) {
    CommandResult result = Curl(protocol, "pei=imei-356938035643809");
    EXPECT_THAT(result.output, HasSubstr("\"cause\":\"ERROR_EQUIPMENT_UNKNOWN\"")) << protocol;
    EXPECT_THAT(result.output, HasSubstr("\n404 ")) << protocol;
  }
}

TEST_F(N5gEirServerTest, MissingPeiIs400NamingPei) {
  CommandResult result = Curl("--http2-prior-knowledge", "supi=imsi-240011234567890");
  EXPECT_THAT(result.output, HasSubstr("\"cause\":\"MANDATORY_QUERY_PARAM_MISSING\""));
  EXPECT_THAT(result.output, HasSubstr("\"param\":\"pei\""));
  EXPECT_THAT(result.output, HasSubstr("\n400 2"));
  CommandResult content_type = RunCommand(
      "curl -sS --http2-prior-knowledge -o /dev/null -w "
      "'%{content_type}' '" +
      EirUrl("pei=imei-1") + "'");
  EXPECT_EQ(content_type.output, "application/problem+json");
}

TEST_F(N5gEirServerTest, PublicApiPortDoesNotServeEir) {
  CommandResult result = RunCommand("curl -sS -o /dev/null -w '%{http_code}' 'http://127.0.0.1:" +
                                    std::to_string(server_->port()) +
                                    "/n5g-eir-eic/v1/equipment-status?pei=imei-358472100042174'");
  EXPECT_EQ(result.output, "404");
}

// Two stolen phones asked for with one SIM: both sightings become leads of their cases, and the
// SIM is listed as a likely fence.
TEST_F(N5gEirServerTest, SightingsOfStolenPhonesFlagFence) {
  ASSERT_EQ(Call("POST", "/v1/events", carrier_, std::string(kMissing)).status, 200);
  std::string supi = "&supi=" + std::string(kSupi) + "&gpsi=msisdn-46701234567";
  EXPECT_THAT(WaitForStatus("pei=imei-490154203237518" + supi, "BLACKLISTED"),
              HasSubstr("BLACKLISTED"));
  EXPECT_THAT(WaitForStatus("pei=imeisv-8673150422915801" + supi, "BLACKLISTED"),
              HasSubstr("BLACKLISTED"));
  // A watched phone asked for with the same SIM is a sighting, but not a stolen one.
  Curl("--http2-prior-knowledge", "pei=imei-358472100042174" + supi);

  // Sightings are written in batches in the background, in the order they were made: once the
  // watched phone's is stored, all are.
  auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  Reply by_sim;
  do {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    by_sim = Call("GET", "/v1/sightings?imsi=" + std::string(kSupi), police_);
  } while ((by_sim.body["sightings"].as_array().empty() ||
            by_sim.body["sightings"].as_array().back().at("lock_state") != "watched") &&
           std::chrono::steady_clock::now() < give_up);
  std::size_t sightings_of_sim = by_sim.body["sightings"].as_array().size();
  EXPECT_GE(sightings_of_sim, 3u);

  Reply fences = Call("GET", "/v1/fences?reveal=true&reason=test", police_);
  ASSERT_EQ(fences.status, 200);
  ASSERT_EQ(fences.body["fences"].as_array().size(), 1u);
  boost::json::object fence = fences.body["fences"].as_array()[0].as_object();
  EXPECT_EQ(fence["imsi"], "240011234567890");
  EXPECT_EQ(fence["devices"], 2);
  EXPECT_EQ(fence["imeis"], (boost::json::array{"490154203237518", "867315042291587"}));

  Reply cases = Call("GET", "/v1/cases", police_);
  ASSERT_FALSE(cases.body["cases"].as_array().empty());
  std::int64_t case_id = -1;
  for (const auto& item : cases.body["cases"].as_array()) {
    if (item.at("parcel_id") == "373500000000001234") case_id = item.at("case_id").as_int64();
  }
  ASSERT_GT(case_id, 0);
  Reply leads = Call("GET", "/v1/cases/" + std::to_string(case_id) + "/leads", police_);
  ASSERT_EQ(leads.status, 200);
  boost::json::array sightings = leads.body["sightings"].as_array();
  ASSERT_FALSE(sightings.empty());
  boost::json::object lead = sightings.back().as_object();
  EXPECT_EQ(lead["imei"], "49015420******");
  EXPECT_EQ(lead["imsi"], "240011234567890");
  EXPECT_EQ(lead["gpsi"], "msisdn-46701234567");
  EXPECT_EQ(lead["network_element"], "AMF-test-1");
  EXPECT_EQ(lead["interface"], "n5g-eir");
  EXPECT_EQ(lead["equipment_status"], "BLACKLISTED");

  EXPECT_EQ(Call("GET", "/v1/fences", shipper_).status, 403);

  auto metrics = client_->Send("GET", "/metrics", admin_);
  ASSERT_TRUE(metrics.ok()) << metrics.error().message;
  EXPECT_THAT(metrics->body, HasSubstr("imeiguard_sightings_stored_total " +
                                       std::to_string(sightings_of_sim) + "\n"));
  EXPECT_THAT(metrics->body, HasSubstr("imeiguard_sightings_dropped_total 0\n"));
  EXPECT_THAT(metrics->body, HasSubstr("imeiguard_n5g_eir_http2_requests_total"));
  EXPECT_EQ(Call("GET", "/v1/fences", operator_).status, 403);
}

}  // namespace
}  // namespace imeiguard
