#include "epcis/epcis_document.h"

#include <boost/json.hpp>
#include <cmath>

#include "epcis/event_hash.h"
#include "identifiers/text.h"

namespace imeiguard::epcis {
namespace {

namespace json = boost::json;

constexpr std::string_view kEventTypeNames[] = {"ObjectEvent", "AggregationEvent",
                                                "TransactionEvent", "TransformationEvent",
                                                "AssociationEvent"};

// Carries the event being read and the first problem found in it.
class EventReader {
 public:
  EventReader(const json::object& object, int index) : object_(object) { error_.index = index; }

  bool failed() const { return failed_; }
  EventError TakeError() { return std::move(error_); }

  void Fail(std::string field, std::string reason, std::string message) {
    if (failed_) return;
    failed_ = true;
    error_.field = std::move(field);
    error_.reason = std::move(reason);
    error_.message = std::move(message);
  }

  // The string member `name`: "" when absent; a failure when present but not a string, or absent
  // and `required`.
  std::string String(std::string_view name, bool required) {
    const json::value* value = object_.if_contains(name);
    if (value == nullptr || value->is_null()) {
      if (required) Fail(std::string(name), "missing_field", std::string(name) + " is required");
      return "";
    }
    if (!value->is_string()) {
      Fail(std::string(name), "invalid_value", std::string(name) + " must be a string");
      return "";
    }
    return std::string(value->get_string());
  }

  Timestamp Time(std::string_view name, std::string_view text) {
    Result<Timestamp> time = ParseRfc3339(text);
    if (!time.ok()) {
      Fail(std::string(name), "invalid_value",
           std::string(name) + " " + QuoteForMessage(text) +
               " is not a date-time with a time zone offset, such as 2026-03-02T06:14:09+01:00");
      return Timestamp{};
    }
    return *time;
  }

  std::vector<std::string> Strings(const json::object& object, std::string_view name,
                                   std::string_view path) {
    std::vector<std::string> strings;
    const json::value* value = object.if_contains(name);
    if (value == nullptr || value->is_null()) return strings;
    if (!value->is_array()) {
      Fail(std::string(path), "invalid_value", std::string(path) + " must be a list of strings");
      return strings;
    }
    for (const json::value& element : value->get_array()) {
      if (!element.is_string()) {
        Fail(std::string(path), "invalid_value", std::string(path) + " must be a list of strings");
        return {};
      }
      strings.emplace_back(element.get_string());
    }
    return strings;
  }

  // The id of a readPoint or bizLocation: "" when absent.
  std::string LocationId(std::string_view name) {
    const json::value* value = object_.if_contains(name);
    if (value == nullptr || value->is_null()) return "";
    const json::value* id = value->is_object() ? value->get_object().if_contains("id") : nullptr;
    if (id == nullptr || !id->is_string() || id->get_string().empty()) {
      Fail(std::string(name) + ".id", "invalid_value",
           std::string(name) + " must be an object with a non-empty id");
      return "";
    }
    return std::string(id->get_string());
  }

