// The EPCIS 2.0 capture interface of a real `imeiguard serve` on 127.0.0.1: asynchronous jobs,
// rollback and proceed, limits, duplicates, error declarations, and kill -9 after a 202.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <boost/json.hpp>
#include <filesystem>
#include <random>
#include <thread>

#include "net/http_client.h"
#include "testing/openapi_contract.h"
#include "testing/serve_process.h"

namespace imeiguard {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using ::testing::IsEmpty;
using testing::OpenApiContract;
using testing::ServeProcess;

constexpr std::string_view kParcel = "373500000000001236";
constexpr std::string_view kManifest =
    "parcel_id,shipper_id,service,promised_by,destination_postcode,imei\n"
    "373500000000001236,telco-a,locker,2030-01-01,41301,490154203237518\n";

// An ObjectEvent of the parcel (as a GS1 Digital Link) with `fields` added.
std::string ParcelEvent(std::string_view event_id, std::string_view time, std::string_view fields) {
  return R"({"type": "ObjectEvent", "action": "OBSERVE", "eventID": ")" + std::string(event_id) +
         R"(", "eventTime": ")" + std::string(time) +
         R"(", "eventTimeZoneOffset": "+01:00", "epcList": ["https://id.gs1.org/00/)" +
         std::string(kParcel) + R"("], "readPoint": {"id": "urn:epc:id:sgln:7350000.00001.0"}, )" +
         std::string(fields) + "}";
}

std::string Document(const std::vector<std::string>& events) {
  std::string list;
  for (const std::string& event : events) list += (list.empty() ? "" : ",") + event;
  return R"({"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
      {"example": "http://ns.example.com/epcis/"}], "type": "EPCISDocument",
      "schemaVersion": "2.0", "creationDate": "2026-03-02T06:00:00Z",
      "epcisBody": {"eventList": [)" +
         list + "]}}";
}

const std::string kArriving = ParcelEvent("urn:uuid:arriving-1", "2026-03-02T06:14:09+01:00",
                                          R"("bizStep": "arriving", "example:handler": "h-1042")");
const std::string kProduct = R"({"type": "ObjectEvent", "action": "OBSERVE",
    "eventTime": "2026-03-02T07:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "shipping",
    "epcList": ["urn:epc:id:sgtin:0614141.107346.2017"]})";
const std::string kInvalid = R"({"type": "ObjectEvent", "action": "OBSERVE",
    "eventID": "urn:uuid:invalid", "eventTime": "not a time", "eventTimeZoneOffset": "+01:00"})";

class EpcisCaptureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto contract =
        OpenApiContract::Load(std::string(IMEIGUARD_SOURCE_DIR) + "/src/api/openapi.json");
    ASSERT_TRUE(contract.ok()) << contract.error().message;
    contract_ = std::make_unique<OpenApiContract>(std::move(*contract));
    server_ = std::make_unique<ServeProcess>(
        IMEIGUARD_BINARY,
        fs::temp_directory_path() / ("imeiguard-epcis-" + std::to_string(getpid())),
        "[default]\nconnectors = []\nsilence = \"ignore\"\n"
        "[epcis]\ncapture_limit = 5\ncapture_file_size_limit = 20000\n");
    auto carrier = server_->CreateKey("carrier");
    auto admin = server_->CreateKey("admin");
    auto shipper = server_->CreateKey("shipper", "telco-a");
    ASSERT_TRUE(carrier.ok());
    ASSERT_TRUE(admin.ok());
    ASSERT_TRUE(shipper.ok());
    carrier_ = *carrier;
    admin_ = *admin;
    Status started = server_->Start();
    ASSERT_TRUE(started.ok()) << started.error().message;
    auto imported = Send("POST", "/v1/manifests", std::string(kManifest), *shipper);
    ASSERT_EQ(imported.status, 200) << imported.body;
  }

  void TearDown() override { EXPECT_THAT(violations_, IsEmpty()); }

  // Sends a request with the carrier's key unless `key` is given, and checks the response
  // against the OpenAPI description.
  http::ClientResponse Send(std::string method, std::string target, std::string body = {},
                            std::string key = {},
                            std::vector<std::pair<std::string, std::string>> headers = {}) {
    http::ClientRequest request;
    request.method = std::move(method);
    request.port = server_->port();
    request.target = std::move(target);
    request.body = std::move(body);
    request.headers = std::move(headers);
    request.headers.emplace_back("Authorization", "Bearer " + (key.empty() ? carrier_ : key));
    request.timeout = std::chrono::seconds(30);
    auto response = http::Send(request);
    EXPECT_TRUE(response.ok()) << response.error().message;
    if (!response.ok()) return {};
    for (const std::string& violation :
         contract_->Check(request.method, request.target, *response)) {
      violations_.push_back(request.method + " " + request.target + ": " + violation);
    }
    return *response;
  }

  http::ClientResponse Capture(const std::string& document, std::string_view behaviour = {}) {
    std::vector<std::pair<std::string, std::string>> headers = {
        {"Content-Type", "application/ld+json"}};
    if (!behaviour.empty()) headers.emplace_back("GS1-Capture-Error-Behaviour", behaviour);
    return Send("POST", "/capture", document, {}, headers);
  }

  // Polls the job at `location` until it has finished; returns it.
  json::object FinishedJob(const std::string& location) {
    for (int attempt = 0; attempt < 200; ++attempt) {
      auto response = Send("GET", location);
      EXPECT_EQ(response.status, 200) << response.body;
      if (response.status != 200) return {};
      json::value parsed = json::parse(response.body);
      EXPECT_TRUE(parsed.is_object()) << location << ": " << response.body;
      if (!parsed.is_object()) return {};
      json::object job = parsed.as_object();
      if (!job.at("running").as_bool()) return job;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ADD_FAILURE() << "capture job " << location << " did not finish";
    return {};
  }

  // Captures `document` and waits for its job.
  json::object CaptureAndWait(const std::string& document, std::string_view behaviour = {}) {
    auto response = Capture(document, behaviour);
    EXPECT_EQ(response.status, 202) << response.body;
    if (response.status != 202) return {};
    return FinishedJob(response.Header("location"));
  }

  json::array QueryEvents(const std::string& query = "") {
    auto response = Send("GET", "/events" + query);
    EXPECT_EQ(response.status, 200) << response.body;
    if (response.status != 200) return {};
    return json::parse(response.body)
        .at("epcisBody")
        .at("queryResults")
        .at("resultsBody")
        .at("eventList")
        .as_array();
  }

  json::object Parcel() {
    auto response = Send("GET", "/v1/parcels/" + std::string(kParcel), {}, admin_);
    EXPECT_EQ(response.status, 200) << response.body;
    return response.status == 200 ? json::parse(response.body).as_object() : json::object{};
  }

  std::unique_ptr<OpenApiContract> contract_;
  std::unique_ptr<ServeProcess> server_;
  std::string carrier_;
  std::string admin_;
  std::vector<std::string> violations_;
};

TEST_F(EpcisCaptureTest, CaptureAnswers202WithJob) {
  auto response = Capture(Document({kArriving, kProduct}));
  ASSERT_EQ(response.status, 202) << response.body;
  EXPECT_THAT(response.Header("location"), ::testing::StartsWith("/capture/"));
  EXPECT_EQ(response.Header("gs1-epcis-version"), "2.0.0");
  json::object job = FinishedJob(response.Header("location"));
  EXPECT_TRUE(job.at("success").as_bool());
  EXPECT_EQ(job.at("captureErrorBehaviour"), "rollback");
  EXPECT_EQ(job.at("eventsCaptured"), 2);
}

TEST_F(EpcisCaptureTest, ParcelEventBecomesScan) {
  CaptureAndWait(Document({kArriving, kProduct}));
  json::array events = Parcel().at("events").as_array();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].at("event_id"), "urn:uuid:arriving-1");
  EXPECT_EQ(events[0].at("type"), "arrived");
}

