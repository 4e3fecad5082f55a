#include "events/ndjson.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace imeiguard {
namespace {

using ::testing::HasSubstr;

constexpr std::string_view kExample =
    R"({"event_id": "e-8f3a", "parcel_id": "373500000000001234", "type": "arrived", )"
    R"("time": "2026-03-02T06:14:09+01:00", "node": "SE-TERM-GBG", "node_type": "terminal", )"
    R"("handler": "h-1042", "weight_g": 402})";

struct Collected {
  std::vector<ScanEvent> events;
  std::vector<EventError> errors;
};

Collected ParseAll(std::string_view text, int first_line = 1) {
  Collected collected;
  NdjsonEventReader reader;
  reader.Parse(
      text,
      [&](const ScanEventView& view) {
        collected.events.push_back(ScanEvent::FromView(view, Timestamp{}));
      },
      [&](const EventError& error) { collected.errors.push_back(error); }, first_line);
  return collected;
}

EventError OnlyError(std::string_view text) {
  Collected collected = ParseAll(text);
  EXPECT_TRUE(collected.events.empty());
  EXPECT_EQ(collected.errors.size(), 1u);
  return collected.errors.empty() ? EventError{} : collected.errors[0];
}

ScanEvent OnlyEvent(std::string_view text) {
  Collected collected = ParseAll(text);
  EXPECT_TRUE(collected.errors.empty())
      << collected.errors[0].field << ": " << collected.errors[0].message;
  EXPECT_EQ(collected.events.size(), 1u);
  return collected.events.empty() ? ScanEvent{} : collected.events[0];
}

// A minimal valid event with `extra` members added before the closing brace.
std::string Event(std::string_view extra = "") {
  return R"({"event_id": "e-1", "parcel_id": "373500000000001234", "type": "departed", )"
         R"("time": "2026-03-02T05:14:09Z")" +
         std::string(extra) + "}";
}

TEST(NdjsonEventReader, ReadsExample) {
  ScanEvent event = OnlyEvent(kExample);
  EXPECT_EQ(event.event_id, "e-8f3a");
  EXPECT_EQ(event.parcel_id, "373500000000001234");
  EXPECT_EQ(event.type, ScanType::kArrived);
  EXPECT_EQ(FormatRfc3339(event.time), "2026-03-02T05:14:09Z");
  EXPECT_EQ(event.node, "SE-TERM-GBG");
  EXPECT_EQ(event.node_type, NodeType::kTerminal);
  EXPECT_EQ(event.handler, "h-1042");
  EXPECT_EQ(event.weight_g, 402);
  EXPECT_FALSE(event.received.has_value());
  EXPECT_EQ(event.next_node, "");
  EXPECT_EQ(event.detail, "");
}

TEST(NdjsonEventReader, OptionalFieldsRead) {
  ScanEvent event =
      OnlyEvent(Event(R"(, "next_node": "SE-HUB-STO", "detail": "seal \"7\" broken", )"
                      R"("received": "2026-03-02T05:20:00.250Z")"));
  EXPECT_EQ(event.next_node, "SE-HUB-STO");
  EXPECT_EQ(event.detail, "seal \"7\" broken");
  ASSERT_TRUE(event.received.has_value());
  EXPECT_EQ(FormatRfc3339(*event.received), "2026-03-02T05:20:00.250Z");
  EXPECT_EQ(event.node_type, NodeType::kUnknown);
  EXPECT_FALSE(event.weight_g.has_value());
}

TEST(NdjsonEventReader, KeyOrderAndSpacingDoNotMatter) {
  ScanEvent first = OnlyEvent(kExample);
  ScanEvent second = OnlyEvent(
      "  {\"weight_g\":402,\"handler\":\"h-1042\" ,\"node_type\" : \"terminal\",\t\"node\":"
      "\"SE-TERM-GBG\",\"time\":\"2026-03-02T06:14:09+01:00\",\"type\":\"arrived\","
      "\"parcel_id\":\"373500000000001234\",\"event_id\":\"e-8f3a\"}  \r\n");
  EXPECT_EQ(first.event_id, second.event_id);
  EXPECT_EQ(first.parcel_id, second.parcel_id);
  EXPECT_EQ(first.type, second.type);
  EXPECT_EQ(first.time, second.time);
  EXPECT_EQ(first.node, second.node);
  EXPECT_EQ(first.node_type, second.node_type);
  EXPECT_EQ(first.handler, second.handler);
  EXPECT_EQ(first.weight_g, second.weight_g);
}

TEST(NdjsonEventReader, EscapesDecoded) {
  ScanEvent event = OnlyEvent(Event(R"(, "node": "SE-\u0054ERM\/1")"));
  EXPECT_EQ(event.node, "SE-TERM/1");
}

TEST(NdjsonEventReader, ParcelIdNormalized) {
  ScanEvent event =
      OnlyEvent(R"({"event_id": "e-1", "parcel_id": "rr123456785se", "type": "accepted", )"
                R"("time": "2026-03-02T05:14:09Z"})");
  EXPECT_EQ(event.parcel_id, "RR123456785SE");
}

