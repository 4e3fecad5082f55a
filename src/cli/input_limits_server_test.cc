// Sends bodies that break each configured bound to a real `imeiguard serve`, and checks that each
// is rejected whole with problem details that name where, and that nothing of it was stored.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <filesystem>

#include "testing/openapi_contract.h"
#include "testing/serve_process.h"

namespace imeiguard {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using testing::ContractClient;
using ::testing::IsEmpty;
using testing::OpenApiContract;
using testing::ServeProcess;

constexpr std::string_view kConfig =
    "[default]\nconnectors = []\n"
    "[server]\nmax_body_bytes = 4096\n"
    "[ingest]\nmax_batch_lines = 5\nmax_manifest_rows = 3\nmax_line_bytes = 512\n"
    "max_json_depth = 6\nmax_field_bytes = 64\nmax_text_field_bytes = 256\n";

constexpr std::string_view kParcelId = "373500000000001234";
constexpr std::string_view kCsvHeader =
    "parcel_id,shipper_id,service,promised_by,destination_postcode,imei,serial\n";

std::string ParcelId(int n) {
  std::string digits = std::to_string(n);
  return "3735" + std::string(14 - digits.size(), '0') + digits;
}

// A valid 15-digit IMEI whose serial is `n`.
std::string ImeiFor(int n) {
  std::string digits = std::to_string(n);
  std::string core = "35847210" + std::string(6 - digits.size(), '0') + digits;
  int sum = 0;
  for (int i = 0; i < 14; ++i) {
    int digit = core[i] - '0';
    if (i % 2 == 1) digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
    sum += digit;
  }
  return core + std::to_string((10 - sum % 10) % 10);
}

std::string CsvRow(int n, std::string_view serial = "S1") {
  return ParcelId(n) + ",telco-a,home,2030-01-01,41301," + ImeiFor(n) + "," + std::string(serial) +
         "\n";
}

std::string EventLine(int n, std::string_view extra = "") {
  return R"({"event_id":"e-)" + std::to_string(n) + R"(","parcel_id":")" + std::string(kParcelId) +
         R"(","type":"arrived","time":"2026-03-02T06:14:09+01:00")" + std::string(extra) + "}\n";
}

class InputLimitsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto contract =
        OpenApiContract::Load(std::string(IMEIGUARD_SOURCE_DIR) + "/src/api/openapi.json");
    ASSERT_TRUE(contract.ok()) << contract.error().message;
    contract_ = std::make_unique<OpenApiContract>(std::move(*contract));
    server_ = std::make_unique<ServeProcess>(
        IMEIGUARD_BINARY,
        fs::temp_directory_path() / ("imeiguard-limits-" + std::to_string(getpid())), kConfig);
    auto shipper = server_->CreateKey("shipper", "telco-a");
    ASSERT_TRUE(shipper.ok()) << shipper.error().message;
    shipper_key_ = *shipper;
    auto carrier = server_->CreateKey("carrier");
    ASSERT_TRUE(carrier.ok()) << carrier.error().message;
    carrier_key_ = *carrier;
    Status started = server_->Start();
    ASSERT_TRUE(started.ok()) << started.error().message;
    client_ = std::make_unique<ContractClient>(*contract_, server_->port());
  }

  void TearDown() override {
    if (client_) {
      EXPECT_THAT(client_->violations(), IsEmpty());
    }
  }

  // Posts `body` and returns the problem details of the expected status, or null.
  json::value PostProblem(std::string_view target, const std::string& key, std::string body,
                          int expected_status) {
    auto response = client_->Send("POST", std::string(target), key, std::move(body));
    EXPECT_TRUE(response.ok()) << response.error().message;
    if (!response.ok()) return nullptr;
    EXPECT_EQ(response->status, expected_status) << response->body;
    EXPECT_EQ(response->Header("content-type"), "application/problem+json");
    json::error_code error;
    json::value problem = json::parse(response->body, error);
    EXPECT_FALSE(error) << response->body;
    return problem;
  }

  // Registers the parcel that the event tests send events for.
  void RegisterParcel() {
    std::string manifest = std::string(kCsvHeader) + std::string(kParcelId) +
                           ",telco-a,home,2030-01-01,41301," + ImeiFor(1) + ",S1\n";
    auto response = client_->Send("POST", "/v1/manifests", shipper_key_, manifest);
    ASSERT_TRUE(response.ok());
    ASSERT_EQ(response->status, 200) << response->body;
  }

  // The number of events stored for the registered parcel.
  std::size_t StoredEvents() {
    auto response = client_->Send("GET", "/v1/parcels/" + std::string(kParcelId), shipper_key_);
    EXPECT_TRUE(response.ok());
    if (!response.ok() || response->status != 200) return SIZE_MAX;
    return json::parse(response->body).at("events").as_array().size();
  }

  // The status of GET /v1/parcels/{id} for parcel number `n`.
  int ParcelStatus(int n) {
    auto response = client_->Send("GET", "/v1/parcels/" + ParcelId(n), shipper_key_);
    EXPECT_TRUE(response.ok());
    return response.ok() ? response->status : 0;
  }

  std::unique_ptr<OpenApiContract> contract_;
  std::unique_ptr<ServeProcess> server_;
  std::unique_ptr<ContractClient> client_;
  std::string shipper_key_;
  std::string carrier_key_;
};