TEST_F(EpcisCaptureTest, QueryFiltersCapturedEvents) {
  CaptureAndWait(Document({kArriving, kProduct}));
  EXPECT_EQ(QueryEvents().size(), 2u);
  json::array by_parcel = QueryEvents("?MATCH_epc=" + std::string(kParcel));
  ASSERT_EQ(by_parcel.size(), 1u);
  EXPECT_EQ(by_parcel[0].at("eventID"), "urn:uuid:arriving-1");
  EXPECT_TRUE(by_parcel[0].as_object().contains("recordTime"));
  EXPECT_EQ(QueryEvents("?MATCH_epc=urn:epc:id:sgtin:0614141.107346.2017").size(), 1u);
  EXPECT_EQ(QueryEvents("?eventType=AggregationEvent").size(), 0u);
  EXPECT_EQ(QueryEvents("?GE_eventTime=2026-03-02T06:30:00Z").size(), 1u);
  EXPECT_EQ(QueryEvents("?LT_eventTime=2026-03-02T06:30:00Z").size(), 1u);
}

TEST_F(EpcisCaptureTest, QueryPagesWithToken) {
  CaptureAndWait(Document({kArriving, kProduct}));
  auto first = Send("GET", "/events?perPage=1");
  ASSERT_EQ(first.status, 200);
  std::string link = first.Header("link");
  ASSERT_THAT(link, ::testing::HasSubstr("nextPageToken="));
  std::string next = link.substr(1, link.find('>') - 1);
  auto second = Send("GET", next);
  ASSERT_EQ(second.status, 200) << second.body;
  EXPECT_NE(first.body, second.body);
}

TEST_F(EpcisCaptureTest, QueryRejectsUnsupportedParameter) {
  auto response = Send("GET", "/events?EQ_bizStep=arriving");
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(json::parse(response.body).at("type"), "epcisException:QueryParameterException");
}

TEST_F(EpcisCaptureTest, ShipperKeyMayNotQuery) {
  auto shipper = server_->CreateKey("shipper", "telco-a");
  ASSERT_TRUE(shipper.ok());
  EXPECT_EQ(Send("GET", "/events", {}, *shipper).status, 403);
}

// The same events again, serialised otherwise: keys reordered, other white space, the extension
// by its full IRI, the time in UTC and the parcel as an EPC URI.
TEST_F(EpcisCaptureTest, SameDocumentTwiceStoredOnce) {
  CaptureAndWait(Document({kArriving, kProduct}));
  std::string respelled = R"([{"http://ns.example.com/epcis/handler":"h-1042","bizStep":"arriving",
      "readPoint":{"id":"urn:epc:id:sgln:7350000.00001.0"},
      "epcList":["urn:epc:id:sscc:7350000.3000000123"],"eventTimeZoneOffset":"+01:00",
      "eventTime":"2026-03-02T05:14:09.000Z","eventID":"urn:uuid:arriving-1",
      "action":"OBSERVE","type":"ObjectEvent"},
    {"epcList":["https://id.gs1.org/01/10614141073464/21/2017"],"bizStep":"shipping",
     "eventTimeZoneOffset":"+00:00","eventTime":"2026-03-02T08:00:00+01:00",
     "type":"ObjectEvent","action":"OBSERVE"}])";
  json::object job = CaptureAndWait(respelled);
  EXPECT_TRUE(job.at("success").as_bool());
  EXPECT_EQ(job.at("eventsCaptured"), 0);
  EXPECT_EQ(QueryEvents().size(), 2u);
  EXPECT_EQ(Parcel().at("events").as_array().size(), 1u);
}

TEST_F(EpcisCaptureTest, RollbackStoresNothing) {
  json::object job = CaptureAndWait(Document({kArriving, kInvalid}));
  EXPECT_FALSE(job.at("success").as_bool());
  ASSERT_EQ(job.at("errors").as_array().size(), 1u);
  EXPECT_EQ(job.at("errors").at(0).at("eventIndex"), 1);
  EXPECT_EQ(job.at("errors").at(0).at("field"), "eventTime");
  EXPECT_EQ(QueryEvents().size(), 0u);
  EXPECT_EQ(Parcel().at("events").as_array().size(), 0u);
}

