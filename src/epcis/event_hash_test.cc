#include "epcis/event_hash.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "epcis/epcis_document.h"

namespace imeiguard::epcis {
namespace {

// The hash ID of the only event of `document_text`.
std::string HashOfOnlyEvent(std::string_view document_text) {
  auto document = ParseDocument(document_text, DocumentLimits{});
  EXPECT_TRUE(document.ok()) << document.error().message;
  if (!document.ok() || document->events.size() != 1) return "";
  return document->events[0].event_hash;
}

std::string Document(std::string_view context, std::string_view event) {
  return R"({"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld")" +
         std::string(context) +
         R"(], "type": "EPCISDocument", "schemaVersion": "2.0",
            "creationDate": "2026-03-02T06:00:00Z", "epcisBody": {"eventList": [)" +
         std::string(event) + "]}}";
}

// `text` with its first `from` replaced by `to`.
std::string Replaced(std::string_view text, std::string_view from, std::string_view to) {
  std::string result(text);
  std::size_t at = result.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) result.replace(at, from.size(), to);
  return result;
}

constexpr std::string_view kExampleContext = R"(, {"example": "http://ns.example.com/epcis/"})";

constexpr std::string_view kArriving = R"({
  "type": "ObjectEvent", "eventTime": "2026-03-02T06:14:09.250+01:00",
  "eventTimeZoneOffset": "+01:00", "action": "OBSERVE", "bizStep": "arriving",
  "disposition": "in_transit",
  "epcList": ["urn:epc:id:sscc:7350000.0000001234", "https://id.gs1.org/00/373500000000009999"],
  "readPoint": {"id": "urn:epc:id:sgln:7350000.00001.0"},
  "bizTransactionList": [{"type": "po", "bizTransaction": "urn:epcglobal:cbv:bt:7350000000001:1"},
                         {"type": "desadv", "bizTransaction": "http://carrier.example/d/2"}],
  "example:handler": "h-1042"})";

TEST(EventHash, HasNamedInformationForm) {
  std::string hash = HashOfOnlyEvent(Document(kExampleContext, kArriving));
  EXPECT_TRUE(hash.starts_with("ni:///sha-256;")) << hash;
  EXPECT_TRUE(hash.ends_with("?ver=CBV2.0")) << hash;
  EXPECT_EQ(hash.size(), std::string("ni:///sha-256;?ver=CBV2.0").size() + 64);
}

TEST(EventHash, SameForReorderedKeysAndWhiteSpace) {
  std::string reordered =
      R"({"example:handler":"h-1042","readPoint":{"id":"urn:epc:id:sgln:7350000.00001.0"},
    "epcList":["urn:epc:id:sscc:7350000.0000001234","https://id.gs1.org/00/373500000000009999"],
    "disposition":"in_transit","bizStep":"arriving","action":"OBSERVE",
    "eventTimeZoneOffset":"+01:00","eventTime":"2026-03-02T06:14:09.250+01:00","type":"ObjectEvent",
    "bizTransactionList":[{"bizTransaction":"urn:epcglobal:cbv:bt:7350000000001:1","type":"po"},
                          {"bizTransaction":"http://carrier.example/d/2","type":"desadv"}]})";
  EXPECT_EQ(HashOfOnlyEvent(Document(kExampleContext, kArriving)),
            HashOfOnlyEvent(Document(kExampleContext, reordered)));
}

