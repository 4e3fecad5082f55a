#include "store/migrations.h"

#include <sqlite3.h>

#include <string>

#include "store/sqlite_statement.h"

namespace imeiguard::sqlite {
namespace {

constexpr char kCreateMigrationsTable[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL,"
    " applied_at INTEGER NOT NULL)";

Status CheckMigrationList(std::span<const Migration> migrations) {
  for (std::size_t i = 0; i < migrations.size(); ++i) {
    if (migrations[i].version != static_cast<int>(i) + 1) {
      return Error::Internal("migration_list",
                             "schema migration '" + std::string(migrations[i].name) +
                                 "' has version " + std::to_string(migrations[i].version) +
                                 ", expected " + std::to_string(i + 1));
    }
  }
  return Status::Ok();
}

// Compares what the database records with the list: every recorded version must be in the list
// under the same name.
Status CheckAppliedMigrations(sqlite3* db, std::span<const Migration> migrations) {
  Result<Statement> applied = Statement::Prepare(
      db, "SELECT version, name FROM schema_migrations ORDER BY version", "read schema_migrations");
  if (!applied.ok()) return applied.error();

  while (true) {
    Result<StepResult> step = applied->Step();
    if (!step.ok()) return step.error();
    if (*step == StepResult::kDone) return Status::Ok();

    std::int64_t version = applied->ColumnInt64(0);
    std::string_view name = applied->ColumnText(1);
    if (version < 1 || version > static_cast<std::int64_t>(migrations.size())) {
      return Error::Internal(
          "schema_too_new",
          "the database has schema version " + std::to_string(version) + " ('" + std::string(name) +
              "'), but this imeiguard knows versions up to " + std::to_string(migrations.size()) +
              "; open it with the imeiguard release that wrote it, or a newer one");
    }
    const Migration& known = migrations[version - 1];
    if (name != known.name) {
      return Error::Internal("schema_mismatch",
                             "the database records schema version " + std::to_string(version) +
                                 " as '" + std::string(name) + "', but this imeiguard names it '" +
                                 std::string(known.name) +
                                 "'; the file was written by an incompatible build");
    }
  }
}

// Applies one migration in its own transaction, unless it is recorded already (another process
// may have applied it since the check).
Status ApplyMigration(sqlite3* db, const Migration& migration, Timestamp applied_at) {
  Result<Transaction> transaction = Transaction::Begin(db, Transaction::Mode::kImmediate);
  if (!transaction.ok()) return transaction.error();

  Result<Statement> find = Statement::Prepare(
      db, "SELECT 1 FROM schema_migrations WHERE version = ?1", "read schema_migrations");
  if (!find.ok()) return find.error();
  find->BindInt64(1, migration.version);
  Result<StepResult> found = find->Step();
  if (!found.ok()) return found.error();
  if (*found == StepResult::kRow) return Status::Ok();
  find->Reset();

  std::string sql(migration.sql);
  int code = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr);
  if (code != SQLITE_OK) {
    Error error = ErrorFromCode(db, code,
                                "apply schema migration " + std::to_string(migration.version) +
                                    " '" + std::string(migration.name) + "'");
    if (error.kind == ErrorKind::kUnavailable) return error;
    return Error::Internal("migration_failed", std::move(error.message));
  }

  Result<Statement> record = Statement::Prepare(
      db, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)",
      "record a schema migration");
  if (!record.ok()) return record.error();
  record->BindInt64(1, migration.version);
  record->BindText(2, migration.name);
  record->BindInt64(3, ToMillis(applied_at));
  Status recorded = record->Run();
  if (!recorded.ok()) return recorded;

  return transaction->Commit();
}

}  // namespace

Status ApplyMigrations(sqlite3* db, std::span<const Migration> migrations, Timestamp applied_at) {
  Status listed = CheckMigrationList(migrations);
  if (!listed.ok()) return listed;

  Status created = Execute(db, kCreateMigrationsTable, "create schema_migrations");
  if (!created.ok()) return created;

  Status checked = CheckAppliedMigrations(db, migrations);
  if (!checked.ok()) return checked;

  for (const Migration& migration : migrations) {
    Status applied = ApplyMigration(db, migration, applied_at);
    if (!applied.ok()) return applied;
  }
  return Status::Ok();
}

Result<int> SchemaVersion(sqlite3* db) {
  Result<Statement> max_version = Statement::Prepare(
      db, "SELECT coalesce(max(version), 0) FROM schema_migrations", "read the schema version");
  if (!max_version.ok()) return max_version.error();
  Result<StepResult> step = max_version->Step();
  if (!step.ok()) return step.error();
  return static_cast<int>(max_version->ColumnInt64(0));
}

}  // namespace imeiguard::sqlite
