// The retention purge of SqliteStore against real database files: which parcels lose their
// devices, what stays, and the back-fill of the case flag for files written by schema 2.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "store/migrations.h"
#include "store/sqlite_store.h"
#include "store/store_test_support.h"

namespace imeiguard {
namespace {

using testing_support::At;
using testing_support::EventBatch;
using testing_support::MakeDevice;
using testing_support::MakeParcel;
using testing_support::TemporaryDirectory;

constexpr std::uint64_t kImeiA = 49015420323751;
constexpr std::uint64_t kImeiB = 86731504229158;
constexpr std::uint64_t kImeiB2 = 86731504229166;
constexpr std::uint64_t kImeiC = 35693803564380;
constexpr std::string_view kParcel1 = "373500000000001234";
constexpr std::string_view kParcel2 = "373500000000005678";
constexpr std::string_view kParcel3 = "RR123456785SE";

// Delivery and return verdicts in these tests are since this time.
constexpr std::string_view kClosedAt = "2026-03-02T11:40:00Z";

class RetentionPurgeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    Reopen();
  }

  std::string DatabasePath() const { return (dir_.path() / "store.db").string(); }

  void Reopen() {
    store_.reset();
    auto opened = SqliteStore::Open(DatabasePath());
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    store_ = std::move(opened).value();
  }

  ManifestImportResult Import(std::vector<ManifestParcel> parcels) {
    auto imported = store_->ImportManifest(parcels, At("2026-03-01T08:00:00Z"));
    EXPECT_TRUE(imported.ok()) << imported.error().message;
    return imported.ok() ? std::move(imported).value() : ManifestImportResult{};
  }

  Status SetVerdict(std::string_view parcel_id, Verdict verdict,
                    std::string_view since = kClosedAt) {
    AssessmentChange change;
    change.parcel_id = std::string(parcel_id);
    change.assessment.verdict = verdict;
    change.assessment.since = At(since);
    change.at = At(since);
    return store_->SaveAssessment(change);
  }

  // Declares the parcel lost with one lock order for its first device.
  Status DeclareLost(std::string_view parcel_id) {
    auto loaded = store_->LoadParcel(parcel_id);
    if (!loaded.ok()) return loaded.error();
    const DeviceRow& device = (*loaded)->devices.at(0);
    LockOrder order;
    order.device_id = device.device_id;
    order.parcel_id = device.parcel_id;
    order.shipper_id = device.shipper_id;
    order.connector = "dm";
    order.action = LockAction::kLock;
    order.imei = device.record.imei;
    order.imei2 = device.record.imei2;
    order.status = OrderStatus::kPending;
    order.idempotency_key = "key-" + std::string(parcel_id);
    order.created_at = At("2026-03-01T20:00:00Z");
    order.next_attempt_at = order.created_at;

    AssessmentChange change;
    change.parcel_id = std::string(parcel_id);
    change.assessment.verdict = Verdict::kLost;
    change.assessment.since = At("2026-03-01T20:00:00Z");
    change.new_orders.push_back(order);
    change.at = order.created_at;
    return store_->SaveAssessment(change);
  }

  DevicePurgeResult Purge(std::string_view closed_before = "2026-06-01T00:00:00Z",
                          int max_parcels = 100) {
    auto purged = store_->PurgeClosedParcelDevices(At(closed_before), max_parcels,
                                                   At("2026-06-01T00:00:00Z"));
    EXPECT_TRUE(purged.ok()) << purged.error().message;
    return purged.ok() ? std::move(purged).value() : DevicePurgeResult{};
  }

  std::size_t DevicesOf(std::string_view parcel_id) {
    auto loaded = store_->LoadParcel(parcel_id);
    EXPECT_TRUE(loaded.ok());
    EXPECT_TRUE(loaded.ok() && loaded->has_value());
    return loaded.ok() && loaded->has_value() ? (*loaded)->devices.size() : 0;
  }

  std::int64_t CountOf(std::string_view name) {
    auto counts = store_->Counts();
    EXPECT_TRUE(counts.ok());
    if (!counts.ok()) return -1;
    for (const auto& [counted, value] : *counts) {
      if (counted == name) return value;
    }
    return -1;
  }