TEST(EventHash, SameForOtherPrefixAndFullIri) {
  std::string full_iri =
      Replaced(kArriving, "\"example:handler\"", "\"http://ns.example.com/epcis/handler\"");
  std::string other_prefix = Replaced(kArriving, "\"example:handler\"", "\"ex:handler\"");
  std::string expected = HashOfOnlyEvent(Document(kExampleContext, kArriving));
  EXPECT_EQ(expected, HashOfOnlyEvent(Document("", full_iri)));
  EXPECT_EQ(expected,
            HashOfOnlyEvent(Document(R"(, {"ex": "http://ns.example.com/epcis/"})", other_prefix)));
}

TEST(EventHash, SameForOtherOffsetOfSameInstant) {
  std::string utc = Replaced(kArriving, "2026-03-02T06:14:09.250+01:00", "2026-03-02T05:14:09.25Z");
  EXPECT_EQ(HashOfOnlyEvent(Document(kExampleContext, kArriving)),
            HashOfOnlyEvent(Document(kExampleContext, utc)));
}

TEST(EventHash, SameForReorderedListMembers) {
  std::string reordered = Replaced(kArriving,
                                   "\"urn:epc:id:sscc:7350000.0000001234\", "
                                   "\"https://id.gs1.org/00/373500000000009999\"",
                                   "\"https://id.gs1.org/00/373500000000009999\", "
                                   "\"urn:epc:id:sscc:7350000.0000001234\"");
  EXPECT_EQ(HashOfOnlyEvent(Document(kExampleContext, kArriving)),
            HashOfOnlyEvent(Document(kExampleContext, reordered)));
}

TEST(EventHash, SameForOtherIdentifierSpelling) {
  std::string spelled = Replaced(kArriving, "\"urn:epc:id:sscc:7350000.0000001234\"",
                                 "\"https://carrier.example/00/073500000000012347?linkType=all\"");
  spelled = Replaced(spelled, "\"arriving\"", "\"urn:epcglobal:cbv:bizstep:arriving\"");
  EXPECT_EQ(HashOfOnlyEvent(Document(kExampleContext, kArriving)),
            HashOfOnlyEvent(Document(kExampleContext, spelled)));
}

TEST(EventHash, DiffersWhenValueChanges) {
  std::string departing = Replaced(kArriving, "\"arriving\"", "\"departing\"");
  EXPECT_NE(HashOfOnlyEvent(Document(kExampleContext, kArriving)),
            HashOfOnlyEvent(Document(kExampleContext, departing)));
}

TEST(EventHash, DiffersWhenExtensionAdded) {
  std::string extended(kArriving);
  extended.insert(extended.size() - 1, R"(, "example:shift": "night")");
  EXPECT_NE(HashOfOnlyEvent(Document(kExampleContext, kArriving)),
            HashOfOnlyEvent(Document(kExampleContext, extended)));
}

TEST(EventHash, IgnoresEventIdAndErrorDeclaration) {
  std::string declared(kArriving);
  declared.insert(declared.size() - 1,
                  R"(, "eventID": "urn:uuid:1", "errorDeclaration":
                     {"declarationTime": "2026-03-03T00:00:00Z", "reason": "incorrect_data"})");
  EXPECT_EQ(HashOfOnlyEvent(Document(kExampleContext, kArriving)),
            HashOfOnlyEvent(Document(kExampleContext, declared)));
}

TEST(CanonicalPreHash, ListsFieldsInCanonicalOrder) {
  auto event = boost::json::parse(R"({"bizStep": "arriving", "action": "OBSERVE",
      "eventTimeZoneOffset": "+01:00", "eventTime": "2026-03-02T06:14:09+01:00",
      "type": "ObjectEvent", "epcList": ["urn:epc:id:sscc:7350000.0000001234"]})")
                   .as_object();
  EXPECT_EQ(CanonicalPreHash(event, Prefixes()),
            "eventType=ObjectEventeventTime=2026-03-02T05:14:09.000ZeventTimeZoneOffset=+01:00"
            "epcListepc=https://id.gs1.org/00/073500000000012347action=OBSERVE"
            "bizStep=https://ref.gs1.org/cbv/BizStep-arriving");
}

TEST(CanonicalEpc, ConvertsSgtinSgln) {
  EXPECT_EQ(CanonicalEpc("urn:epc:id:sgtin:0614141.107346.2017"),
            "https://id.gs1.org/01/10614141073464/21/2017");
  EXPECT_EQ(CanonicalEpc("urn:epc:id:sgln:0614141.07346.1234"),
            "https://id.gs1.org/414/0614141073467/254/1234");
  EXPECT_EQ(CanonicalEpc("urn:epc:id:sgln:0614141.07346.0"),
            "https://id.gs1.org/414/0614141073467");
}

TEST(CanonicalEpc, KeepsUnknownSchemes) {
  EXPECT_EQ(CanonicalEpc("urn:gsma:imei:49015420-323751-8"), "urn:gsma:imei:49015420-323751-8");
  EXPECT_EQ(CanonicalEpc("urn:epc:id:sgtin:bad"), "urn:epc:id:sgtin:bad");
}

TEST(SsccOf, ReadsUrnAndDigitalLink) {
  EXPECT_EQ(SsccOf("urn:epc:id:sscc:0614141.1234567890"), "106141412345678908");
  EXPECT_EQ(SsccOf("https://id.gs1.org/00/373500000000001234"), "373500000000001234");
  EXPECT_EQ(SsccOf("https://carrier.example/00/373500000000001234?x=1"), "373500000000001234");
  EXPECT_EQ(SsccOf("urn:epc:id:sgtin:0614141.107346.2017"), std::nullopt);
}

}  // namespace
}  // namespace imeiguard::epcis
