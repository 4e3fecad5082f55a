// Verification of the audit trail stored in an imeiguard SQLite database.
#pragma once

#include <optional>
#include <string>

#include "core/error.h"
#include "store/audit_chain.h"
#include "store/audit_verification.h"

struct sqlite3;

namespace imeiguard::sqlite {

// Reads every audit row and the checkpoint of `db` in one read transaction and returns what
// AuditChainWalk finds, compared with `anchor` when given. Schema version 1 has no checkpoint, so
// its trail is verified without one and report.checkpoint_compared is false. A later schema whose
// checkpoint is missing gets a head_mismatch finding. Must not run inside a transaction.
// Errors: kInternal "schema_too_new" for a schema newer than this binary's, kInternal for a file
// whose schema is not imeiguard's, kUnavailable for busy and I/O failures.
Result<AuditReport> VerifyAuditTrail(sqlite3* db, const std::optional<AuditHead>& anchor);

// Opens the database file at `path` read-only, so that verification never changes or creates it,
// and verifies it as VerifyAuditTrail does. kInvalidInput "store_path" when no file is there.
Result<AuditReport> VerifyAuditTrailFile(const std::string& path,
                                         const std::optional<AuditHead>& anchor);

}  // namespace imeiguard::sqlite
