#include "locking/blocklist_file.h"

#include <gtest/gtest.h>

namespace imeiguard {
namespace {

Timestamp At(std::string_view text) { return *ParseRfc3339(text); }

LockOrder DualSimLock() {
  LockOrder order;
  order.order_id = 41;
  order.action = LockAction::kLock;
  order.imei = *Imei::Parse("867315042291587", ImeiChannel::kHuman);
  order.imei2 = *Imei::Parse("867315042291660", ImeiChannel::kHuman);
  order.reason = "lost: silence";
  order.created_at = At("2026-03-01T23:30:00Z");
  return order;
}

TEST(BlocklistFile, DualSimOrderGivesRowForEachImei) {
  std::vector<BlocklistRow> rows = RowsOfOrder(DualSimLock(), At("2026-03-02T00:10:00Z"));
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].imei.WithCheckDigit(), "867315042291587");
  EXPECT_EQ(rows[1].imei.WithCheckDigit(), "867315042291660");
  EXPECT_EQ(rows[1].order_id, 41);
}

TEST(BlocklistFile, DeltaRowHasDirbsColumnsFirst) {
  std::vector<BlocklistRow> rows = RowsOfOrder(DualSimLock(), At("2026-03-02T00:10:00Z"));
  EXPECT_EQ(FormatDeltaRow(rows[0]),
            "867315042291587,20260301,blacklist,add,lost: silence,2026-03-02T00:10:00Z,41\n");
}

TEST(BlocklistFile, UnlockRowIsRemove) {
  LockOrder order = DualSimLock();
  order.action = LockAction::kUnlock;
  order.reason = "recovered";
  std::vector<BlocklistRow> rows = RowsOfOrder(order, At("2026-03-05T08:00:00Z"));
  EXPECT_EQ(FormatDeltaRow(rows[1]),
            "867315042291660,20260301,unblocked,remove,recovered,2026-03-05T08:00:00Z,41\n");
}

TEST(BlocklistFile, DatesAreUtc) {
  // 23:30 UTC is already the next day in Stockholm; the reporting date stays the UTC one.
  EXPECT_EQ(ReportingDate(At("2026-03-01T23:30:00Z")), "20260301");
  EXPECT_EQ(ReportingDate(At("2026-03-02T00:30:00+01:00")), "20260301");
}

TEST(BlocklistFile, FieldsWithSeparatorsAreQuoted) {
  EXPECT_EQ(CsvField("lost: silence"), "lost: silence");
  EXPECT_EQ(CsvField("opened, damaged"), "\"opened, damaged\"");
  EXPECT_EQ(CsvField("the \"box\""), "\"the \"\"box\"\"\"");
  EXPECT_EQ(CsvField("two\nlines"), "\"two\nlines\"");
}

TEST(BlocklistFile, FullRowHasFourColumns) {
  BlocklistRow row = RowsOfOrder(DualSimLock(), At("2026-03-02T00:10:00Z"))[0];
  row.reason = "opened, \"emptied\"";
  EXPECT_EQ(FormatFullRow(row), "867315042291587,20260301,blacklist,\"opened, \"\"emptied\"\"\"\n");
}

TEST(BlocklistFile, ParseReadsBackWhatWasWritten) {
  LockOrder order = DualSimLock();
  order.reason = "opened, \"emptied\"\nat the depot";
  std::string text = std::string(kBlocklistDeltaHeader) + "\r\n";
  for (const BlocklistRow& row : RowsOfOrder(order, At("2026-03-02T00:10:00.250Z"))) {
    text += FormatDeltaRow(row);
  }
  auto parsed = ParseBlocklistFile(text, "delta.csv");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->kind, BlocklistFileKind::kDelta);
  ASSERT_EQ(parsed->rows.size(), 2u);
  EXPECT_EQ(parsed->rows[1].imei.WithCheckDigit(), "867315042291660");
  EXPECT_EQ(parsed->rows[1].reason, order.reason);
  EXPECT_EQ(parsed->rows[1].changed_at, At("2026-03-02T00:10:00.250Z"));
  EXPECT_EQ(parsed->rows[1].reported_at, At("2026-03-01T00:00:00Z"));
  EXPECT_EQ(parsed->rows[1].order_id, 41);
  EXPECT_EQ(parsed->complete_bytes, text.size());
}

TEST(BlocklistFile, IncompleteLastLineIsLeftOut) {
  std::string complete =
      std::string(kBlocklistFullHeader) + "\n" + "867315042291587,20260301,blacklist,lost\n";
  auto parsed = ParseBlocklistFile(complete + "867315042291660,2026", "full.csv");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->kind, BlocklistFileKind::kFull);
  EXPECT_EQ(parsed->rows.size(), 1u);
  EXPECT_EQ(parsed->complete_bytes, complete.size());
}

TEST(BlocklistFile, ParseErrorsNameLineAndColumn) {
  std::string header = std::string(kBlocklistDeltaHeader) + "\n";
  struct Case {
    std::string text;
    std::string message;
  };
  std::vector<Case> cases = {
      {"imei,date\n", "d.csv:1: unknown header"},
      {header + "867315042291587,20260301,blacklist,add,x,2026-03-02T00:10:00Z\n",
       "d.csv:2: has 6 fields, expected 7"},
      {header + "867315042291588,20260301,blacklist,add,x,2026-03-02T00:10:00Z,1\n",
       "d.csv:2: invalid value in column imei"},
      {header + "867315042291587,20260231,blacklist,add,x,2026-03-02T00:10:00Z,1\n",
       "d.csv:2: invalid value in column reporting_date"},
      {header + "867315042291587,20260301,blacklist,remove,x,2026-03-02T00:10:00Z,1\n",
       "d.csv:2: invalid value in column status"},
      {header + "867315042291587,20260301,blacklist,update,x,2026-03-02T00:10:00Z,1\n",
       "d.csv:2: invalid value in column change_type"},
      {header + "\"a\nb\",20260301\n", "d.csv:2: has 2 fields"},
      {header + "867315042291587,20260301,blacklist,add,x,2026-03-02T00:10:00Z,-1\n",
       "d.csv:2: invalid value in column order_id"},
      {header + "867315042291587,20260301,blacklist,add,a\"b,2026-03-02T00:10:00Z,1\n",
       "d.csv:2: a quote inside an unquoted field"},
  };
  for (const Case& c : cases) {
    auto parsed = ParseBlocklistFile(c.text, "d.csv");
    ASSERT_FALSE(parsed.ok()) << c.text;
    EXPECT_EQ(parsed.error().kind, ErrorKind::kInvalidInput);
    EXPECT_EQ(parsed.error().message.rfind(c.message, 0), 0u) << parsed.error().message;
  }
}

}  // namespace
}  // namespace imeiguard
