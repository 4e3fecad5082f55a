#include "store/sqlite_statement.h"

#include <sqlite3.h>

#include <utility>

namespace imeiguard::sqlite {
namespace {

// Text bound for an empty string_view: its data() may be null, which SQLite binds as NULL.
constexpr char kEmptyText[] = "";

}  // namespace

void ConnectionCloser::operator()(sqlite3* db) const { sqlite3_close(db); }

Error ErrorFromCode(sqlite3* db, int code, std::string_view purpose) {
  std::string message = "failed to ";
  message.append(purpose);
  message.append(": ");
  // sqlite3_errmsg describes the connection's latest failure, which names the constraint or file;
  // without a connection only the generic text of the code is known.
  message.append(db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(code));
  message.append(" (SQLite code ");
  message.append(std::to_string(code));
  message.append(")");

  switch (code & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Error::Unavailable("database_busy", std::move(message));
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PROTOCOL:
      return Error::Unavailable("database_io", std::move(message));
    case SQLITE_FULL:
      return Error::Unavailable("database_full", std::move(message));
    case SQLITE_NOMEM:
      return Error::Unavailable("database_memory", std::move(message));
    case SQLITE_CONSTRAINT:
      if (code == SQLITE_CONSTRAINT_UNIQUE || code == SQLITE_CONSTRAINT_PRIMARYKEY) {
        return Error::Conflict("duplicate", std::move(message));
      }
      return Error::InvalidInput("constraint", std::move(message));
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Error::Internal("database_corrupt", std::move(message));
    default:
      return Error::Internal("database_error", std::move(message));
  }
}

Status Execute(sqlite3* db, const char* sql, std::string_view purpose) {
  int code = sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
  if (code != SQLITE_OK) return ErrorFromCode(db, code, purpose);
  return Status::Ok();
}

Statement::Statement(Statement&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)),
      statement_(std::exchange(other.statement_, nullptr)),
      purpose_(std::move(other.purpose_)),
      bind_error_(std::exchange(other.bind_error_, SQLITE_OK)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(statement_);
    db_ = std::exchange(other.db_, nullptr);
    statement_ = std::exchange(other.statement_, nullptr);
    purpose_ = std::move(other.purpose_);
    bind_error_ = std::exchange(other.bind_error_, SQLITE_OK);
  }
  return *this;
}

Statement::~Statement() { sqlite3_finalize(statement_); }

Result<Statement> Statement::Prepare(sqlite3* db, std::string_view sql, std::string purpose) {
  Statement statement;
  statement.db_ = db;
  statement.purpose_ = std::move(purpose);
  int code = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()),
                                SQLITE_PREPARE_PERSISTENT, &statement.statement_, nullptr);
  if (code != SQLITE_OK) {
    return ErrorFromCode(db, code, "prepare the statement to " + statement.purpose_);
  }
  return statement;
}

void Statement::BindInt64(int index, std::int64_t value) {
  int code = sqlite3_bind_int64(statement_, index, value);
  if (bind_error_ == SQLITE_OK) bind_error_ = code;
}

void Statement::BindOptionalInt64(int index, std::optional<std::int64_t> value) {
  if (value.has_value()) {
    BindInt64(index, *value);
  } else {
    BindNull(index);
  }
}

void Statement::BindText(int index, std::string_view value) {
  const char* text = value.empty() ? kEmptyText : value.data();
  int code = sqlite3_bind_text64(statement_, index, text, value.size(), SQLITE_STATIC, SQLITE_UTF8);
  if (bind_error_ == SQLITE_OK) bind_error_ = code;
}

void Statement::BindNull(int index) {
  int code = sqlite3_bind_null(statement_, index);
  if (bind_error_ == SQLITE_OK) bind_error_ = code;
}

Result<StepResult> Statement::Step() {
  if (bind_error_ != SQLITE_OK) {
    return ErrorFromCode(db_, bind_error_, "bind the parameters to " + purpose_);
  }
  int code = sqlite3_step(statement_);
  if (code == SQLITE_ROW) return StepResult::kRow;
  if (code == SQLITE_DONE) return StepResult::kDone;
  return ErrorFromCode(db_, code, purpose_);
}

Status Statement::Run() {
  Result<StepResult> step = Step();
  if (!step.ok()) return step.error();
  if (*step == StepResult::kRow) {
    return Error::Internal("database_error",
                           "failed to " + purpose_ + ": the statement returned a row");
  }
  return Status::Ok();
}

std::int64_t Statement::ColumnInt64(int column) const {
  return sqlite3_column_int64(statement_, column);
}

std::optional<std::int64_t> Statement::ColumnOptionalInt64(int column) const {
  if (ColumnIsNull(column)) return std::nullopt;
  return sqlite3_column_int64(statement_, column);
}

std::string_view Statement::ColumnText(int column) const {
  // sqlite3_column_text before sqlite3_column_bytes, so that the length is that of the text form.
  const unsigned char* text = sqlite3_column_text(statement_, column);
  if (text == nullptr) return {};
  int size = sqlite3_column_bytes(statement_, column);
  return {reinterpret_cast<const char*>(text), static_cast<std::size_t>(size)};
}

bool Statement::ColumnIsNull(int column) const {
  return sqlite3_column_type(statement_, column) == SQLITE_NULL;
}

int Statement::Changes() const { return sqlite3_changes(db_); }

void Statement::Reset() {
  // sqlite3_reset repeats the error of the last step, which the caller has already seen. Clearing
  // the bindings drops the pointers to text that SQLITE_STATIC did not copy.
  sqlite3_reset(statement_);
  sqlite3_clear_bindings(statement_);
  bind_error_ = SQLITE_OK;
}

Result<Transaction> Transaction::Begin(sqlite3* db, Mode mode) {
  const char* sql = mode == Mode::kImmediate ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED";
  Status begun = Execute(db, sql, "begin a transaction");
  if (!begun.ok()) return begun.error();
  return Transaction(db);
}

Transaction::Transaction(Transaction&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}

Transaction::~Transaction() {
  // SQLite rolls some failures back by itself (a full disk, for one); then no transaction is open.
  if (db_ != nullptr && sqlite3_get_autocommit(db_) == 0) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }
}

Status Transaction::Commit() {
  Status committed = Execute(db_, "COMMIT", "commit a transaction");
  if (committed.ok()) db_ = nullptr;
  return committed;
}

}  // namespace imeiguard::sqlite
