// Reader of EPCIS 2.0 JSON-LD documents, as the capture interface of the EPCIS 2.0 REST binding
// takes them: an EPCISDocument (events in epcisBody.eventList), an EPCISQueryDocument (events in
// epcisBody.queryResults.resultsBody.eventList) or a bare JSON array of events.
//
// Pure: no I/O. A document that cannot be read at all is an Error. A document that can be read
// lists its valid events and, separately, an error for each invalid one, so that the caller can
// apply the capture's error behaviour (rollback or proceed).
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/time.h"
#include "epcis/epcis_identifiers.h"

namespace imeiguard::epcis {

enum class EventType : std::uint8_t {
  kObject,
  kAggregation,
  kTransaction,
  kTransformation,
  kAssociation,
};

// "ObjectEvent", "AggregationEvent", ...
std::string_view EventTypeName(EventType type);
std::optional<EventType> ParseEventType(std::string_view text);

struct ErrorDeclaration {
  Timestamp declaration_time;
  std::string reason;  // CBV error reason as written, or "".
  std::vector<std::string> corrective_event_ids;
};

// One valid event, with the fields imeiguard reads and the event as written.
struct Event {
  int index = 0;  // Position in the document's event list, from 0.
  EventType type = EventType::kObject;
  std::string event_id;    // As written; "" when the event has none.
  std::string event_hash;  // The CBV 2.0 event hash ID.
  Timestamp event_time;
  std::string event_time_zone_offset;
  std::string action;  // "ADD", "OBSERVE", "DELETE", or "" for a TransformationEvent.
  std::vector<std::string> epc_list;
  std::string parent_id;
  std::vector<std::string> child_epcs;
  std::string biz_step;      // Bare CBV term ("arriving") of a standard step, else its full IRI.
  std::string disposition;   // Likewise.
  std::string read_point;    // readPoint.id, or "".
  std::string biz_location;  // bizLocation.id, or "".
  // The last weight a sensor report of type gs1:Weight gives, in grams.
  std::optional<std::int32_t> weight_g;
  std::optional<ErrorDeclaration> error_declaration;
  boost::json::object body;  // The event as written.

  // The event's identity: its eventID, or its hash when it has none. An error declaration repeats
  // the identity of the event it declares in error.
  const std::string& Identity() const { return event_id.empty() ? event_hash : event_id; }
  // The key that distinguishes captured events: the hash, marked for an error declaration, because
  // the hash leaves the declaration out and would otherwise equal the declared event's.
  std::string ArchiveKey() const;
};

// An event that is not valid EPCIS 2.0. `field` names the member ("eventTime", "readPoint.id").
struct EventError {
  int index = 0;
  std::string event_id;  // As written, when the event has one.
  std::string field;
  // "invalid_event", "missing_field", "invalid_value", "field_too_long" or
  // "unsupported_event_type".
  std::string reason;
  std::string message;
};

struct Document {
  std::string type;  // "EPCISDocument", "EPCISQueryDocument", or "" for a bare event list.
  Prefixes prefixes;
  boost::json::array context;  // The document's @context, to serve its events with.
  std::vector<Event> events;
  std::vector<EventError> errors;
  int event_count = 0;  // Valid and invalid events.
};

struct DocumentLimits {
  std::size_t max_events = 500;
  int max_depth = 32;
  // Bytes of each field that becomes part of a scan: eventID, bizStep, disposition and the ids of
  // readPoint and bizLocation. A longer one makes the event invalid ("field_too_long").
  std::size_t max_field_bytes = 256;
};

// Reads a document. Every error is kInvalidInput, with one of these reasons:
//   "json"                not JSON;
//   "too_deep"            nested deeper than `limits.max_depth`;
//   "not_epcis_document"  no event list where the document type has one;
//   "schema_version"      a schemaVersion other than 2.x;
//   "capture_limit"       more than `limits.max_events` events (the message names both counts).
Result<Document> ParseDocument(std::string_view text, const DocumentLimits& limits);

}  // namespace imeiguard::epcis
