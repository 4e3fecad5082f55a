// SqliteStore: opening, caches, counts and reading API keys. The other methods live in
// sqlite_store_ingest.cc, sqlite_store_load.cc and sqlite_store_changes.cc.
#include "store/sqlite_store.h"

#include <sqlite3.h>

#include <chrono>
#include <string>
#include <utility>

#include "store/column_values.h"
#include "store/migrations.h"
#include "store/sqlite_rows.h"
#include "store/sqlite_statement.h"
#include "store/sqlite_store_statements.h"

namespace imeiguard {
namespace {

using sqlite::Connection;
using sqlite::ResetOnExit;
using sqlite::Statement;
using sqlite::StepResult;

constexpr OrderStatus kOrderStatuses[] = {OrderStatus::kPending, OrderStatus::kSent,
                                          OrderStatus::kAcknowledged, OrderStatus::kCancelled,
                                          OrderStatus::kFailed};

// The connection is opened without SQLITE_OPEN_URI, so ":memory:" is the only in-memory name.
constexpr std::string_view kInMemoryPath = ":memory:";

Result<Connection> OpenConnection(const std::string& path) {
  sqlite3* raw = nullptr;
  int code =
      sqlite3_open_v2(path.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  Connection db(raw);
  if (code != SQLITE_OK) {
    return sqlite::ErrorFromCode(db.get(), code, "open the database " + path);
  }
  sqlite3_extended_result_codes(db.get(), 1);
  return db;
}

// Reads a PRAGMA's single text result.
Result<std::string> QueryPragma(sqlite3* db, const char* sql, std::string purpose) {
  Result<Statement> pragma = Statement::Prepare(db, sql, std::move(purpose));
  if (!pragma.ok()) return pragma.error();
  Result<StepResult> step = pragma->Step();
  if (!step.ok()) return step.error();
  return std::string(pragma->ColumnText(0));
}

// Sets the connection's journal, durability, lock-wait and foreign-key behaviour.
Status ConfigureConnection(sqlite3* db, std::string_view path, const SqliteStoreOptions& options) {
  sqlite3_busy_timeout(db, static_cast<int>(options.busy_timeout.count()));

  // An in-memory database keeps its "memory" journal. A file must take WAL, because otherwise
  // readers would block the writer.
  Result<std::string> journal_mode =
      QueryPragma(db, "PRAGMA journal_mode = WAL", "set the journal mode to WAL");
  if (!journal_mode.ok()) return journal_mode.error();
  if (path != kInMemoryPath && *journal_mode != "wal") {
    return Error::Internal("journal_mode", "the database " + std::string(path) +
                                               " stayed in journal mode '" + *journal_mode +
                                               "' instead of WAL; put it on a local file system");
  }

  const char* synchronous = options.durability == SqliteStoreOptions::Durability::kFull
                                ? "PRAGMA synchronous = FULL"
                                : "PRAGMA synchronous = NORMAL";
  Status synced = sqlite::Execute(db, synchronous, "set PRAGMA synchronous");
  if (!synced.ok()) return synced;
  if (options.cache_size_kib > 0) {
    std::string cache_size = "PRAGMA cache_size = -" + std::to_string(options.cache_size_kib);
    Status sized = sqlite::Execute(db, cache_size.c_str(), "set PRAGMA cache_size");
    if (!sized.ok()) return sized;
  }
  return sqlite::Execute(db, "PRAGMA foreign_keys = ON", "enable foreign keys");
}

Result<std::int64_t> CountRows(sqlite3* db, const char* sql, std::string purpose) {
  Result<Statement> count = Statement::Prepare(db, sql, std::move(purpose));
  if (!count.ok()) return count.error();
  Result<StepResult> step = count->Step();
  if (!step.ok()) return step.error();
  return count->ColumnInt64(0);
}

}  // namespace

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(std::string_view path,
                                                       const SqliteStoreOptions& options) {
  if (path.empty()) {
    return Error::InvalidInput("database_path",
                               "the database path is empty; give a file name or :memory:");
  }
  std::string path_text(path);
  Result<Connection> db = OpenConnection(path_text);
  if (!db.ok()) return db.error();

  Status configured = ConfigureConnection(db->get(), path, options);
  if (!configured.ok()) return configured.error();

  // applied_at is bookkeeping for people; nothing the engine decides depends on it.
  auto now = std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now());
  Status migrated = sqlite::ApplyMigrations(db->get(), sqlite::BuiltInMigrations(), now);
  if (!migrated.ok()) {
    Error error = migrated.error();
    error.message = "database " + path_text + ": " + error.message;
    return error;
  }

