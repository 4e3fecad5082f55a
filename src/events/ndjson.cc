#include "events/ndjson.h"

#include <array>
#include <boost/json.hpp>
#include <cmath>
#include <cstring>
#include <exception>
#include <limits>

#include "core/json_kind.h"
#include "identifiers/parcel_id.h"
#include "identifiers/text.h"

namespace imeiguard {
namespace {

namespace json = boost::json;

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

// The fields the reader takes from an event object; any other key is ignored.
enum class EventField : std::size_t {
  kEventId,
  kParcelId,
  kType,
  kTime,
  kReceived,
  kNode,
  kNodeType,
  kHandler,
  kWeightG,
  kNextNode,
  kDetail,
};
constexpr std::size_t kEventFieldCount = 11;
constexpr std::string_view kEventFieldNames[kEventFieldCount] = {
    "event_id",  "parcel_id", "type",     "time",      "received", "node",
    "node_type", "handler",   "weight_g", "next_node", "detail"};

using FieldValues = std::array<const json::value*, kEventFieldCount>;

std::optional<EventField> EventFieldNamed(std::string_view key) {
  for (std::size_t i = 0; i < kEventFieldCount; ++i) {
    if (kEventFieldNames[i] == key) return static_cast<EventField>(i);
  }
  return std::nullopt;
}

std::string_view NameOf(EventField field) {
  return kEventFieldNames[static_cast<std::size_t>(field)];
}

std::string ScanTypeList() {
  std::string list;
  for (int i = 0; i <= static_cast<int>(ScanType::kDeclaredLost); ++i) {
    auto type = static_cast<ScanType>(i);
    if (!IsCarrierScanType(type)) continue;
    if (!list.empty()) list += ", ";
    list += ScanTypeName(type);
  }
  return list;
}

// The first problem found in an event, in field order.
struct FieldProblem {
  EventField field;
  std::string reason;
  std::string message;
};

class EventBuilder {
 public:
  EventBuilder(const FieldValues& values, ParcelIdBuffer& parcel_id_buffer)
      : values_(values), parcel_id_buffer_(parcel_id_buffer) {}

  // Fills `view` from the fields; returns the first problem instead when there is one.
  std::optional<FieldProblem> Build(ScanEventView& view);

 private:
  const json::value* ValueOf(EventField field) const {
    const json::value* value = values_[static_cast<std::size_t>(field)];
    return value == nullptr || value->is_null() ? nullptr : value;
  }
  // Reads a string field. An absent, null or empty one leaves `text` empty and is a problem only
  // when `required` is set.
  bool ReadString(EventField field, bool required, std::string_view& text);
  bool ReadTime(EventField field, bool required, std::optional<Timestamp>& time);
  bool ReadWeight(std::optional<std::int32_t>& weight);
  bool Fail(EventField field, std::string reason, std::string message) {
    problem_ = FieldProblem{field, std::move(reason), std::move(message)};
    return false;
  }

