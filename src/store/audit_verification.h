// Verification of the audit trail's hash chain, one stored row at a time, without a database.
//
// Given the rows in ascending sequence order, it reports:
// - edited: an entry whose fields no longer match its stored hash (or whose time is not an
//   integer, which the hash cannot represent);
// - removed: a gap in the sequence numbers, or entries missing after the last row when the
//   checkpoint or an anchor names a later entry;
// - reordered: an entry that contains the content written under another sequence number, which is
//   itself damaged or missing (two rows swapped, rows rotated, a row renumbered into a gap);
// - broken_link: an entry whose prev_hash is not the stored hash of the entry before it while both
//   match their own hashes, because an entry between them was removed, or the one before was
//   replaced or rewritten with a recomputed hash;
// - head_mismatch: the checkpoint or an anchor records another hash for an entry, or the
//   checkpoint is behind the last entry.
//
// What it cannot detect: the hash is SHA-256 without a key, so whoever can write the file can
// recompute it. Entries removed from the end together with the checkpoint, or a rewrite that
// recomputes every hash from the changed entry to the end and moves the checkpoint along, leave a
// valid chain. Only an anchor kept outside the file (a sequence and hash recorded earlier) at or
// after the changed entry shows those.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/error.h"
#include "store/audit_chain.h"
#include "store/store.h"

namespace imeiguard {

enum class AuditDefect { kEdited, kRemoved, kReordered, kBrokenLink, kHeadMismatch };

// "edited", "removed", "reordered", "broken_link", "head_mismatch".
std::string_view AuditDefectName(AuditDefect defect);

// One problem found in the trail.
struct AuditFinding {
  AuditDefect defect = AuditDefect::kEdited;
  std::int64_t sequence = 0;       // First entry concerned; 0 when no entry is.
  std::int64_t last_sequence = 0;  // Last entry concerned: `sequence` unless a range is missing.
  std::string message;             // A sentence naming the entries, such as "entry 5 ...".
};

// The maximum number of findings a report lists; the rest are only counted.
inline constexpr std::size_t kMaxAuditFindings = 1000;

struct AuditReport {
  std::int64_t entries = 0;  // Rows read.
  AuditHead last;            // The last row read: its sequence and stored hash.
  bool checkpoint_compared = false;
  bool anchor_compared = false;
  std::vector<AuditFinding> findings;  // Ordered by sequence.
  std::int64_t findings_omitted = 0;   // Findings past kMaxAuditFindings.

  bool intact() const { return findings.empty() && findings_omitted == 0; }
};

// An audit row as stored: the entry and both hashes.
struct AuditRow {
  AuditEntry entry;
  std::string prev_hash;
  std::string hash;
  // False when the `at` column contains text or a real number, which an edit can store there and
  // which the hash's decimal milliseconds do not represent.
  bool at_is_integer = true;
};

// Walks the rows of one trail. Not thread-safe.
class AuditChainWalk {
 public:
  // `checkpoint` is the head that the file records (std::nullopt for a schema without one), and
  // `anchor` a head recorded outside the file earlier (std::nullopt when none is given).
  AuditChainWalk(std::optional<AuditHead> checkpoint, std::optional<AuditHead> anchor);

  // Checks one row. Rows must come in ascending sequence order; kInternal otherwise, and when
  // OpenSSL fails.
  Status Add(const AuditRow& row);

  // Compares the end of the trail with the checkpoint and the anchor, names the damaged entries
  // and returns the report. Call once, after the last Add. kInternal only when OpenSSL fails.
  Result<AuditReport> Finish();

 private:
  void AddFinding(AuditFinding finding);
  void CheckTail();
  Status ClassifyDamaged();
  Result<std::optional<std::int64_t>> FindOrigin(
      const AuditRow& row, const std::vector<std::int64_t>& candidates,
      const std::unordered_map<std::int64_t, std::size_t>& damaged_index);

  const std::optional<AuditHead> checkpoint_;
  const std::optional<AuditHead> anchor_;
  AuditReport report_;
  bool previous_damaged_ = false;
  std::vector<AuditRow> damaged_;             // Rows that fail their own hash check.
  std::vector<std::int64_t> missing_;         // Missing sequences, up to kMaxAuditFindings.
  std::optional<std::string> anchored_hash_;  // Stored hash of the anchor's entry, once read.
};

}  // namespace imeiguard
