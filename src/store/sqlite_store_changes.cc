// SqliteStore: assessments, the lock-order outbox, the audit trail and saving API keys.
#include <string>
#include <utility>

#include "store/audit_chain.h"
#include "store/column_values.h"
#include "store/sqlite_audit.h"
#include "store/sqlite_case_rows.h"
#include "store/sqlite_rows.h"
#include "store/sqlite_statement.h"
#include "store/sqlite_store.h"
#include "store/sqlite_store_statements.h"

namespace imeiguard {
namespace {

using sqlite::InsertAudit;
using sqlite::ResetOnExit;
using sqlite::Statement;
using sqlite::StepResult;
using sqlite::StoreStatements;

// Every row of a bound statement that selects kOrderColumns.
Result<std::vector<LockOrder>> ReadOrders(Statement& select) {
  std::vector<LockOrder> orders;
  while (true) {
    Result<StepResult> step = select.Step();
    if (!step.ok()) return step.error();
    if (*step == StepResult::kDone) return orders;
    Result<LockOrder> order = sqlite::ReadLockOrder(select);
    if (!order.ok()) return order.error();
    orders.push_back(std::move(order).value());
  }
}

std::optional<std::int64_t> OptionalMillis(std::optional<Timestamp> time) {
  if (!time.has_value()) return std::nullopt;
  return ToMillis(*time);
}

std::optional<std::int64_t> OptionalCore(std::optional<Imei> imei) {
  if (!imei.has_value()) return std::nullopt;
  return static_cast<std::int64_t>(imei->core_value());
}

Status RunAuditInsert(StoreStatements& statements, const AuditEntry& entry,
                      const AuditHead& previous, const std::string& hash) {
  Statement& insert = statements.insert_audit;
  ResetOnExit reset(insert);
  insert.BindInt64(1, entry.sequence);
  insert.BindInt64(2, ToMillis(entry.at));
  insert.BindText(3, entry.actor);
  insert.BindText(4, entry.action);
  insert.BindText(5, entry.entity);
  insert.BindText(6, entry.detail);
  insert.BindText(7, previous.hash);
  insert.BindText(8, hash);
  return insert.Run();
}

Result<AuditHead> ReadAuditHead(StoreStatements& statements) {
  Statement& select = statements.select_audit_head;
  ResetOnExit reset(select);
  Result<StepResult> step = select.Step();
  if (!step.ok()) return step.error();
  if (*step == StepResult::kDone) return AuditHead{};
  return AuditHead{select.ColumnInt64(0), std::string(select.ColumnText(1))};
}

Status UpdateDeviceState(StoreStatements& statements, std::int64_t device_id, LockState state,
                         Timestamp at) {
  Statement& update = statements.update_device_state;
  ResetOnExit reset(update);
  update.BindInt64(1, device_id);
  update.BindText(2, sqlite::LockStateColumn(state));
  update.BindInt64(3, ToMillis(at));
  Status updated = update.Run();
  if (!updated.ok()) return updated;
  if (update.Changes() == 0) {
    return Error::NotFound("device_not_found",
                           "device " + std::to_string(device_id) + " is not stored");
  }
  return Status::Ok();
}

// Whether the change makes the parcel a case that the retention purge must keep: a suspect,
// lost or recovered verdict, or a lock order.
bool MakesCase(const AssessmentChange& change) {
  Verdict verdict = change.assessment.verdict;
  return verdict == Verdict::kSuspect || verdict == Verdict::kLost ||
         verdict == Verdict::kRecovered || !change.new_orders.empty();
}

Status UpdateAssessment(StoreStatements& statements, const AssessmentChange& change) {
  const Assessment& assessment = change.assessment;
  std::string evidence = sqlite::EvidenceToJson(assessment.evidence);
  Statement& update = statements.update_assessment;
  ResetOnExit reset(update);
  update.BindText(1, change.parcel_id);
  update.BindText(2, sqlite::VerdictColumn(assessment.verdict));
  update.BindInt64(3, ToMillis(assessment.since));
  update.BindText(4, evidence);
  update.BindOptionalInt64(5, OptionalMillis(assessment.next_deadline));
  update.BindInt64(6, MakesCase(change) ? 1 : 0);
  Status updated = update.Run();
  if (!updated.ok()) return updated;
  if (update.Changes() == 0) {
    return Error::NotFound("parcel_not_found", "parcel " + change.parcel_id +
                                                   " is not stored; import its manifest before"
                                                   " saving an assessment");
  }
  return Status::Ok();
}

// Checks that an order names its device as the devices table does, so that the outbox never
// locks an IMEI that its device does not have.
Status CheckOrderDevice(StoreStatements& statements, const LockOrder& order) {
  Statement& select = statements.select_device_identity;
  ResetOnExit reset(select);
  select.BindInt64(1, order.device_id);
  Result<StepResult> step = select.Step();
  if (!step.ok()) return step.error();
  if (*step == StepResult::kDone) {
    return Error::NotFound("device_not_found",
                           "lock order " + order.idempotency_key + " names device " +
                               std::to_string(order.device_id) + ", which is not stored");
  }
  bool matches = select.ColumnText(0) == order.parcel_id &&
                 select.ColumnText(1) == order.shipper_id &&
                 select.ColumnInt64(2) == static_cast<std::int64_t>(order.imei.core_value()) &&
                 select.ColumnOptionalInt64(3) == OptionalCore(order.imei2);
  if (!matches) {
    return Error::InvalidInput("order_device_mismatch",
                               "lock order " + order.idempotency_key +
                                   " names a parcel, shipper or IMEI other than those stored"
                                   " for device " +
                                   std::to_string(order.device_id));
  }
  return Status::Ok();
}

Status InsertOrder(StoreStatements& statements, const LockOrder& order) {
  Status device_checked = CheckOrderDevice(statements, order);
  if (!device_checked.ok()) return device_checked;

  Statement& insert = statements.insert_order;
  ResetOnExit reset(insert);
  insert.BindInt64(1, order.device_id);
  insert.BindText(2, order.parcel_id);
  insert.BindText(3, order.shipper_id);
  insert.BindText(4, order.connector);
  insert.BindText(5, sqlite::LockActionColumn(order.action));
  insert.BindInt64(6, static_cast<std::int64_t>(order.imei.core_value()));
  insert.BindOptionalInt64(7, OptionalCore(order.imei2));
  insert.BindText(8, sqlite::OrderStatusColumn(order.status));
  insert.BindText(9, order.idempotency_key);
  insert.BindText(10, order.platform_order_id);
  insert.BindText(11, order.reason);
  insert.BindInt64(12, order.attempts);
  insert.BindInt64(13, ToMillis(order.created_at));
  insert.BindInt64(14, ToMillis(order.next_attempt_at));
  insert.BindOptionalInt64(15, OptionalMillis(order.sent_at));
  insert.BindOptionalInt64(16, OptionalMillis(order.acknowledged_at));
  insert.BindText(17, order.last_error);
  insert.BindOptionalInt64(18, order.supersedes_order_id);
  insert.BindOptionalInt64(19, OptionalMillis(order.expires_at));
  Status inserted = insert.Run();
  if (!inserted.ok() && inserted.error().kind == ErrorKind::kConflict) {
    return Error::Conflict("duplicate_idempotency_key",
                           "a lock order with idempotency key " + order.idempotency_key +
                               " is already stored; attach to that order instead");
  }
  return inserted;
}

// Marks a pending order cancelled. An order that has left kPending can no longer be withdrawn,
// so that is a conflict: the caller must reload the parcel and follow a sent lock with an unlock.
Status CancelOrder(StoreStatements& statements, std::int64_t order_id) {
  Statement& cancel = statements.cancel_order;
  ResetOnExit reset(cancel);
  cancel.BindInt64(1, order_id);
  Status cancelled = cancel.Run();
  if (!cancelled.ok()) return cancelled;
  if (cancel.Changes() == 1) return Status::Ok();

  Statement& select = statements.select_order_status;
  ResetOnExit reset_select(select);
  select.BindInt64(1, order_id);
  Result<StepResult> step = select.Step();
  if (!step.ok()) return step.error();
  if (*step == StepResult::kDone) {
    return Error::NotFound("order_not_found",
                           "lock order " + std::to_string(order_id) + " is not stored");
  }
  return Error::Conflict("order_not_pending",
                         "lock order " + std::to_string(order_id) + " is " +
                             std::string(select.ColumnText(0)) +
                             ", not pending, so it cannot be cancelled; reload the parcel");
}

Status ApplyAssessmentChange(sqlite3* db, StoreStatements& statements, AuditHead& audit_head,
                             const AssessmentChange& change) {
  Status updated = UpdateAssessment(statements, change);
  if (!updated.ok()) return updated;

  for (const LockOrder& order : change.new_orders) {
    Status inserted = InsertOrder(statements, order);
    if (!inserted.ok()) return inserted;
  }
  for (std::int64_t order_id : change.cancelled_orders) {
    Status cancelled = CancelOrder(statements, order_id);
    if (!cancelled.ok()) return cancelled;
  }
  for (const auto& [device_id, state] : change.device_states) {
    Status state_updated = UpdateDeviceState(statements, device_id, state, change.at);
    if (!state_updated.ok()) return state_updated;
  }
  for (const AuditEntry& entry : change.audit) {
    Status audited = InsertAudit(statements, audit_head, entry);
    if (!audited.ok()) return audited;
  }
  if (change.case_record.has_value()) {
    Result<std::int64_t> written =
        sqlite::WriteCase(db, statements, audit_head, *change.case_record, change.case_audit);
    if (!written.ok()) return written.error();
  }
  return Status::Ok();
}

Status ApplyOrderUpdate(StoreStatements& statements, AuditHead& audit_head, const LockOrder& order,
                        std::optional<std::pair<std::int64_t, LockState>> device_state,
                        const std::optional<AuditEntry>& audit, Timestamp at) {
  Statement& update = statements.update_order;
  ResetOnExit reset(update);
  update.BindInt64(1, order.order_id);
  update.BindText(2, sqlite::OrderStatusColumn(order.status));
  update.BindInt64(3, order.attempts);
  update.BindInt64(4, ToMillis(order.next_attempt_at));
  update.BindOptionalInt64(5, OptionalMillis(order.sent_at));
  update.BindOptionalInt64(6, OptionalMillis(order.acknowledged_at));
  update.BindText(7, order.platform_order_id);
  update.BindText(8, order.last_error);
  Status updated = update.Run();
  if (!updated.ok()) return updated;
  if (update.Changes() == 0) {
    return Error::NotFound("order_not_found",
                           "lock order " + std::to_string(order.order_id) + " is not stored");
  }

  if (device_state.has_value()) {
    Status state_updated =
        UpdateDeviceState(statements, device_state->first, device_state->second, at);
    if (!state_updated.ok()) return state_updated;
  }
  if (audit.has_value()) return InsertAudit(statements, audit_head, *audit);
  return Status::Ok();
}

Result<std::vector<AuditEntry>> ReadAuditEntries(Statement& select) {
  std::vector<AuditEntry> entries;
  while (true) {
    Result<StepResult> step = select.Step();
    if (!step.ok()) return step.error();
    if (*step == StepResult::kDone) return entries;
    entries.push_back(sqlite::ReadAuditEntry(select));
  }
}

}  // namespace

namespace sqlite {

Status InsertAudit(StoreStatements& statements, AuditHead& head, const AuditEntry& entry) {
  AuditEntry chained = entry;
  for (int attempt = 0;; ++attempt) {
    chained.sequence = head.sequence + 1;
    Result<std::string> hash = AuditEntryHash(head.hash, chained);
    if (!hash.ok()) return hash.error();

    Status inserted = RunAuditInsert(statements, chained, head, *hash);
    if (inserted.ok()) {
      head = AuditHead{chained.sequence, std::move(hash).value()};
      return Status::Ok();
    }
    // A conflict on the sequence means that another process appended since `head` was read.
    // The failed INSERT is undone on its own, and the transaction goes on.
    if (inserted.error().kind != ErrorKind::kConflict || attempt > 0) return inserted;
    Result<AuditHead> reread = ReadAuditHead(statements);
    if (!reread.ok()) return reread.error();
    head = std::move(reread).value();
  }
}

}  // namespace sqlite

Status SqliteStore::SaveAssessment(const AssessmentChange& change) {
  std::lock_guard lock(mutex_);
  Result<sqlite::Transaction> transaction =
      sqlite::Transaction::Begin(db_, sqlite::Transaction::Mode::kImmediate);
  if (!transaction.ok()) return transaction.error();

  AuditHead audit_head = audit_head_;
  Status applied = ApplyAssessmentChange(db_, *statements_, audit_head, change);
  if (!applied.ok()) return applied;
  return CommitWithAuditHead(*transaction, std::move(audit_head));
}

Result<std::vector<LockOrder>> SqliteStore::LoadDueOrders(Timestamp now, int limit) {
  if (limit <= 0) return std::vector<LockOrder>();

  std::lock_guard lock(mutex_);
  Statement& select = statements_->select_due_orders;
  ResetOnExit reset(select);
  select.BindInt64(1, ToMillis(now));
  select.BindInt64(2, limit);
  return ReadOrders(select);
}

Result<std::vector<LockOrder>> SqliteStore::ListOrders(std::optional<OrderStatus> status,
                                                       std::string_view shipper_id,
                                                       std::int64_t after_order_id, int limit) {
  if (limit <= 0) return std::vector<LockOrder>();

  std::lock_guard lock(mutex_);
  Statement& select = statements_->select_orders_page;
  ResetOnExit reset(select);
  if (status) {
    select.BindText(1, sqlite::OrderStatusColumn(*status));
  } else {
    select.BindNull(1);
  }
  select.BindInt64(2, after_order_id);
  select.BindInt64(3, limit);
  select.BindText(4, shipper_id);
  return ReadOrders(select);
}

Result<std::optional<LockOrder>> SqliteStore::FindOrderByIdempotencyKey(
    std::string_view idempotency_key) {
  std::lock_guard lock(mutex_);
  Statement& select = statements_->select_order_by_key;
  ResetOnExit reset(select);
  select.BindText(1, idempotency_key);
  Result<std::vector<LockOrder>> orders = ReadOrders(select);
  if (!orders.ok()) return orders.error();
  if (orders->empty()) return std::optional<LockOrder>();
  return std::optional<LockOrder>(std::move(orders->front()));
}

Status SqliteStore::UpdateOrder(const LockOrder& order,
                                std::optional<std::pair<std::int64_t, LockState>> device_state,
                                const std::optional<AuditEntry>& audit, Timestamp at) {
  std::lock_guard lock(mutex_);
  Result<sqlite::Transaction> transaction =
      sqlite::Transaction::Begin(db_, sqlite::Transaction::Mode::kImmediate);
  if (!transaction.ok()) return transaction.error();

  AuditHead audit_head = audit_head_;
  Status applied = ApplyOrderUpdate(*statements_, audit_head, order, device_state, audit, at);
  if (!applied.ok()) return applied;
  return CommitWithAuditHead(*transaction, std::move(audit_head));
}

Status SqliteStore::AppendAudit(const AuditEntry& entry) {
  std::lock_guard lock(mutex_);
  Result<sqlite::Transaction> transaction =
      sqlite::Transaction::Begin(db_, sqlite::Transaction::Mode::kImmediate);
  if (!transaction.ok()) return transaction.error();

  AuditHead audit_head = audit_head_;
  Status inserted = InsertAudit(*statements_, audit_head, entry);
  if (!inserted.ok()) return inserted;
  return CommitWithAuditHead(*transaction, std::move(audit_head));
}

Result<std::vector<AuditEntry>> SqliteStore::LoadAudit(std::string_view entity, int limit) {
  if (limit <= 0) return std::vector<AuditEntry>();

  std::lock_guard lock(mutex_);
  if (entity.empty()) {
    Statement& select = statements_->select_audit_all;
    ResetOnExit reset(select);
    select.BindInt64(1, limit);
    return ReadAuditEntries(select);
  }
  Statement& select = statements_->select_audit_of_entity;
  ResetOnExit reset(select);
  select.BindText(1, entity);
  select.BindInt64(2, limit);
  return ReadAuditEntries(select);
}

Status SqliteStore::SaveApiKey(const ApiKeyRecord& key, const std::optional<AuditEntry>& audit) {
  std::lock_guard lock(mutex_);
  Result<sqlite::Transaction> transaction =
      sqlite::Transaction::Begin(db_, sqlite::Transaction::Mode::kImmediate);
  if (!transaction.ok()) return transaction.error();

  Statement& upsert = statements_->upsert_api_key;
  ResetOnExit reset(upsert);
  upsert.BindText(1, key.key_id);
  upsert.BindText(2, key.secret_hash);
  upsert.BindText(3, key.role);
  upsert.BindText(4, key.shipper_id);
  upsert.BindInt64(5, ToMillis(key.created_at));
  upsert.BindInt64(6, key.revoked ? 1 : 0);
  Status saved = upsert.Run();
  if (!saved.ok()) return saved;

  AuditHead audit_head = audit_head_;
  if (audit.has_value()) {
    Status audited = InsertAudit(*statements_, audit_head, *audit);
    if (!audited.ok()) return audited;
  }
  return CommitWithAuditHead(*transaction, std::move(audit_head));
}

Status SqliteStore::CommitWithAuditHead(sqlite::Transaction& transaction, AuditHead audit_head) {
  Status committed = transaction.Commit();
  if (committed.ok()) audit_head_ = std::move(audit_head);
  return committed;
}

Status SqliteStore::ReloadAuditHead() {
  Result<AuditHead> head = ReadAuditHead(*statements_);
  if (!head.ok()) return head.error();
  audit_head_ = std::move(head).value();
  return Status::Ok();
}

Result<AuditReport> SqliteStore::VerifyAuditChain(const std::optional<AuditHead>& anchor) {
  std::lock_guard lock(mutex_);
  return sqlite::VerifyAuditTrail(db_, anchor);
}

}  // namespace imeiguard
