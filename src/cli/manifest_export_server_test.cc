// Sends wrongly exported manifests to a real `imeiguard serve`, and checks that each is rejected
// whole with problem details that say why, unless the request forces the import.
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
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::OpenApiContract;
using testing::ServeProcess;

constexpr std::string_view kConfig = "[default]\nconnectors = []\n";
constexpr std::string_view kCsvHeader =
    "parcel_id,shipper_id,service,promised_by,destination_postcode,imei\n";

std::string ParcelId(int n) {
  std::string digits = std::to_string(n);
  return "3735" + std::string(14 - digits.size(), '0') + digits;
}

// A valid 15-digit IMEI of TAC `tac` (8 digits) and serial `n`.
std::string ImeiOf(std::string_view tac, int n) {
  std::string digits = std::to_string(n);
  std::string core = std::string(tac) + std::string(6 - digits.size(), '0') + digits;
  int sum = 0;
  for (int i = 0; i < 14; ++i) {
    int digit = core[i] - '0';
    if (i % 2 == 1) digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
    sum += digit;
  }
  return core + std::to_string((10 - sum % 10) % 10);
}

std::string Row(int n, std::string_view imei) {
  return ParcelId(n) + ",telco-a,home,2030-01-01,41301," + std::string(imei) + "\n";
}

// Parcels 1 to 7 with valid IMEIs, then parcels 8 to 10 whose IMEIs lost their leading zero.
std::string StrippedManifest() {
  std::string csv(kCsvHeader);
  for (int i = 1; i <= 7; ++i) csv += Row(i, ImeiOf("35847210", i));
  for (int i = 8; i <= 10; ++i) csv += Row(i, ImeiOf("01245600", i).substr(1));
  return csv;
}

class ManifestExportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto contract =
        OpenApiContract::Load(std::string(IMEIGUARD_SOURCE_DIR) + "/src/api/openapi.json");
    ASSERT_TRUE(contract.ok()) << contract.error().message;
    contract_ = std::make_unique<OpenApiContract>(std::move(*contract));
    server_ = std::make_unique<ServeProcess>(
        IMEIGUARD_BINARY,
        fs::temp_directory_path() / ("imeiguard-export-" + std::to_string(getpid())), kConfig);
    auto shipper = server_->CreateKey("shipper", "telco-a");
    ASSERT_TRUE(shipper.ok()) << shipper.error().message;
    shipper_key_ = *shipper;
    Status started = server_->Start();
    ASSERT_TRUE(started.ok()) << started.error().message;
    client_ = std::make_unique<ContractClient>(*contract_, server_->port());
  }

  void TearDown() override {
    if (client_) {
      EXPECT_THAT(client_->violations(), IsEmpty());
    }
  }

  // Posts `body` to `target` and returns the parsed response body, expecting `status`.
  json::value Post(std::string_view target, std::string body, int status) {
    auto response = client_->Send("POST", std::string(target), shipper_key_, std::move(body));
    EXPECT_TRUE(response.ok()) << response.error().message;
    if (!response.ok()) return nullptr;
    EXPECT_EQ(response->status, status) << response->body;
    json::error_code error;
    json::value parsed = json::parse(response->body, error);
    EXPECT_FALSE(error) << response->body;
    return parsed;
  }

  int ParcelStatus(int n) {
    auto response = client_->Send("GET", "/v1/parcels/" + ParcelId(n), shipper_key_);
    EXPECT_TRUE(response.ok());
    return response.ok() ? response->status : 0;
  }

  std::unique_ptr<OpenApiContract> contract_;
  std::unique_ptr<ServeProcess> server_;
  std::unique_ptr<ContractClient> client_;
  std::string shipper_key_;
};

TEST_F(ManifestExportTest, StrippedZerosRejectWholeFile) {
  json::value problem = Post("/v1/manifests", StrippedManifest(), 422);

  EXPECT_EQ(problem.at("reason"), "imeis_stripped_of_leading_zeros");
  EXPECT_EQ(problem.at("row_reason"), "length_14");
  EXPECT_EQ(problem.at("rows_affected"), 3);
  EXPECT_EQ(problem.at("rows_read"), 10);
  EXPECT_EQ(problem.at("line"), 9);
  EXPECT_EQ(problem.at("field"), "imei");
  std::string detail(problem.at("detail").as_string());
  EXPECT_THAT(detail, HasSubstr("3 of 10 rows"));
  EXPECT_THAT(detail, HasSubstr("Line 9: '" + ImeiOf("01245600", 8).substr(1) + "'"));
  EXPECT_THAT(detail, HasSubstr("formatted as text"));
  EXPECT_EQ(ParcelStatus(1), 404);
}

TEST_F(ManifestExportTest, ForceImportsGoodRows) {
  json::value report = Post("/v1/manifests?force=true", StrippedManifest(), 200);

  EXPECT_EQ(report.at("rows_read"), 10);
  EXPECT_EQ(report.at("devices_new"), 7);
  const json::array& errors = report.at("errors").as_array();
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_EQ(errors[0].at("line"), 9);
  EXPECT_EQ(errors[0].at("reason"), "length_14");
  EXPECT_EQ(ParcelStatus(1), 200);
  EXPECT_EQ(ParcelStatus(8), 404);
}

TEST_F(ManifestExportTest, OneReasonForMostRowsRejectsFile) {
  std::string csv(kCsvHeader);
  for (int i = 1; i <= 4; ++i) csv += Row(i, ImeiOf("35847210", i));
  for (int i = 5; i <= 12; ++i) csv += Row(i, "3.58472E+14");

  json::value problem = Post("/v1/manifests", csv, 422);

  EXPECT_EQ(problem.at("reason"), "rows_rejected_for_one_reason");
  EXPECT_EQ(problem.at("row_reason"), "exponent_notation");
  EXPECT_EQ(problem.at("rows_affected"), 8);
  EXPECT_EQ(problem.at("rows_read"), 12);
  EXPECT_EQ(problem.at("line"), 6);
  EXPECT_THAT(std::string(problem.at("detail").as_string()), HasSubstr("'exponent_notation'"));
  EXPECT_EQ(ParcelStatus(1), 404);
}

TEST_F(ManifestExportTest, ForceFalseStillRejects) {
  json::value problem = Post("/v1/manifests?force=false", StrippedManifest(), 422);
  EXPECT_EQ(problem.at("reason"), "imeis_stripped_of_leading_zeros");
}

TEST_F(ManifestExportTest, InvalidForceValueRejected) {
  json::value problem = Post("/v1/manifests?force=yes", StrippedManifest(), 400);
  EXPECT_EQ(problem.at("reason"), "invalid_query");
  EXPECT_THAT(std::string(problem.at("detail").as_string()), HasSubstr("force=yes"));
  EXPECT_EQ(ParcelStatus(1), 404);
}

TEST_F(ManifestExportTest, CleanFileImportedWithoutForce) {
  std::string csv(kCsvHeader);
  for (int i = 1; i <= 10; ++i) csv += Row(i, ImeiOf("35847210", i));
  json::value report = Post("/v1/manifests", csv, 200);
  EXPECT_EQ(report.at("devices_new"), 10);
}

}  // namespace
}  // namespace imeiguard
