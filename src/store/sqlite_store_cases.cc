// SqliteStore: cases. A case is written with its steps' audit entries in one transaction. Cases are
// few (one per suspect or lost parcel), so their statements are prepared per call rather than
// cached with the ingest path's.
#include <string>
#include <utility>

#include "store/sqlite_case_rows.h"
#include "store/sqlite_statement.h"
#include "store/sqlite_store.h"

namespace imeiguard {
namespace {

using sqlite::ResetOnExit;
using sqlite::Statement;
using sqlite::StepResult;

constexpr std::string_view kCaseColumns =
    "case_id, parcel_id, shipper_id, opened_at, updated_at, value_ore, lock, lock_since, "
    "hold_reason, hold_rule, requested_by, request_reason, guard_trip, theft_confirmed, "
    "police_report";

void BindCase(Statement& statement, const CaseRecord& record) {
  statement.BindText(1, record.parcel_id);
  statement.BindText(2, record.shipper_id);
  statement.BindInt64(3, ToMillis(record.opened_at));
  statement.BindInt64(4, ToMillis(record.updated_at));
  statement.BindInt64(5, record.value_ore);
  statement.BindText(6, CaseLockName(record.lock));
  statement.BindOptionalInt64(
      7, record.lock_since ? std::optional(ToMillis(*record.lock_since)) : std::nullopt);
  statement.BindText(8, record.hold_reason);
  statement.BindText(9, record.hold_rule);
  statement.BindText(10, record.requested_by);
  statement.BindText(11, record.request_reason);
  statement.BindInt64(12, record.guard_trip);
  statement.BindInt64(13, record.theft_confirmed ? 1 : 0);
  statement.BindText(14, record.police_report);
}

Result<CaseRecord> ReadCase(const Statement& row) {
  CaseRecord record;
  record.case_id = row.ColumnInt64(0);
  record.parcel_id = std::string(row.ColumnText(1));
  record.shipper_id = std::string(row.ColumnText(2));
  record.opened_at = FromMillis(row.ColumnInt64(3));
  record.updated_at = FromMillis(row.ColumnInt64(4));
  record.value_ore = row.ColumnInt64(5);
  std::optional<CaseLock> lock = ParseCaseLock(row.ColumnText(6));
  if (!lock) {
    return Error::Internal("corrupt_case", "case " + std::to_string(record.case_id) +
                                               " has an unknown lock '" +
                                               std::string(row.ColumnText(6)) + "'");
  }
  record.lock = *lock;
  if (auto since = row.ColumnOptionalInt64(7)) record.lock_since = FromMillis(*since);
  record.hold_reason = std::string(row.ColumnText(8));
  record.hold_rule = std::string(row.ColumnText(9));
  record.requested_by = std::string(row.ColumnText(10));
  record.request_reason = std::string(row.ColumnText(11));
  record.guard_trip = row.ColumnInt64(12);
  record.theft_confirmed = row.ColumnInt64(13) != 0;
  record.police_report = std::string(row.ColumnText(14));
  return record;
}

Result<std::vector<CaseRecord>> ReadCases(Statement& select) {
  std::vector<CaseRecord> cases;
  while (true) {
    Result<StepResult> step = select.Step();
    if (!step.ok()) return step.error();
    if (*step == StepResult::kDone) return cases;
    Result<CaseRecord> record = ReadCase(select);
    if (!record.ok()) return record.error();
    cases.push_back(std::move(record).value());
  }
}

Result<std::optional<CaseRecord>> FirstCase(Statement& select) {
  Result<std::vector<CaseRecord>> cases = ReadCases(select);
  if (!cases.ok()) return cases.error();
  if (cases->empty()) return std::optional<CaseRecord>();
  return std::optional<CaseRecord>(std::move(cases->front()));
}

Result<Statement> PrepareCaseQuery(sqlite3* db, std::string_view tail, std::string purpose) {
  return Statement::Prepare(
      db, "SELECT " + std::string(kCaseColumns) + " FROM cases " + std::string(tail),
      std::move(purpose));
}

}  // namespace

namespace sqlite {

Result<std::int64_t> WriteCase(sqlite3* db, StoreStatements& statements, AuditHead& head,
                               const CaseRecord& record, std::span<const AuditEntry> audit) {
  std::int64_t case_id = record.case_id;
  if (case_id == 0) {
    Result<Statement> insert = Statement::Prepare(
        db,
        "INSERT INTO cases (parcel_id, shipper_id, opened_at, updated_at, value_ore, lock, "
        "lock_since, hold_reason, hold_rule, requested_by, request_reason, guard_trip, "
        "theft_confirmed, police_report) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
        "?12, ?13, ?14) RETURNING case_id",
        "insert case");
    if (!insert.ok()) return insert.error();
    BindCase(*insert, record);
    Result<StepResult> step = insert->Step();
    if (!step.ok()) {
      if (step.error().kind == ErrorKind::kConflict) {
        return Error::Conflict("case_exists", "parcel " + record.parcel_id + " has a case already");
      }
      return step.error();
    }
    case_id = insert->ColumnInt64(0);
    insert->Reset();
  } else {
    Result<Statement> update = Statement::Prepare(
        db,
        "UPDATE cases SET parcel_id = ?1, shipper_id = ?2, opened_at = ?3, updated_at = ?4, "
        "value_ore = ?5, lock = ?6, lock_since = ?7, hold_reason = ?8, hold_rule = ?9, "
        "requested_by = ?10, request_reason = ?11, guard_trip = ?12, theft_confirmed = ?13, "
        "police_report = ?14 WHERE case_id = ?15",
        "update case");
    if (!update.ok()) return update.error();
    BindCase(*update, record);
    update->BindInt64(15, case_id);
    if (Status s = update->Run(); !s.ok()) return s.error();
    if (update->Changes() == 0) {
      return Error::NotFound("case_not_found",
                             "case " + std::to_string(case_id) + " is not stored");
    }
  }
  for (AuditEntry entry : audit) {
    entry.entity = "case:" + std::to_string(case_id);
    if (Status s = InsertAudit(statements, head, entry); !s.ok()) return s.error();
  }
  return case_id;
}

}  // namespace sqlite

Result<std::int64_t> SqliteStore::SaveCase(const CaseRecord& record,
                                           std::span<const AuditEntry> audit) {
  std::lock_guard lock(mutex_);
  Result<sqlite::Transaction> transaction =
      sqlite::Transaction::Begin(db_, sqlite::Transaction::Mode::kImmediate);
  if (!transaction.ok()) return transaction.error();
  AuditHead audit_head = audit_head_;
  Result<std::int64_t> case_id = sqlite::WriteCase(db_, *statements_, audit_head, record, audit);
  if (!case_id.ok()) return case_id.error();
  if (Status s = CommitWithAuditHead(*transaction, std::move(audit_head)); !s.ok()) {
    return s.error();
  }
  return *case_id;
}

Result<std::optional<CaseRecord>> SqliteStore::LoadCase(std::int64_t case_id) {
  std::lock_guard lock(mutex_);
  Result<Statement> select = PrepareCaseQuery(db_, "WHERE case_id = ?1", "load case");
  if (!select.ok()) return select.error();
  select->BindInt64(1, case_id);
  return FirstCase(*select);
}

Result<std::optional<CaseRecord>> SqliteStore::LoadParcelCase(std::string_view parcel_id) {
  std::lock_guard lock(mutex_);
  Result<Statement> select = PrepareCaseQuery(db_, "WHERE parcel_id = ?1", "load parcel case");
  if (!select.ok()) return select.error();
  select->BindText(1, parcel_id);
  return FirstCase(*select);
}

Result<std::vector<CaseRecord>> SqliteStore::LoadActiveCases() {
  std::lock_guard lock(mutex_);
  Result<Statement> select = PrepareCaseQuery(
      db_,
      "WHERE lock IN ('awaiting_approval', 'unlock_awaiting_approval') OR parcel_id IN "
      "(SELECT parcel_id FROM parcels WHERE verdict NOT IN ('delivered', 'returned')) "
      "ORDER BY case_id",
      "load active cases");
  if (!select.ok()) return select.error();
  return ReadCases(*select);
}

Result<std::vector<CaseRecord>> SqliteStore::ListCases(std::int64_t after_case_id, int limit) {
  if (limit <= 0) return std::vector<CaseRecord>();
  std::lock_guard lock(mutex_);
  // Keyset paging on the queue's order: the cases that sort after the page's last case.
  Result<Statement> select = PrepareCaseQuery(
      db_,
      "WHERE ?1 = 0 OR (opened_at, value_ore, case_id) < (SELECT opened_at, value_ore, case_id "
      "FROM cases WHERE case_id = ?1) ORDER BY opened_at DESC, value_ore DESC, case_id DESC "
      "LIMIT ?2",
      "list cases");
  if (!select.ok()) return select.error();
  select->BindInt64(1, after_case_id);
  select->BindInt64(2, limit);
  return ReadCases(*select);
}

}  // namespace imeiguard
