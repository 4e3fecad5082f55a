#include "epcis/event_hash.h"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <charconv>
#include <cmath>
#include <vector>

#include "core/time.h"
#include "identifiers/text.h"

namespace imeiguard::epcis {
namespace {

namespace json = boost::json;

// Event fields that the CBV names, in canonical order, and the fields it leaves out of the hash.
// Every other member of the event is a user extension.
constexpr std::array<std::string_view, 29> kStandardFields = {"type",
                                                              "eventTime",
                                                              "eventTimeZoneOffset",
                                                              "epcList",
                                                              "parentID",
                                                              "inputEPCList",
                                                              "childEPCs",
                                                              "quantityList",
                                                              "childQuantityList",
                                                              "inputQuantityList",
                                                              "outputEPCList",
                                                              "outputQuantityList",
                                                              "action",
                                                              "transformationID",
                                                              "bizStep",
                                                              "disposition",
                                                              "persistentDisposition",
                                                              "readPoint",
                                                              "bizLocation",
                                                              "bizTransactionList",
                                                              "sourceList",
                                                              "destinationList",
                                                              "sensorElementList",
                                                              "ilmd",
                                                              "eventID",
                                                              "recordTime",
                                                              "errorDeclaration",
                                                              "@context",
                                                              "certificationInfo"};

constexpr std::array<std::string_view, 8> kSensorMetadataFields = {"time",
                                                                   "startTime",
                                                                   "endTime",
                                                                   "deviceID",
                                                                   "deviceMetadata",
                                                                   "rawData",
                                                                   "dataProcessingMethod",
                                                                   "bizRules"};

constexpr std::array<std::string_view, 23> kSensorReportFields = {"type",
                                                                  "exception",
                                                                  "deviceID",
                                                                  "deviceMetadata",
                                                                  "rawData",
                                                                  "dataProcessingMethod",
                                                                  "time",
                                                                  "microorganism",
                                                                  "chemicalSubstance",
                                                                  "value",
                                                                  "component",
                                                                  "stringValue",
                                                                  "booleanValue",
                                                                  "hexBinaryValue",
                                                                  "uriValue",
                                                                  "minValue",
                                                                  "maxValue",
                                                                  "meanValue",
                                                                  "sDev",
                                                                  "percRank",
                                                                  "percValue",
                                                                  "uom",
                                                                  "coordinateReferenceSystem"};

template <std::size_t N>
bool Contains(const std::array<std::string_view, N>& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// A number without trailing zeros: 26.0 is "26", 0.34340 is "0.3434".
std::string CanonicalNumber(const json::value& value) {
  if (value.is_int64()) return std::to_string(value.get_int64());
  if (value.is_uint64()) return std::to_string(value.get_uint64());
  double number = value.get_double();
  std::array<char, 32> buffer{};
  if (std::trunc(number) == number && std::fabs(number) < 1e15) {
    auto [end, error] = std::to_chars(buffer.data(), buffer.data() + buffer.size(),
                                      static_cast<std::int64_t>(number));
    return std::string(buffer.data(), end);
  }
  auto [end, error] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), number);
  return std::string(buffer.data(), end);
}

// An instant in UTC with milliseconds: "2005-04-04T02:33:31.116Z". Text that is not a time with
// an offset is kept as written, trimmed.
std::string CanonicalTime(std::string_view text) {
  text = TrimAsciiSpace(text);
  Result<Timestamp> time = ParseRfc3339(text);
  if (!time.ok()) return std::string(text);
  std::string formatted = FormatRfc3339(*time);
  if (formatted.find('.') == std::string::npos) formatted.insert(formatted.size() - 1, ".000");
  return formatted;
}

std::string ScalarText(const json::value& value) {
  if (value.is_string()) return std::string(TrimAsciiSpace(value.get_string()));
  if (value.is_bool()) return value.get_bool() ? "true" : "false";
  if (value.is_number()) return CanonicalNumber(value);
  return "";
}

// "{namespace}local" of an extension member's name, the form that XML and JSON-LD share.
std::string ExtensionName(std::string_view key, const Prefixes& prefixes) {
  std::string iri = prefixes.Expand(key);
  std::size_t split = iri.find_last_of("/#");
  if (split == std::string::npos || split + 1 == iri.size()) return iri;
  return "{" + iri.substr(0, split + 1) + "}" + iri.substr(split + 1);
}

std::string ExtensionText(std::string_view name, const json::value& value,
                          const Prefixes& prefixes);

// The sorted, concatenated extension members of `object`, skipping the names in `standard`.
template <std::size_t N>
std::string ExtensionMembers(const json::object& object,
                             const std::array<std::string_view, N>& standard,
                             const Prefixes& prefixes) {
  std::vector<std::string> members;
  for (const auto& member : object) {
    if (Contains(standard, member.key()) || member.key().starts_with("@")) continue;
    members.push_back(
        ExtensionText(ExtensionName(member.key(), prefixes), member.value(), prefixes));
  }
  std::sort(members.begin(), members.end());
  std::string text;
  for (const std::string& member : members) text += member;
  return text;
}

constexpr std::array<std::string_view, 0> kNoStandardFields = {};

std::string ExtensionText(std::string_view name, const json::value& value,
                          const Prefixes& prefixes) {
  if (value.is_object()) {
    return std::string(name) + ExtensionMembers(value.get_object(), kNoStandardFields, prefixes);
  }
  if (value.is_array()) {
    std::vector<std::string> elements;
    for (const json::value& element : value.get_array()) {
      elements.push_back(ExtensionText(name, element, prefixes));
    }
    std::sort(elements.begin(), elements.end());
    std::string text;
    for (const std::string& element : elements) text += element;
    return text;
  }
  if (value.is_null()) return std::string(name);
  std::string scalar = ScalarText(value);
  if (value.is_string()) scalar = prefixes.Expand(scalar);
  return std::string(name) + "=" + scalar;
}

// Appends "<list>" and its members, each rendered by `render` and sorted, when `list` is an array.
template <typename Render>
void AppendSortedList(std::string& out, const json::object& event, std::string_view list,
                      Render render) {
  const json::value* value = event.if_contains(list);
  if (value == nullptr || !value->is_array()) return;
  std::vector<std::string> members;
  for (const json::value& member : value->get_array()) members.push_back(render(member));
  std::sort(members.begin(), members.end());
  out += list;
  for (const std::string& member : members) out += member;
}

std::string EpcText(const json::value& value) {
  return value.is_string() ? "epc=" + CanonicalEpc(value.get_string()) : std::string();
}

std::string QuantityText(const json::value& value) {
  if (!value.is_object()) return "";
  const json::object& element = value.get_object();
  std::string text = "quantityElement";
  if (const json::value* epc_class = element.if_contains("epcClass");
      epc_class && epc_class->is_string()) {
    text += "epcClass=" + CanonicalEpc(epc_class->get_string());
  }
  if (const json::value* quantity = element.if_contains("quantity");
      quantity && quantity->is_number()) {
    text += "quantity=" + CanonicalNumber(*quantity);
  }
  if (const json::value* uom = element.if_contains("uom"); uom && uom->is_string()) {
    text += "uom=" + ScalarText(*uom);
  }
  return text;
}

void AppendScalar(std::string& out, const json::object& object, std::string_view name,
                  const std::string& canonical_value) {
  if (!object.contains(name)) return;
  out += name;
  out += "=";
  out += canonical_value;
}

std::string StringMember(const json::object& object, std::string_view name) {
  const json::value* value = object.if_contains(name);
  return value != nullptr && value->is_string() ? std::string(value->get_string()) : "";
}

// "readPointid=<EPC>" with the location's extension members after it.
void AppendLocation(std::string& out, const json::object& event, std::string_view name,
                    const Prefixes& prefixes) {
  const json::value* value = event.if_contains(name);
  if (value == nullptr || !value->is_object()) return;
  constexpr std::array<std::string_view, 1> kLocationFields = {"id"};
  out += name;
  out += "id=" + CanonicalEpc(StringMember(value->get_object(), "id"));
  out += ExtensionMembers(value->get_object(), kLocationFields, prefixes);
}

// "<member>=<id>type=<type>" of a business transaction, source or destination.
std::string TypedReference(const json::value& value, std::string_view member, Vocabulary vocabulary,
                           const Prefixes& prefixes) {
  if (!value.is_object()) return "";
  const json::object& reference = value.get_object();
  std::string id = StringMember(reference, member);
  std::string text =
      std::string(member) + "=" +
      (vocabulary == Vocabulary::kBizTransactionType ? prefixes.Expand(TrimAsciiSpace(id))
                                                     : CanonicalEpc(id));
  if (reference.contains("type")) {
    text += "type=" + CanonicalVocabulary(vocabulary, StringMember(reference, "type"), prefixes);
  }
  return text;
}

// One sensor field: times canonical, identifiers canonical EPCs, the report's type expanded.
std::string SensorFieldText(std::string_view field, const json::value& value,
                            const Prefixes& prefixes) {
  std::string text = std::string(field) + "=";
  if (!value.is_string()) return text + ScalarText(value);
  std::string_view string = value.get_string();
  if (field == "time" || field == "startTime" || field == "endTime")
    return text + CanonicalTime(string);
  if (field == "deviceID" || field == "deviceMetadata" || field == "rawData") {
    return text + CanonicalEpc(string);
  }
  if (field == "type" || field == "exception") {
    std::string_view trimmed = TrimAsciiSpace(string);
    if (trimmed.find(':') == std::string_view::npos)
      return text + "https://gs1.org/voc/" + std::string(trimmed);
  }
  return text + prefixes.Expand(TrimAsciiSpace(string));
}

template <std::size_t N>
std::string SensorPart(std::string_view name, const json::object& part,
                       const std::array<std::string_view, N>& fields, const Prefixes& prefixes) {
  std::string text(name);
  for (std::string_view field : fields) {
    if (const json::value* value = part.if_contains(field)) {
      text += SensorFieldText(field, *value, prefixes);
    }
  }
  return text + ExtensionMembers(part, fields, prefixes);
}

std::string SensorElementText(const json::value& value, const Prefixes& prefixes) {
  if (!value.is_object()) return "";
  const json::object& element = value.get_object();
  std::string text = "sensorElement";
  if (const json::value* metadata = element.if_contains("sensorMetadata");
      metadata && metadata->is_object()) {
    text += SensorPart("sensorMetadata", metadata->get_object(), kSensorMetadataFields, prefixes);
  }
  if (const json::value* reports = element.if_contains("sensorReport");
      reports && reports->is_array()) {
    std::vector<std::string> texts;
    for (const json::value& report : reports->get_array()) {
      if (report.is_object()) {
        texts.push_back(
            SensorPart("sensorReport", report.get_object(), kSensorReportFields, prefixes));
      }
    }
    std::sort(texts.begin(), texts.end());
    for (const std::string& report : texts) text += report;
  }
  constexpr std::array<std::string_view, 2> kElementFields = {"sensorMetadata", "sensorReport"};
  return text + ExtensionMembers(element, kElementFields, prefixes);
}

void AppendPersistentDisposition(std::string& out, const json::object& event,
                                 const Prefixes& prefixes) {
  const json::value* value = event.if_contains("persistentDisposition");
  if (value == nullptr || !value->is_object()) return;
  out += "persistentDisposition";
  for (std::string_view part : {"set", "unset"}) {
    const json::value* list = value->get_object().if_contains(part);
    if (list == nullptr || !list->is_array()) continue;
    std::vector<std::string> terms;
    for (const json::value& term : list->get_array()) {
      if (term.is_string()) {
        terms.push_back(std::string(part) + "=" +
                        CanonicalVocabulary(Vocabulary::kDisposition, term.get_string(), prefixes));
      }
    }
    std::sort(terms.begin(), terms.end());
    for (const std::string& term : terms) out += term;
  }
}

std::string Hex(const unsigned char* bytes, unsigned int size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(size * 2);
  for (unsigned int i = 0; i < size; ++i) {
    hex.push_back(kDigits[bytes[i] >> 4]);
    hex.push_back(kDigits[bytes[i] & 0xF]);
  }
  return hex;
}

}  // namespace

