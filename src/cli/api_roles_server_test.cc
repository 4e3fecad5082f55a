// Walks every route of a real `imeiguard serve` with every kind of caller, and checks each
// status against one table and each response against the OpenAPI description.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "testing/openapi_contract.h"
#include "testing/serve_process.h"

namespace imeiguard {
namespace {

namespace fs = std::filesystem;
using testing::ContractClient;
using ::testing::IsEmpty;
using testing::OpenApiContract;
using testing::ServeProcess;

// Who calls. A shipper key belongs to telco-a, the owner of the seeded parcel, or to telco-b.
enum Caller {
  kNoKey,
  kWrongKey,
  kOwnShipper,
  kOtherShipper,
  kCarrier,
  kSecurityOfficer,
  kPolice,
  kOperator,
  kAdmin,
  kCallerCount
};

constexpr std::array<std::string_view, kCallerCount> kCallerNames = {
    "no key",           "wrong key", "own shipper", "other shipper", "carrier",
    "security_officer", "police",    "operator",    "admin"};

// The role each caller's key has, as the description's x-roles name it.
constexpr std::array<std::string_view, kCallerCount> kCallerRoles = {
    "public",           "",       "shipper",  "shipper", "carrier",
    "security_officer", "police", "operator", "admin"};

// A key of the right shape whose id the store does not hold.
constexpr std::string_view kUnknownKey =
    "igk_0123456789ab_000000000000000000000000000000000000000000000000";

constexpr std::string_view kParcelId = "373500000000001234";
constexpr std::string_view kImei = "490154203237518";
constexpr std::string_view kManifest =
    "parcel_id,shipper_id,service,promised_by,destination_postcode,imei\n"
    "373500000000001234,telco-a,locker,2030-01-01,41301,490154203237518\n";
constexpr std::string_view kEvents =
    R"({"event_id":"e-roles-1","parcel_id":"373500000000001234","type":"arrived",)"
    R"("time":"2026-03-02T06:14:09+01:00","node":"SE-TERM-GBG"})"
    "\n";

constexpr std::string_view kEpcisDocument =
    R"({"@context": "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",)"
    R"( "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2026-03-02T06:00:00Z",)"
    R"( "epcisBody": {"eventList": [{"type": "ObjectEvent", "action": "OBSERVE",)"
    R"( "eventID": "urn:uuid:roles-1", "eventTime": "2026-03-02T06:14:09+01:00",)"
    R"( "eventTimeZoneOffset": "+01:00", "bizStep": "arriving",)"
    R"( "epcList": ["https://id.gs1.org/00/373500000000001234"]}]}})";

struct MatrixRow {
  std::string_view method;
  std::string_view path_template;
  std::string_view target;
  std::string_view body;
  // Expected status by Caller: no key, wrong key, own shipper, other shipper, carrier,
  // security_officer, police, operator, admin.
  std::array<int, kCallerCount> expected;
};

// The whole matrix. The manifest and events bodies repeat the seeded ones, so calling them again
// changes nothing. The other shipper's manifest is read, and its rows naming telco-a are
// rejected one by one (ManifestRowsOfOtherShipperRejected checks that), so it gets 200.
const MatrixRow kMatrix[] = {
    {"POST",
     "/v1/manifests",
     "/v1/manifests",
     kManifest,
     {401, 401, 200, 200, 403, 403, 403, 403, 200}},
    {"POST", "/v1/events", "/v1/events", kEvents, {401, 401, 403, 403, 200, 403, 403, 403, 200}},
    {"GET",
     "/v1/parcels/{parcel_id}",
     "/v1/parcels/373500000000001234",
     "",
     {401, 401, 200, 404, 403, 200, 200, 403, 200}},
    {"GET",
     "/v1/devices/{imei}",
     "/v1/devices/490154203237518",
     "",
     {401, 401, 200, 404, 403, 200, 200, 403, 200}},
    {"GET",
     "/v1/check/{imei}",
     "/v1/check/490154203237518",
     "",
     {200, 401, 200, 200, 200, 200, 200, 200, 200}},
    {"GET",
     "/v1/openapi.json",
     "/v1/openapi.json",
     "",
     {200, 200, 200, 200, 200, 200, 200, 200, 200}},
    {"GET", "/healthz", "/healthz", "", {200, 200, 200, 200, 200, 200, 200, 200, 200}},
    {"GET", "/readyz", "/readyz", "", {200, 200, 200, 200, 200, 200, 200, 200, 200}},
    {"GET", "/metrics", "/metrics", "", {401, 401, 403, 403, 403, 403, 403, 403, 200}},
    // The other shipper gets a page without the owner's orders, not a refusal.
    {"GET", "/v1/orders", "/v1/orders", "", {401, 401, 200, 200, 403, 200, 200, 403, 200}},
    // The officer's declaration opens case 1 and waits for a second officer; the admin's
    // declaration after it joins the same wait, so it gets 200 too.
    {"POST",
     "/v1/parcels/{parcel_id}/declare-lost",
     "/v1/parcels/373500000000001234/declare-lost",
     R"({"reason": "role matrix"})",
     {401, 401, 403, 403, 403, 200, 403, 403, 200}},
    {"GET", "/v1/cases", "/v1/cases", "", {401, 401, 403, 403, 403, 200, 200, 403, 200}},
    {"GET",
     "/v1/cases/{case_id}",
     "/v1/cases/1",
     "",
     {401, 401, 403, 403, 403, 200, 200, 403, 200}},
    // Sightings are leads for officers and the police; shippers and operators may not read them.
    {"GET",
     "/v1/cases/{case_id}/leads",
     "/v1/cases/1/leads",
     "",
     {401, 401, 403, 403, 403, 200, 200, 403, 200}},
    {"GET",
     "/v1/sightings",
     "/v1/sightings?imsi=240011234567890",
     "",
     {401, 401, 403, 403, 403, 200, 200, 403, 200}},
    {"GET", "/v1/fences", "/v1/fences", "", {401, 401, 403, 403, 403, 200, 200, 403, 200}},
    // The declaring officer may not approve the lock; the admin, a second key, may.
    {"POST",
     "/v1/cases/{case_id}/approve-lock",
     "/v1/cases/1/approve-lock",
     R"({"reason": "role matrix"})",
     {401, 401, 403, 403, 403, 409, 403, 403, 200}},
    // Nothing waits any more once the admin approved.
    {"POST",
     "/v1/cases/{case_id}/reject-lock",
     "/v1/cases/1/reject-lock",
     R"({"reason": "role matrix"})",
     {401, 401, 403, 403, 403, 409, 403, 403, 409}},
    {"POST",
     "/v1/cases/{case_id}/police-report",
     "/v1/cases/1/police-report",
     R"({"report_number": "5000-K123456-26"})",
     {401, 401, 403, 403, 403, 200, 200, 403, 200}},
    {"POST",
     "/v1/cases/{case_id}/confirm-theft",
     "/v1/cases/1/confirm-theft",
     R"({"reason": "role matrix"})",
     {401, 401, 403, 403, 403, 200, 403, 403, 200}},
    // A confirmed theft: the officer's unlock waits (202) and the admin's, a second key, orders it.
    {"POST",
     "/v1/cases/{case_id}/unlock",
     "/v1/cases/1/unlock",
     R"({"reason": "role matrix"})",
     {401, 401, 403, 403, 403, 202, 403, 403, 200}},
    {"POST",
     "/v1/guard-trips/{trip_id}/approve",
     "/v1/guard-trips/1/approve",
     R"({"reason": "role matrix"})",
     {401, 401, 403, 403, 403, 404, 403, 403, 404}},
    {"POST",
     "/v1/guard-trips/{trip_id}/reject",
     "/v1/guard-trips/1/reject",
     R"({"reason": "role matrix"})",
     {401, 401, 403, 403, 403, 404, 403, 403, 404}},
    // The console's reads, after the case's lock and unlock gave the device orders.
    {"GET",
     "/v1/parcels/{parcel_id}/timeline",
     "/v1/parcels/373500000000001234/timeline",
     "",
     {401, 401, 403, 403, 403, 200, 200, 403, 200}},
    {"GET",
     "/v1/devices/{imei}/orders",
     "/v1/devices/490154203237518/orders",
     "",
     {401, 401, 200, 404, 403, 200, 200, 403, 200}},
    {"GET",
     "/v1/hotspots",
     "/v1/hotspots?dimension=handler&from=2026-03-01T00:00:00Z&to=2026-03-08T00:00:00Z",
     "",
     {401, 401, 403, 403, 403, 200, 200, 403, 200}},
    // The EPCIS capture interface: the carrier's, and the admin's like every route. The job of
    // the carrier's capture is job 1.
    {"OPTIONS", "/capture", "/capture", "", {401, 401, 403, 403, 204, 403, 403, 403, 204}},
    {"POST", "/capture", "/capture", kEpcisDocument, {401, 401, 403, 403, 202, 403, 403, 403, 202}},
    {"GET", "/capture", "/capture", "", {401, 401, 403, 403, 200, 403, 403, 403, 200}},
    {"GET",
     "/capture/{captureID}",
     "/capture/1",
     "",
     {401, 401, 403, 403, 200, 403, 403, 403, 200}},
    {"GET", "/events", "/events", "", {401, 401, 403, 403, 200, 403, 403, 403, 200}},
    // Only the connector's platform, by its signature, may report on orders: no API key helps.
    {"POST",
     "/v1/connectors/{connector}/callbacks",
     "/v1/connectors/dm/callbacks",
     R"({"order_id": "ord-000001", "action": "lock", "status": "applied",)"
     R"( "idempotency_key": "role-matrix"})",
     {401, 401, 401, 401, 401, 401, 401, 401, 401}},
};

std::string DescriptionPath() {
  return std::string(IMEIGUARD_SOURCE_DIR) + "/src/api/openapi.json";
}

class RoleMatrixTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto contract = OpenApiContract::Load(DescriptionPath());
    ASSERT_TRUE(contract.ok()) << contract.error().message;
    contract_ = std::make_unique<OpenApiContract>(std::move(*contract));

