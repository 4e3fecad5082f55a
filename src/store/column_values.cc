#include "store/column_values.h"

#include <array>
#include <boost/json.hpp>
#include <utility>

namespace imeiguard::sqlite {
namespace {

template <typename Enum, std::size_t N>
using NameTable = std::array<std::pair<Enum, std::string_view>, N>;

constexpr NameTable<Verdict, 6> kVerdicts = {{
    {Verdict::kInFlow, "in_flow"},
    {Verdict::kDelivered, "delivered"},
    {Verdict::kReturned, "returned"},
    {Verdict::kSuspect, "suspect"},
    {Verdict::kLost, "lost"},
    {Verdict::kRecovered, "recovered"},
}};

constexpr NameTable<LockState, 6> kLockStates = {{
    {LockState::kWatched, "watched"},
    {LockState::kGreylisted, "greylisted"},
    {LockState::kLockPending, "lock_pending"},
    {LockState::kLocked, "locked"},
    {LockState::kUnlockPending, "unlock_pending"},
    {LockState::kReleased, "released"},
}};

constexpr NameTable<LockAction, 2> kLockActions = {{
    {LockAction::kLock, "lock"},
    {LockAction::kUnlock, "unlock"},
}};

constexpr NameTable<OrderStatus, 5> kOrderStatuses = {{
    {OrderStatus::kPending, "pending"},
    {OrderStatus::kSent, "sent"},
    {OrderStatus::kAcknowledged, "acknowledged"},
    {OrderStatus::kCancelled, "cancelled"},
    {OrderStatus::kFailed, "failed"},
}};

// Every enumerator is in its table, so the fallback to the first name is never taken.
template <typename Enum, std::size_t N>
std::string_view NameOf(const NameTable<Enum, N>& table, Enum value) {
  for (const auto& [candidate, name] : table) {
    if (candidate == value) return name;
  }
  return table[0].second;
}

template <typename Enum, std::size_t N>
std::optional<Enum> ValueOf(const NameTable<Enum, N>& table, std::string_view text) {
  for (const auto& [value, name] : table) {
    if (name == text) return value;
  }
  return std::nullopt;
}

Error CorruptEvidence(std::string_view problem) {
  return Error::Internal("corrupt_evidence", "stored evidence is not the JSON the store writes: " +
                                                 std::string(problem));
}

}  // namespace

std::string_view VerdictColumn(Verdict verdict) { return NameOf(kVerdicts, verdict); }
std::optional<Verdict> ParseVerdictColumn(std::string_view text) {
  return ValueOf(kVerdicts, text);
}

std::string_view LockStateColumn(LockState state) { return NameOf(kLockStates, state); }
std::optional<LockState> ParseLockStateColumn(std::string_view text) {
  return ValueOf(kLockStates, text);
}

std::string_view LockActionColumn(LockAction action) { return NameOf(kLockActions, action); }
std::optional<LockAction> ParseLockActionColumn(std::string_view text) {
  return ValueOf(kLockActions, text);
}

std::string_view OrderStatusColumn(OrderStatus status) { return NameOf(kOrderStatuses, status); }
std::optional<OrderStatus> ParseOrderStatusColumn(std::string_view text) {
  return ValueOf(kOrderStatuses, text);
}

std::string EvidenceToJson(const std::vector<Evidence>& evidence) {
  boost::json::array array;
  array.reserve(evidence.size());
  for (const Evidence& fact : evidence) {
    boost::json::object object{
        {"rule", fact.rule},
        {"at", ToMillis(fact.at)},
        {"event_id", fact.event_id},
        {"detail", fact.detail},
    };
    if (!fact.outcome.empty()) object["outcome"] = fact.outcome;
    array.push_back(std::move(object));
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
    // Evidence stored before outcomes were recorded has none.
    const boost::json::value* outcome = object->if_contains("outcome");
    if (outcome != nullptr && !outcome->is_string()) {
      return CorruptEvidence("an element's outcome is not a string");
    }
    evidence.push_back(Evidence{
        .rule = std::string(rule->get_string()),
        .at = FromMillis(at->get_int64()),
        .event_id = std::string(event_id->get_string()),
        .detail = std::string(detail->get_string()),
        .outcome = outcome != nullptr ? std::string(outcome->get_string()) : std::string(),
    });
  }
  return evidence;
}

}  // namespace imeiguard::sqlite
