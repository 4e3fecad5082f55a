// SqliteStore: EPCIS capture jobs, captured events and withdrawn scan events. A job is one
// transaction to insert and one to finish, so their statements are prepared per call.
#include <string>
#include <utility>

#include "store/sqlite_statement.h"
#include "store/sqlite_store.h"

namespace imeiguard {
namespace {

using sqlite::Statement;
using sqlite::StepResult;

constexpr std::string_view kJobColumns =
    "capture_id, key_id, error_behaviour, created_at, finished_at, success, errors, "
    "events_captured";

Result<CaptureJob> ReadJob(const Statement& row, bool with_document) {
  CaptureJob job;
  job.capture_id = row.ColumnInt64(0);
  job.key_id = std::string(row.ColumnText(1));
  std::optional<CaptureErrorBehaviour> behaviour = ParseCaptureErrorBehaviour(row.ColumnText(2));
  if (!behaviour) {
    return Error::Internal("corrupt_capture_job", "capture job " + std::to_string(job.capture_id) +
                                                      " has an unknown error behaviour");
  }
  job.error_behaviour = *behaviour;
  job.created_at = FromMillis(row.ColumnInt64(3));
  if (auto finished = row.ColumnOptionalInt64(4)) job.finished_at = FromMillis(*finished);
  job.success = row.ColumnInt64(5) != 0;
  job.errors = std::string(row.ColumnText(6));
  job.events_captured = static_cast<int>(row.ColumnInt64(7));
  if (with_document) job.document = std::string(row.ColumnText(8));
  return job;
}

Result<std::vector<CaptureJob>> ReadJobs(Statement& select, bool with_document) {
  std::vector<CaptureJob> jobs;
  while (true) {
    Result<StepResult> step = select.Step();
    if (!step.ok()) return step.error();
    if (*step == StepResult::kDone) return jobs;
    Result<CaptureJob> job = ReadJob(select, with_document);
    if (!job.ok()) return job.error();
    jobs.push_back(std::move(job).value());
  }
}

// Inserts the event unless its archive_key is stored; returns whether it was new.
Result<bool> InsertCapturedEvent(sqlite3* db, const CapturedEvent& event, Timestamp record_time,
                                 std::int64_t capture_id) {
  Result<Statement> insert = Statement::Prepare(
      db,
      "INSERT OR IGNORE INTO epcis_events (archive_key, event_id, event_type, event_time, "
      "record_time, capture_id, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING sequence",
      "insert a captured event");
  if (!insert.ok()) return insert.error();
  insert->BindText(1, event.archive_key);
  insert->BindText(2, event.event_id);
  insert->BindText(3, event.event_type);
  insert->BindInt64(4, ToMillis(event.event_time));
  insert->BindInt64(5, ToMillis(record_time));
  insert->BindInt64(6, capture_id);
  insert->BindText(7, event.body);
  Result<StepResult> step = insert->Step();
  if (!step.ok()) return step.error();
  if (*step == StepResult::kDone) return false;
  std::int64_t sequence = insert->ColumnInt64(0);
  insert->Reset();

  Result<Statement> insert_epc = Statement::Prepare(
      db, "INSERT OR IGNORE INTO epcis_event_epcs (epc, sequence) VALUES (?1, ?2)",
      "insert a captured event's EPC");
  if (!insert_epc.ok()) return insert_epc.error();
  for (const std::string& epc : event.epcs) {
    insert_epc->BindText(1, epc);
    insert_epc->BindInt64(2, sequence);
    if (Status s = insert_epc->Run(); !s.ok()) return s.error();
    insert_epc->Reset();
  }
  return true;
}

// Records the withdrawal and deletes the scan event it names; returns the scan events deleted
// from the history and from the pending area.
Result<std::pair<int, int>> Withdraw(sqlite3* db, const EventWithdrawal& withdrawal,
                                     Timestamp recorded_at) {
  Result<Statement> insert = Statement::Prepare(
      db,
      "INSERT OR IGNORE INTO withdrawn_events (event_id, parcel_id, declared_at, reason, "
      "recorded_at) VALUES (?1, ?2, ?3, ?4, ?5)",
      "record a withdrawn event");
  if (!insert.ok()) return insert.error();
  insert->BindText(1, withdrawal.event_id);
  insert->BindText(2, withdrawal.parcel_id);
  insert->BindInt64(3, ToMillis(withdrawal.declared_at));
  insert->BindText(4, withdrawal.reason);
  insert->BindInt64(5, ToMillis(recorded_at));
  if (Status s = insert->Run(); !s.ok()) return s.error();

  std::pair<int, int> deleted;
  for (auto [table, count] :
       {std::pair{"events", &deleted.first}, std::pair{"pending_events", &deleted.second}}) {
    Result<Statement> remove = Statement::Prepare(
        db, std::string("DELETE FROM ") + table + " WHERE event_id = ?1 AND parcel_id = ?2",
        "delete a withdrawn event");
    if (!remove.ok()) return remove.error();
    remove->BindText(1, withdrawal.event_id);
    remove->BindText(2, withdrawal.parcel_id);
    if (Status s = remove->Run(); !s.ok()) return s.error();
    *count = remove->Changes();
  }
  return deleted;
}

Status UpdateFinishedJob(sqlite3* db, const CaptureJob& job) {
  Result<Statement> update = Statement::Prepare(
      db,
      "UPDATE capture_jobs SET finished_at = ?2, success = ?3, errors = ?4, document = '',"
      " events_captured = (SELECT count(*) FROM epcis_events WHERE capture_id = ?1)"
      " WHERE capture_id = ?1",
      "finish a capture job");
  if (!update.ok()) return update.error();
  update->BindInt64(1, job.capture_id);
  update->BindInt64(2, ToMillis(job.finished_at.value_or(job.created_at)));
  update->BindInt64(3, job.success ? 1 : 0);
  update->BindText(4, job.errors);
  if (Status s = update->Run(); !s.ok()) return s;
  if (update->Changes() == 0) {
    return Error::NotFound("capture_job_not_found",
                           "capture job " + std::to_string(job.capture_id) + " is not stored");
  }
  return Status::Ok();
}

// "?5, ?6, ?7" for `count` parameters from `first` on.
std::string Placeholders(int first, std::size_t count) {
  std::string text;
  for (std::size_t i = 0; i < count; ++i) {
    if (i > 0) text += ", ";
    text += "?" + std::to_string(first + static_cast<int>(i));
  }
  return text;
}

}  // namespace

Result<std::int64_t> SqliteStore::InsertCaptureJob(const CaptureJob& job) {
  std::lock_guard lock(mutex_);
  Result<Statement> insert =
      Statement::Prepare(db_,
                         "INSERT INTO capture_jobs (key_id, error_behaviour, document, created_at) "
                         "VALUES (?1, ?2, ?3, ?4) RETURNING capture_id",
                         "insert a capture job");
  if (!insert.ok()) return insert.error();
  insert->BindText(1, job.key_id);
  insert->BindText(2, CaptureErrorBehaviourName(job.error_behaviour));
  insert->BindText(3, job.document);
  insert->BindInt64(4, ToMillis(job.created_at));
  Result<StepResult> step = insert->Step();
  if (!step.ok()) return step.error();
  std::int64_t capture_id = insert->ColumnInt64(0);
  insert->Reset();
  return capture_id;
}

Result<std::optional<CaptureJob>> SqliteStore::LoadCaptureJob(std::int64_t capture_id,
                                                              bool with_document) {
  std::lock_guard lock(mutex_);
  Result<Statement> select = Statement::Prepare(
      db_,
      "SELECT " + std::string(kJobColumns) + ", document FROM capture_jobs WHERE capture_id = ?1",
      "load a capture job");
  if (!select.ok()) return select.error();
  select->BindInt64(1, capture_id);
  Result<std::vector<CaptureJob>> jobs = ReadJobs(*select, with_document);
  if (!jobs.ok()) return jobs.error();
  if (jobs->empty()) return std::optional<CaptureJob>();
  return std::optional<CaptureJob>(std::move(jobs->front()));
}

Result<std::vector<CaptureJob>> SqliteStore::ListCaptureJobs(std::int64_t after_capture_id,
                                                             int limit) {
  std::lock_guard lock(mutex_);
  Result<Statement> select = Statement::Prepare(
      db_,
      "SELECT " + std::string(kJobColumns) +
          " FROM capture_jobs WHERE capture_id > ?1 ORDER BY capture_id LIMIT ?2",
      "list capture jobs");
  if (!select.ok()) return select.error();
  select->BindInt64(1, after_capture_id);
  select->BindInt64(2, limit);
  return ReadJobs(*select, false);
}

Result<std::vector<std::int64_t>> SqliteStore::UnfinishedCaptureJobs() {
  std::lock_guard lock(mutex_);
  Result<Statement> select = Statement::Prepare(
      db_, "SELECT capture_id FROM capture_jobs WHERE finished_at IS NULL ORDER BY capture_id",
      "list unfinished capture jobs");
  if (!select.ok()) return select.error();
  std::vector<std::int64_t> ids;
  while (true) {
    Result<StepResult> step = select->Step();
    if (!step.ok()) return step.error();
    if (*step == StepResult::kDone) return ids;
    ids.push_back(select->ColumnInt64(0));
  }
}

Result<int> SqliteStore::StoreCapturedEvents(std::int64_t capture_id, Timestamp record_time,
                                             std::span<const CapturedEvent> events,
                                             std::span<const EventWithdrawal> withdrawals) {
  std::lock_guard lock(mutex_);
  Result<sqlite::Transaction> transaction =
      sqlite::Transaction::Begin(db_, sqlite::Transaction::Mode::kImmediate);
  if (!transaction.ok()) return transaction.error();

  int captured = 0;
  for (const CapturedEvent& event : events) {
    Result<bool> inserted = InsertCapturedEvent(db_, event, record_time, capture_id);
    if (!inserted.ok()) return inserted.error();
    if (*inserted) ++captured;
  }
  int deleted_events = 0;
  int deleted_pending = 0;
  for (const EventWithdrawal& withdrawal : withdrawals) {
    Result<std::pair<int, int>> deleted = Withdraw(db_, withdrawal, record_time);
    if (!deleted.ok()) return deleted.error();
    deleted_events += deleted->first;
    deleted_pending += deleted->second;
  }
  if (Status s = transaction->Commit(); !s.ok()) return s.error();

  counts_.events -= deleted_events;
  counts_.pending_events -= deleted_pending;
  return captured;
}

Status SqliteStore::FinishCaptureJob(const CaptureJob& job) {
  std::lock_guard lock(mutex_);
  return UpdateFinishedJob(db_, job);
}

Result<std::vector<EventWithdrawal>> SqliteStore::LoadUnappliedWithdrawals() {
  std::lock_guard lock(mutex_);
  Result<Statement> select = Statement::Prepare(
      db_,
      "SELECT event_id, parcel_id, declared_at, reason FROM withdrawn_events WHERE applied = 0 "
      "ORDER BY recorded_at, event_id",
      "load unapplied withdrawals");
  if (!select.ok()) return select.error();
  std::vector<EventWithdrawal> withdrawals;
  while (true) {
    Result<StepResult> step = select->Step();
    if (!step.ok()) return step.error();
    if (*step == StepResult::kDone) return withdrawals;
    withdrawals.push_back({std::string(select->ColumnText(0)), std::string(select->ColumnText(1)),
                           FromMillis(select->ColumnInt64(2)), std::string(select->ColumnText(3))});
  }
}

Status SqliteStore::MarkWithdrawalsApplied(std::span<const EventWithdrawal> withdrawals) {
  std::lock_guard lock(mutex_);
  Result<sqlite::Transaction> transaction =
      sqlite::Transaction::Begin(db_, sqlite::Transaction::Mode::kImmediate);
  if (!transaction.ok()) return transaction.error();
  Result<Statement> update =
      Statement::Prepare(db_, "UPDATE withdrawn_events SET applied = 1 WHERE event_id = ?1",
                         "mark a withdrawal applied");
  if (!update.ok()) return update.error();
  for (const EventWithdrawal& withdrawal : withdrawals) {
    update->BindText(1, withdrawal.event_id);
    if (Status s = update->Run(); !s.ok()) return s;
    update->Reset();
  }
  return transaction->Commit();
}

Result<std::vector<CapturedEventRow>> SqliteStore::QueryCapturedEvents(
    const CapturedEventQuery& query) {
  std::string sql = "SELECT sequence, body FROM epcis_events e WHERE sequence > ?1";
  int next = 2;
  if (!query.event_types.empty()) {
    sql += " AND event_type IN (" + Placeholders(next, query.event_types.size()) + ")";
    next += static_cast<int>(query.event_types.size());
  }
  if (query.event_time_from) sql += " AND event_time >= ?" + std::to_string(next++);
  if (query.event_time_until) sql += " AND event_time < ?" + std::to_string(next++);
  if (!query.epcs.empty()) {
    sql +=
        " AND EXISTS (SELECT 1 FROM epcis_event_epcs m WHERE m.sequence = e.sequence AND "
        "m.epc IN (" +
        Placeholders(next, query.epcs.size()) + "))";
    next += static_cast<int>(query.epcs.size());
  }
  sql += " ORDER BY sequence LIMIT ?" + std::to_string(next);

  std::lock_guard lock(mutex_);
  Result<Statement> select = Statement::Prepare(db_, sql, "query captured events");
  if (!select.ok()) return select.error();
  int index = 1;
  select->BindInt64(index++, query.after_sequence);
  for (const std::string& type : query.event_types) select->BindText(index++, type);
  if (query.event_time_from) select->BindInt64(index++, ToMillis(*query.event_time_from));
  if (query.event_time_until) select->BindInt64(index++, ToMillis(*query.event_time_until));
  for (const std::string& epc : query.epcs) select->BindText(index++, epc);
  select->BindInt64(index, query.limit);

  std::vector<CapturedEventRow> rows;
  while (true) {
    Result<StepResult> step = select->Step();
    if (!step.ok()) return step.error();
    if (*step == StepResult::kDone) return rows;
    rows.push_back({select->ColumnInt64(0), std::string(select->ColumnText(1))});
  }
}

}  // namespace imeiguard