    // The seeded scan is months old by the server's clock; with the silence rule off, only the
    // officer's declaration makes the parcel lost, and its lock waits for a second officer.
    server_ = std::make_unique<ServeProcess>(
        IMEIGUARD_BINARY,
        fs::temp_directory_path() / ("imeiguard-roles-" + std::to_string(getpid())),
        "[default]\nconnectors = []\nsilence = \"ignore\"\n");
    keys_[kWrongKey] = std::string(kUnknownKey);
    CreateKey(kOwnShipper, "shipper", "telco-a");
    CreateKey(kOtherShipper, "shipper", "telco-b");
    CreateKey(kCarrier, "carrier");
    CreateKey(kSecurityOfficer, "security_officer");
    CreateKey(kPolice, "police");
    CreateKey(kOperator, "operator");
    CreateKey(kAdmin, "admin");
    Status started = server_->Start();
    ASSERT_TRUE(started.ok()) << started.error().message;
    client_ = std::make_unique<ContractClient>(*contract_, server_->port());

    auto imported =
        client_->Send("POST", "/v1/manifests", keys_[kOwnShipper], std::string(kManifest));
    ASSERT_TRUE(imported.ok()) << imported.error().message;
    ASSERT_EQ(imported->status, 200) << imported->body;
    auto ingested = client_->Send("POST", "/v1/events", keys_[kCarrier], std::string(kEvents));
    ASSERT_TRUE(ingested.ok()) << ingested.error().message;
    ASSERT_EQ(ingested->status, 200) << ingested->body;
  }