TEST_F(EpcisCaptureTest, ProceedStoresValidEvents) {
  json::object job = CaptureAndWait(Document({kArriving, kInvalid}), "proceed");
  EXPECT_FALSE(job.at("success").as_bool());
  EXPECT_EQ(job.at("captureErrorBehaviour"), "proceed");
  EXPECT_EQ(job.at("errors").as_array().size(), 1u);
  EXPECT_EQ(QueryEvents().size(), 1u);
  EXPECT_EQ(Parcel().at("events").as_array().size(), 1u);
}

TEST_F(EpcisCaptureTest, OptionsAdvertisesLimits) {
  auto response = Send("OPTIONS", "/capture");
  ASSERT_EQ(response.status, 204);
  EXPECT_EQ(response.Header("gs1-epcis-capture-limit"), "5");
  EXPECT_EQ(response.Header("gs1-epcis-capture-file-size-limit"), "20000");
  EXPECT_EQ(response.Header("gs1-capture-error-behaviour"), "rollback, proceed");
  EXPECT_EQ(response.Header("gs1-epcis-version"), "2.0.0");
}

TEST_F(EpcisCaptureTest, TooManyEventsIs413) {
  auto response = Capture(Document(std::vector<std::string>(6, kProduct)));
  EXPECT_EQ(response.status, 413);
  EXPECT_EQ(json::parse(response.body).at("type"), "epcisException:CaptureLimitExceededException");
  EXPECT_EQ(response.Header("gs1-epcis-capture-limit"), "5");
}

TEST_F(EpcisCaptureTest, LargeDocumentIs413) {
  std::string padded = ParcelEvent("urn:uuid:large", "2026-03-02T06:14:09+01:00",
                                   R"("example:note": ")" + std::string(21000, 'x') + "\"");
  auto response = Capture(Document({padded}));
  EXPECT_EQ(response.status, 413);
  EXPECT_EQ(response.Header("gs1-epcis-capture-file-size-limit"), "20000");
  EXPECT_EQ(QueryEvents().size(), 0u);
}

TEST_F(EpcisCaptureTest, RefusesOtherVersionAndMediaType) {
  auto version = Send("POST", "/capture", Document({kArriving}), {},
                      {{"Content-Type", "application/json"}, {"GS1-EPCIS-Version", "1.2.0"}});
  EXPECT_EQ(version.status, 406);
  auto media = Send("POST", "/capture", Document({kArriving}), {}, {{"Content-Type", "text/xml"}});
  EXPECT_EQ(media.status, 415);
  auto behaviour = Capture(Document({kArriving}), "sometimes");
  EXPECT_EQ(behaviour.status, 400);
}

TEST_F(EpcisCaptureTest, NonEpcisBodyIs400) {
  auto response = Capture(R"({"parcel_id": "373500000000001236"})");
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(json::parse(response.body).at("type"), "epcisException:ValidationException");
  EXPECT_EQ(json::parse(response.body).at("reason"), "not_epcis_document");
}

TEST_F(EpcisCaptureTest, UnknownJobIs404) { EXPECT_EQ(Send("GET", "/capture/999").status, 404); }

TEST_F(EpcisCaptureTest, JobListShowsJobs) {
  CaptureAndWait(Document({kArriving}));
  auto response = Send("GET", "/capture");
  ASSERT_EQ(response.status, 200);
  EXPECT_EQ(json::parse(response.body).as_array().size(), 1u);
}

