// The audit trail in real SQLite files: chained by every writer, guarded by triggers, and
// verified after someone edits the file with SQL, as a person with the sqlite3 shell would.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <string>
#include <vector>

#include "store/migrations.h"
#include "store/sqlite_audit.h"
#include "store/sqlite_store.h"
#include "store/store_test_support.h"

namespace imeiguard {
namespace {

using testing_support::At;
using testing_support::MakeDevice;
using testing_support::MakeParcel;
using testing_support::TemporaryDirectory;

// The SQL a tamperer runs first: the triggers reject every UPDATE and DELETE of audit rows.
constexpr char kDropGuards[] =
    "DROP TRIGGER audit_reject_update; DROP TRIGGER audit_reject_delete;";

// Runs SQL on the file through a second connection; returns SQLite's error message, or "".
std::string ExecuteRaw(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* message = nullptr;
  int code = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message);
  std::string text = code == SQLITE_OK ? "" : (message != nullptr ? message : "failed");
  sqlite3_free(message);
  sqlite3_close(db);
  return text;
}

AuditEntry Entry(int n, std::string action = "verdict") {
  return AuditEntry{0,
                    At("2026-03-01T00:00:00Z") + std::chrono::minutes(n),
                    "engine",
                    std::move(action),
                    "parcel:" + std::to_string(n),
                    R"({"n":)" + std::to_string(n) + "}"};
}

class AuditTrailTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    Reopen();
  }

  std::string Path() const { return (dir_.path() / "store.db").string(); }

  void Reopen() {
    store_.reset();
    auto opened = SqliteStore::Open(Path());
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    store_ = std::move(opened).value();
  }

  void Append(int count) {
    for (int n = 1; n <= count; ++n) ASSERT_TRUE(store_->AppendAudit(Entry(n)).ok());
  }

  // Verifies the file as `imeiguard audit verify` does: read-only, through its own connection.
  AuditReport VerifyFile(const std::optional<AuditHead>& anchor = std::nullopt) {
    auto report = sqlite::VerifyAuditTrailFile(Path(), anchor);
    EXPECT_TRUE(report.ok()) << report.error().message;
    return report.ok() ? std::move(report).value() : AuditReport{};
  }

  TemporaryDirectory dir_{"audit"};
  std::unique_ptr<SqliteStore> store_;
};

TEST_F(AuditTrailTest, EveryWriterChainsIntoOneTrail) {
  ASSERT_TRUE(store_
                  ->ImportManifest(std::vector{MakeParcel("P1", {MakeDevice(1, 2)})},
                                   At("2026-03-01T00:00:00Z"))
                  .ok());
  ASSERT_TRUE(store_->AppendAudit(Entry(1)).ok());
  AssessmentChange change;
  change.parcel_id = "P1";
  change.assessment.verdict = Verdict::kSuspect;
  change.audit = {Entry(2), Entry(3)};
  ASSERT_TRUE(store_->SaveAssessment(change).ok());
  ApiKeyRecord key{"k1", std::string(64, 'a'), "admin", "", At("2026-03-01T00:00:00Z"), false};
  ASSERT_TRUE(store_->SaveApiKey(key, Entry(4, "key_created")).ok());
  Reopen();
  ASSERT_TRUE(store_->AppendAudit(Entry(5)).ok());

  AuditReport report = VerifyFile();
  EXPECT_TRUE(report.intact());
  EXPECT_EQ(report.entries, 5);
  EXPECT_TRUE(report.checkpoint_compared);
  auto from_store = store_->VerifyAuditChain();
  ASSERT_TRUE(from_store.ok());
  EXPECT_TRUE(from_store->intact());
  EXPECT_EQ(from_store->last.hash, report.last.hash);
}

TEST_F(AuditTrailTest, TriggersRejectUpdateAndDelete) {
  Append(2);
  EXPECT_EQ(ExecuteRaw(Path(), "UPDATE audit SET detail = '{}' WHERE sequence = 1"),
            "audit entries are append-only and cannot be updated");
  EXPECT_EQ(ExecuteRaw(Path(), "DELETE FROM audit WHERE sequence = 2"),
            "audit entries are append-only and cannot be deleted");
  EXPECT_EQ(ExecuteRaw(Path(), "UPDATE audit_checkpoint SET sequence = 1"),
            "the audit checkpoint cannot move back");
  EXPECT_TRUE(VerifyFile().intact());
}

TEST_F(AuditTrailTest, EditedDetailIsNamed) {
  Append(3);
  ASSERT_EQ(ExecuteRaw(Path(), std::string(kDropGuards) +
                                   "UPDATE audit SET detail = '{\"n\":9}' WHERE sequence = 2"),
            "");

  AuditReport report = VerifyFile();
  ASSERT_EQ(report.findings.size(), 1u);
  EXPECT_EQ(report.findings[0].defect, AuditDefect::kEdited);
  EXPECT_EQ(report.findings[0].sequence, 2);
}