  void TearDown() override {
    if (client_) {
      EXPECT_THAT(client_->violations(), IsEmpty());
    }
  }

  void CreateKey(Caller caller, std::string_view role, std::string_view shipper = {}) {
    auto key = server_->CreateKey(role, shipper);
    ASSERT_TRUE(key.ok()) << key.error().message;
    keys_[caller] = *key;
  }

  Result<http::ClientResponse> Send(Caller caller, std::string_view method, std::string_view target,
                                    std::string_view body = {}) {
    return client_->Send(std::string(method), std::string(target), keys_[caller],
                         std::string(body));
  }

  std::unique_ptr<OpenApiContract> contract_;
  std::unique_ptr<ServeProcess> server_;
  std::unique_ptr<ContractClient> client_;
  std::array<std::string, kCallerCount> keys_;  // Empty for kNoKey.
};

TEST_F(RoleMatrixTest, EveryCallerGetsExpectedStatus) {
  for (const MatrixRow& row : kMatrix) {
    for (int caller = 0; caller < kCallerCount; ++caller) {
      auto response = Send(static_cast<Caller>(caller), row.method, row.target, row.body);
      ASSERT_TRUE(response.ok()) << response.error().message;
      EXPECT_EQ(response->status, row.expected[caller])
          << row.method << " " << row.target << " by " << kCallerNames[caller] << ": "
          << response->body;
    }
  }
}

