#include "store/sqlite_audit.h"

#include <sqlite3.h>

#include <filesystem>
#include <utility>

#include "store/migrations.h"
#include "store/sqlite_rows.h"
#include "store/sqlite_statement.h"

namespace imeiguard::sqlite {
namespace {

// The first schema version with the audit_checkpoint table.
constexpr int kCheckpointVersion = 2;

Result<int> CheckSchema(sqlite3* db) {
  Result<int> version = SchemaVersion(db);
  if (!version.ok()) {
    return Error::Internal(
        "not_a_store", "the database has no readable imeiguard schema: " + version.error().message);
  }
  int known = static_cast<int>(BuiltInMigrations().size());
  if (*version > known) {
    return Error::Internal(
        "schema_too_new", "the database has schema version " + std::to_string(*version) +
                              ", but this imeiguard knows versions up to " + std::to_string(known) +
                              "; verify it with a newer imeiguard");
  }
  if (*version < 1) {
    return Error::Internal("not_a_store", "the database has no imeiguard schema migrations");
  }
  return *version;
}

// The checkpoint row, or std::nullopt when the table or its row is missing.
Result<std::optional<AuditHead>> ReadCheckpoint(sqlite3* db) {
  Result<Statement> select = Statement::Prepare(
      db, "SELECT sequence, hash FROM audit_checkpoint WHERE id = 1", "read the audit checkpoint");
  if (!select.ok()) {
    if (select.error().kind == ErrorKind::kUnavailable) return select.error();
    return std::optional<AuditHead>();  // The table was dropped.
  }
  Result<StepResult> step = select->Step();
  if (!step.ok()) return step.error();
  if (*step == StepResult::kDone) return std::optional<AuditHead>();
  return std::optional<AuditHead>(
      AuditHead{select->ColumnInt64(0), std::string(select->ColumnText(1))});
}

Status WalkRows(sqlite3* db, AuditChainWalk& walk) {
  Result<Statement> select = Statement::Prepare(
      db,
      "SELECT " + std::string(kAuditColumns) +
          ", prev_hash, hash, typeof(at) = 'integer' FROM audit ORDER BY sequence",
      "read the audit trail for verification");
  if (!select.ok()) return select.error();
  while (true) {
    Result<StepResult> step = select->Step();
    if (!step.ok()) return step.error();
    if (*step == StepResult::kDone) return Status::Ok();

    AuditRow row;
    row.entry = ReadAuditEntry(*select);
    row.prev_hash = std::string(select->ColumnText(6));
    row.hash = std::string(select->ColumnText(7));
    row.at_is_integer = select->ColumnInt64(8) != 0;
    Status added = walk.Add(row);
    if (!added.ok()) return added;
  }
}

}  // namespace

Result<AuditReport> VerifyAuditTrail(sqlite3* db, const std::optional<AuditHead>& anchor) {
  // One snapshot, so that an entry appended meanwhile cannot put the checkpoint ahead of the rows.
  Result<Transaction> snapshot = Transaction::Begin(db, Transaction::Mode::kDeferred);
  if (!snapshot.ok()) return snapshot.error();

  Result<int> version = CheckSchema(db);
  if (!version.ok()) return version.error();

  std::optional<AuditHead> checkpoint;
  bool checkpoint_missing = false;
  if (*version >= kCheckpointVersion) {
    Result<std::optional<AuditHead>> read = ReadCheckpoint(db);
    if (!read.ok()) return read.error();
    checkpoint = std::move(read).value();
    checkpoint_missing = !checkpoint.has_value();
  }

  AuditChainWalk walk(checkpoint, anchor);
  Status walked = WalkRows(db, walk);
  if (!walked.ok()) return walked.error();
  Result<AuditReport> report = walk.Finish();
  if (!report.ok()) return report.error();

  if (checkpoint_missing) {
    report->findings.insert(
        report->findings.begin(),
        AuditFinding{AuditDefect::kHeadMismatch, 0, 0,
                     "the audit_checkpoint table or its row is missing, although schema version " +
                         std::to_string(*version) + " has it: it was deleted"});
  }
  return report;
}

Result<AuditReport> VerifyAuditTrailFile(const std::string& path,
                                         const std::optional<AuditHead>& anchor) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error)) {
    return Error::InvalidInput("store_path", "no database file at " + path +
                                                 "; give the path of an existing imeiguard store");
  }
  sqlite3* raw = nullptr;
  int code = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr);
  Connection db(raw);
  if (code != SQLITE_OK) return ErrorFromCode(db.get(), code, "open the database " + path);
  sqlite3_extended_result_codes(db.get(), 1);

  Result<AuditReport> report = VerifyAuditTrail(db.get(), anchor);
  if (!report.ok()) {
    Error failed = report.error();
    failed.message = "database " + path + ": " + failed.message;
    return failed;
  }
  return report;
}

}  // namespace imeiguard::sqlite