TEST_F(AuditTrailTest, TimeEditedToFractionIsNamed) {
  Append(2);
  // A fraction that reads back as the same integer milliseconds, which the hash alone would miss.
  std::string at = std::to_string(ToMillis(Entry(1).at));
  ASSERT_EQ(ExecuteRaw(Path(), std::string(kDropGuards) + "UPDATE audit SET at = '" + at +
                                   ".4' WHERE sequence = 1"),
            "");

  AuditReport report = VerifyFile();
  ASSERT_EQ(report.findings.size(), 1u);
  EXPECT_EQ(report.findings[0].defect, AuditDefect::kEdited);
  EXPECT_EQ(report.findings[0].sequence, 1);
}

TEST_F(AuditTrailTest, DeletedMiddleEntryIsNamed) {
  Append(4);
  ASSERT_EQ(ExecuteRaw(Path(), std::string(kDropGuards) + "DELETE FROM audit WHERE sequence = 2"),
            "");

  AuditReport report = VerifyFile();
  ASSERT_EQ(report.findings.size(), 1u);
  EXPECT_EQ(report.findings[0].defect, AuditDefect::kRemoved);
  EXPECT_EQ(report.findings[0].sequence, 2);
  EXPECT_EQ(report.findings[0].last_sequence, 2);
}

TEST_F(AuditTrailTest, DeletedLastEntryIsNamedByCheckpoint) {
  Append(3);
  ASSERT_EQ(ExecuteRaw(Path(), std::string(kDropGuards) + "DELETE FROM audit WHERE sequence = 3"),
            "");

  AuditReport report = VerifyFile();
  ASSERT_EQ(report.findings.size(), 1u);
  EXPECT_EQ(report.findings[0].defect, AuditDefect::kRemoved);
  EXPECT_EQ(report.findings[0].sequence, 3);
}

// The limit that the header of store/audit_verification.h states: a truncation that also moves
// the checkpoint back leaves a valid chain, and only an anchor kept elsewhere shows it.
TEST_F(AuditTrailTest, TruncationWithCheckpointNeedsAnchor) {
  Append(3);
  AuditHead anchor = VerifyFile().last;
  ASSERT_EQ(ExecuteRaw(Path(), std::string(kDropGuards) +
                                   "DROP TRIGGER audit_checkpoint_reject_rewind;"
                                   "DELETE FROM audit WHERE sequence = 3;"
                                   "UPDATE audit_checkpoint SET sequence = 2,"
                                   " hash = (SELECT hash FROM audit WHERE sequence = 2)"),
            "");

  EXPECT_TRUE(VerifyFile().intact());
  AuditReport anchored = VerifyFile(anchor);
  ASSERT_EQ(anchored.findings.size(), 1u);
  EXPECT_EQ(anchored.findings[0].defect, AuditDefect::kRemoved);
  EXPECT_EQ(anchored.findings[0].sequence, 3);
}

TEST_F(AuditTrailTest, SwappedContentIsReordered) {
  Append(4);
  ASSERT_EQ(ExecuteRaw(Path(), std::string(kDropGuards) +
                                   "CREATE TEMP TABLE original AS SELECT * FROM audit;"
                                   "UPDATE audit SET (at, actor, action, entity, detail) ="
                                   " (SELECT at, actor, action, entity, detail FROM original"
                                   "  WHERE original.sequence = 5 - audit.sequence)"
                                   " WHERE sequence IN (1, 4)"),
            "");

  AuditReport report = VerifyFile();
  ASSERT_EQ(report.findings.size(), 2u);
  EXPECT_EQ(report.findings[0].defect, AuditDefect::kReordered);
  EXPECT_EQ(report.findings[0].message, "entry 1 contains the content written as entry 4");
  EXPECT_EQ(report.findings[1].defect, AuditDefect::kReordered);
  EXPECT_EQ(report.findings[1].message, "entry 4 contains the content written as entry 1");
}

TEST_F(AuditTrailTest, SwappedSequencesAreReordered) {
  Append(3);
  ASSERT_EQ(ExecuteRaw(Path(), std::string(kDropGuards) +
                                   "UPDATE audit SET sequence = 10 WHERE sequence = 1;"
                                   "UPDATE audit SET sequence = 1 WHERE sequence = 3;"
                                   "UPDATE audit SET sequence = 3 WHERE sequence = 10;"),
            "");

  AuditReport report = VerifyFile();
  ASSERT_EQ(report.findings.size(), 3u);
  EXPECT_EQ(report.findings[0].defect, AuditDefect::kReordered);
  EXPECT_EQ(report.findings[0].sequence, 1);
  EXPECT_EQ(report.findings[1].defect, AuditDefect::kReordered);
  EXPECT_EQ(report.findings[1].sequence, 3);
  // The last row's hash is now entry 1's, not the one the checkpoint recorded.
  EXPECT_EQ(report.findings[2].defect, AuditDefect::kHeadMismatch);
}

