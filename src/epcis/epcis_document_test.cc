#include "epcis/epcis_document.h"

#include <gtest/gtest.h>

namespace imeiguard::epcis {
namespace {

std::string DocumentOf(std::string_view events) {
  return R"({"@context": "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
             "type": "EPCISDocument", "schemaVersion": "2.0",
             "creationDate": "2026-03-02T06:00:00Z", "epcisBody": {"eventList": [)" +
         std::string(events) + "]}}";
}

constexpr std::string_view kArrived = R"({"type": "ObjectEvent", "action": "OBSERVE",
  "eventID": "urn:uuid:0f6c9d0e-1", "eventTime": "2026-03-02T06:14:09+01:00",
  "eventTimeZoneOffset": "+01:00", "bizStep": "urn:epcglobal:cbv:bizstep:arriving",
  "epcList": ["urn:epc:id:sscc:7350000.0000001234"],
  "readPoint": {"id": "urn:epc:id:sgln:7350000.00001.0"}})";

TEST(ParseDocument, ReadsObjectEvent) {
  auto document = ParseDocument(DocumentOf(kArrived), DocumentLimits{});
  ASSERT_TRUE(document.ok()) << document.error().message;
  ASSERT_EQ(document->events.size(), 1u);
  const Event& event = document->events[0];
  EXPECT_EQ(event.type, EventType::kObject);
  EXPECT_EQ(event.event_id, "urn:uuid:0f6c9d0e-1");
  EXPECT_EQ(event.biz_step, "arriving");
  EXPECT_EQ(event.read_point, "urn:epc:id:sgln:7350000.00001.0");
  EXPECT_EQ(FormatRfc3339(event.event_time), "2026-03-02T05:14:09Z");
}

TEST(ParseDocument, RejectsNonJson) {
  auto document = ParseDocument("{\"type\": ", DocumentLimits{});
  ASSERT_FALSE(document.ok());
  EXPECT_EQ(document.error().kind, ErrorKind::kInvalidInput);
  EXPECT_EQ(document.error().reason, "json");
}

TEST(ParseDocument, RejectsDocumentWithoutEventList) {
  auto document = ParseDocument(R"({"type": "EPCISDocument", "epcisBody": {}})", DocumentLimits{});
  ASSERT_FALSE(document.ok());
  EXPECT_EQ(document.error().reason, "not_epcis_document");
}

TEST(ParseDocument, RejectsEpcis12SchemaVersion) {
  auto document = ParseDocument(
      R"({"type": "EPCISDocument", "schemaVersion": "1.2", "epcisBody": {"eventList": []}})",
      DocumentLimits{});
  ASSERT_FALSE(document.ok());
  EXPECT_EQ(document.error().reason, "schema_version");
}

TEST(ParseDocument, RejectsMoreEventsThanLimit) {
  DocumentLimits limits;
  limits.max_events = 1;
  auto document =
      ParseDocument(DocumentOf(std::string(kArrived) + "," + std::string(kArrived)), limits);
  ASSERT_FALSE(document.ok());
  EXPECT_EQ(document.error().reason, "capture_limit");
  EXPECT_EQ(document.error().message, "the document has 2 events; send at most 1");
}

TEST(ParseDocument, RejectsDeepNesting) {
  std::string deep = std::string(100, '[') + std::string(100, ']');
  auto document = ParseDocument(deep, DocumentLimits{});
  ASSERT_FALSE(document.ok());
  EXPECT_EQ(document.error().reason, "too_deep");
}

TEST(ParseDocument, ReadsBareEventList) {
  auto document = ParseDocument("[" + std::string(kArrived) + "]", DocumentLimits{});
  ASSERT_TRUE(document.ok()) << document.error().message;
  EXPECT_EQ(document->events.size(), 1u);
}

TEST(ParseDocument, ReportsBadEventAndKeepsGood) {
  std::string bad = R"({"type": "ObjectEvent", "action": "OBSERVE", "eventID": "e-bad",
    "eventTime": "yesterday", "eventTimeZoneOffset": "+01:00"})";
  auto document = ParseDocument(DocumentOf(std::string(kArrived) + "," + bad), DocumentLimits{});
  ASSERT_TRUE(document.ok()) << document.error().message;
  EXPECT_EQ(document->events.size(), 1u);
  ASSERT_EQ(document->errors.size(), 1u);
  EXPECT_EQ(document->errors[0].index, 1);
  EXPECT_EQ(document->errors[0].event_id, "e-bad");
  EXPECT_EQ(document->errors[0].field, "eventTime");
  EXPECT_EQ(document->errors[0].reason, "invalid_value");
}

