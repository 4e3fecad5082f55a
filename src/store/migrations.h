// Versioned schema migrations of the embedded SQLite store.
//
// The schema_migrations table lists every migration applied to a database file. Open applies the
// missing ones in version order, each in its own transaction, and rejects a file whose schema is
// newer than this binary's list, because old code writing a newer schema could corrupt it.
#pragma once

#include <span>
#include <string_view>

#include "core/error.h"
#include "core/time.h"

struct sqlite3;

namespace imeiguard::sqlite {

// One step of the schema: SQL that moves a database from version - 1 to `version`.
struct Migration {
  int version = 0;        // 1, 2, 3, ... without gaps.
  std::string_view name;  // Short snake_case name, such as "initial".
  std::string_view sql;   // One or more statements, run in one transaction.
};

// The migrations of this binary, from src/store/migrations/NNNN_name.sql, in version order.
// Defined in a source generated at build time.
std::span<const Migration> BuiltInMigrations();

// Brings the database to the last version of `migrations`, which must be numbered 1, 2, 3, ...
// and records `applied_at` with each migration applied. Must not run inside a transaction.
// Errors are kInternal with a reason: "schema_too_new" when the database has a version that the
// list lacks, "schema_mismatch" when an applied version has another name than the list's, and
// "migration_failed" (with the SQLite message) when a migration's SQL fails. A failed migration is
// rolled back, and the ones before it stay applied. Busy and I/O failures are kUnavailable.
Status ApplyMigrations(sqlite3* db, std::span<const Migration> migrations, Timestamp applied_at);

// The highest version recorded in schema_migrations, 0 for a database without migrations.
Result<int> SchemaVersion(sqlite3* db);

}  // namespace imeiguard::sqlite