TEST_F(RoleMatrixTest, CoversEveryOperation) {
  std::set<std::pair<std::string, std::string>> in_matrix;
  for (const MatrixRow& row : kMatrix) {
    in_matrix.emplace(std::string(row.method), std::string(row.path_template));
  }
  auto operations = contract_->Operations();
  std::set<std::pair<std::string, std::string>> described(operations.begin(), operations.end());
  EXPECT_EQ(in_matrix, described);
}

// A caller whose key has a role in x-roles must get neither 401 nor 403, and every other caller
// must get one of them.
TEST_F(RoleMatrixTest, AgreesWithDocumentedRoles) {
  for (const MatrixRow& row : kMatrix) {
    const boost::json::object* operation = contract_->Operation(row.method, row.path_template);
    ASSERT_NE(operation, nullptr) << row.method << " " << row.path_template;
    std::set<std::string> documented;
    for (const auto& role : operation->at("x-roles").as_array()) {
      documented.emplace(role.as_string());
    }
    bool open = documented.contains("public");
    for (int caller = 0; caller < kCallerCount; ++caller) {
      if (caller == kWrongKey) continue;
      bool allowed = open || documented.contains(std::string(kCallerRoles[caller]));
      int status = row.expected[caller];
      EXPECT_EQ(allowed, status != 401 && status != 403)
          << row.method << " " << row.path_template << " by " << kCallerNames[caller];
    }
  }
}

TEST_F(RoleMatrixTest, UnauthenticatedNamesScheme) {
  auto response = Send(kWrongKey, "GET", "/v1/parcels/373500000000001234");
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 401);
  EXPECT_EQ(response->Header("www-authenticate"), "Bearer");
}

TEST_F(RoleMatrixTest, OtherShippersParcelLooksAbsent) {
  auto other = Send(kOtherShipper, "GET", "/v1/parcels/373500000000001234");
  auto absent = Send(kOwnShipper, "GET", "/v1/parcels/373500000000009999");
  ASSERT_TRUE(other.ok());
  ASSERT_TRUE(absent.ok());
  EXPECT_EQ(other->status, 404);
  EXPECT_EQ(absent->status, 404);
  auto other_body = boost::json::parse(other->body).as_object();
  auto absent_body = boost::json::parse(absent->body).as_object();
  EXPECT_EQ(other_body.at("reason"), absent_body.at("reason"));
  EXPECT_EQ(other_body.at("detail").as_string(), "no parcel 373500000000001234 is registered");
}

TEST_F(RoleMatrixTest, OtherShippersDeviceLooksAbsent) {
  auto other = Send(kOtherShipper, "GET", "/v1/devices/490154203237518");
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(other->status, 404);
  EXPECT_EQ(boost::json::parse(other->body).at("reason"), "device_not_found");
  EXPECT_EQ(other->body.find("telco-a"), std::string::npos) << other->body;
}

TEST_F(RoleMatrixTest, ManifestRowsOfOtherShipperRejected) {
  std::string manifest =
      "parcel_id,shipper_id,service,promised_by,destination_postcode,imei\n"
      "373500000000005678,telco-a,home,2030-01-01,41301,358472100000016\n";
  auto imported = Send(kOtherShipper, "POST", "/v1/manifests", manifest);
  ASSERT_TRUE(imported.ok());
  ASSERT_EQ(imported->status, 200) << imported->body;
  auto report = boost::json::parse(imported->body);
  EXPECT_EQ(report.at("parcels_new"), 0);
  ASSERT_EQ(report.at("errors").as_array().size(), 1u) << imported->body;
  EXPECT_EQ(report.at("errors").at(0).at("reason"), "shipper_scope");

  auto parcel = Send(kAdmin, "GET", "/v1/parcels/373500000000005678");
  ASSERT_TRUE(parcel.ok());
  EXPECT_EQ(parcel->status, 404);
}

TEST_F(RoleMatrixTest, ServesTheRepositoryDescription) {
  std::ifstream file(DescriptionPath(), std::ios::binary);
  std::ostringstream text;
  text << file.rdbuf();
  auto response = Send(kNoKey, "GET", "/v1/openapi.json");
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->Header("content-type"), "application/json");
  EXPECT_EQ(response->body, text.str());
}

}  // namespace
}  // namespace imeiguard
