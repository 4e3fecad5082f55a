// Steps of the SQLite store's transactions that cases share with assessments. Each runs inside a
// transaction that the caller began and commits.
#pragma once

#include <cstdint>
#include <span>

#include "store/audit_chain.h"
#include "store/store.h"

struct sqlite3;

namespace imeiguard::sqlite {

struct StoreStatements;

// Appends `entry` to the audit trail after `head`, the last entry appended, and moves `head` to
// it. The caller keeps `head` only when the transaction commits.
Status InsertAudit(StoreStatements& statements, AuditHead& head, const AuditEntry& entry);

// Inserts (case_id 0) or replaces the case, then appends `audit` naming the case in each entry's
// entity. Returns the case_id.
Result<std::int64_t> WriteCase(sqlite3* db, StoreStatements& statements, AuditHead& head,
                               const CaseRecord& record, std::span<const AuditEntry> audit);

}  // namespace imeiguard::sqlite