TEST(NdjsonEventReader, ExtraFieldsIgnored) {
  ScanEvent event = OnlyEvent(Event(R"(, "gps": {"lat": 57.7, "lon": [11.9]}, "v": 2)"));
  EXPECT_EQ(event.event_id, "e-1");
}

TEST(NdjsonEventReader, NullOptionalFieldsAbsent) {
  ScanEvent event =
      OnlyEvent(Event(R"(, "node": null, "weight_g": null, "received": null, "node_type": "")"));
  EXPECT_EQ(event.node, "");
  EXPECT_FALSE(event.weight_g.has_value());
  EXPECT_FALSE(event.received.has_value());
  EXPECT_EQ(event.node_type, NodeType::kUnknown);
}

TEST(NdjsonEventReader, RequiredFieldsMissing) {
  struct Case {
    std::string_view line;
    std::string_view field;
  };
  for (
      const Case& c : {
          Case{
              R"({"parcel_id": "373500000000001234", "type": "arrived", "time": "2026-03-02T05:14:09Z"})",
              "event_id"},
          Case{R"({"event_id": "e", "type": "arrived", "time": "2026-03-02T05:14:09Z"})",
               "parcel_id"},
          Case{
              R"({"event_id": "e", "parcel_id": "373500000000001234", "time": "2026-03-02T05:14:09Z"})",
              "type"},
          Case{R"({"event_id": "e", "parcel_id": "373500000000001234", "type": "arrived"})",
               "time"},
          Case{
              R"({"event_id": "", "parcel_id": "373500000000001234", "type": "arrived", "time": "2026-03-02T05:14:09Z"})",
              "event_id"},
          Case{
              R"({"event_id": null, "parcel_id": "373500000000001234", "type": "arrived", "time": "2026-03-02T05:14:09Z"})",
              "event_id"},
      }) {
    EventError error = OnlyError(c.line);
    EXPECT_EQ(error.field, c.field) << c.line;
    EXPECT_EQ(error.reason, "missing_field") << c.line;
    EXPECT_THAT(error.message, HasSubstr(std::string(c.field) + " is missing")) << c.line;
  }
}

TEST(NdjsonEventReader, WrongTypeRejected) {
  EventError error =
      OnlyError(R"({"event_id": 17, "parcel_id": "373500000000001234", "type": "arrived", )"
                R"("time": "2026-03-02T05:14:09Z"})");
  EXPECT_EQ(error.field, "event_id");
  EXPECT_EQ(error.reason, "invalid_value");
  EXPECT_EQ(error.message, "event_id must be a string, not a number.");
}

TEST(NdjsonEventReader, InvalidParcelIdRejected) {
  EventError error =
      OnlyError(R"({"event_id": "e", "parcel_id": "RR123456784SE", "type": "arrived", )"
                R"("time": "2026-03-02T05:14:09Z"})");
  EXPECT_EQ(error.field, "parcel_id");
  EXPECT_EQ(error.reason, "invalid_value");
  EXPECT_THAT(error.message, HasSubstr("requires 5"));
}

TEST(NdjsonEventReader, UnknownTypeListsTypes) {
  EventError error =
      OnlyError(R"({"event_id": "e", "parcel_id": "373500000000001234", "type": "arrive", )"
                R"("time": "2026-03-02T05:14:09Z"})");
  EXPECT_EQ(error.field, "type");
  EXPECT_EQ(error.reason, "invalid_value");
  EXPECT_THAT(error.message, HasSubstr("'arrive' is not a scan type"));
  EXPECT_THAT(error.message, HasSubstr("accepted, arrived, sorted"));
  EXPECT_THAT(error.message, HasSubstr("claim_not_received, found."));
}

TEST(NdjsonEventReader, OfficerDeclarationNotCarrierType) {
  // Only a security officer declares a parcel lost, through the API; a feed may not forge it.
  EventError error =
      OnlyError(R"({"event_id": "e", "parcel_id": "373500000000001234", "type": "declared_lost", )"
                R"("time": "2026-03-02T05:14:09Z"})");
  EXPECT_EQ(error.field, "type");
  EXPECT_EQ(error.reason, "invalid_value");
  EXPECT_THAT(error.message, HasSubstr("'declared_lost' is not a scan type"));
}

TEST(NdjsonEventReader, TimeWithoutOffsetRejected) {
  EventError error =
      OnlyError(R"({"event_id": "e", "parcel_id": "373500000000001234", "type": "arrived", )"
                R"("time": "2026-03-02T05:14:09"})");
  EXPECT_EQ(error.field, "time");
  EXPECT_EQ(error.reason, "invalid_value");
  EXPECT_THAT(error.message, HasSubstr("offset"));
}

TEST(NdjsonEventReader, InvalidReceivedRejected) {
  EventError error = OnlyError(Event(R"(, "received": "yesterday")"));
  EXPECT_EQ(error.field, "received");
  EXPECT_EQ(error.reason, "invalid_value");
}

TEST(NdjsonEventReader, UnknownNodeTypeRejected) {
  EventError error = OnlyError(Event(R"(, "node_type": "depot")"));
  EXPECT_EQ(error.field, "node_type");
  EXPECT_THAT(error.message, HasSubstr("'depot' is not one of terminal"));
}

