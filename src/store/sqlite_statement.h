// Thin RAII wrappers over the SQLite C API: prepared statements, transactions and the mapping of
// SQLite result codes to error kinds. Not thread-safe: callers serialise use of one connection.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"

struct sqlite3;
struct sqlite3_stmt;

namespace imeiguard::sqlite {

// Closes a connection with sqlite3_close; its statements must be finalised first.
struct ConnectionCloser {
  void operator()(sqlite3* db) const;
};
using Connection = std::unique_ptr<sqlite3, ConnectionCloser>;

// Converts a failed SQLite result code into an Error whose message names `purpose` ("insert an
// event") and SQLite's own message. Busy, locked, I/O, full-disk, read-only and out-of-memory codes
// become kUnavailable. UNIQUE and PRIMARY KEY violations become kConflict, and other constraint
// violations kInvalidInput. Everything else (a corrupt file, an SQL error, misuse) is kInternal.
Error ErrorFromCode(sqlite3* db, int code, std::string_view purpose);

// Runs SQL without parameters or result rows (PRAGMA, DDL, BEGIN). `purpose` names it in errors.
Status Execute(sqlite3* db, const char* sql, std::string_view purpose);

enum class StepResult { kRow, kDone };

// A prepared statement, prepared once and reused. Text parameters are bound without a copy
// (SQLITE_STATIC), so the caller keeps the bound text alive until Reset. A ResetOnExit guard
// resets the statement at the end of each use. A bind failure is remembered and returned by the
// next Step.
class Statement {
 public:
  Statement() = default;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  ~Statement();

  // Prepares `sql` for repeated use. kInternal on a syntax error or a missing table.
  static Result<Statement> Prepare(sqlite3* db, std::string_view sql, std::string purpose);

  // Parameters are 1-based, as in SQLite.
  void BindInt64(int index, std::int64_t value);
  void BindOptionalInt64(int index, std::optional<std::int64_t> value);
  void BindText(int index, std::string_view value);  // Binds '' for an empty view, never NULL.
  void BindNull(int index);

  // Runs the statement to its next row. Errors are converted by ErrorFromCode.
  Result<StepResult> Step();
  // Runs a statement that returns no rows; a returned row is an internal error.
  Status Run();

  // Columns are 0-based, as in SQLite. Valid after Step returned kRow; text until the next Step
  // or Reset.
  std::int64_t ColumnInt64(int column) const;
  std::optional<std::int64_t> ColumnOptionalInt64(int column) const;
  std::string_view ColumnText(int column) const;
  bool ColumnIsNull(int column) const;

  // Rows inserted, updated or deleted by the connection's latest completed INSERT, UPDATE or
  // DELETE, which is this statement's when it was the last to run.
  int Changes() const;

  // Rewinds the statement for its next use and releases the text it pointed to.
  void Reset();

  const std::string& purpose() const { return purpose_; }

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* statement_ = nullptr;
  std::string purpose_;
  int bind_error_ = 0;  // First failed bind since the last Reset, or SQLITE_OK.
};

// Resets a statement when the scope that used it ends, on every path.
class ResetOnExit {
 public:
  explicit ResetOnExit(Statement& statement) : statement_(statement) {}
  ResetOnExit(const ResetOnExit&) = delete;
  ResetOnExit& operator=(const ResetOnExit&) = delete;
  ~ResetOnExit() { statement_.Reset(); }

 private:
  Statement& statement_;
};

// A transaction that rolls back unless Commit succeeded. kImmediate takes the write lock in BEGIN,
// so that a writer waits for it (up to the busy timeout) before doing any work rather than failing
// half-way. kDeferred suits read-only snapshots.
class Transaction {
 public:
  enum class Mode { kDeferred, kImmediate };

  static Result<Transaction> Begin(sqlite3* db, Mode mode);

  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  ~Transaction();

  // Commits. On failure the transaction is rolled back when this object is destroyed.
  Status Commit();

 private:
  explicit Transaction(sqlite3* db) : db_(db) {}

  sqlite3* db_ = nullptr;  // Null once committed, rolled back or moved from.
};

}  // namespace imeiguard::sqlite