TEST(ParseDocument, RejectsMissingTimeZoneOffset) {
  std::string event = R"({"type": "ObjectEvent", "action": "OBSERVE",
    "eventTime": "2026-03-02T06:14:09+01:00"})";
  auto document = ParseDocument(DocumentOf(event), DocumentLimits{});
  ASSERT_TRUE(document.ok());
  ASSERT_EQ(document->errors.size(), 1u);
  EXPECT_EQ(document->errors[0].field, "eventTimeZoneOffset");
  EXPECT_EQ(document->errors[0].reason, "missing_field");
}

TEST(ParseDocument, RejectsUnknownAction) {
  std::string event = R"({"type": "ObjectEvent", "action": "MOVE",
    "eventTime": "2026-03-02T06:14:09+01:00", "eventTimeZoneOffset": "+01:00"})";
  auto document = ParseDocument(DocumentOf(event), DocumentLimits{});
  ASSERT_TRUE(document.ok());
  ASSERT_EQ(document->errors.size(), 1u);
  EXPECT_EQ(document->errors[0].field, "action");
  EXPECT_EQ(document->errors[0].message, "action 'MOVE' is not ADD, OBSERVE or DELETE");
}

TEST(ParseDocument, RejectsAggregationAddWithoutParent) {
  std::string event = R"({"type": "AggregationEvent", "action": "ADD",
    "eventTime": "2026-03-02T06:14:09+01:00", "eventTimeZoneOffset": "+01:00",
    "childEPCs": ["urn:gsma:imei:490154203237518"]})";
  auto document = ParseDocument(DocumentOf(event), DocumentLimits{});
  ASSERT_TRUE(document.ok());
  ASSERT_EQ(document->errors.size(), 1u);
  EXPECT_EQ(document->errors[0].field, "parentID");
}

TEST(ParseDocument, RejectsUnknownEventType) {
  std::string event = R"({"type": "QuantityEvent", "action": "OBSERVE",
    "eventTime": "2026-03-02T06:14:09+01:00", "eventTimeZoneOffset": "+01:00"})";
  auto document = ParseDocument(DocumentOf(event), DocumentLimits{});
  ASSERT_TRUE(document.ok());
  ASSERT_EQ(document->errors.size(), 1u);
  EXPECT_EQ(document->errors[0].reason, "unsupported_event_type");
}

TEST(ParseDocument, ReadsErrorDeclaration) {
  std::string event(kArrived);
  event.insert(event.size() - 1, R"(, "errorDeclaration": {"declarationTime":
    "2026-03-03T08:00:00Z", "reason": "incorrect_data"})");
  auto document = ParseDocument(DocumentOf(event), DocumentLimits{});
  ASSERT_TRUE(document.ok());
  ASSERT_EQ(document->events.size(), 1u);
  ASSERT_TRUE(document->events[0].error_declaration.has_value());
  EXPECT_EQ(document->events[0].error_declaration->reason, "incorrect_data");
  EXPECT_NE(document->events[0].ArchiveKey(), document->events[0].event_hash);
}

TEST(ParseDocument, RejectsDeclarationWithoutTime) {
  std::string event(kArrived);
  event.insert(event.size() - 1, R"(, "errorDeclaration": {"reason": "incorrect_data"})");
  auto document = ParseDocument(DocumentOf(event), DocumentLimits{});
  ASSERT_TRUE(document.ok());
  ASSERT_EQ(document->errors.size(), 1u);
  EXPECT_EQ(document->errors[0].field, "errorDeclaration.declarationTime");
}

TEST(ParseDocument, RejectsLongReadPoint) {
  std::string event(kArrived);
  std::string long_id = "urn:epc:id:sgln:" + std::string(300, '1');
  event.replace(event.find("urn:epc:id:sgln:7350000.00001.0"), 31, long_id);
  auto document = ParseDocument(DocumentOf(event), DocumentLimits{});
  ASSERT_TRUE(document.ok());
  ASSERT_EQ(document->errors.size(), 1u);
  EXPECT_EQ(document->errors[0].field, "readPoint.id");
  EXPECT_EQ(document->errors[0].reason, "field_too_long");
  EXPECT_EQ(document->errors[0].message, "readPoint.id has 316 bytes; send at most 256");
}

TEST(ParseDocument, ReadsWeightInGrams) {
  std::string event = R"({"type": "ObjectEvent", "action": "OBSERVE",
    "eventTime": "2026-03-02T06:14:09+01:00", "eventTimeZoneOffset": "+01:00",
    "bizStep": "inspecting", "epcList": ["urn:epc:id:sscc:7350000.0000001234"],
    "sensorElementList": [{"sensorReport": [{"type": "gs1:Weight", "value": 0.402,
                                             "uom": "KGM"}]}]})";
  auto document = ParseDocument(DocumentOf(event), DocumentLimits{});
  ASSERT_TRUE(document.ok());
  ASSERT_EQ(document->events.size(), 1u);
  EXPECT_EQ(document->events[0].weight_g, 402);
}

}  // namespace
}  // namespace imeiguard::epcis