TEST(NdjsonEventReader, WeightForms) {
  EXPECT_EQ(OnlyEvent(Event(R"(, "weight_g": 402.4)")).weight_g, 402);
  EXPECT_EQ(OnlyEvent(Event(R"(, "weight_g": 0)")).weight_g, 0);
  EXPECT_EQ(OnlyError(Event(R"(, "weight_g": -3)")).field, "weight_g");
  EXPECT_EQ(OnlyError(Event(R"(, "weight_g": 1e12)")).field, "weight_g");
  EventError error = OnlyError(Event(R"(, "weight_g": "402")"));
  EXPECT_EQ(error.field, "weight_g");
  EXPECT_THAT(error.message, HasSubstr("not a string"));
}

TEST(NdjsonEventReader, OptionalStringWrongType) {
  EventError error = OnlyError(Event(R"(, "node": 5)"));
  EXPECT_EQ(error.field, "node");
  EXPECT_EQ(error.reason, "invalid_value");
}

TEST(NdjsonEventReader, NotJsonRejected) {
  EventError error = OnlyError("{\"event_id\": \"e\",");
  EXPECT_EQ(error.line, 1);
  EXPECT_EQ(error.field, "");
  EXPECT_EQ(error.reason, "json");
  EXPECT_THAT(error.message, HasSubstr("not a valid JSON object"));
}

TEST(NdjsonEventReader, TrailingTextRejected) {
  EXPECT_EQ(OnlyError(Event() + " x").reason, "json");
  EXPECT_EQ(OnlyError(Event() + Event()).reason, "json");
}

TEST(NdjsonEventReader, InvalidUtf8Rejected) {
  EXPECT_EQ(OnlyError(Event(", \"detail\": \"G\xf6teborg\"")).reason, "json");
}

TEST(NdjsonEventReader, NonObjectRejected) {
  EventError error = OnlyError("[1, 2]");
  EXPECT_EQ(error.reason, "json");
  EXPECT_THAT(error.message, HasSubstr("is an array, but an event must be a JSON object"));
}

TEST(NdjsonEventReader, LongLineRejectedAndNextRead) {
  std::string long_line = Event(", \"detail\": \"" + std::string(70000, 'x') + "\"");
  Collected collected = ParseAll(long_line + "\n" + Event() + "\n");
  ASSERT_EQ(collected.errors.size(), 1u);
  EXPECT_EQ(collected.errors[0].line, 1);
  EXPECT_EQ(collected.errors[0].reason, "line_too_long");
  EXPECT_EQ(collected.events.size(), 1u);
}

TEST(NdjsonEventReader, LineUnderLimitRead) {
  ScanEvent event = OnlyEvent(Event(", \"detail\": \"" + std::string(60000, 'x') + "\""));
  EXPECT_EQ(event.detail.size(), 60000u);
}

TEST(NdjsonEventReader, DeepNestingRejected) {
  EventError error = OnlyError(Event(", \"x\": " + std::string(40, '[') + std::string(40, ']')));
  EXPECT_EQ(error.reason, "too_deep");
}

TEST(NdjsonEventReader, LineNumbersCountBlankLines) {
  Collected collected =
      ParseAll("\xEF\xBB\xBF" + Event() + "\r\n\r\n   \n" + "{bad}\r\n" + Event() + "\n" + "[]");
  EXPECT_EQ(collected.events.size(), 2u);
  ASSERT_EQ(collected.errors.size(), 2u);
  EXPECT_EQ(collected.errors[0].line, 4);
  EXPECT_EQ(collected.errors[1].line, 6);
}

TEST(NdjsonEventReader, FirstLineOffsetsNumbers) {
  Collected collected = ParseAll(Event() + "\nnope\n", 101);
  ASSERT_EQ(collected.errors.size(), 1u);
  EXPECT_EQ(collected.errors[0].line, 102);
}

TEST(NdjsonEventReader, EventsInFileOrder) {
  std::string text;
  for (int i = 0; i < 100; ++i) {
    text += R"({"event_id": "e-)" + std::to_string(i) +
            R"(", "parcel_id": "373500000000001234", "type": "sorted", )"
            R"("time": "2026-03-02T05:14:09Z", "detail": ")" +
            std::string(static_cast<std::size_t>(i) * 50, 'd') + "\"}\n";
  }
  Collected collected = ParseAll(text);
  ASSERT_EQ(collected.events.size(), 100u);
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(collected.events[static_cast<std::size_t>(i)].event_id, "e-" + std::to_string(i));
  }
}

TEST(NdjsonEventReader, ReaderReusedAcrossCalls) {
  NdjsonEventReader reader;
  int events = 0;
  int errors = 0;
  auto on_event = [&](const ScanEventView&) { ++events; };
  auto on_error = [&](const EventError&) { ++errors; };
  reader.Parse(Event(), on_event, on_error);
  reader.Parse("{", on_event, on_error);
  reader.Parse(Event(), on_event, on_error);
  EXPECT_EQ(events, 2);
  EXPECT_EQ(errors, 1);
}

}  // namespace
}  // namespace imeiguard