  TemporaryDirectory dir_{"retention"};
  std::unique_ptr<SqliteStore> store_;
};

TEST_F(RetentionPurgeTest, ClosedParcelPastRetentionLosesImeis) {
  Import(
      {MakeParcel(std::string(kParcel1), {MakeDevice(kImeiA, 2), MakeDevice(kImeiB, 3, kImeiB2)})});
  EventBatch batch;
  batch.Add("e-1", std::string(kParcel1), ScanType::kDelivered, At(kClosedAt));
  ASSERT_TRUE(store_->AppendEvents(batch.Views(), At(kClosedAt), At(kClosedAt)).ok());
  ASSERT_TRUE(SetVerdict(kParcel1, Verdict::kDelivered).ok());

  DevicePurgeResult purged = Purge();

  EXPECT_EQ(purged.devices, 2);
  EXPECT_EQ(purged.parcel_ids, std::vector<std::string>{std::string(kParcel1)});
  for (std::uint64_t imei : {kImeiA, kImeiB, kImeiB2}) {
    auto devices = store_->FindDevices(Imei::FromCoreValue(imei));
    ASSERT_TRUE(devices.ok());
    EXPECT_TRUE(devices->empty()) << imei;
  }
  auto parcel = store_->LoadParcel(kParcel1);
  ASSERT_TRUE(parcel.ok());
  ASSERT_TRUE(parcel->has_value());
  EXPECT_TRUE((*parcel)->devices.empty());
  EXPECT_EQ((*parcel)->parcel.assessment.verdict, Verdict::kDelivered);
  ASSERT_EQ((*parcel)->events.size(), 1u);
  EXPECT_EQ((*parcel)->events[0].event_id, "e-1");
  EXPECT_EQ(CountOf("devices"), 0);
  EXPECT_EQ(CountOf("parcels"), 1);
}

TEST_F(RetentionPurgeTest, ReturnedParcelPastRetentionLosesImeis) {
  Import({MakeParcel(std::string(kParcel1), {MakeDevice(kImeiA, 2)})});
  ASSERT_TRUE(SetVerdict(kParcel1, Verdict::kReturned).ok());

  EXPECT_EQ(Purge().devices, 1);
  EXPECT_EQ(DevicesOf(kParcel1), 0u);
}

TEST_F(RetentionPurgeTest, ParcelWithinRetentionKeepsImeis) {
  Import({MakeParcel(std::string(kParcel1), {MakeDevice(kImeiA, 2)})});
  ASSERT_TRUE(SetVerdict(kParcel1, Verdict::kDelivered).ok());

  // Closed exactly at the cut-off is not before it.
  DevicePurgeResult purged = Purge(kClosedAt);

  EXPECT_EQ(purged.devices, 0);
  EXPECT_TRUE(purged.parcel_ids.empty());
  EXPECT_EQ(DevicesOf(kParcel1), 1u);
}

TEST_F(RetentionPurgeTest, OpenParcelKeepsImeis) {
  Import({MakeParcel(std::string(kParcel1), {MakeDevice(kImeiA, 2)})});

  EXPECT_TRUE(Purge().parcel_ids.empty());
  EXPECT_EQ(DevicesOf(kParcel1), 1u);
}

TEST_F(RetentionPurgeTest, SuspectThenDeliveredKeepsImeis) {
  Import({MakeParcel(std::string(kParcel1), {MakeDevice(kImeiA, 2)})});
  ASSERT_TRUE(SetVerdict(kParcel1, Verdict::kSuspect, "2026-03-01T20:00:00Z").ok());
  ASSERT_TRUE(SetVerdict(kParcel1, Verdict::kDelivered).ok());

  EXPECT_TRUE(Purge().parcel_ids.empty());
  EXPECT_EQ(DevicesOf(kParcel1), 1u);
}

TEST_F(RetentionPurgeTest, LockedThenDeliveredKeepsImeis) {
  Import({MakeParcel(std::string(kParcel1), {MakeDevice(kImeiA, 2)})});
  ASSERT_TRUE(DeclareLost(kParcel1).ok());
  ASSERT_TRUE(SetVerdict(kParcel1, Verdict::kDelivered).ok());

  EXPECT_TRUE(Purge().parcel_ids.empty());
  EXPECT_EQ(DevicesOf(kParcel1), 1u);
}

