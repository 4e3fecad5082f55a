#include "cli/config_audit.h"

#include <boost/json.hpp>

#include "locking/request_signing.h"

namespace imeiguard {

namespace {

constexpr std::string_view kEntity = "config";
constexpr std::string_view kAction = "config_changed";

// The sha256 member of the latest config_changed entry, or "" when there is none.
Result<std::string> LastRecordedHash(Store& store) {
  // Entries of the "config" entity are only ever config_changed, so the newest one is enough.
  auto entries = store.LoadAudit(kEntity, 1);
  if (!entries.ok()) return entries.error();
  if (entries->empty()) return std::string();
  boost::system::error_code error;
  boost::json::value detail = boost::json::parse(entries->front().detail, error);
  if (error || !detail.is_object()) return std::string();
  const boost::json::value* hash = detail.as_object().if_contains("sha256");
  if (hash == nullptr || !hash->is_string()) return std::string();
  return std::string(hash->as_string());
}

}  // namespace

Result<bool> RecordConfiguration(Store& store, std::string_view effective_config,
                                 std::string_view source, Timestamp now) {
  std::string hash = Sha256Hex(effective_config);
  auto previous = LastRecordedHash(store);
  if (!previous.ok()) return previous.error();
  if (*previous == hash) return false;

  AuditEntry entry;
  entry.at = now;
  entry.actor = "serve";
  entry.action = std::string(kAction);
  entry.entity = std::string(kEntity);
  boost::json::object detail{{"sha256", hash}, {"source", source}};
  if (!previous->empty()) detail["previous_sha256"] = *previous;
  entry.detail = boost::json::serialize(detail);
  if (Status appended = store.AppendAudit(entry); !appended.ok()) return appended.error();
  return true;
}

}  // namespace imeiguard
