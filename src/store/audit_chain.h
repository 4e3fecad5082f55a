// The hash chain that makes the audit trail tamper-evident.
//
// Each entry stores the hash of the entry before it and its own hash:
//   hash = lower-case hex SHA-256 of the concatenation, for each field in the order
//          prev_hash, sequence, at, actor, action, entity, detail,
//          of "<byte length in decimal>:<bytes>," (a netstring), where sequence and at (UTC
//          milliseconds) are written in decimal.
// The first entry's prev_hash is kAuditGenesisHash. Changing, removing or reordering any entry
// changes every hash after it, so a verifier that recomputes the chain finds the first bad entry.
// The length prefixes keep the encoding unambiguous whatever bytes a field contains.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.h"
#include "store/store.h"

namespace imeiguard {

// The prev_hash of the first entry: 64 zeros.
inline constexpr std::string_view kAuditGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

// A link of the chain: an entry's sequence and its stored hash. The head of an empty trail is
// sequence 0 with kAuditGenesisHash.
struct AuditHead {
  std::int64_t sequence = 0;
  std::string hash = std::string(kAuditGenesisHash);
};

// Computes the hash of `entry` (with its sequence assigned) chained to `prev_hash`, as described
// above. kInternal only when OpenSSL fails, which it does when it cannot allocate memory.
Result<std::string> AuditEntryHash(std::string_view prev_hash, const AuditEntry& entry);

// Formats `head` as "<sequence>:<hash>", the text that `imeiguard audit verify` prints and takes
// back as --anchor.
std::string FormatAuditHead(const AuditHead& head);

// Parses "<sequence>:<hash>": a decimal sequence of at least 1 and 64 lower-case hex digits.
// kInvalidInput with reason "audit_anchor" otherwise.
Result<AuditHead> ParseAuditHead(std::string_view text);

}  // namespace imeiguard