  const FieldValues& values_;
  ParcelIdBuffer& parcel_id_buffer_;
  std::optional<FieldProblem> problem_;
};

bool EventBuilder::ReadString(EventField field, bool required, std::string_view& text) {
  const json::value* value = ValueOf(field);
  if (value != nullptr) {
    const json::string* string = value->if_string();
    if (string == nullptr) {
      return Fail(field, "invalid_value",
                  std::string(NameOf(field)) + " must be a string, not " +
                      std::string(JsonKindName(*value)) + ".");
    }
    text = std::string_view(string->data(), string->size());
  }
  if (text.empty() && required) {
    return Fail(field, "missing_field",
                std::string(NameOf(field)) +
                    " is missing. Every event needs event_id, parcel_id, type and time.");
  }
  return true;
}

bool EventBuilder::ReadTime(EventField field, bool required, std::optional<Timestamp>& time) {
  std::string_view text;
  if (!ReadString(field, required, text)) return false;
  if (text.empty()) return true;
  Result<Timestamp> parsed = ParseRfc3339(text);
  if (!parsed.ok()) {
    return Fail(field, "invalid_value",
                std::string(NameOf(field)) + " is invalid (" + parsed.error().message +
                    "). Write an RFC 3339 time with offset, such as 2026-03-02T06:14:09+01:00.");
  }
  time = *parsed;
  return true;
}

bool EventBuilder::ReadWeight(std::optional<std::int32_t>& weight) {
  const json::value* value = ValueOf(EventField::kWeightG);
  if (value == nullptr) return true;
  constexpr double kMax = std::numeric_limits<std::int32_t>::max();
  double grams = -1;
  if (value->is_int64()) {
    grams = static_cast<double>(value->get_int64());
  } else if (value->is_uint64()) {
    grams = static_cast<double>(value->get_uint64());
  } else if (value->is_double()) {
    // A scale may report fractions of a gram; whole grams are precise enough to spot a phone.
    grams = std::nearbyint(value->get_double());
  } else {
    return Fail(
        EventField::kWeightG, "invalid_value",
        "weight_g must be a number of grams, not " + std::string(JsonKindName(*value)) + ".");
  }
  if (!(grams >= 0 && grams <= kMax)) {
    return Fail(EventField::kWeightG, "invalid_value",
                "weight_g " + json::serialize(*value) +
                    " is out of range. Give the measured weight in grams, from 0 to " +
                    std::to_string(std::numeric_limits<std::int32_t>::max()) + ".");
  }
  weight = static_cast<std::int32_t>(grams);
  return true;
}

std::optional<FieldProblem> EventBuilder::Build(ScanEventView& view) {
  std::string_view parcel_id;
  std::string_view type;
  std::string_view node_type;
  std::optional<Timestamp> time;
  bool ok = ReadString(EventField::kEventId, true, view.event_id) &&
            ReadString(EventField::kParcelId, true, parcel_id) &&
            ReadString(EventField::kType, true, type) && ReadTime(EventField::kTime, true, time);
  if (!ok) return problem_;

  Result<std::string_view> normalized = NormalizeParcelId(parcel_id, parcel_id_buffer_);
  if (!normalized.ok()) {
    Fail(EventField::kParcelId, "invalid_value", normalized.error().message);
    return problem_;
  }
  view.parcel_id = *normalized;
  std::optional<ScanType> scan_type = ParseScanType(type);
  if (!scan_type || !IsCarrierScanType(*scan_type)) {
    static const std::string type_list = ScanTypeList();
    Fail(EventField::kType, "invalid_value",
         "type " + QuoteForMessage(type) + " is not a scan type. Use one of " + type_list + ".");
    return problem_;
  }
  view.type = *scan_type;
  view.time = *time;

  ok = ReadTime(EventField::kReceived, false, view.received) &&
       ReadString(EventField::kNode, false, view.node) &&
       ReadString(EventField::kNodeType, false, node_type) &&
       ReadString(EventField::kHandler, false, view.handler) && ReadWeight(view.weight_g) &&
       ReadString(EventField::kNextNode, false, view.next_node) &&
       ReadString(EventField::kDetail, false, view.detail);
  if (!ok) return problem_;

  if (!node_type.empty()) {
    std::optional<NodeType> parsed = ParseNodeType(node_type);
    if (!parsed) {
      Fail(EventField::kNodeType, "invalid_value",
           "node_type " + QuoteForMessage(node_type) +
               " is not one of terminal, hub, vehicle, service_point, locker, mailbox or "
               "address.");
      return problem_;
    }
    view.node_type = *parsed;
  }
  return std::nullopt;
}

bool IsBlank(std::string_view line) {
  for (char c : line) {
    if (!IsAsciiSpace(c)) return false;
  }
  return true;
}

}  // namespace

struct NdjsonEventReader::Impl {
  // A line longer than this is rejected unread; an event is a few hundred bytes.
  static constexpr std::size_t kMaxLineBytes = std::size_t{64} * 1024;
  // Events are flat objects; the bound leaves room for nested extra fields.
  static constexpr std::size_t kMaxDepth = 32;
  // Room for the parsed value of an ordinary event. A larger one takes heap memory, which is
  // freed with its line.
  static constexpr std::size_t kValueBufferBytes = std::size_t{16} * 1024;
  // The parser's own stack for partial values. A line that needs more takes heap memory.
  static constexpr std::size_t kParserBufferBytes = std::size_t{4} * 1024;

  Impl()
      : resource(value_buffer.data(), value_buffer.size()),
        parser(json::storage_ptr(), ParseOptions(), parser_buffer.data(), parser_buffer.size()) {}

