// AuditChainWalk on rows built in memory: each kind of damage, found and named.
#include "store/audit_verification.h"

#include <gtest/gtest.h>

#include <utility>
#include <vector>

namespace imeiguard {
namespace {

// A sound chain of `count` rows, sequences 1 to `count`.
std::vector<AuditRow> Chain(int count) {
  std::vector<AuditRow> rows;
  std::string prev_hash(kAuditGenesisHash);
  for (int i = 1; i <= count; ++i) {
    AuditRow row;
    row.entry =
        AuditEntry{i,         FromMillis(1000 * i),          "engine",
                   "verdict", "parcel:" + std::to_string(i), R"({"n":)" + std::to_string(i) + "}"};
    row.prev_hash = prev_hash;
    row.hash = AuditEntryHash(prev_hash, row.entry).value();
    prev_hash = row.hash;
    rows.push_back(std::move(row));
  }
  return rows;
}

AuditHead HeadOf(const AuditRow& row) { return AuditHead{row.entry.sequence, row.hash}; }

AuditReport Walk(const std::vector<AuditRow>& rows,
                 std::optional<AuditHead> checkpoint = std::nullopt,
                 std::optional<AuditHead> anchor = std::nullopt) {
  AuditChainWalk walk(std::move(checkpoint), std::move(anchor));
  for (const AuditRow& row : rows) EXPECT_TRUE(walk.Add(row).ok());
  Result<AuditReport> report = walk.Finish();
  EXPECT_TRUE(report.ok());
  return report.ok() ? std::move(report).value() : AuditReport{};
}

// Swaps the fields that the hash covers, leaving sequence and both hashes in place.
void SwapFields(AuditRow& a, AuditRow& b) {
  std::swap(a.entry.at, b.entry.at);
  std::swap(a.entry.actor, b.entry.actor);
  std::swap(a.entry.action, b.entry.action);
  std::swap(a.entry.entity, b.entry.entity);
  std::swap(a.entry.detail, b.entry.detail);
}

TEST(AuditChainWalk, SoundChainIsIntact) {
  std::vector<AuditRow> rows = Chain(5);
  AuditReport report = Walk(rows, HeadOf(rows.back()));
  EXPECT_TRUE(report.intact());
  EXPECT_EQ(report.entries, 5);
  EXPECT_EQ(report.last.sequence, 5);
  EXPECT_EQ(report.last.hash, rows.back().hash);
  EXPECT_TRUE(report.checkpoint_compared);
}

TEST(AuditChainWalk, EmptyTrailIsIntact) {
  AuditReport report = Walk({}, AuditHead{});
  EXPECT_TRUE(report.intact());
  EXPECT_EQ(report.last.sequence, 0);
  EXPECT_EQ(report.last.hash, kAuditGenesisHash);
}

TEST(AuditChainWalk, EditedDetailIsNamed) {
  std::vector<AuditRow> rows = Chain(4);
  rows[2].entry.detail = R"({"n":99})";
  AuditReport report = Walk(rows);
  ASSERT_EQ(report.findings.size(), 1u);
  EXPECT_EQ(report.findings[0].defect, AuditDefect::kEdited);
  EXPECT_EQ(report.findings[0].sequence, 3);
  EXPECT_EQ(report.findings[0].message,
            "entry 3 does not match its stored hash: its fields were changed after it was written");
}

TEST(AuditChainWalk, TimeStoredAsTextIsEdited) {
  std::vector<AuditRow> rows = Chain(2);
  rows[0].at_is_integer = false;
  AuditReport report = Walk(rows);
  ASSERT_EQ(report.findings.size(), 1u);
  EXPECT_EQ(report.findings[0].defect, AuditDefect::kEdited);
  EXPECT_EQ(report.findings[0].sequence, 1);
}

TEST(AuditChainWalk, MiddleGapIsRemoved) {
  std::vector<AuditRow> rows = Chain(5);
  rows.erase(rows.begin() + 1, rows.begin() + 3);
  AuditReport report = Walk(rows);
  ASSERT_EQ(report.findings.size(), 1u);
  EXPECT_EQ(report.findings[0].defect, AuditDefect::kRemoved);
  EXPECT_EQ(report.findings[0].sequence, 2);
  EXPECT_EQ(report.findings[0].last_sequence, 3);
  EXPECT_EQ(report.findings[0].message, "entries 2 to 3 are missing between entries 1 and 4");
}

TEST(AuditChainWalk, MissingFirstEntryIsRemoved) {
  std::vector<AuditRow> rows = Chain(3);
  rows.erase(rows.begin());
  AuditReport report = Walk(rows);
  ASSERT_EQ(report.findings.size(), 1u);
  EXPECT_EQ(report.findings[0].defect, AuditDefect::kRemoved);
  EXPECT_EQ(report.findings[0].message, "entry 1 is missing before entry 2");
}

TEST(AuditChainWalk, TailCutBelowCheckpointIsRemoved) {
  std::vector<AuditRow> rows = Chain(4);
  AuditHead checkpoint = HeadOf(rows.back());
  rows.pop_back();
  AuditReport report = Walk(rows, checkpoint);
  ASSERT_EQ(report.findings.size(), 1u);
  EXPECT_EQ(report.findings[0].defect, AuditDefect::kRemoved);
  EXPECT_EQ(report.findings[0].sequence, 4);
  EXPECT_EQ(
      report.findings[0].message,
      "entry 4 is missing after entry 3, the last one stored: the checkpoint records entry 4");
}

TEST(AuditChainWalk, TailCutWithoutCheckpointGoesUnseen) {
  std::vector<AuditRow> rows = Chain(4);
  rows.pop_back();
  EXPECT_TRUE(Walk(rows).intact());
}

TEST(AuditChainWalk, TailCutBelowAnchorIsRemoved) {
  std::vector<AuditRow> rows = Chain(4);
  AuditHead anchor = HeadOf(rows[3]);
  rows.pop_back();
  AuditReport report = Walk(rows, HeadOf(rows.back()), anchor);
  ASSERT_EQ(report.findings.size(), 1u);
  EXPECT_EQ(report.findings[0].defect, AuditDefect::kRemoved);
  EXPECT_EQ(report.findings[0].sequence, 4);
  EXPECT_NE(report.findings[0].message.find("the anchor records entry 4"), std::string::npos);
}

TEST(AuditChainWalk, SwappedFieldsAreReordered) {
  std::vector<AuditRow> rows = Chain(5);
  SwapFields(rows[1], rows[3]);
  AuditReport report = Walk(rows);
  ASSERT_EQ(report.findings.size(), 2u);
  EXPECT_EQ(report.findings[0].defect, AuditDefect::kReordered);
  EXPECT_EQ(report.findings[0].message, "entry 2 contains the content written as entry 4");
  EXPECT_EQ(report.findings[1].defect, AuditDefect::kReordered);
  EXPECT_EQ(report.findings[1].message, "entry 4 contains the content written as entry 2");
}

TEST(AuditChainWalk, SwappedRowsAreReordered) {
  std::vector<AuditRow> rows = Chain(5);
  std::swap(rows[1], rows[3]);
  std::swap(rows[1].entry.sequence, rows[3].entry.sequence);
  AuditReport report = Walk(rows);
  ASSERT_EQ(report.findings.size(), 2u);
  EXPECT_EQ(report.findings[0].defect, AuditDefect::kReordered);
  EXPECT_EQ(report.findings[0].sequence, 2);
  EXPECT_EQ(report.findings[1].defect, AuditDefect::kReordered);
  EXPECT_EQ(report.findings[1].sequence, 4);
}

TEST(AuditChainWalk, RowRenumberedIntoGapIsReordered) {
  std::vector<AuditRow> rows = Chain(4);
  rows[1] = rows[2];
  rows[1].entry.sequence = 2;
  rows.erase(rows.begin() + 2);
  AuditReport report = Walk(rows);
  ASSERT_EQ(report.findings.size(), 2u);
  EXPECT_EQ(report.findings[0].defect, AuditDefect::kReordered);
  EXPECT_EQ(report.findings[0].message, "entry 2 contains the content written as entry 3");
  EXPECT_EQ(report.findings[1].defect, AuditDefect::kRemoved);
  EXPECT_EQ(report.findings[1].sequence, 3);
}

TEST(AuditChainWalk, RehashedEntryBreaksNextLink) {
  std::vector<AuditRow> rows = Chain(4);
  rows[1].entry.detail = "{}";
  rows[1].hash = AuditEntryHash(rows[1].prev_hash, rows[1].entry).value();
  AuditReport report = Walk(rows);
  ASSERT_EQ(report.findings.size(), 1u);
  EXPECT_EQ(report.findings[0].defect, AuditDefect::kBrokenLink);
  EXPECT_EQ(report.findings[0].sequence, 3);
  EXPECT_EQ(report.findings[0].message,
            "entry 3 does not chain to entry 2: an entry between them was removed, or entry 2 was"
            " replaced");
}

TEST(AuditChainWalk, RehashedLastEntryDiffersFromCheckpoint) {
  std::vector<AuditRow> rows = Chain(3);
  AuditHead checkpoint = HeadOf(rows.back());
  rows[2].entry.detail = "{}";
  rows[2].hash = AuditEntryHash(rows[2].prev_hash, rows[2].entry).value();
  AuditReport report = Walk(rows, checkpoint);
  ASSERT_EQ(report.findings.size(), 1u);
  EXPECT_EQ(report.findings[0].defect, AuditDefect::kHeadMismatch);
  EXPECT_EQ(report.findings[0].sequence, 3);
}

TEST(AuditChainWalk, CheckpointBehindLastEntryIsNamed) {
  std::vector<AuditRow> rows = Chain(3);
  AuditReport report = Walk(rows, HeadOf(rows[0]));
  ASSERT_EQ(report.findings.size(), 1u);
  EXPECT_EQ(report.findings[0].defect, AuditDefect::kHeadMismatch);
  EXPECT_EQ(report.findings[0].sequence, 2);
  EXPECT_EQ(report.findings[0].last_sequence, 3);
}

TEST(AuditChainWalk, AnchorWithOtherHashIsNamed) {
  std::vector<AuditRow> rows = Chain(3);
  AuditHead anchor{2, std::string(64, 'a')};
  AuditReport report = Walk(rows, HeadOf(rows.back()), anchor);
  ASSERT_EQ(report.findings.size(), 1u);
  EXPECT_EQ(report.findings[0].defect, AuditDefect::kHeadMismatch);
  EXPECT_EQ(report.findings[0].sequence, 2);
  EXPECT_TRUE(report.anchor_compared);
}

TEST(AuditChainWalk, RowsOutOfOrderAreRejected) {
  std::vector<AuditRow> rows = Chain(2);
  AuditChainWalk walk(std::nullopt, std::nullopt);
  ASSERT_TRUE(walk.Add(rows[1]).ok());
  Status added = walk.Add(rows[0]);
  ASSERT_FALSE(added.ok());
  EXPECT_EQ(added.error().reason, "audit_order");
}

TEST(AuditChainWalk, FindingsStopAtTheMaximum) {
  std::vector<AuditRow> rows = Chain(static_cast<int>(kMaxAuditFindings) + 5);
  for (AuditRow& row : rows) row.entry.detail = "{}";
  AuditReport report = Walk(rows);
  EXPECT_EQ(report.findings.size(), kMaxAuditFindings);
  EXPECT_EQ(report.findings_omitted, 5);
  EXPECT_FALSE(report.intact());
}

TEST(AuditHeadText, RoundTrips) {
  AuditHead head{12, std::string(64, 'c')};
  Result<AuditHead> parsed = ParseAuditHead(FormatAuditHead(head));
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->sequence, 12);
  EXPECT_EQ(parsed->hash, head.hash);
}

TEST(AuditHeadText, MalformedIsRejected) {
  const std::vector<std::string> texts = {"",
                                          "12",
                                          "0:" + std::string(64, 'c'),
                                          "x:" + std::string(64, 'c'),
                                          "12:" + std::string(63, 'c'),
                                          "12:" + std::string(64, 'C')};
  for (const std::string& text : texts) {
    Result<AuditHead> parsed = ParseAuditHead(text);
    ASSERT_FALSE(parsed.ok()) << text;
    EXPECT_EQ(parsed.error().kind, ErrorKind::kInvalidInput) << text;
    EXPECT_EQ(parsed.error().reason, "audit_anchor") << text;
  }
}

}  // namespace
}  // namespace imeiguard