TEST_F(RetentionPurgeTest, OnlyParcelsWithoutCaseArePurged) {
  Import({MakeParcel(std::string(kParcel1), {MakeDevice(kImeiA, 2)}),
          MakeParcel(std::string(kParcel2), {MakeDevice(kImeiB, 3)}),
          MakeParcel(std::string(kParcel3), {MakeDevice(kImeiC, 4)})});
  ASSERT_TRUE(SetVerdict(kParcel1, Verdict::kDelivered).ok());
  ASSERT_TRUE(SetVerdict(kParcel2, Verdict::kLost, "2026-03-01T20:00:00Z").ok());
  ASSERT_TRUE(SetVerdict(kParcel2, Verdict::kDelivered).ok());

  DevicePurgeResult purged = Purge();

  EXPECT_EQ(purged.parcel_ids, std::vector<std::string>{std::string(kParcel1)});
  EXPECT_EQ(DevicesOf(kParcel1), 0u);
  EXPECT_EQ(DevicesOf(kParcel2), 1u);
  EXPECT_EQ(DevicesOf(kParcel3), 1u);
}

TEST_F(RetentionPurgeTest, PurgeIsIdempotent) {
  Import({MakeParcel(std::string(kParcel1), {MakeDevice(kImeiA, 2)})});
  ASSERT_TRUE(SetVerdict(kParcel1, Verdict::kDelivered).ok());
  ASSERT_EQ(Purge().devices, 1);

  DevicePurgeResult again = Purge();

  EXPECT_EQ(again.devices, 0);
  EXPECT_TRUE(again.parcel_ids.empty());
  EXPECT_EQ(CountOf("devices"), 0);
}

TEST_F(RetentionPurgeTest, BatchTakesOldestClosureFirst) {
  Import({MakeParcel(std::string(kParcel1), {MakeDevice(kImeiA, 2)}),
          MakeParcel(std::string(kParcel2), {MakeDevice(kImeiB, 3)}),
          MakeParcel(std::string(kParcel3), {MakeDevice(kImeiC, 4)})});
  ASSERT_TRUE(SetVerdict(kParcel1, Verdict::kDelivered, "2026-03-03T00:00:00Z").ok());
  ASSERT_TRUE(SetVerdict(kParcel2, Verdict::kDelivered, "2026-03-01T00:00:00Z").ok());
  ASSERT_TRUE(SetVerdict(kParcel3, Verdict::kDelivered, "2026-03-02T00:00:00Z").ok());

  DevicePurgeResult first = Purge("2026-06-01T00:00:00Z", 2);
  DevicePurgeResult second = Purge("2026-06-01T00:00:00Z", 2);

  EXPECT_EQ(first.parcel_ids,
            (std::vector<std::string>{std::string(kParcel2), std::string(kParcel3)}));
  EXPECT_EQ(second.parcel_ids, std::vector<std::string>{std::string(kParcel1)});
}

TEST_F(RetentionPurgeTest, ZeroBatchPurgesNothing) {
  Import({MakeParcel(std::string(kParcel1), {MakeDevice(kImeiA, 2)})});
  ASSERT_TRUE(SetVerdict(kParcel1, Verdict::kDelivered).ok());

  EXPECT_TRUE(Purge("2026-06-01T00:00:00Z", 0).parcel_ids.empty());
  EXPECT_EQ(DevicesOf(kParcel1), 1u);
}

TEST_F(RetentionPurgeTest, PurgedParcelRejectsItsDevicesAgain) {
  ManifestParcel parcel = MakeParcel(std::string(kParcel1), {MakeDevice(kImeiA, 2)});
  Import({parcel});
  ASSERT_TRUE(SetVerdict(kParcel1, Verdict::kDelivered).ok());
  ASSERT_EQ(Purge().devices, 1);

  ManifestImportResult again = Import({parcel});

  EXPECT_EQ(again.devices_new, 0);
  ASSERT_EQ(again.conflicts.size(), 1u);
  EXPECT_EQ(again.conflicts[0].reason, "parcel_purged");
  EXPECT_EQ(again.conflicts[0].line, 2);
  EXPECT_EQ(DevicesOf(kParcel1), 0u);
}