// A parcel reported stolen is lost, and a later delivery makes it delivered. Once the delivery is
// declared in error, the parcel is lost again, as if the delivery had never been scanned.
TEST_F(EpcisCaptureTest, WithdrawnDeliveryNoLongerCounts) {
  std::string stolen = ParcelEvent("urn:uuid:stolen-1", "2026-03-02T08:00:00+01:00",
                                   R"("bizStep": "inspecting", "disposition": "stolen")");
  std::string delivered =
      ParcelEvent("urn:uuid:delivered-1", "2026-03-02T12:00:00+01:00", R"("bizStep": "receiving")");
  CaptureAndWait(Document({kArriving, stolen}));
  EXPECT_EQ(Parcel().at("verdict"), "lost");
  CaptureAndWait(Document({delivered}));
  EXPECT_EQ(Parcel().at("verdict"), "delivered");

  std::string declared = delivered;
  declared.insert(declared.size() - 1, R"(, "errorDeclaration": {"declarationTime":
      "2026-03-02T13:00:00+01:00", "reason": "incorrect_data"})");
  json::object job = CaptureAndWait(Document({declared}));
  EXPECT_TRUE(job.at("success").as_bool());
  json::object parcel = Parcel();
  EXPECT_EQ(parcel.at("verdict"), "lost");
  for (const auto& event : parcel.at("events").as_array()) {
    EXPECT_NE(event.at("event_id"), "urn:uuid:delivered-1");
  }
  // The declaration is kept beside the event it declares in error.
  EXPECT_EQ(QueryEvents("?MATCH_epc=" + std::string(kParcel)).size(), 4u);

  // The withdrawn delivery sent again changes nothing.
  CaptureAndWait(Document({delivered}));
  EXPECT_EQ(Parcel().at("verdict"), "lost");
}

TEST_F(EpcisCaptureTest, WithdrawalSurvivesRestart) {
  std::string stolen = ParcelEvent("urn:uuid:stolen-1", "2026-03-02T08:00:00+01:00",
                                   R"("bizStep": "inspecting", "disposition": "stolen")");
  std::string declared = stolen;
  declared.insert(declared.size() - 1, R"(, "errorDeclaration": {"declarationTime":
      "2026-03-02T13:00:00+01:00"})");
  CaptureAndWait(Document({kArriving, stolen}));
  CaptureAndWait(Document({declared}));
  EXPECT_EQ(Parcel().at("verdict"), "in_flow") << json::serialize(Parcel());
  server_->Stop(SIGKILL);
  ASSERT_TRUE(server_->Start().ok());
  EXPECT_EQ(Parcel().at("verdict"), "in_flow");
  EXPECT_EQ(Parcel().at("events").as_array().size(), 1u);
}

// "Accepted" is a 202: the job and its document are durable before the response, so every
// document that got a 202 is captured after a kill -9 at any point and a restart.
TEST_F(EpcisCaptureTest, KillAfter202LosesNothing) {
  std::vector<std::string> locations;
  std::set<std::string> acked_events;
  std::mt19937 random(7);
  int next = 0;
  for (int round = 0; round < 3; ++round) {
    std::atomic<bool> killed{false};
    std::thread killer([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(200 + random() % 400));
      server_->Stop(SIGKILL);
      killed = true;
    });
    while (!killed) {
      std::string id = "urn:uuid:kill-" + std::to_string(next++);
      std::string event = ParcelEvent(id, "2026-03-02T06:14:09+01:00", R"("bizStep": "arriving")");
      http::ClientRequest request;
      request.method = "POST";
      request.port = server_->port();
      request.target = "/capture";
      request.body = Document({event});
      request.headers = {{"Authorization", "Bearer " + carrier_},
                         {"Content-Type", "application/json"}};
      auto response = http::Send(request);
      if (!response.ok()) break;
      if (response->status != 202) continue;  // Cut short by the kill.
      locations.push_back(response->Header("location"));
      acked_events.insert(id);
    }
    killer.join();
    ASSERT_TRUE(server_->Start().ok());
  }
  ASSERT_FALSE(locations.empty());
  for (const std::string& location : locations) {
    ASSERT_THAT(location, ::testing::StartsWith("/capture/"));
    json::object job = FinishedJob(location);
    ASSERT_TRUE(job.contains("success")) << location;
    EXPECT_TRUE(job.at("success").as_bool()) << location;
  }
  std::set<std::string> stored;
  json::object parcel = Parcel();
  for (const auto& event : parcel.at("events").as_array()) {
    stored.insert(std::string(event.at("event_id").as_string()));
  }
  for (const std::string& id : acked_events) {
    EXPECT_TRUE(stored.contains(id)) << "event " << id << " answered with 202 is missing";
  }
}

}  // namespace
}  // namespace imeiguard