TEST_F(InputLimitsTest, BodyPastLimitRejected) {
  std::string body;
  for (int i = 1; body.size() <= 4096; ++i) body += EventLine(i);
  json::value problem = PostProblem("/v1/events", carrier_key_, body, 413);
  EXPECT_EQ(problem.at("reason"), "body_too_large");
  EXPECT_EQ(problem.at("offset"), 4096);
  EXPECT_EQ(problem.at("limit"), 4096);
}

TEST_F(InputLimitsTest, BodyOnAnyRouteBounded) {
  auto response = client_->Send("GET", "/healthz", "", std::string(5000, 'x'));
  ASSERT_TRUE(response.ok()) << response.error().message;
  EXPECT_EQ(response->status, 413);
  EXPECT_EQ(json::parse(response->body).at("reason"), "body_too_large");
}

TEST_F(InputLimitsTest, EventBatchPastLimitStoresNothing) {
  RegisterParcel();
  std::string body;
  for (int i = 1; i <= 6; ++i) body += EventLine(i);
  json::value problem = PostProblem("/v1/events", carrier_key_, body, 413);
  EXPECT_EQ(problem.at("reason"), "batch_too_long");
  EXPECT_EQ(problem.at("line"), 6);
  EXPECT_EQ(problem.at("limit"), 5);
  EXPECT_EQ(StoredEvents(), 0u);
}

TEST_F(InputLimitsTest, EventBatchAtLimitStored) {
  RegisterParcel();
  std::string body;
  for (int i = 1; i <= 5; ++i) body += EventLine(i);
  auto response = client_->Send("POST", "/v1/events", carrier_key_, body);
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 200) << response->body;
  EXPECT_EQ(StoredEvents(), 5u);
}

TEST_F(InputLimitsTest, LongEventLineStoresNothing) {
  RegisterParcel();
  std::string first = EventLine(1);
  std::string body = first + EventLine(2, R"(,"x":")" + std::string(600, 'x') + "\"");
  json::value problem = PostProblem("/v1/events", carrier_key_, body, 413);
  EXPECT_EQ(problem.at("reason"), "line_too_long");
  EXPECT_EQ(problem.at("line"), 2);
  EXPECT_EQ(problem.at("offset"), first.size());
  EXPECT_EQ(problem.at("limit"), 512);
  EXPECT_EQ(StoredEvents(), 0u);
}

TEST_F(InputLimitsTest, DeepEventStoresNothing) {
  RegisterParcel();
  std::string body = EventLine(1) + EventLine(2, R"(,"extra":[[[[[[1]]]]]])");
  json::value problem = PostProblem("/v1/events", carrier_key_, body, 400);
  EXPECT_EQ(problem.at("reason"), "too_deep");
  EXPECT_EQ(problem.at("line"), 2);
  EXPECT_EQ(problem.at("field"), "extra");
  EXPECT_EQ(problem.at("limit"), 6);
  EXPECT_EQ(StoredEvents(), 0u);
}

