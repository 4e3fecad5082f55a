#include "store/column_values.h"

#include <boost/json.hpp>

namespace imeiguard::sqlite {
namespace {

Error CorruptEvidence(std::string_view problem) {
  return Error::Internal("corrupt_evidence", "stored evidence is not the JSON the store writes: " +
                                                 std::string(problem));
}

}  // namespace

std::optional<LockAction> ParseLockActionColumn(std::string_view text) {
  for (LockAction action : {LockAction::kLock, LockAction::kUnlock}) {
    if (text == LockActionName(action)) return action;
  }
  return std::nullopt;
}

std::string EvidenceToJson(const std::vector<Evidence>& evidence) {
  boost::json::array array;
  array.reserve(evidence.size());
  for (const Evidence& fact : evidence) {
    array.push_back(boost::json::object{
        {"rule", fact.rule},
        {"at", ToMillis(fact.at)},
        {"event_id", fact.event_id},
        {"detail", fact.detail},
    });
  }
  return boost::json::serialize(array);
}

Result<std::vector<Evidence>> ParseEvidenceJson(std::string_view json) {
  boost::system::error_code parse_error;
  boost::json::value value = boost::json::parse(json, parse_error);
  if (parse_error) return CorruptEvidence(parse_error.message());
  if (!value.is_array()) return CorruptEvidence("not an array");

  std::vector<Evidence> evidence;
  evidence.reserve(value.as_array().size());
  for (const boost::json::value& element : value.as_array()) {
    const boost::json::object* object = element.if_object();
    if (object == nullptr) return CorruptEvidence("an element is not an object");
    const boost::json::value* rule = object->if_contains("rule");
    const boost::json::value* at = object->if_contains("at");
    const boost::json::value* event_id = object->if_contains("event_id");
    const boost::json::value* detail = object->if_contains("detail");
    if (rule == nullptr || !rule->is_string() || at == nullptr || !at->is_int64() ||
        event_id == nullptr || !event_id->is_string() || detail == nullptr ||
        !detail->is_string()) {
      return CorruptEvidence("an element lacks rule, at, event_id or detail");
    }
    evidence.push_back(Evidence{
        .rule = std::string(rule->get_string()),
        .at = FromMillis(at->get_int64()),
        .event_id = std::string(event_id->get_string()),
        .detail = std::string(detail->get_string()),
    });
  }
  return evidence;
}

}  // namespace imeiguard::sqlite
