// The administrator's commands on a store file: `imeiguard keys create|revoke|list` and
// `imeiguard audit verify`. Each returns the process's exit code, writes its result to `out` and
// its errors to `error_out`. Exit codes: 0 success, 1 the store failed (missing folder, I/O, a
// key id not found), 2 invalid arguments, 3 (audit verify only) the audit trail failed
// verification.
#pragma once

#include <memory>
#include <ostream>
#include <string>

#include "core/error.h"
#include "store/sqlite_store.h"

namespace imeiguard {

inline constexpr int kExitAuditBroken = 3;

// Opens a store that must exist already, so that a mistyped path fails instead of creating an
// empty store. kInvalidInput when there is no file at `path`.
Result<std::unique_ptr<SqliteStore>> OpenExistingStore(const std::string& path);

// Creates a key, records "key_created" by actor "cli", and prints the whole key, alone on its
// line, which is the only time it is shown. Creates the store file and its folder when missing.
int RunKeysCreate(const std::string& store_path, const std::string& role_name,
                  const std::string& shipper_id, std::ostream& out, std::ostream& error_out);

// Revokes the key `key_id` and records "key_revoked" by actor "cli". Revoking a revoked key
// changes nothing and succeeds. The store file must exist.
int RunKeysRevoke(const std::string& store_path, const std::string& key_id, std::ostream& out,
                  std::ostream& error_out);

// Prints every key as a tab-separated table with a header: key_id, role, shipper_id ("-" when
// none), created_at (RFC 3339) and revoked ("yes" or "no"). Never a secret or its hash. The
// store file must exist.
int RunKeysList(const std::string& store_path, std::ostream& out, std::ostream& error_out);

// Verifies the audit trail of the store file, opened read-only, against `anchor_text` when it is
// not empty ("<sequence>:<hash>", as printed by an earlier run). When the trail is intact, prints
// the entry count and the head to keep as a later anchor, and returns 0. Otherwise prints every
// finding with its entries and returns kExitAuditBroken.
int RunAuditVerify(const std::string& store_path, const std::string& anchor_text, std::ostream& out,
                   std::ostream& error_out);

}  // namespace imeiguard