TEST_F(InputLimitsTest, LongEventFieldStoresNothing) {
  RegisterParcel();
  std::string body = EventLine(1) + EventLine(2, R"(,"handler":")" + std::string(65, 'h') + "\"");
  json::value problem = PostProblem("/v1/events", carrier_key_, body, 413);
  EXPECT_EQ(problem.at("reason"), "field_too_long");
  EXPECT_EQ(problem.at("line"), 2);
  EXPECT_EQ(problem.at("field"), "handler");
  EXPECT_EQ(problem.at("limit"), 64);
  EXPECT_EQ(StoredEvents(), 0u);
}

TEST_F(InputLimitsTest, CsvManifestPastRowLimitStoresNothing) {
  std::string manifest = std::string(kCsvHeader);
  for (int i = 1; i <= 4; ++i) manifest += CsvRow(i);
  json::value problem = PostProblem("/v1/manifests", shipper_key_, manifest, 413);
  EXPECT_EQ(problem.at("reason"), "batch_too_long");
  EXPECT_EQ(problem.at("line"), 5);
  EXPECT_EQ(problem.at("limit"), 3);
  EXPECT_EQ(ParcelStatus(1), 404);
}

TEST_F(InputLimitsTest, LongCsvFieldStoresNothing) {
  std::string manifest = std::string(kCsvHeader) + CsvRow(1) + CsvRow(2, std::string(65, 's'));
  json::value problem = PostProblem("/v1/manifests", shipper_key_, manifest, 413);
  EXPECT_EQ(problem.at("reason"), "field_too_long");
  EXPECT_EQ(problem.at("line"), 3);
  EXPECT_EQ(problem.at("field"), "serial");
  EXPECT_EQ(ParcelStatus(1), 404);
}

std::string JsonParcel(int n, std::string_view device_extra = "") {
  return R"({"parcel_id":")" + ParcelId(n) +
         R"(","service":"home","promised_by":"2030-01-01","destination_postcode":"41301",)"
         R"("devices":[{"imei":")" +
         ImeiFor(n) + "\"" + std::string(device_extra) + "}]}";
}

TEST_F(InputLimitsTest, JsonManifestPastParcelLimitStoresNothing) {
  std::string manifest = R"({"shipper_id":"telco-a","parcels":[)";
  for (int i = 1; i <= 4; ++i) manifest += (i > 1 ? ",\n" : "") + JsonParcel(i);
  manifest += "]}";
  json::value problem = PostProblem("/v1/manifests", shipper_key_, manifest, 413);
  EXPECT_EQ(problem.at("reason"), "batch_too_long");
  EXPECT_EQ(problem.at("field"), "parcels");
  EXPECT_EQ(problem.at("line"), 4);
  EXPECT_EQ(ParcelStatus(1), 404);
}

TEST_F(InputLimitsTest, DeepJsonManifestStoresNothing) {
  std::string manifest = R"({"shipper_id":"telco-a","parcels":[)" + JsonParcel(1) + "," +
                         JsonParcel(2, R"(,"extra":[[1]])") + "]}";
  json::value problem = PostProblem("/v1/manifests", shipper_key_, manifest, 400);
  EXPECT_EQ(problem.at("reason"), "too_deep");
  EXPECT_EQ(problem.at("field"), "extra");
  EXPECT_EQ(problem.at("offset"), manifest.find("[1]"));
  EXPECT_EQ(ParcelStatus(1), 404);
}

TEST_F(InputLimitsTest, LongJsonManifestFieldStoresNothing) {
  std::string manifest = R"({"shipper_id":"telco-a","parcels":[)" + JsonParcel(1) + "," +
                         JsonParcel(2, R"(,"model":")" + std::string(257, 'm') + "\"") + "]}";
  json::value problem = PostProblem("/v1/manifests", shipper_key_, manifest, 413);
  EXPECT_EQ(problem.at("reason"), "field_too_long");
  EXPECT_EQ(problem.at("field"), "model");
  EXPECT_EQ(problem.at("limit"), 256);
  EXPECT_EQ(ParcelStatus(1), 404);
}

}  // namespace
}  // namespace imeiguard