  Result<std::unique_ptr<sqlite::StoreStatements>> statements =
      sqlite::PrepareStoreStatements(db->get());
  if (!statements.ok()) return statements.error();

  std::unique_ptr<SqliteStore> store(
      new SqliteStore(std::move(db).value(), std::move(statements).value()));
  Status loaded = store->LoadCaches();
  if (!loaded.ok()) return loaded.error();
  return store;
}

SqliteStore::SqliteStore(Connection db, std::unique_ptr<sqlite::StoreStatements> statements)
    : db_connection_(std::move(db)),
      db_(db_connection_.get()),
      statements_(std::move(statements)) {}

SqliteStore::~SqliteStore() = default;

Status SqliteStore::LoadCaches() {
  std::lock_guard lock(mutex_);
  Result<Statement> parcel_ids =
      Statement::Prepare(db_, "SELECT parcel_id FROM parcels", "read the parcel ids");
  if (!parcel_ids.ok()) return parcel_ids.error();
  while (true) {
    Result<StepResult> step = parcel_ids->Step();
    if (!step.ok()) return step.error();
    if (*step == StepResult::kDone) break;
    known_parcels_.emplace(parcel_ids->ColumnText(0));
  }

  struct CountQuery {
    std::int64_t* target;
    const char* sql;
    const char* purpose;
  };
  const CountQuery queries[] = {
      {&counts_.devices, "SELECT count(*) FROM devices", "count devices"},
      {&counts_.events, "SELECT count(*) FROM events", "count events"},
      {&counts_.pending_events, "SELECT count(*) FROM pending_events", "count pending events"},
  };
  for (const CountQuery& query : queries) {
    Result<std::int64_t> count = CountRows(db_, query.sql, query.purpose);
    if (!count.ok()) return count.error();
    *query.target = *count;
  }
  return ReloadAuditHead();
}

Result<std::vector<std::pair<std::string, std::int64_t>>> SqliteStore::Counts() {
  std::lock_guard lock(mutex_);
  std::vector<std::pair<std::string, std::int64_t>> counts = {
      {"parcels", static_cast<std::int64_t>(known_parcels_.size())},
      {"devices", counts_.devices},
      {"events", counts_.events},
      {"pending_events", counts_.pending_events},
  };

  std::int64_t orders_by_status[std::size(kOrderStatuses)] = {};
  Statement& count_orders = statements_->count_orders_by_status;
  ResetOnExit reset(count_orders);
  while (true) {
    Result<StepResult> step = count_orders.Step();
    if (!step.ok()) return step.error();
    if (*step == StepResult::kDone) break;
    std::optional<OrderStatus> status = sqlite::ParseOrderStatusColumn(count_orders.ColumnText(0));
    if (!status.has_value()) continue;  // The CHECK constraint admits only known names.
    orders_by_status[static_cast<int>(*status)] = count_orders.ColumnInt64(1);
  }
  for (OrderStatus status : kOrderStatuses) {
    counts.emplace_back("orders_" + std::string(sqlite::OrderStatusColumn(status)),
                        orders_by_status[static_cast<int>(status)]);
  }
  return counts;
}

Result<std::optional<ApiKeyRecord>> SqliteStore::FindApiKey(std::string_view key_id) {
  std::lock_guard lock(mutex_);
  Statement& select = statements_->select_api_key;
  ResetOnExit reset(select);
  select.BindText(1, key_id);
  Result<StepResult> step = select.Step();
  if (!step.ok()) return step.error();
  if (*step == StepResult::kDone) return std::optional<ApiKeyRecord>();
  return std::optional<ApiKeyRecord>(sqlite::ReadApiKey(select));
}

Result<std::vector<ApiKeyRecord>> SqliteStore::LoadApiKeys() {
  std::lock_guard lock(mutex_);
  Statement& select = statements_->select_api_keys;
  ResetOnExit reset(select);
  std::vector<ApiKeyRecord> keys;
  while (true) {
    Result<StepResult> step = select.Step();
    if (!step.ok()) return step.error();
    if (*step == StepResult::kDone) return keys;
    keys.push_back(sqlite::ReadApiKey(select));
  }
}

}  // namespace imeiguard