TEST_F(RetentionPurgeTest, PurgeSurvivesReopen) {
  Import({MakeParcel(std::string(kParcel1), {MakeDevice(kImeiA, 2)}),
          MakeParcel(std::string(kParcel2), {MakeDevice(kImeiB, 3)})});
  ASSERT_TRUE(SetVerdict(kParcel1, Verdict::kDelivered).ok());
  ASSERT_EQ(Purge().devices, 1);

  Reopen();

  EXPECT_EQ(CountOf("devices"), 1);
  EXPECT_EQ(DevicesOf(kParcel1), 0u);
  EXPECT_TRUE(Purge().parcel_ids.empty());
}

// Runs `sql` on `db`, failing the test on an error.
void Execute(sqlite3* db, const std::string& sql) {
  char* message = nullptr;
  int code = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message);
  std::string text = message != nullptr ? message : "";
  sqlite3_free(message);
  ASSERT_EQ(code, SQLITE_OK) << text;
}

// A file written by schema 2, with one parcel of each history the back-fill must read, all
// delivered on 2026-03-02.
void WriteSchemaTwoFile(const std::string& path) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  Status migrated =
      sqlite::ApplyMigrations(db, sqlite::BuiltInMigrations().first(2), At("2026-03-01T00:00:00Z"));
  ASSERT_TRUE(migrated.ok()) << migrated.error().message;
  std::string closed = std::to_string(ToMillis(At(kClosedAt)));
  for (std::string_view id : {"p-plain", "p-was-lost", "p-declared", "p-ordered"}) {
    Execute(db,
            "INSERT INTO parcels (parcel_id, shipper_id, service, promised_by,"
            " destination_postcode, recorded_at, verdict, verdict_since) VALUES ('" +
                std::string(id) + "', 'telco-a', 'home', 0, '41301', 0, 'delivered', " + closed +
                ")");
  }
  Execute(db,
          "INSERT INTO devices (parcel_id, shipper_id, imei, state, state_since) VALUES"
          " ('p-plain', 'telco-a', 49015420323751, 'released', 0),"
          " ('p-ordered', 'telco-a', 86731504229158, 'released', 0)");
  Execute(
      db,
      "INSERT INTO lock_orders (device_id, parcel_id, shipper_id, connector, action, imei,"
      " status, idempotency_key, created_at, next_attempt_at) VALUES"
      " (2, 'p-ordered', 'telco-a', 'dm', 'lock', 86731504229158, 'acknowledged', 'k-1', 0, 0)");
  // The audit rows are written raw, so their hashes are placeholders that no test verifies.
  std::string hash(64, '0');
  Execute(db,
          "INSERT INTO audit (sequence, at, actor, action, entity, detail, prev_hash, hash)"
          " VALUES (1, 0, 'engine', 'verdict', 'parcel:p-was-lost',"
          " '{\"from\":\"in_flow\",\"to\":\"lost\"}', '" +
              hash + "', '" + hash +
              "'), (2, 0, 'k-1', 'declared_lost', 'parcel:p-declared',"
              " '{}', '" +
              hash + "', '" + hash + "')");
  sqlite3_close(db);
}

TEST(RetentionMigration, BackFillsCaseFromHistory) {
  TemporaryDirectory dir("retention-migration");
  ASSERT_FALSE(dir.path().empty());
  std::string path = (dir.path() / "store.db").string();
  WriteSchemaTwoFile(path);

  auto store = SqliteStore::Open(path);
  ASSERT_TRUE(store.ok()) << store.error().message;
  auto purged = (*store)->PurgeClosedParcelDevices(At("2026-06-01T00:00:00Z"), 100,
                                                   At("2026-06-01T00:00:00Z"));

  ASSERT_TRUE(purged.ok()) << purged.error().message;
  EXPECT_EQ(purged->parcel_ids, std::vector<std::string>{"p-plain"});
  EXPECT_EQ(purged->devices, 1);
}

}  // namespace
}  // namespace imeiguard
