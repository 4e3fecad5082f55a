#include "cli/admin_commands.h"

#include <filesystem>
#include <memory>
#include <optional>

#include "api/api_key.h"
#include "cli/serve.h"
#include "store/sqlite_audit.h"
#include "store/sqlite_store.h"

namespace imeiguard {
namespace {

// Every change made from the command line is recorded under this actor.
constexpr std::string_view kCliActor = "cli";

int Fail(const Error& error, std::ostream& error_out) {
  error_out << "imeiguard: " << error.message << "\n";
  return error.kind == ErrorKind::kInvalidInput ? 2 : 1;
}

void PrintFindings(const AuditReport& report, std::ostream& out) {
  for (const AuditFinding& finding : report.findings) {
    out << AuditDefectName(finding.defect) << ": " << finding.message << "\n";
  }
  if (report.findings_omitted > 0) {
    out << "... and " << report.findings_omitted << " more findings, not listed\n";
  }
}

void PrintIntact(const AuditReport& report, const std::optional<AuditHead>& anchor,
                 std::ostream& out) {
  out << "audit trail intact: " << report.entries << " entries\n";
  if (report.checkpoint_compared) {
    out << "checkpoint matches the last entry\n";
  } else {
    out << "no checkpoint in this schema version: entries removed from the end are detected only"
           " with --anchor\n";
  }
  if (anchor.has_value()) out << "anchor " << FormatAuditHead(*anchor) << " matches\n";
  out << "head " << FormatAuditHead(report.last)
      << "\n(keep this line outside the store and pass it later as --anchor, so that entries"
         " removed or rewritten up to it are detected)\n";
}

}  // namespace

// Opens a store that must exist already, so that a mistyped path fails instead of creating an
// empty store.
Result<std::unique_ptr<SqliteStore>> OpenExistingStore(const std::string& path) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error)) {
    return Error::InvalidInput("store_path", "no database file at " + path +
                                                 "; give the path of an existing imeiguard store");
  }
  return SqliteStore::Open(path);
}

int RunKeysCreate(const std::string& store_path, const std::string& role_name,
                  const std::string& shipper_id, std::ostream& out, std::ostream& error_out) {
  std::optional<Role> role = ParseRole(role_name);
  if (!role) {
    return Fail(Error::InvalidInput("role", "unknown role '" + role_name +
                                                "'; use shipper, carrier, security_officer, "
                                                "police, operator or admin"),
                error_out);
  }
  auto store = OpenStore(store_path);
  if (!store.ok()) return Fail(store.error(), error_out);
  auto key = CreateApiKey(**store, *role, shipper_id, SystemClock().Now(), kCliActor);
  if (!key.ok()) return Fail(key.error(), error_out);
  out << *key << "\n";
  return 0;
}

int RunKeysRevoke(const std::string& store_path, const std::string& key_id, std::ostream& out,
                  std::ostream& error_out) {
  auto store = OpenExistingStore(store_path);
  if (!store.ok()) return Fail(store.error(), error_out);
  auto revoked = RevokeApiKey(**store, key_id, SystemClock().Now(), kCliActor);
  if (!revoked.ok()) return Fail(revoked.error(), error_out);
  if (*revoked) {
    out << "revoked key " << key_id << "\n";
  } else {
    out << "key " << key_id << " was revoked already; nothing changed\n";
  }
  return 0;
}

int RunKeysList(const std::string& store_path, std::ostream& out, std::ostream& error_out) {
  auto store = OpenExistingStore(store_path);
  if (!store.ok()) return Fail(store.error(), error_out);
  auto keys = (*store)->LoadApiKeys();
  if (!keys.ok()) return Fail(keys.error(), error_out);

  out << "key_id\trole\tshipper_id\tcreated_at\trevoked\n";
  for (const ApiKeyRecord& key : *keys) {
    out << key.key_id << "\t" << key.role << "\t" << (key.shipper_id.empty() ? "-" : key.shipper_id)
        << "\t" << FormatRfc3339(key.created_at) << "\t" << (key.revoked ? "yes" : "no") << "\n";
  }
  return 0;
}

int RunAuditVerify(const std::string& store_path, const std::string& anchor_text, std::ostream& out,
                   std::ostream& error_out) {
  std::optional<AuditHead> anchor;
  if (!anchor_text.empty()) {
    auto parsed = ParseAuditHead(anchor_text);
    if (!parsed.ok()) return Fail(parsed.error(), error_out);
    anchor = std::move(parsed).value();
  }

  auto report = sqlite::VerifyAuditTrailFile(store_path, anchor);
  if (!report.ok()) return Fail(report.error(), error_out);
  if (report->intact()) {
    PrintIntact(*report, anchor, out);
    return 0;
  }
  PrintFindings(*report, out);
  std::size_t count = report->findings.size() + static_cast<std::size_t>(report->findings_omitted);
  out << "audit trail failed verification: " << count << (count == 1 ? " finding" : " findings")
      << " in " << report->entries << " stored entries\n";
  return kExitAuditBroken;
}

}  // namespace imeiguard
