// The migration runner on its own, with migration lists made for each test.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <string>
#include <vector>

#include "store/migrations.h"
#include "store/sqlite_statement.h"
#include "store/sqlite_store.h"
#include "store/store_test_support.h"

namespace imeiguard::sqlite {
namespace {

using testing_support::TemporaryDirectory;

constexpr Migration kFirst = {1, "parcels", "CREATE TABLE parcels (parcel_id TEXT PRIMARY KEY);"};
constexpr Migration kSecond = {2, "devices",
                               "CREATE TABLE devices (device_id INTEGER PRIMARY KEY);"
                               "CREATE INDEX devices_by_id ON devices (device_id);"};
// Creates a table, then fails: the table must not survive.
constexpr Migration kBroken = {
    2, "broken", "CREATE TABLE half_done (x INTEGER); INSERT INTO missing VALUES (1);"};

class MigrationsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open((dir_.path() / "migrations.db").c_str(), &raw), SQLITE_OK);
    db_.reset(raw);
  }

  bool TableExists(const std::string& name) {
    Result<Statement> select = Statement::Prepare(
        db_.get(), "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1", "test");
    EXPECT_TRUE(select.ok());
    select->BindText(1, name);
    Result<StepResult> step = select->Step();
    return step.ok() && *step == StepResult::kRow;
  }

  int Version() {
    Result<int> version = SchemaVersion(db_.get());
    EXPECT_TRUE(version.ok()) << version.error().message;
    return version.ok() ? *version : -1;
  }

  TemporaryDirectory dir_{"migrations"};
  Connection db_;
};

TEST_F(MigrationsTest, AppliesInVersionOrder) {
  std::vector<Migration> migrations = {kFirst, kSecond};
  Status applied = ApplyMigrations(db_.get(), migrations, FromMillis(5000));
  ASSERT_TRUE(applied.ok()) << applied.error().message;
  EXPECT_EQ(Version(), 2);
  EXPECT_TRUE(TableExists("parcels"));
  EXPECT_TRUE(TableExists("devices"));
}

TEST_F(MigrationsTest, AppliesOnlyMissingVersions) {
  std::vector<Migration> first_only = {kFirst};
  ASSERT_TRUE(ApplyMigrations(db_.get(), first_only, FromMillis(1000)).ok());
  EXPECT_EQ(Version(), 1);

  std::vector<Migration> both = {kFirst, kSecond};
  ASSERT_TRUE(ApplyMigrations(db_.get(), both, FromMillis(2000)).ok());
  ASSERT_TRUE(ApplyMigrations(db_.get(), both, FromMillis(3000)).ok());

  EXPECT_EQ(Version(), 2);
  Result<Statement> applied_at = Statement::Prepare(
      db_.get(), "SELECT applied_at FROM schema_migrations WHERE version = 1", "test");
  ASSERT_TRUE(applied_at.ok());
  ASSERT_TRUE(applied_at->Step().ok());
  EXPECT_EQ(applied_at->ColumnInt64(0), 1000);
}

TEST_F(MigrationsTest, FailedMigrationRollsBackAndKeepsEarlierOnes) {
  std::vector<Migration> migrations = {kFirst, kBroken};

  Status applied = ApplyMigrations(db_.get(), migrations, FromMillis(1000));

  ASSERT_FALSE(applied.ok());
  EXPECT_EQ(applied.error().kind, ErrorKind::kInternal);
  EXPECT_EQ(applied.error().reason, "migration_failed");
  EXPECT_NE(applied.error().message.find("migration 2 'broken'"), std::string::npos)
      << applied.error().message;
  EXPECT_NE(applied.error().message.find("no such table: missing"), std::string::npos)
      << applied.error().message;
  EXPECT_EQ(Version(), 1);
  EXPECT_TRUE(TableExists("parcels"));
  EXPECT_FALSE(TableExists("half_done"));
}

