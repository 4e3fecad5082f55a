#include "store/audit_verification.h"

#include <algorithm>
#include <unordered_map>
#include <utility>

namespace imeiguard {
namespace {

std::string Entries(std::int64_t first, std::int64_t last) {
  if (first == last) return "entry " + std::to_string(first);
  return "entries " + std::to_string(first) + " to " + std::to_string(last);
}

std::string AreMissing(std::int64_t first, std::int64_t last) {
  return Entries(first, last) + (first == last ? " is missing " : " are missing ");
}

// Whether `row`'s fields, written as entry `sequence` after `prev_hash`, hash to `hash`.
Result<bool> HashesTo(const AuditRow& row, std::int64_t sequence, std::string_view prev_hash,
                      std::string_view hash) {
  AuditEntry entry = row.entry;
  entry.sequence = sequence;
  Result<std::string> computed = AuditEntryHash(prev_hash, entry);
  if (!computed.ok()) return computed.error();
  return *computed == hash;
}

}  // namespace

std::string_view AuditDefectName(AuditDefect defect) {
  switch (defect) {
    case AuditDefect::kEdited:
      return "edited";
    case AuditDefect::kRemoved:
      return "removed";
    case AuditDefect::kReordered:
      return "reordered";
    case AuditDefect::kBrokenLink:
      return "broken_link";
    case AuditDefect::kHeadMismatch:
      return "head_mismatch";
  }
  return "unknown";
}

AuditChainWalk::AuditChainWalk(std::optional<AuditHead> checkpoint, std::optional<AuditHead> anchor)
    : checkpoint_(std::move(checkpoint)), anchor_(std::move(anchor)) {}

void AuditChainWalk::AddFinding(AuditFinding finding) {
  if (report_.findings.size() + damaged_.size() >= kMaxAuditFindings) {
    ++report_.findings_omitted;
    return;
  }
  report_.findings.push_back(std::move(finding));
}

Status AuditChainWalk::Add(const AuditRow& row) {
  const std::int64_t sequence = row.entry.sequence;
  const AuditHead& previous = report_.last;
  if (sequence <= previous.sequence) {
    return Error::Internal("audit_order", "audit entry " + std::to_string(sequence) +
                                              " was read after entry " +
                                              std::to_string(previous.sequence));
  }

  const bool gap = sequence != previous.sequence + 1;
  if (gap) {
    std::string where = previous.sequence == 0
                            ? "before entry " + std::to_string(sequence)
                            : "between entries " + std::to_string(previous.sequence) + " and " +
                                  std::to_string(sequence);
    AddFinding({AuditDefect::kRemoved, previous.sequence + 1, sequence - 1,
                AreMissing(previous.sequence + 1, sequence - 1) + where});
    for (std::int64_t missing = previous.sequence + 1;
         missing < sequence && missing_.size() < kMaxAuditFindings; ++missing) {
      missing_.push_back(missing);
    }
  }

  Result<bool> intact = HashesTo(row, sequence, row.prev_hash, row.hash);
  if (!intact.ok()) return intact.error();
  const bool damaged = !row.at_is_integer || !*intact;
  if (damaged) {
    if (report_.findings.size() + damaged_.size() < kMaxAuditFindings) {
      damaged_.push_back(row);
    } else {
      ++report_.findings_omitted;
    }
  } else if (!gap && !previous_damaged_ && row.prev_hash != previous.hash) {
    // A damaged neighbour already explains a broken link, so only an otherwise sound pair counts.
    std::string before = std::to_string(sequence - 1);
    AddFinding({AuditDefect::kBrokenLink, sequence, sequence,
                "entry " + std::to_string(sequence) + " does not chain to entry " + before +
                    ": an entry between them was removed, or entry " + before + " was replaced"});
  }

  if (anchor_.has_value() && anchor_->sequence == sequence) anchored_hash_ = row.hash;
  previous_damaged_ = damaged;
  report_.last = AuditHead{sequence, row.hash};
  ++report_.entries;
  return Status::Ok();
}

// Reports entries missing after the last row, and heads that disagree with the checkpoint or
// the anchor. These few findings are always listed, past kMaxAuditFindings too.
void AuditChainWalk::CheckTail() {
  const AuditHead last = report_.last;
  std::int64_t expected_last = last.sequence;
  std::string source;
  if (checkpoint_.has_value() && checkpoint_->sequence > expected_last) {
    expected_last = checkpoint_->sequence;
    source = "the checkpoint";
  }
  if (anchor_.has_value() && anchor_->sequence > expected_last) {
    expected_last = anchor_->sequence;
    source = "the anchor";
  }
  if (expected_last > last.sequence) {
    report_.findings.push_back(
        {AuditDefect::kRemoved, last.sequence + 1, expected_last,
         AreMissing(last.sequence + 1, expected_last) +
             (last.sequence == 0
                  ? "from the empty trail"
                  : "after entry " + std::to_string(last.sequence) + ", the last one stored") +
             ": " + source + " records entry " + std::to_string(expected_last)});
  }

  if (checkpoint_.has_value() && checkpoint_->sequence == last.sequence &&
      checkpoint_->hash != last.hash) {
    report_.findings.push_back(
        {AuditDefect::kHeadMismatch, last.sequence, last.sequence,
         "entry " + std::to_string(last.sequence) +
             " has another hash than the checkpoint records: it was replaced, or the"
             " entries up to it were rewritten with recomputed hashes"});
  }
  if (checkpoint_.has_value() && checkpoint_->sequence < last.sequence) {
    report_.findings.push_back(
        {AuditDefect::kHeadMismatch, checkpoint_->sequence + 1, last.sequence,
         Entries(checkpoint_->sequence + 1, last.sequence) +
             (checkpoint_->sequence + 1 == last.sequence ? " comes" : " come") +
             " after the checkpoint's entry " + std::to_string(checkpoint_->sequence) +
             ": the checkpoint's trigger was bypassed, or the checkpoint was rewritten"});
  }
  if (anchored_hash_.has_value() && *anchored_hash_ != anchor_->hash) {
    report_.findings.push_back(
        {AuditDefect::kHeadMismatch, anchor_->sequence, anchor_->sequence,
         "entry " + std::to_string(anchor_->sequence) +
             " has another hash than the anchor records: it was replaced, or the entries"
             " up to it were rewritten with recomputed hashes"});
  }
}

// Returns the sequence under which `row`'s content was written, when that is one of the
// candidates: either the whole row moved there, or only its fields, leaving the hashes behind.
Result<std::optional<std::int64_t>> AuditChainWalk::FindOrigin(
    const AuditRow& row, const std::vector<std::int64_t>& candidates,
    const std::unordered_map<std::int64_t, std::size_t>& damaged_index) {
  for (std::int64_t origin : candidates) {
    if (origin == row.entry.sequence) continue;
    Result<bool> moved = HashesTo(row, origin, row.prev_hash, row.hash);
    if (!moved.ok()) return moved.error();
    if (*moved) return std::optional<std::int64_t>(origin);

    auto slot = damaged_index.find(origin);
    if (slot == damaged_index.end()) continue;
    const AuditRow& other = damaged_[slot->second];
    Result<bool> fields_moved = HashesTo(row, origin, other.prev_hash, other.hash);
    if (!fields_moved.ok()) return fields_moved.error();
    if (*fields_moved) return std::optional<std::int64_t>(origin);
  }
  return std::optional<std::int64_t>();
}

// Names each damaged row reordered when its content belongs to another damaged or missing
// sequence, and edited otherwise. Quadratic in the damaged rows, which kMaxAuditFindings bounds.
Status AuditChainWalk::ClassifyDamaged() {
  std::vector<std::int64_t> candidates = missing_;
  std::unordered_map<std::int64_t, std::size_t> damaged_index;
  for (std::size_t i = 0; i < damaged_.size(); ++i) {
    candidates.push_back(damaged_[i].entry.sequence);
    damaged_index.emplace(damaged_[i].entry.sequence, i);
  }

  for (const AuditRow& row : damaged_) {
    const std::string entry = "entry " + std::to_string(row.entry.sequence);
    if (!row.at_is_integer) {
      report_.findings.push_back({AuditDefect::kEdited, row.entry.sequence, row.entry.sequence,
                                  entry + " has a time that is not an integer: it was changed"
                                          " after it was written"});
      continue;
    }
    Result<std::optional<std::int64_t>> origin = FindOrigin(row, candidates, damaged_index);
    if (!origin.ok()) return origin.error();
    if (origin->has_value()) {
      report_.findings.push_back(
          {AuditDefect::kReordered, row.entry.sequence, row.entry.sequence,
           entry + " contains the content written as entry " + std::to_string(**origin)});
    } else {
      report_.findings.push_back({AuditDefect::kEdited, row.entry.sequence, row.entry.sequence,
                                  entry + " does not match its stored hash: its fields were"
                                          " changed after it was written"});
    }
  }
  return Status::Ok();
}

Result<AuditReport> AuditChainWalk::Finish() {
  Status classified = ClassifyDamaged();
  if (!classified.ok()) return classified.error();
  CheckTail();

  report_.checkpoint_compared = checkpoint_.has_value();
  report_.anchor_compared = anchor_.has_value();
  std::stable_sort(
      report_.findings.begin(), report_.findings.end(),
      [](const AuditFinding& a, const AuditFinding& b) { return a.sequence < b.sequence; });
  return std::move(report_);
}

}  // namespace imeiguard