TEST_F(AuditTrailTest, AppendAfterTruncationKeepsTheGap) {
  Append(3);
  ASSERT_EQ(ExecuteRaw(Path(), std::string(kDropGuards) + "DELETE FROM audit WHERE sequence = 3"),
            "");
  Reopen();
  ASSERT_TRUE(store_->AppendAudit(Entry(4)).ok());

  AuditReport report = VerifyFile();
  ASSERT_EQ(report.findings.size(), 1u);
  EXPECT_EQ(report.findings[0].defect, AuditDefect::kRemoved);
  EXPECT_EQ(report.findings[0].sequence, 3);
  EXPECT_EQ(report.last.sequence, 4);
}

TEST_F(AuditTrailTest, HeadFollowsAnotherWriter) {
  Append(1);
  auto other = SqliteStore::Open(Path());
  ASSERT_TRUE(other.ok()) << other.error().message;
  ASSERT_TRUE((*other)->AppendAudit(Entry(2)).ok());

  ASSERT_TRUE(store_->AppendAudit(Entry(3)).ok());

  AuditReport report = VerifyFile();
  EXPECT_TRUE(report.intact()) << report.findings.front().message;
  EXPECT_EQ(report.entries, 3);
}

TEST_F(AuditTrailTest, RolledBackChangeKeepsHead) {
  Append(1);
  ASSERT_EQ(ExecuteRaw(Path(),
                       "CREATE TRIGGER test_reject BEFORE INSERT ON audit WHEN NEW.action = 'boom'"
                       " BEGIN SELECT RAISE(ABORT, 'rejected by the test'); END;"),
            "");
  AssessmentChange change;
  ASSERT_TRUE(store_
                  ->ImportManifest(std::vector{MakeParcel("P1", {MakeDevice(1, 2)})},
                                   At("2026-03-01T00:00:00Z"))
                  .ok());
  change.parcel_id = "P1";
  change.audit = {Entry(2), Entry(3, "boom")};
  ASSERT_FALSE(store_->SaveAssessment(change).ok());

  ASSERT_TRUE(store_->AppendAudit(Entry(4)).ok());

  AuditReport report = VerifyFile();
  EXPECT_TRUE(report.intact()) << report.findings.front().message;
  EXPECT_EQ(report.entries, 2);
}

TEST_F(AuditTrailTest, VerifyOfMissingFileCreatesNothing) {
  std::string missing = (dir_.path() / "missing.db").string();
  auto report = sqlite::VerifyAuditTrailFile(missing, std::nullopt);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.error().kind, ErrorKind::kInvalidInput);
  EXPECT_EQ(report.error().reason, "store_path");
  EXPECT_FALSE(std::filesystem::exists(missing));
}

// A file written by the first schema, whose rows are chained already, gets a checkpoint at its
// last row when the store opens it.
TEST(AuditTrailMigration, SchemaOneRowsKeepTheirChain) {
  TemporaryDirectory dir("audit-migration");
  ASSERT_FALSE(dir.path().empty());
  std::string path = (dir.path() / "store.db").string();
  {
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
    sqlite::Connection db(raw);
    ASSERT_TRUE(
        sqlite::ApplyMigrations(db.get(), sqlite::BuiltInMigrations().first(1), FromMillis(0))
            .ok());
    std::string prev_hash(kAuditGenesisHash);
    for (int n = 1; n <= 2; ++n) {
      AuditEntry entry = Entry(n);
      entry.sequence = n;
      std::string hash = AuditEntryHash(prev_hash, entry).value();
      std::string sql = "INSERT INTO audit VALUES (" + std::to_string(n) + ", " +
                        std::to_string(ToMillis(entry.at)) + ", 'engine', 'verdict', '" +
                        entry.entity + "', '" + entry.detail + "', '" + prev_hash + "', '" + hash +
                        "')";
      ASSERT_EQ(sqlite3_exec(db.get(), sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
      prev_hash = hash;
    }
  }
  auto before = sqlite::VerifyAuditTrailFile(path, std::nullopt);
  ASSERT_TRUE(before.ok()) << before.error().message;
  EXPECT_TRUE(before->intact());
  EXPECT_FALSE(before->checkpoint_compared);

  auto store = SqliteStore::Open(path);
  ASSERT_TRUE(store.ok()) << store.error().message;
  ASSERT_TRUE((*store)->AppendAudit(Entry(3)).ok());

  auto after = sqlite::VerifyAuditTrailFile(path, before->last);
  ASSERT_TRUE(after.ok()) << after.error().message;
  EXPECT_TRUE(after->intact()) << after->findings.front().message;
  EXPECT_TRUE(after->checkpoint_compared);
  EXPECT_EQ(after->entries, 3);
}

}  // namespace
}  // namespace imeiguard