TEST_F(MigrationsTest, NewerDatabaseIsRejected) {
  std::vector<Migration> both = {kFirst, kSecond};
  ASSERT_TRUE(ApplyMigrations(db_.get(), both, FromMillis(1000)).ok());

  std::vector<Migration> first_only = {kFirst};
  Status applied = ApplyMigrations(db_.get(), first_only, FromMillis(2000));

  ASSERT_FALSE(applied.ok());
  EXPECT_EQ(applied.error().kind, ErrorKind::kInternal);
  EXPECT_EQ(applied.error().reason, "schema_too_new");
  EXPECT_NE(applied.error().message.find("schema version 2 ('devices')"), std::string::npos)
      << applied.error().message;
  EXPECT_NE(applied.error().message.find("versions up to 1"), std::string::npos);
}

TEST_F(MigrationsTest, RenamedMigrationIsRejected) {
  std::vector<Migration> original = {kFirst};
  ASSERT_TRUE(ApplyMigrations(db_.get(), original, FromMillis(1000)).ok());

  std::vector<Migration> renamed = {{1, "other", kFirst.sql}};
  Status applied = ApplyMigrations(db_.get(), renamed, FromMillis(2000));

  ASSERT_FALSE(applied.ok());
  EXPECT_EQ(applied.error().reason, "schema_mismatch");
}

TEST_F(MigrationsTest, ListWithGapIsRejected) {
  std::vector<Migration> gap = {kFirst, {3, "third", "SELECT 1;"}};
  Status applied = ApplyMigrations(db_.get(), gap, FromMillis(1000));
  ASSERT_FALSE(applied.ok());
  EXPECT_EQ(applied.error().reason, "migration_list");
  EXPECT_FALSE(TableExists("parcels"));
}

TEST(BuiltInMigrations, AreNumberedFromOne) {
  std::span<const Migration> migrations = BuiltInMigrations();
  ASSERT_FALSE(migrations.empty());
  for (std::size_t i = 0; i < migrations.size(); ++i) {
    EXPECT_EQ(migrations[i].version, static_cast<int>(i) + 1);
    EXPECT_FALSE(migrations[i].sql.empty());
  }
  EXPECT_EQ(migrations[0].name, "initial");
}

}  // namespace
}  // namespace imeiguard::sqlite

namespace imeiguard {
namespace {

// A lock order stored under schema 3 reads back after the upgrade with neither a superseded
// order nor an expiry, and the outbox still finds it due.
TEST(OrderSupersedeExpiryMigration, KeepsOldOrdersValid) {
  testing_support::TemporaryDirectory dir{"migration-0004"};
  std::string path = (dir.path() / "store.db").string();
  {
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
    sqlite::Connection db(raw);
    ASSERT_TRUE(
        sqlite::ApplyMigrations(db.get(), sqlite::BuiltInMigrations().first(3), FromMillis(1000))
            .ok());
    Status inserted = sqlite::Execute(
        db.get(),
        "INSERT INTO parcels (parcel_id, shipper_id, service, promised_by, destination_postcode,"
        " recorded_at, verdict, verdict_since) VALUES ('373500000000005678', 'telco-a', 'home',"
        " 0, '41301', 0, 'lost', 0);"
        "INSERT INTO devices (device_id, parcel_id, shipper_id, imei, state, state_since)"
        " VALUES (1, '373500000000005678', 'telco-a', 35847210004217, 'lock_pending', 0);"
        "INSERT INTO lock_orders (device_id, parcel_id, shipper_id, connector, action, imei,"
        " status, idempotency_key, created_at, next_attempt_at) VALUES (1,"
        " '373500000000005678', 'telco-a', 'dm', 'lock', 35847210004217, 'pending', 'old-key',"
        " 0, 0);",
        "seed schema 3");
    ASSERT_TRUE(inserted.ok()) << inserted.error().message;
  }

  auto store = SqliteStore::Open(path);
  ASSERT_TRUE(store.ok()) << store.error().message;
  auto found = (*store)->FindOrderByIdempotencyKey("old-key");
  ASSERT_TRUE(found.ok()) << found.error().message;
  ASSERT_TRUE(found->has_value());
  EXPECT_FALSE((*found)->supersedes_order_id.has_value());
  EXPECT_FALSE((*found)->expires_at.has_value());
  auto due = (*store)->LoadDueOrders(FromMillis(1), 10);
  ASSERT_TRUE(due.ok()) << due.error().message;
  ASSERT_EQ(due->size(), 1u);
  EXPECT_EQ(due->front().idempotency_key, "old-key");
}

}  // namespace
}  // namespace imeiguard