std::string CanonicalPreHash(const json::object& event, const Prefixes& prefixes) {
  std::string out;
  out.reserve(512);

  // What happened, when, and to which objects.
  if (event.contains("type")) out += "eventType=" + StringMember(event, "type");
  AppendScalar(out, event, "eventTime", CanonicalTime(StringMember(event, "eventTime")));
  AppendScalar(out, event, "eventTimeZoneOffset",
               std::string(TrimAsciiSpace(StringMember(event, "eventTimeZoneOffset"))));
  AppendSortedList(out, event, "epcList", EpcText);
  AppendScalar(out, event, "parentID", CanonicalEpc(StringMember(event, "parentID")));
  AppendSortedList(out, event, "inputEPCList", EpcText);
  AppendSortedList(out, event, "childEPCs", EpcText);
  AppendSortedList(out, event, "quantityList", QuantityText);
  AppendSortedList(out, event, "childQuantityList", QuantityText);
  AppendSortedList(out, event, "inputQuantityList", QuantityText);
  AppendSortedList(out, event, "outputEPCList", EpcText);
  AppendSortedList(out, event, "outputQuantityList", QuantityText);

  // Why and where.
  AppendScalar(out, event, "action", std::string(TrimAsciiSpace(StringMember(event, "action"))));
  AppendScalar(out, event, "transformationID",
               CanonicalEpc(StringMember(event, "transformationID")));
  AppendScalar(out, event, "bizStep",
               CanonicalVocabulary(Vocabulary::kBizStep, StringMember(event, "bizStep"), prefixes));
  AppendScalar(
      out, event, "disposition",
      CanonicalVocabulary(Vocabulary::kDisposition, StringMember(event, "disposition"), prefixes));
  AppendPersistentDisposition(out, event, prefixes);
  AppendLocation(out, event, "readPoint", prefixes);
  AppendLocation(out, event, "bizLocation", prefixes);

  // Business context, sensor data, then everything the standard does not name.
  AppendSortedList(out, event, "bizTransactionList", [&](const json::value& value) {
    return TypedReference(value, "bizTransaction", Vocabulary::kBizTransactionType, prefixes);
  });
  AppendSortedList(out, event, "sourceList", [&](const json::value& value) {
    return TypedReference(value, "source", Vocabulary::kSourceDestType, prefixes);
  });
  AppendSortedList(out, event, "destinationList", [&](const json::value& value) {
    return TypedReference(value, "destination", Vocabulary::kSourceDestType, prefixes);
  });
  AppendSortedList(out, event, "sensorElementList",
                   [&](const json::value& value) { return SensorElementText(value, prefixes); });
  if (const json::value* ilmd = event.if_contains("ilmd"); ilmd && ilmd->is_object()) {
    out += "ilmd" + ExtensionMembers(ilmd->get_object(), kNoStandardFields, prefixes);
  }
  out += ExtensionMembers(event, kStandardFields, prefixes);
  return out;
}

std::string EventHashId(const json::object& event, const Prefixes& prefixes) {
  std::string pre_hash = CanonicalPreHash(event, prefixes);
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  EVP_Digest(pre_hash.data(), pre_hash.size(), digest.data(), &size, EVP_sha256(), nullptr);
  return "ni:///sha-256;" + Hex(digest.data(), size) + "?ver=CBV2.0";
}

}  // namespace imeiguard::epcis