  static json::parse_options ParseOptions() {
    json::parse_options options;
    options.max_depth = kMaxDepth;
    return options;
  }

  void ParseLine(std::string_view line, int line_number,
                 const std::function<void(const ScanEventView&)>& on_event,
                 const std::function<void(const EventError&)>& on_error);
  // Parses `line` into `value`; on failure returns the error to report.
  std::optional<EventError> ParseJson(std::string_view line, int line_number, json::value& value);

  alignas(std::max_align_t) std::array<unsigned char, kValueBufferBytes> value_buffer{};
  std::array<unsigned char, kParserBufferBytes> parser_buffer{};
  json::monotonic_resource resource;
  json::parser parser;
  ParcelIdBuffer parcel_id_buffer{};
};

std::optional<EventError> NdjsonEventReader::Impl::ParseJson(std::string_view line, int line_number,
                                                             json::value& value) {
  json::error_code error;
  std::size_t consumed = 0;
  try {
    // Every line reuses the same memory: release() hands back the buffer of the line before.
    resource.release();
    parser.reset(json::storage_ptr(&resource));
    consumed = parser.write(line.data(), line.size(), error);
    if (!error) value = parser.release();
  } catch (const std::exception& e) {
    return EventError{line_number, "", "json",
                      std::string("the line could not be parsed: ") + e.what() + "."};
  }
  if (!error) return std::nullopt;

  std::string reason = error == json::error::too_deep ? "too_deep" : "json";
  return EventError{line_number, "", std::move(reason),
                    "the line is not a valid JSON object: " + error.message() + " at column " +
                        std::to_string(consumed + 1) + ". Write one JSON object a line."};
}

void NdjsonEventReader::Impl::ParseLine(std::string_view line, int line_number,
                                        const std::function<void(const ScanEventView&)>& on_event,
                                        const std::function<void(const EventError&)>& on_error) {
  if (line.size() > kMaxLineBytes) {
    on_error({line_number, "", "line_too_long",
              "the line has " + std::to_string(line.size()) + " bytes, more than the maximum of " +
                  std::to_string(kMaxLineBytes) + ". Write one event a line."});
    return;
  }
  // Sharing the parser's storage makes the move out of the parser a pointer copy. A value on
  // other storage would take a deep copy of the event.
  json::storage_ptr storage(&resource);
  json::value value(storage);
  if (std::optional<EventError> error = ParseJson(line, line_number, value)) {
    on_error(*error);
    return;
  }
  const json::object* object = value.if_object();
  if (object == nullptr) {
    on_error({line_number, "", "json",
              "the line is " + std::string(JsonKindName(value)) +
                  ", but an event must be a JSON object."});
    return;
  }

  FieldValues values{};
  for (const json::key_value_pair& member : *object) {
    if (std::optional<EventField> field = EventFieldNamed(member.key())) {
      values[static_cast<std::size_t>(*field)] = &member.value();
    }
  }
  ScanEventView view;
  EventBuilder builder(values, parcel_id_buffer);
  if (std::optional<FieldProblem> problem = builder.Build(view)) {
    on_error({line_number, std::string(NameOf(problem->field)), std::move(problem->reason),
              std::move(problem->message)});
    return;
  }
  on_event(view);
}

NdjsonEventReader::NdjsonEventReader() : impl_(std::make_unique<Impl>()) {}

NdjsonEventReader::~NdjsonEventReader() = default;

void NdjsonEventReader::Parse(std::string_view text,
                              const std::function<void(const ScanEventView&)>& on_event,
                              const std::function<void(const EventError&)>& on_error,
                              int first_line) {
  if (text.substr(0, kUtf8Bom.size()) == kUtf8Bom) text.remove_prefix(kUtf8Bom.size());
  int line_number = first_line;
  std::size_t start = 0;
  while (start < text.size()) {
    const void* newline = std::memchr(text.data() + start, '\n', text.size() - start);
    std::size_t end =
        newline == nullptr ? text.size() : static_cast<const char*>(newline) - text.data();
    std::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!IsBlank(line)) impl_->ParseLine(line, line_number, on_event, on_error);
    start = end + 1;
    ++line_number;
  }
}

}  // namespace imeiguard