 private:
  const json::object& object_;
  EventError error_;
  bool failed_ = false;
};

// Whether `text` is a time zone offset as EPCIS writes it: "+01:00", "-06:00", "Z" is not one.
bool IsTimeZoneOffset(std::string_view text) {
  if (text.size() != 6 || (text[0] != '+' && text[0] != '-') || text[3] != ':') return false;
  for (std::size_t i : {1, 2, 4, 5}) {
    if (!IsAsciiDigit(text[i])) return false;
  }
  int hours = (text[1] - '0') * 10 + (text[2] - '0');
  int minutes = (text[4] - '0') * 10 + (text[5] - '0');
  return hours <= 14 && minutes < 60;
}

std::optional<ErrorDeclaration> ReadErrorDeclaration(const json::object& event,
                                                     EventReader& reader) {
  const json::value* value = event.if_contains("errorDeclaration");
  if (value == nullptr || value->is_null()) return std::nullopt;
  if (!value->is_object()) {
    reader.Fail("errorDeclaration", "invalid_value", "errorDeclaration must be an object");
    return std::nullopt;
  }
  const json::object& declaration = value->get_object();
  ErrorDeclaration result;
  const json::value* time = declaration.if_contains("declarationTime");
  if (time == nullptr || !time->is_string()) {
    reader.Fail("errorDeclaration.declarationTime", "missing_field",
                "errorDeclaration.declarationTime is required");
    return std::nullopt;
  }
  result.declaration_time = reader.Time("errorDeclaration.declarationTime", time->get_string());
  if (const json::value* reason = declaration.if_contains("reason");
      reason && reason->is_string()) {
    result.reason = std::string(reason->get_string());
  }
  result.corrective_event_ids =
      reader.Strings(declaration, "correctiveEventIDs", "errorDeclaration.correctiveEventIDs");
  return result;
}

// The weight in grams of a gs1:Weight sensor report, or std::nullopt.
std::optional<std::int32_t> ReportWeight(const json::object& report, const Prefixes& prefixes) {
  const json::value* type = report.if_contains("type");
  const json::value* value = report.if_contains("value");
  const json::value* uom = report.if_contains("uom");
  if (type == nullptr || !type->is_string() || value == nullptr || !value->is_number() ||
      uom == nullptr || !uom->is_string()) {
    return std::nullopt;
  }
  std::string type_iri = prefixes.Expand(type->get_string());
  if (type_iri != "Weight" && type_iri != "https://gs1.org/voc/Weight") return std::nullopt;
  double grams_per_unit = 0;
  if (uom->get_string() == "KGM") grams_per_unit = 1000;
  if (uom->get_string() == "GRM") grams_per_unit = 1;
  if (uom->get_string() == "LBR") grams_per_unit = 453.59237;
  double grams = value->to_number<double>() * grams_per_unit;
  if (grams_per_unit == 0 || !(grams >= 0) || grams > 1e9) return std::nullopt;
  return static_cast<std::int32_t>(std::lround(grams));
}

std::optional<std::int32_t> SensorWeight(const json::object& event, const Prefixes& prefixes) {
  std::optional<std::int32_t> weight;
  const json::value* elements = event.if_contains("sensorElementList");
  if (elements == nullptr || !elements->is_array()) return weight;
  for (const json::value& element : elements->get_array()) {
    const json::value* reports =
        element.is_object() ? element.get_object().if_contains("sensorReport") : nullptr;
    if (reports == nullptr || !reports->is_array()) continue;
    for (const json::value& report : reports->get_array()) {
      if (!report.is_object()) continue;
      if (auto grams = ReportWeight(report.get_object(), prefixes)) weight = grams;
    }
  }
  return weight;
}

// The bare CBV term of a standard value, else the expanded IRI.
std::string Term(Vocabulary vocabulary, std::string_view value, const Prefixes& prefixes) {
  if (value.empty()) return "";
  std::string term = StandardTerm(vocabulary, value, prefixes);
  return term.empty() ? prefixes.Expand(value) : term;
}

void CheckActionAndParent(EventReader& reader, Event& event) {
  if (event.type == EventType::kTransformation) return;
  if (event.action.empty()) {
    reader.Fail("action", "missing_field",
                std::string(EventTypeName(event.type)) + " needs an action");
    return;
  }
  if (event.action != "ADD" && event.action != "OBSERVE" && event.action != "DELETE") {
    reader.Fail("action", "invalid_value",
                "action " + QuoteForMessage(event.action) + " is not ADD, OBSERVE or DELETE");
    return;
  }
  // EPCIS 2.0 lets an AggregationEvent omit parentID only when it observes; an
  // AssociationEvent always names its parent.
  bool needs_parent = event.type == EventType::kAssociation ||
                      (event.type == EventType::kAggregation && event.action != "OBSERVE");
  if (needs_parent && event.parent_id.empty()) {
    reader.Fail("parentID", "missing_field",
                std::string(EventTypeName(event.type)) + " with action " + event.action +
                    " needs a parentID");
  }
}

void CheckFieldLengths(EventReader& reader, const Event& event, std::size_t max_bytes) {
  const std::pair<std::string_view, const std::string*> fields[] = {
      {"eventID", &event.event_id},
      {"bizStep", &event.biz_step},
      {"disposition", &event.disposition},
      {"readPoint.id", &event.read_point},
      {"bizLocation.id", &event.biz_location}};
  for (const auto& [name, value] : fields) {
    if (value->size() <= max_bytes) continue;
    reader.Fail(std::string(name), "field_too_long",
                std::string(name) + " has " + std::to_string(value->size()) +
                    " bytes; send at most " + std::to_string(max_bytes));
  }
}

// Reads one member of the event list into `event`, or returns the error.
std::optional<EventError> ReadEvent(const json::value& value, int index,
                                    const DocumentLimits& limits, const Prefixes& prefixes,
                                    Event& event) {
  if (!value.is_object()) {
    return EventError{index, "", "", "invalid_event",
                      "event " + std::to_string(index) + " is not a JSON object"};
  }
  const json::object& object = value.get_object();
  EventReader reader(object, index);
  event.index = index;
  event.event_id = reader.String("eventID", false);
  std::string type = reader.String("type", true);
  if (!reader.failed()) {
    std::optional<EventType> parsed = ParseEventType(type);
    if (!parsed) {
      reader.Fail("type", "unsupported_event_type",
                  "event type " + QuoteForMessage(type) +
                      " is not an EPCIS 2.0 event type (ObjectEvent, AggregationEvent, "
                      "TransactionEvent, TransformationEvent or AssociationEvent)");
    } else {
      event.type = *parsed;
    }
  }
  std::string time = reader.String("eventTime", true);
  if (!reader.failed()) event.event_time = reader.Time("eventTime", time);
  event.event_time_zone_offset = reader.String("eventTimeZoneOffset", true);
  if (!reader.failed() && !IsTimeZoneOffset(event.event_time_zone_offset)) {
    reader.Fail("eventTimeZoneOffset", "invalid_value",
                "eventTimeZoneOffset " + QuoteForMessage(event.event_time_zone_offset) +
                    " is not an offset such as +01:00");
  }
  event.action = reader.String("action", false);
  event.parent_id = reader.String("parentID", false);
  if (!reader.failed()) CheckActionAndParent(reader, event);
  event.epc_list = reader.Strings(object, "epcList", "epcList");
  event.child_epcs = reader.Strings(object, "childEPCs", "childEPCs");
  event.biz_step = Term(Vocabulary::kBizStep, reader.String("bizStep", false), prefixes);
  event.disposition = Term(Vocabulary::kDisposition, reader.String("disposition", false), prefixes);
  event.read_point = reader.LocationId("readPoint");
  event.biz_location = reader.LocationId("bizLocation");
  event.error_declaration = ReadErrorDeclaration(object, reader);
  CheckFieldLengths(reader, event, limits.max_field_bytes);
  if (reader.failed()) {
    EventError error = reader.TakeError();
    error.event_id = event.event_id;
    return error;
  }
  event.weight_g = SensorWeight(object, prefixes);
  event.event_hash = EventHashId(object, prefixes);
  event.body = object;
  return std::nullopt;
}

// The document's prefixes and context from its @context (a string, an object or a list of both).
void ReadContext(const json::object& root, Document& document) {
  const json::value* context = root.if_contains("@context");
  if (context == nullptr) return;
  json::array entries = context->is_array() ? context->get_array() : json::array{*context};
  for (const json::value& entry : entries) {
    if (!entry.is_object()) continue;
    for (const auto& member : entry.get_object()) {
      if (member.value().is_string()) {
        document.prefixes.Add(std::string(member.key()), std::string(member.value().get_string()));
      }
    }
  }
  document.context = std::move(entries);
}

// The event list of a document, or nullptr when it has none where its type puts one.
const json::array* FindEventList(const json::value& root, Document& document) {
  if (root.is_array()) return &root.get_array();
  if (!root.is_object()) return nullptr;
  const json::object& object = root.get_object();
  if (const json::value* type = object.if_contains("type"); type && type->is_string()) {
    document.type = std::string(type->get_string());
  }
  const json::value* body = object.if_contains("epcisBody");
  if (body == nullptr || !body->is_object()) return nullptr;
  const json::value* list = nullptr;
  if (document.type == "EPCISDocument") {
    list = body->get_object().if_contains("eventList");
  } else if (document.type == "EPCISQueryDocument") {
    const json::value* results = body->get_object().if_contains("queryResults");
    const json::value* results_body = results && results->is_object()
                                          ? results->get_object().if_contains("resultsBody")
                                          : nullptr;
    list = results_body && results_body->is_object()
               ? results_body->get_object().if_contains("eventList")
               : nullptr;
  }
  return list != nullptr && list->is_array() ? &list->get_array() : nullptr;
}

}  // namespace

std::string_view EventTypeName(EventType type) {
  return kEventTypeNames[static_cast<std::size_t>(type)];
}

std::optional<EventType> ParseEventType(std::string_view text) {
  for (std::size_t i = 0; i < std::size(kEventTypeNames); ++i) {
    if (kEventTypeNames[i] == text) return static_cast<EventType>(i);
  }
  return std::nullopt;
}

std::string Event::ArchiveKey() const {
  return error_declaration ? event_hash + "#errorDeclaration" : event_hash;
}

Result<Document> ParseDocument(std::string_view text, const DocumentLimits& limits) {
  json::parse_options options;
  options.max_depth = static_cast<std::size_t>(limits.max_depth);
  boost::system::error_code error;
  json::value root = json::parse(text, error, {}, options);
  if (error == json::error::too_deep) {
    return Error::InvalidInput("too_deep", "the document nests deeper than " +
                                               std::to_string(limits.max_depth) + " levels");
  }
  if (error) {
    return Error::InvalidInput("json", "the document is not valid JSON: " + error.message());
  }

  Document document;
  if (root.is_object()) {
    ReadContext(root.get_object(), document);
    if (const json::value* version = root.get_object().if_contains("schemaVersion")) {
      if (!version->is_string() || !version->get_string().starts_with("2.")) {
        return Error::InvalidInput("schema_version",
                                   "schemaVersion must be 2.0 (EPCIS 2.0); this endpoint does "
                                   "not take EPCIS 1.x documents");
      }
    }
  }
  const json::array* events = FindEventList(root, document);
  if (events == nullptr) {
    return Error::InvalidInput(
        "not_epcis_document",
        "the body is not an EPCISDocument with epcisBody.eventList, an EPCISQueryDocument with "
        "epcisBody.queryResults.resultsBody.eventList, or a JSON array of events");
  }
  if (events->size() > limits.max_events) {
    return Error::InvalidInput("capture_limit",
                               "the document has " + std::to_string(events->size()) +
                                   " events; send at most " + std::to_string(limits.max_events));
  }

  document.event_count = static_cast<int>(events->size());
  document.events.reserve(events->size());
  for (std::size_t i = 0; i < events->size(); ++i) {
    Event event;
    if (auto failure =
            ReadEvent((*events)[i], static_cast<int>(i), limits, document.prefixes, event)) {
      document.errors.push_back(std::move(*failure));
    } else {
      document.events.push_back(std::move(event));
    }
  }
  return document;
}

}  // namespace imeiguard::epcis
