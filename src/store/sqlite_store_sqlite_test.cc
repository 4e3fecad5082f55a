// SqliteStore against real database files in a temporary directory.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <thread>

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

// Runs SQL on the file through a second connection, as a person with the sqlite3 shell would.
void ExecuteRaw(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* message = nullptr;
  int code = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message);
  std::string text = message != nullptr ? message : "";
  sqlite3_free(message);
  sqlite3_close(db);
  ASSERT_EQ(code, SQLITE_OK) << text;
}

// The first column of the first row of `sql`, as text; "" when there is no row.
std::string QueryRaw(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* statement = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr), SQLITE_OK)
      << sqlite3_errmsg(db);
  std::string value;
  if (sqlite3_step(statement) == SQLITE_ROW) {
    const unsigned char* text = sqlite3_column_text(statement, 0);
    if (text != nullptr) value = reinterpret_cast<const char*>(text);
  }
  sqlite3_finalize(statement);
  sqlite3_close(db);
  return value;
}

class SqliteStoreTest : public ::testing::Test {
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

  ManifestImportResult Import(std::vector<ManifestParcel> parcels,
                              Timestamp at = At("2026-03-02T08:05:00Z")) {
    auto imported = store_->ImportManifest(parcels, at);
    EXPECT_TRUE(imported.ok()) << imported.error().message;
    return imported.ok() ? std::move(imported).value() : ManifestImportResult{};
  }

  EventAppendResult Append(const EventBatch& batch, Timestamp at = At("2026-03-02T09:00:00Z")) {
    std::vector<ScanEventView> views = batch.Views();
    auto appended = store_->AppendEvents(views, at, at + std::chrono::hours(24));
    EXPECT_TRUE(appended.ok()) << appended.error().message;
    return appended.ok() ? std::move(appended).value() : EventAppendResult{};
  }

  ParcelSnapshot Load(std::string_view parcel_id) {
    auto loaded = store_->LoadParcel(parcel_id);
    EXPECT_TRUE(loaded.ok()) << loaded.error().message;
    if (!loaded.ok()) return ParcelSnapshot{};
    EXPECT_TRUE(loaded->has_value()) << "parcel " << parcel_id << " not stored";
    return loaded->has_value() ? std::move(**loaded) : ParcelSnapshot{};
  }

  std::int64_t CountOf(std::string_view name) {
    auto counts = store_->Counts();
    EXPECT_TRUE(counts.ok());
    if (!counts.ok()) return -1;
    for (const auto& [counted, value] : *counts) {
      if (counted == name) return value;
    }
    ADD_FAILURE() << "no count named " << name;
    return -1;
  }

  // A pending lock order for `device` through connector "dm".
  static LockOrder MakeOrder(const DeviceRow& device, std::string key, Timestamp next_attempt_at) {
    LockOrder order;
    order.device_id = device.device_id;
    order.parcel_id = device.parcel_id;
    order.shipper_id = device.shipper_id;
    order.connector = "dm";
    order.action = LockAction::kLock;
    order.imei = device.record.imei;
    order.imei2 = device.record.imei2;
    order.status = OrderStatus::kPending;
    order.idempotency_key = std::move(key);
    order.reason = "lost: silence";
    order.created_at = At("2026-03-09T00:00:00Z");
    order.next_attempt_at = next_attempt_at;
    return order;
  }

  // Declares the parcel lost and creates one lock order per given key for its first device.
  Status DeclareLost(std::string_view parcel_id, std::vector<std::string> keys,
                     Timestamp next_attempt_at = At("2026-03-09T00:00:00Z")) {
    ParcelSnapshot snapshot = Load(parcel_id);
    AssessmentChange change;
    change.parcel_id = std::string(parcel_id);
    change.assessment.verdict = Verdict::kLost;
    change.assessment.since = At("2026-03-09T00:00:00Z");
    change.assessment.evidence.push_back(
        {"silence", At("2026-03-09T00:00:00Z"), "", "no scan", "lost"});
    for (std::string& key : keys) {
      change.new_orders.push_back(
          MakeOrder(snapshot.devices.at(0), std::move(key), next_attempt_at));
    }
    change.device_states.emplace_back(snapshot.devices.at(0).device_id, LockState::kLockPending);
    change.at = At("2026-03-09T00:00:00Z");
    return store_->SaveAssessment(change);
  }

  Status SetVerdict(std::string_view parcel_id, Verdict verdict) {
    AssessmentChange change;
    change.parcel_id = std::string(parcel_id);
    change.assessment.verdict = verdict;
    change.assessment.since = At("2026-03-02T11:40:00Z");
    change.at = At("2026-03-02T12:00:00Z");
    return store_->SaveAssessment(change);
  }

  TemporaryDirectory dir_{"store"};
  std::unique_ptr<SqliteStore> store_;
};

TEST_F(SqliteStoreTest, MigrationsCreateSchemaFromEmpty) {
  EXPECT_EQ(QueryRaw(DatabasePath(), "SELECT max(version) FROM schema_migrations"),
            std::to_string(sqlite::BuiltInMigrations().size()));
  EXPECT_EQ(QueryRaw(DatabasePath(), "SELECT name FROM schema_migrations WHERE version = 1"),
            "initial");
  for (const char* table : {"parcels", "devices", "events", "pending_events", "lock_orders",
                            "audit", "api_keys", "audit_checkpoint"}) {
    EXPECT_EQ(QueryRaw(DatabasePath(), std::string("SELECT count(*) FROM sqlite_master WHERE "
                                                   "type = 'table' AND name = '") +
                                           table + "'"),
              "1")
        << table;
  }
  EXPECT_EQ(QueryRaw(DatabasePath(), "PRAGMA journal_mode"), "wal");
}

TEST_F(SqliteStoreTest, ReopenAppliesNoMigrationTwice) {
  Reopen();
  EXPECT_EQ(QueryRaw(DatabasePath(), "SELECT count(*) FROM schema_migrations"),
            std::to_string(sqlite::BuiltInMigrations().size()));
}

TEST_F(SqliteStoreTest, InMemoryDatabaseOpens) {
  auto opened = SqliteStore::Open(":memory:");
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  auto imported = (*opened)->ImportManifest(
      std::vector{MakeParcel(std::string(kParcel1), {MakeDevice(kImeiA, 2)})},
      At("2026-03-02T08:00:00Z"));
  ASSERT_TRUE(imported.ok());
  EXPECT_EQ(imported->parcels_new, 1);
}

TEST_F(SqliteStoreTest, OpenAppliesEveryOption) {
  store_.reset();
  SqliteStoreOptions options;
  options.durability = SqliteStoreOptions::Durability::kNormal;
  options.busy_timeout = std::chrono::milliseconds(100);
  options.cache_size_kib = 4096;
  auto opened = SqliteStore::Open(DatabasePath(), options);
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  auto imported = (*opened)->ImportManifest(
      std::vector{MakeParcel(std::string(kParcel1), {MakeDevice(kImeiA, 2)})},
      At("2026-03-02T08:00:00Z"));
  ASSERT_TRUE(imported.ok());
  EXPECT_EQ(imported->parcels_new, 1);
}

TEST_F(SqliteStoreTest, OpenRejectsEmptyPath) {
  auto opened = SqliteStore::Open("");
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().kind, ErrorKind::kInvalidInput);
  EXPECT_EQ(opened.error().reason, "database_path");
}

TEST_F(SqliteStoreTest, ReopenKeepsData) {
  Import({MakeParcel(std::string(kParcel1), {MakeDevice(kImeiB, 2, kImeiB2)})});
  EventBatch batch;
  batch.Add("e-1", std::string(kParcel1), ScanType::kAccepted, At("2026-03-02T06:00:00Z"));
  batch.Add("e-2", std::string(kParcel2), ScanType::kArrived, At("2026-03-02T07:00:00Z"));
  Append(batch);
  ASSERT_TRUE(DeclareLost(kParcel1, {"order-key-1"}).ok());
  ASSERT_TRUE(
      store_
          ->SaveApiKey({"k1", std::string(64, 'a'), "admin", "", At("2026-03-01T00:00:00Z"), false},
                       std::nullopt)
          .ok());

  Reopen();

  ParcelSnapshot snapshot = Load(kParcel1);
  EXPECT_EQ(snapshot.parcel.record.shipper_id, "telco-a");
  EXPECT_EQ(snapshot.parcel.assessment.verdict, Verdict::kLost);
  ASSERT_EQ(snapshot.devices.size(), 1u);
  EXPECT_EQ(snapshot.devices[0].record.imei2, Imei::FromCoreValue(kImeiB2));
  EXPECT_EQ(snapshot.devices[0].state, LockState::kLockPending);
  ASSERT_EQ(snapshot.events.size(), 1u);
  EXPECT_EQ(snapshot.events[0].event_id, "e-1");
  ASSERT_EQ(snapshot.orders.size(), 1u);
  EXPECT_EQ(snapshot.orders[0].idempotency_key, "order-key-1");
  EXPECT_EQ(CountOf("parcels"), 1);
  EXPECT_EQ(CountOf("devices"), 1);
  EXPECT_EQ(CountOf("events"), 1);
  EXPECT_EQ(CountOf("pending_events"), 1);
  EXPECT_EQ(CountOf("orders_pending"), 1);
  auto key = store_->FindApiKey("k1");
  ASSERT_TRUE(key.ok());
  EXPECT_TRUE(key->has_value());
}

TEST_F(SqliteStoreTest, ReopenKeepsParcelKnownForEvents) {
  Import({MakeParcel(std::string(kParcel1), {MakeDevice(kImeiA, 2)})});
  Reopen();
  EventBatch batch;
  batch.Add("e-1", std::string(kParcel1), ScanType::kAccepted, At("2026-03-02T06:00:00Z"));
  EventAppendResult appended = Append(batch);
  EXPECT_EQ(appended.stored, 1);
  EXPECT_EQ(appended.pending, 0);
}

TEST_F(SqliteStoreTest, ParcelFieldsRoundTrip) {
  ManifestParcel parcel = MakeParcel(std::string(kParcel3), {MakeDevice(kImeiB, 4, kImeiB2)});
  parcel.parcel.origin = "";
  parcel.parcel.declared_weight_g.reset();
  parcel.devices[0].value_ore.reset();
  parcel.devices[0].serial = "";
  Import({parcel}, At("2026-03-02T08:05:00Z"));

  ParcelSnapshot snapshot = Load(kParcel3);
  EXPECT_EQ(snapshot.parcel.record, parcel.parcel);
  EXPECT_EQ(snapshot.parcel.recorded_at, At("2026-03-02T08:05:00Z"));
  EXPECT_EQ(snapshot.parcel.assessment.verdict, Verdict::kInFlow);
  ASSERT_EQ(snapshot.devices.size(), 1u);
  EXPECT_EQ(snapshot.devices[0].record, parcel.devices[0]);
  EXPECT_EQ(snapshot.devices[0].parcel_id, kParcel3);
  EXPECT_EQ(snapshot.devices[0].shipper_id, "telco-a");
  EXPECT_EQ(snapshot.devices[0].state, LockState::kWatched);
  EXPECT_EQ(snapshot.devices[0].state_since, At("2026-03-02T08:05:00Z"));
}

TEST_F(SqliteStoreTest, ImportIsIdempotent) {
  std::vector<ManifestParcel> manifest = {
      MakeParcel(std::string(kParcel1), {MakeDevice(kImeiA, 2), MakeDevice(kImeiC, 3)}),
      MakeParcel(std::string(kParcel2), {MakeDevice(kImeiB, 4, kImeiB2)})};
  ManifestImportResult first = Import(manifest);
  EXPECT_EQ(first.parcels_new, 2);
  EXPECT_EQ(first.devices_new, 3);
  ASSERT_EQ(first.new_parcels.size(), 2u);
  EXPECT_EQ(first.new_parcels[0], std::pair(std::string(kParcel1), 0));

  ManifestImportResult second = Import(manifest, At("2026-03-02T10:00:00Z"));
  EXPECT_EQ(second.parcels_new, 0);
  EXPECT_EQ(second.parcels_unchanged, 2);
  EXPECT_EQ(second.devices_new, 0);
  EXPECT_EQ(second.devices_unchanged, 3);
  EXPECT_TRUE(second.conflicts.empty());
  EXPECT_TRUE(second.new_parcels.empty());
  EXPECT_EQ(CountOf("parcels"), 2);
  EXPECT_EQ(CountOf("devices"), 3);
  EXPECT_EQ(Load(kParcel1).parcel.recorded_at, At("2026-03-02T08:05:00Z"));
}

TEST_F(SqliteStoreTest, ImportAddsDeviceToStoredParcel) {
  Import({MakeParcel(std::string(kParcel1), {MakeDevice(kImeiA, 2)})});
  ManifestImportResult second =
      Import({MakeParcel(std::string(kParcel1), {MakeDevice(kImeiA, 2), MakeDevice(kImeiC, 3)})});
  EXPECT_EQ(second.parcels_unchanged, 1);
  EXPECT_EQ(second.devices_unchanged, 1);
  EXPECT_EQ(second.devices_new, 1);
  EXPECT_EQ(Load(kParcel1).devices.size(), 2u);
}

TEST_F(SqliteStoreTest, ImportReportsParcelThatContradictsStored) {
  Import({MakeParcel(std::string(kParcel1), {MakeDevice(kImeiA, 2)})});

  ManifestParcel changed = MakeParcel(std::string(kParcel1), {MakeDevice(kImeiA, 7)});
  changed.parcel.promised_by = At("2026-03-05T22:59:59Z");
  ManifestImportResult result =
      Import({changed, MakeParcel(std::string(kParcel2), {MakeDevice(kImeiC, 8)})});

  ASSERT_EQ(result.conflicts.size(), 1u);
  EXPECT_EQ(result.conflicts[0].line, 7);
  EXPECT_EQ(result.conflicts[0].column, "promised_by");
  EXPECT_EQ(result.conflicts[0].reason, "contradicts_stored");
  EXPECT_NE(result.conflicts[0].message.find(std::string(kParcel1)), std::string::npos);
  EXPECT_EQ(result.parcels_new, 1);
  EXPECT_EQ(result.parcels_unchanged, 0);
  EXPECT_EQ(Load(kParcel1).parcel.record.promised_by, At("2026-03-03T22:59:59Z"));
  EXPECT_EQ(Load(kParcel2).devices.size(), 1u);
}

TEST_F(SqliteStoreTest, ImportReportsDeviceThatContradictsStored) {
  Import({MakeParcel(std::string(kParcel1), {MakeDevice(kImeiA, 2)})});
  DeviceRecord changed = MakeDevice(kImeiA, 2);
  changed.serial = "OTHER";

  ManifestImportResult result = Import({MakeParcel(std::string(kParcel1), {changed})});

  ASSERT_EQ(result.conflicts.size(), 1u);
  EXPECT_EQ(result.conflicts[0].column, "serial");
  EXPECT_EQ(result.conflicts[0].reason, "contradicts_stored");
  EXPECT_EQ(result.devices_unchanged, 0);
  EXPECT_EQ(Load(kParcel1).devices.at(0).record.serial, MakeDevice(kImeiA, 2).serial);
}

TEST_F(SqliteStoreTest, ImportRejectsImeiInAnotherOpenParcel) {
  Import({MakeParcel(std::string(kParcel1), {MakeDevice(kImeiB, 2, kImeiB2)})});

  ManifestImportResult result = Import({
      MakeParcel(std::string(kParcel2), {MakeDevice(kImeiB2, 5)}),
      MakeParcel(std::string(kParcel3), {MakeDevice(kImeiC, 6, kImeiB)}),
  });

  ASSERT_EQ(result.conflicts.size(), 2u);
  EXPECT_EQ(result.conflicts[0].line, 5);
  EXPECT_EQ(result.conflicts[0].column, "imei");
  EXPECT_EQ(result.conflicts[0].reason, "imei_in_open_parcel");
  EXPECT_EQ(result.conflicts[1].line, 6);
  EXPECT_EQ(result.conflicts[1].column, "imei2");
  EXPECT_EQ(result.conflicts[1].reason, "imei_in_open_parcel");
  // The other parcel's id is not revealed to the shipper.
  EXPECT_EQ(result.conflicts[0].message.find(std::string(kParcel1)), std::string::npos);
  // New parcels whose every row conflicts are not stored.
  EXPECT_EQ(result.parcels_new, 0);
  auto missing = store_->LoadParcel(kParcel2);
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
  EXPECT_EQ(CountOf("parcels"), 1);
}

TEST_F(SqliteStoreTest, ImportRejectsImeiTwiceInOneBatch) {
  ManifestImportResult result = Import({
      MakeParcel(std::string(kParcel1), {MakeDevice(kImeiA, 2)}),
      MakeParcel(std::string(kParcel2), {MakeDevice(kImeiA, 3)}),
  });
  EXPECT_EQ(result.parcels_new, 1);
  ASSERT_EQ(result.conflicts.size(), 1u);
  EXPECT_EQ(result.conflicts[0].line, 3);
  EXPECT_EQ(result.conflicts[0].reason, "imei_in_open_parcel");
}

TEST_F(SqliteStoreTest, ImportRejectsImeiOfSiblingDevice) {
  Import({MakeParcel(std::string(kParcel1), {MakeDevice(kImeiB, 2, kImeiB2)})});
  ManifestImportResult result =
      Import({MakeParcel(std::string(kParcel1), {MakeDevice(kImeiB2, 3)})});
  ASSERT_EQ(result.conflicts.size(), 1u);
  EXPECT_EQ(result.conflicts[0].reason, "contradicts_stored");
  EXPECT_EQ(result.conflicts[0].column, "imei");
}

TEST_F(SqliteStoreTest, ImportAcceptsImeiOfClosedParcel) {
  Import({MakeParcel(std::string(kParcel1), {MakeDevice(kImeiA, 2)})});
  ASSERT_TRUE(SetVerdict(kParcel1, Verdict::kDelivered).ok());

  ManifestImportResult result =
      Import({MakeParcel(std::string(kParcel2), {MakeDevice(kImeiA, 2)})});

  EXPECT_TRUE(result.conflicts.empty());
  EXPECT_EQ(result.parcels_new, 1);
  auto devices = store_->FindDevices(Imei::FromCoreValue(kImeiA));
  ASSERT_TRUE(devices.ok());
  ASSERT_EQ(devices->size(), 2u);
  EXPECT_EQ((*devices)[0].parcel_id, kParcel2);  // Newest first.
  EXPECT_EQ((*devices)[1].parcel_id, kParcel1);
}

TEST_F(SqliteStoreTest, PendingEventJoinsHistoryOnImport) {
  EventBatch early;
  early.Add("e-0800", std::string(kParcel1), ScanType::kAccepted, At("2026-03-02T08:00:05Z"));
  EventAppendResult appended = Append(early, At("2026-03-02T08:00:05Z"));
  EXPECT_EQ(appended.pending, 1);
  EXPECT_EQ(appended.stored, 0);
  EXPECT_TRUE(appended.touched_parcels.empty());
  EXPECT_EQ(CountOf("pending_events"), 1);

  ManifestImportResult imported = Import(
      {MakeParcel(std::string(kParcel1), {MakeDevice(kImeiA, 2)})}, At("2026-03-02T08:05:00Z"));

  ASSERT_EQ(imported.new_parcels.size(), 1u);
  EXPECT_EQ(imported.new_parcels[0], std::pair(std::string(kParcel1), 1));
  ParcelSnapshot snapshot = Load(kParcel1);
  ASSERT_EQ(snapshot.events.size(), 1u);
  EXPECT_EQ(snapshot.events[0].event_id, "e-0800");
  EXPECT_EQ(snapshot.events[0].time, At("2026-03-02T08:00:05Z"));
  EXPECT_EQ(snapshot.events[0].recorded_at, At("2026-03-02T08:00:05Z"));
  EXPECT_EQ(CountOf("pending_events"), 0);
  EXPECT_EQ(CountOf("events"), 1);
  EXPECT_EQ(QueryRaw(DatabasePath(), "SELECT count(*) FROM pending_events"), "0");
}

TEST_F(SqliteStoreTest, PendingEventOfRejectedParcelStaysPending) {
  Import({MakeParcel(std::string(kParcel1), {MakeDevice(kImeiA, 2)})});
  EventBatch early;
  early.Add("e-1", std::string(kParcel2), ScanType::kAccepted, At("2026-03-02T08:00:05Z"));
  Append(early);

  ManifestImportResult imported =
      Import({MakeParcel(std::string(kParcel2), {MakeDevice(kImeiA, 3)})});

  EXPECT_TRUE(imported.new_parcels.empty());
  EXPECT_EQ(CountOf("pending_events"), 1);
}

TEST_F(SqliteStoreTest, RepeatedEventIsStoredOnce) {
  Import({MakeParcel(std::string(kParcel1), {MakeDevice(kImeiA, 2)})});
  EventBatch delivered;
  delivered.Add("e-delivered", std::string(kParcel1), ScanType::kDelivered,
                At("2026-03-02T10:19:00Z"));

  EventAppendResult first = Append(delivered, At("2026-03-02T10:20:00Z"));
  EventAppendResult second = Append(delivered, At("2026-03-02T22:00:00Z"));
  EventAppendResult third = Append(delivered, At("2026-03-03T15:20:00Z"));

  EXPECT_EQ(first.stored, 1);
  ASSERT_EQ(first.touched_parcels.size(), 1u);
  for (const EventAppendResult& repeat : {second, third}) {
    EXPECT_EQ(repeat.stored, 0);
    EXPECT_EQ(repeat.duplicates, 1);
    EXPECT_TRUE(repeat.touched_parcels.empty());
  }
  ParcelSnapshot snapshot = Load(kParcel1);
  ASSERT_EQ(snapshot.events.size(), 1u);
  EXPECT_EQ(snapshot.events[0].recorded_at, At("2026-03-02T10:20:00Z"));
}

TEST_F(SqliteStoreTest, RepeatedEventInOneBatchIsStoredOnce) {
  Import({MakeParcel(std::string(kParcel1), {MakeDevice(kImeiA, 2)})});
  EventBatch batch;
  for (int i = 0; i < 3; ++i) {
    batch.Add("e-1", std::string(kParcel1), ScanType::kArrived, At("2026-03-02T10:00:00Z"));
    batch.Add("p-1", std::string(kParcel2), ScanType::kArrived, At("2026-03-02T10:00:00Z"));
  }

  EventAppendResult appended = Append(batch);

  EXPECT_EQ(appended.stored, 1);
  EXPECT_EQ(appended.pending, 1);
  EXPECT_EQ(appended.duplicates, 4);
  EXPECT_EQ(CountOf("events"), 1);
  EXPECT_EQ(CountOf("pending_events"), 1);
}

TEST_F(SqliteStoreTest, EventIdIsUniqueAcrossBothTables) {
  Import({MakeParcel(std::string(kParcel1), {MakeDevice(kImeiA, 2)})});
  EventBatch pending;
  pending.Add("e-1", std::string(kParcel2), ScanType::kArrived, At("2026-03-02T10:00:00Z"));
  Append(pending);
  EventBatch stored;
  stored.Add("e-2", std::string(kParcel1), ScanType::kArrived, At("2026-03-02T10:00:00Z"));
  Append(stored);

  EventBatch clashes;
  clashes.Add("e-1", std::string(kParcel1), ScanType::kArrived, At("2026-03-02T10:00:00Z"));
  clashes.Add("e-2", std::string(kParcel2), ScanType::kArrived, At("2026-03-02T10:00:00Z"));
  EventAppendResult appended = Append(clashes);

  EXPECT_EQ(appended.duplicates, 2);
  EXPECT_EQ(appended.stored, 0);
  EXPECT_EQ(appended.pending, 0);
}

TEST_F(SqliteStoreTest, AdoptedEventRepeatedIsDuplicate) {
  EventBatch early;
  early.Add("e-1", std::string(kParcel1), ScanType::kAccepted, At("2026-03-02T08:00:05Z"));
  Append(early);
  Import({MakeParcel(std::string(kParcel1), {MakeDevice(kImeiA, 2)})});

  EventAppendResult again = Append(early);

  EXPECT_EQ(again.duplicates, 1);
  EXPECT_EQ(Load(kParcel1).events.size(), 1u);
}

TEST_F(SqliteStoreTest, TouchedParcelsNamedOnceInFirstSeenOrder) {
  Import({MakeParcel(std::string(kParcel1), {MakeDevice(kImeiA, 2)}),
          MakeParcel(std::string(kParcel2), {MakeDevice(kImeiC, 3)})});
  EventBatch batch;
  batch.Add("e-1", std::string(kParcel2), ScanType::kArrived, At("2026-03-02T10:00:00Z"));
  batch.Add("e-2", std::string(kParcel1), ScanType::kArrived, At("2026-03-02T10:00:00Z"));
  batch.Add("e-3", std::string(kParcel2), ScanType::kSorted, At("2026-03-02T10:05:00Z"));
  batch.Add("e-4", std::string(kParcel3), ScanType::kSorted, At("2026-03-02T10:05:00Z"));

  EventAppendResult appended = Append(batch);

  EXPECT_EQ(appended.touched_parcels,
            (std::vector<std::string>{std::string(kParcel2), std::string(kParcel1)}));
}

TEST_F(SqliteStoreTest, EventWithEmptyIdFailsWholeBatch) {
  Import({MakeParcel(std::string(kParcel1), {MakeDevice(kImeiA, 2)})});
  EventBatch batch;
  batch.Add("e-1", std::string(kParcel1), ScanType::kArrived, At("2026-03-02T10:00:00Z"));
  batch.Add("", std::string(kParcel1), ScanType::kArrived, At("2026-03-02T10:00:00Z"));
  std::vector<ScanEventView> views = batch.Views();

  auto appended =
      store_->AppendEvents(views, At("2026-03-02T10:00:00Z"), At("2026-03-03T10:00:00Z"));

  ASSERT_FALSE(appended.ok());
  EXPECT_EQ(appended.error().kind, ErrorKind::kInvalidInput);
  EXPECT_EQ(appended.error().reason, "missing_field");
  EXPECT_NE(appended.error().message.find("event_id"), std::string::npos);
  EXPECT_EQ(CountOf("events"), 0);
}

TEST_F(SqliteStoreTest, EventFieldsRoundTrip) {
  Import({MakeParcel(std::string(kParcel1), {MakeDevice(kImeiA, 2)})});
  EventBatch batch;
  ScanEvent& full = batch.Add("e-full", std::string(kParcel1), ScanType::kDeparted,
                              At("2026-03-02T06:14:09.250Z"));
  full.received = At("2026-03-02T06:15:00Z");
  full.node = "SE-TERM-GBG";
  full.node_type = NodeType::kTerminal;
  full.handler = "h-1042";
  full.weight_g = 402;
  full.next_node = "SE-HUB-STO";
  full.detail = "left on trailer 7";
  batch.Add("e-bare", std::string(kParcel1), ScanType::kExceptionOpened,
            At("2026-03-02T07:00:00Z"));
  Append(batch, At("2026-03-02T09:00:00Z"));

  ParcelSnapshot snapshot = Load(kParcel1);
  ASSERT_EQ(snapshot.events.size(), 2u);
  const ScanEvent& stored = snapshot.events[0];
  EXPECT_EQ(stored.event_id, "e-full");
  EXPECT_EQ(stored.type, ScanType::kDeparted);
  EXPECT_EQ(stored.time, At("2026-03-02T06:14:09.250Z"));
  EXPECT_EQ(stored.received, At("2026-03-02T06:15:00Z"));
  EXPECT_EQ(stored.node, "SE-TERM-GBG");
  EXPECT_EQ(stored.node_type, NodeType::kTerminal);
  EXPECT_EQ(stored.handler, "h-1042");
  EXPECT_EQ(stored.weight_g, 402);
  EXPECT_EQ(stored.next_node, "SE-HUB-STO");
  EXPECT_EQ(stored.detail, "left on trailer 7");
  EXPECT_EQ(stored.recorded_at, At("2026-03-02T09:00:00Z"));
  const ScanEvent& bare = snapshot.events[1];
  EXPECT_EQ(bare.type, ScanType::kExceptionOpened);
  EXPECT_FALSE(bare.received.has_value());
  EXPECT_EQ(bare.node_type, NodeType::kUnknown);
  EXPECT_FALSE(bare.weight_g.has_value());
  EXPECT_EQ(bare.node, "");
}

TEST_F(SqliteStoreTest, EventsLoadInEventTimeOrder) {
  Import({MakeParcel(std::string(kParcel1), {MakeDevice(kImeiA, 2)})});
  EventBatch batch;
  batch.Add("e-c", std::string(kParcel1), ScanType::kOutForDelivery, At("2026-03-02T10:24:00Z"));
  batch.Add("e-b", std::string(kParcel1), ScanType::kDelivered, At("2026-03-02T10:19:00Z"));
  batch.Add("e-d", std::string(kParcel1), ScanType::kArrived, At("2026-03-02T13:20:00Z"));
  batch.Add("e-a", std::string(kParcel1), ScanType::kSorted, At("2026-03-02T10:19:00Z"));
  Append(batch);

  auto open = store_->LoadOpenParcels();
  ASSERT_TRUE(open.ok());
  ASSERT_EQ(open->size(), 1u);
  std::vector<std::string> ids;
  for (const ScanEvent& event : (*open)[0].events) ids.push_back(event.event_id);
  EXPECT_EQ(ids, (std::vector<std::string>{"e-a", "e-b", "e-c", "e-d"}));
  ParcelSnapshot single = Load(kParcel1);
  ASSERT_EQ(single.events.size(), 4u);
  EXPECT_TRUE(std::is_sorted(single.events.begin(), single.events.end(), EventTimeOrder));
}

TEST_F(SqliteStoreTest, LoadOpenParcelsLeavesClosedOut) {
  Import({MakeParcel(std::string(kParcel1), {MakeDevice(kImeiA, 2)}),
          MakeParcel(std::string(kParcel2), {MakeDevice(kImeiB, 3)}),
          MakeParcel(std::string(kParcel3), {MakeDevice(kImeiC, 4)})});
  ASSERT_TRUE(SetVerdict(kParcel1, Verdict::kDelivered).ok());
  ASSERT_TRUE(SetVerdict(kParcel3, Verdict::kReturned).ok());
  ASSERT_TRUE(DeclareLost(kParcel2, {"key-2"}).ok());
  EventBatch batch;
  batch.Add("e-1", std::string(kParcel1), ScanType::kArrived, At("2026-03-02T10:00:00Z"));
  batch.Add("e-2", std::string(kParcel2), ScanType::kArrived, At("2026-03-02T10:00:00Z"));
  Append(batch);

  auto open = store_->LoadOpenParcels();

  ASSERT_TRUE(open.ok());
  ASSERT_EQ(open->size(), 1u);
  const ParcelSnapshot& lost = (*open)[0];
  EXPECT_EQ(lost.parcel.record.parcel_id, kParcel2);
  ASSERT_EQ(lost.devices.size(), 1u);
  ASSERT_EQ(lost.events.size(), 1u);
  EXPECT_EQ(lost.events[0].event_id, "e-2");
  ASSERT_EQ(lost.orders.size(), 1u);
  EXPECT_EQ(lost.orders[0].idempotency_key, "key-2");
}

TEST_F(SqliteStoreTest, LoadParcelOfUnknownIdIsEmpty) {
  auto loaded = store_->LoadParcel(kParcel1);
  ASSERT_TRUE(loaded.ok());
  EXPECT_FALSE(loaded->has_value());
}

TEST_F(SqliteStoreTest, FindDevicesBySecondImei) {
  Import({MakeParcel(std::string(kParcel1), {MakeDevice(kImeiB, 2, kImeiB2)})});
  for (std::uint64_t imei : {kImeiB, kImeiB2}) {
    auto devices = store_->FindDevices(Imei::FromCoreValue(imei));
    ASSERT_TRUE(devices.ok());
    ASSERT_EQ(devices->size(), 1u) << imei;
    EXPECT_EQ((*devices)[0].record.imei, Imei::FromCoreValue(kImeiB));
  }
  auto none = store_->FindDevices(Imei::FromCoreValue(kImeiC));
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST_F(SqliteStoreTest, AssessmentRoundTrip) {
  Import({MakeParcel(std::string(kParcel1), {MakeDevice(kImeiA, 2)})});
  AssessmentChange change;
  change.parcel_id = std::string(kParcel1);
  change.assessment.verdict = Verdict::kSuspect;
  change.assessment.since = At("2026-03-04T10:00:00Z");
  change.assessment.evidence = {{"reweigh_light", At("2026-03-04T10:00:00Z"), "e-9",
                                 "lighter by 180 g \"exactly\"", "suspect"},
                                {"silence", At("2026-03-05T10:00:00Z"), "", "", "lost"}};
  change.assessment.next_deadline = At("2026-03-07T10:00:00Z");
  change.at = At("2026-03-04T10:00:01Z");
  ASSERT_TRUE(store_->SaveAssessment(change).ok());

  Reopen();
  EXPECT_EQ(Load(kParcel1).parcel.assessment, change.assessment);
}

TEST_F(SqliteStoreTest, AssessmentOfUnknownParcelIsNotFound) {
  AssessmentChange change;
  change.parcel_id = std::string(kParcel1);
  Status saved = store_->SaveAssessment(change);
  ASSERT_FALSE(saved.ok());
  EXPECT_EQ(saved.error().kind, ErrorKind::kNotFound);
  EXPECT_EQ(saved.error().reason, "parcel_not_found");
}

TEST_F(SqliteStoreTest, OrderRoundTrip) {
  Import({MakeParcel(std::string(kParcel1), {MakeDevice(kImeiB, 2, kImeiB2)})});
  ASSERT_TRUE(DeclareLost(kParcel1, {"key-1"}).ok());
  ParcelSnapshot snapshot = Load(kParcel1);
  ASSERT_EQ(snapshot.orders.size(), 1u);
  LockOrder order = snapshot.orders[0];
  EXPECT_GT(order.order_id, 0);
  EXPECT_EQ(order.device_id, snapshot.devices[0].device_id);
  EXPECT_EQ(order.parcel_id, kParcel1);
  EXPECT_EQ(order.shipper_id, "telco-a");
  EXPECT_EQ(order.connector, "dm");
  EXPECT_EQ(order.action, LockAction::kLock);
  EXPECT_EQ(order.imei, Imei::FromCoreValue(kImeiB));
  EXPECT_EQ(order.imei2, Imei::FromCoreValue(kImeiB2));
  EXPECT_EQ(order.status, OrderStatus::kPending);
  EXPECT_EQ(order.reason, "lost: silence");
  EXPECT_EQ(order.attempts, 0);
  EXPECT_FALSE(order.sent_at.has_value());

  order.status = OrderStatus::kAcknowledged;
  order.attempts = 2;
  order.platform_order_id = "p-77";
  order.sent_at = At("2026-03-09T00:00:05Z");
  order.acknowledged_at = At("2026-03-09T00:01:00Z");
  order.next_attempt_at = At("2026-03-09T00:06:00Z");
  order.last_error = "429 Too Many Requests";
  Status updated = store_->UpdateOrder(order, std::pair(order.device_id, LockState::kLocked),
                                       std::nullopt, At("2026-03-09T00:01:00Z"));
  ASSERT_TRUE(updated.ok()) << updated.error().message;

  Reopen();
  ParcelSnapshot after = Load(kParcel1);
  ASSERT_EQ(after.orders.size(), 1u);
  const LockOrder& stored = after.orders[0];
  EXPECT_EQ(stored.status, OrderStatus::kAcknowledged);
  EXPECT_EQ(stored.attempts, 2);
  EXPECT_EQ(stored.platform_order_id, "p-77");
  EXPECT_EQ(stored.sent_at, At("2026-03-09T00:00:05Z"));
  EXPECT_EQ(stored.acknowledged_at, At("2026-03-09T00:01:00Z"));
  EXPECT_EQ(stored.next_attempt_at, At("2026-03-09T00:06:00Z"));
  EXPECT_EQ(stored.last_error, "429 Too Many Requests");
  EXPECT_EQ(after.devices[0].state, LockState::kLocked);
  EXPECT_EQ(after.devices[0].state_since, At("2026-03-09T00:01:00Z"));
}

TEST_F(SqliteStoreTest, UpdateOfUnknownOrderIsNotFound) {
  LockOrder order;
  order.order_id = 42;
  Status updated =
      store_->UpdateOrder(order, std::nullopt, std::nullopt, At("2026-03-09T00:00:00Z"));
  ASSERT_FALSE(updated.ok());
  EXPECT_EQ(updated.error().kind, ErrorKind::kNotFound);
  EXPECT_EQ(updated.error().reason, "order_not_found");
}

TEST_F(SqliteStoreTest, DueOrdersAreSelectedOldestFirst) {
  Import({MakeParcel(std::string(kParcel1), {MakeDevice(kImeiA, 2)})});
  ASSERT_TRUE(
      DeclareLost(kParcel1,
                  {"k-due", "k-later", "k-sent-due", "k-acknowledged", "k-sent-later", "k-failed"},
                  At("2026-03-09T00:00:00Z"))
          .ok());
  std::map<std::string, LockOrder> by_key;
  for (const LockOrder& order : Load(kParcel1).orders) by_key[order.idempotency_key] = order;
  auto update = [&](const std::string& key, OrderStatus status, Timestamp next_attempt_at) {
    LockOrder order = by_key.at(key);
    order.status = status;
    order.next_attempt_at = next_attempt_at;
    ASSERT_TRUE(
        store_->UpdateOrder(order, std::nullopt, std::nullopt, At("2026-03-09T00:00:00Z")).ok());
  };
  update("k-later", OrderStatus::kPending, At("2026-03-09T00:10:00Z"));
  update("k-sent-due", OrderStatus::kSent, At("2026-03-09T00:05:00Z"));
  update("k-acknowledged", OrderStatus::kAcknowledged, At("2026-03-09T00:00:00Z"));
  update("k-sent-later", OrderStatus::kSent, At("2026-03-09T00:06:00Z"));
  update("k-failed", OrderStatus::kFailed, At("2026-03-09T00:00:00Z"));

  auto due = store_->LoadDueOrders(At("2026-03-09T00:05:00Z"), 10);

  ASSERT_TRUE(due.ok());
  std::vector<std::string> keys;
  for (const LockOrder& order : *due) keys.push_back(order.idempotency_key);
  EXPECT_EQ(keys, (std::vector<std::string>{"k-due", "k-sent-due"}));
  auto limited = store_->LoadDueOrders(At("2026-03-09T01:00:00Z"), 2);
  ASSERT_TRUE(limited.ok());
  ASSERT_EQ(limited->size(), 2u);
  EXPECT_EQ((*limited)[0].idempotency_key, "k-due");
  EXPECT_EQ((*limited)[1].idempotency_key, "k-later");
  auto none = store_->LoadDueOrders(At("2026-03-09T01:00:00Z"), 0);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST_F(SqliteStoreTest, CancelMarksPendingOrderCancelled) {
  Import({MakeParcel(std::string(kParcel1), {MakeDevice(kImeiA, 2)})});
  ASSERT_TRUE(DeclareLost(kParcel1, {"key-1"}).ok());
  ParcelSnapshot lost = Load(kParcel1);

  AssessmentChange change;
  change.parcel_id = std::string(kParcel1);
  change.assessment.verdict = Verdict::kDelivered;
  change.assessment.since = At("2026-03-02T11:40:00Z");
  change.cancelled_orders.push_back(lost.orders[0].order_id);
  change.device_states.emplace_back(lost.devices[0].device_id, LockState::kReleased);
  change.at = At("2026-03-09T09:00:00Z");
  Status saved = store_->SaveAssessment(change);
  ASSERT_TRUE(saved.ok()) << saved.error().message;

  ParcelSnapshot delivered = Load(kParcel1);
  EXPECT_EQ(delivered.orders[0].status, OrderStatus::kCancelled);
  EXPECT_EQ(delivered.devices[0].state, LockState::kReleased);
  auto due = store_->LoadDueOrders(At("2026-03-10T00:00:00Z"), 10);
  ASSERT_TRUE(due.ok());
  EXPECT_TRUE(due->empty());
}

TEST_F(SqliteStoreTest, CancelOfSentOrderConflictsAndChangesNothing) {
  Import({MakeParcel(std::string(kParcel1), {MakeDevice(kImeiA, 2)})});
  ASSERT_TRUE(DeclareLost(kParcel1, {"key-1"}).ok());
  LockOrder sent = Load(kParcel1).orders[0];
  sent.status = OrderStatus::kSent;
  ASSERT_TRUE(
      store_->UpdateOrder(sent, std::nullopt, std::nullopt, At("2026-03-09T00:00:01Z")).ok());

  AssessmentChange change;
  change.parcel_id = std::string(kParcel1);
  change.assessment.verdict = Verdict::kDelivered;
  change.cancelled_orders.push_back(sent.order_id);
  change.audit.push_back({0, At("2026-03-09T09:00:00Z"), "engine", "verdict",
                          "parcel:" + std::string(kParcel1), "{}"});
  Status saved = store_->SaveAssessment(change);

  ASSERT_FALSE(saved.ok());
  EXPECT_EQ(saved.error().kind, ErrorKind::kConflict);
  EXPECT_EQ(saved.error().reason, "order_not_pending");
  EXPECT_NE(saved.error().message.find("sent"), std::string::npos);
  ParcelSnapshot after = Load(kParcel1);
  EXPECT_EQ(after.parcel.assessment.verdict, Verdict::kLost);
  EXPECT_EQ(after.orders[0].status, OrderStatus::kSent);
  auto audit = store_->LoadAudit("", 10);
  ASSERT_TRUE(audit.ok());
  EXPECT_TRUE(audit->empty());
}

TEST_F(SqliteStoreTest, DuplicateIdempotencyKeyConflicts) {
  Import({MakeParcel(std::string(kParcel1), {MakeDevice(kImeiA, 2)})});
  ASSERT_TRUE(DeclareLost(kParcel1, {"key-1"}).ok());

  Status again = DeclareLost(kParcel1, {"key-1"});

  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().kind, ErrorKind::kConflict);
  EXPECT_EQ(again.error().reason, "duplicate_idempotency_key");
  EXPECT_EQ(Load(kParcel1).orders.size(), 1u);
}

TEST_F(SqliteStoreTest, OrderForOtherImeiThanDeviceIsRejected) {
  Import({MakeParcel(std::string(kParcel1), {MakeDevice(kImeiA, 2)})});
  ParcelSnapshot snapshot = Load(kParcel1);
  AssessmentChange change;
  change.parcel_id = std::string(kParcel1);
  change.assessment.verdict = Verdict::kLost;
  LockOrder order = MakeOrder(snapshot.devices[0], "key-1", At("2026-03-09T00:00:00Z"));
  order.imei = Imei::FromCoreValue(kImeiC);
  change.new_orders.push_back(order);

  Status saved = store_->SaveAssessment(change);

  ASSERT_FALSE(saved.ok());
  EXPECT_EQ(saved.error().kind, ErrorKind::kInvalidInput);
  EXPECT_EQ(saved.error().reason, "order_device_mismatch");
  EXPECT_EQ(Load(kParcel1).parcel.assessment.verdict, Verdict::kInFlow);
}

TEST_F(SqliteStoreTest, DeviceStateSinceMovesOnlyOnChange) {
  Import({MakeParcel(std::string(kParcel1), {MakeDevice(kImeiA, 2)})});
  std::int64_t device_id = Load(kParcel1).devices[0].device_id;
  auto set_state = [&](LockState state, Timestamp at) {
    AssessmentChange change;
    change.parcel_id = std::string(kParcel1);
    change.assessment.verdict = Verdict::kSuspect;
    change.device_states.emplace_back(device_id, state);
    change.at = at;
    ASSERT_TRUE(store_->SaveAssessment(change).ok());
  };
  set_state(LockState::kGreylisted, At("2026-03-04T00:00:00Z"));
  set_state(LockState::kGreylisted, At("2026-03-05T00:00:00Z"));
  EXPECT_EQ(Load(kParcel1).devices[0].state_since, At("2026-03-04T00:00:00Z"));
}

TEST_F(SqliteStoreTest, AuditChainContinuesAcrossMethodsAndReopen) {
  Import({MakeParcel(std::string(kParcel1), {MakeDevice(kImeiA, 2)})});
  ASSERT_TRUE(store_
                  ->AppendAudit({99, At("2026-03-01T00:00:00Z"), "k-admin", "key_created", "key:k1",
                                 R"({"role":"admin"})"})
                  .ok());
  ParcelSnapshot snapshot = Load(kParcel1);
  AssessmentChange change;
  change.parcel_id = std::string(kParcel1);
  change.assessment.verdict = Verdict::kLost;
  change.new_orders.push_back(MakeOrder(snapshot.devices[0], "key-1", At("2026-03-09T00:00:00Z")));
  change.audit.push_back({0, At("2026-03-09T00:00:00Z"), "engine", "verdict",
                          "parcel:" + std::string(kParcel1), R"({"to":"lost"})"});
  change.audit.push_back(
      {0, At("2026-03-09T00:00:00Z"), "engine", "lock_order_created", "device:1", "{}"});
  ASSERT_TRUE(store_->SaveAssessment(change).ok());
  Reopen();
  LockOrder order = Load(kParcel1).orders[0];
  order.status = OrderStatus::kAcknowledged;
  ASSERT_TRUE(store_
                  ->UpdateOrder(order, std::nullopt,
                                AuditEntry{0, At("2026-03-09T00:01:00Z"), "outbox",
                                           "lock_acknowledged", "order:1", "{}"},
                                At("2026-03-09T00:01:00Z"))
                  .ok());

  auto report = store_->VerifyAuditChain();
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_TRUE(report->intact());
  EXPECT_EQ(report->entries, 4);
  EXPECT_EQ(report->last.hash,
            QueryRaw(DatabasePath(), "SELECT hash FROM audit WHERE sequence = 4"));
  EXPECT_EQ(QueryRaw(DatabasePath(), "SELECT prev_hash FROM audit WHERE sequence = 1"),
            std::string(kAuditGenesisHash));
  EXPECT_EQ(QueryRaw(DatabasePath(), "SELECT prev_hash FROM audit WHERE sequence = 3"),
            QueryRaw(DatabasePath(), "SELECT hash FROM audit WHERE sequence = 2"));

  auto all = store_->LoadAudit("", 10);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 4u);
  EXPECT_EQ((*all)[0].sequence, 4);  // Newest first.
  EXPECT_EQ((*all)[3].sequence, 1);
  EXPECT_EQ((*all)[3].actor, "k-admin");
  EXPECT_EQ((*all)[3].detail, R"({"role":"admin"})");
  auto of_parcel = store_->LoadAudit("parcel:" + std::string(kParcel1), 10);
  ASSERT_TRUE(of_parcel.ok());
  ASSERT_EQ(of_parcel->size(), 1u);
  EXPECT_EQ((*of_parcel)[0].action, "verdict");
  EXPECT_EQ((*of_parcel)[0].at, At("2026-03-09T00:00:00Z"));
}

TEST_F(SqliteStoreTest, EmptyAuditChainVerifies) {
  auto report = store_->VerifyAuditChain();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->intact());
  EXPECT_EQ(report->entries, 0);
  EXPECT_EQ(report->last.hash, kAuditGenesisHash);
}

TEST_F(SqliteStoreTest, AuditHashIsTheDocumentedEncoding) {
  AuditEntry entry{1, FromMillis(1000), "engine", "verdict", "parcel:1", "{}"};
  auto hash = AuditEntryHash(kAuditGenesisHash, entry);
  ASSERT_TRUE(hash.ok());
  // printf '%s' '64:<64 zeros>,1:1,4:1000,6:engine,7:verdict,8:parcel:1,2:{},' | sha256sum
  EXPECT_EQ(*hash, "301cc739163a2d8e864edd44a6a25b40f81df50a5d077f5907df54f2c0066089");
}

TEST_F(SqliteStoreTest, PurgeDropsOnlyExpiredPendingEvents) {
  EventBatch first;
  first.Add("e-old", std::string(kParcel1), ScanType::kArrived, At("2026-03-01T10:00:00Z"));
  store_->AppendEvents(first.Views(), At("2026-03-01T10:00:00Z"), At("2026-03-02T10:00:00Z"))
      .value();
  EventBatch second;
  second.Add("e-new", std::string(kParcel1), ScanType::kArrived, At("2026-03-02T10:00:00Z"));
  store_->AppendEvents(second.Views(), At("2026-03-02T10:00:00Z"), At("2026-03-03T10:00:00Z"))
      .value();

  auto at_window_end = store_->PurgeExpiredPending(At("2026-03-02T10:00:00Z"));
  ASSERT_TRUE(at_window_end.ok());
  EXPECT_EQ(*at_window_end, 0);
  auto purged = store_->PurgeExpiredPending(At("2026-03-02T10:00:00.001Z"));
  ASSERT_TRUE(purged.ok());
  EXPECT_EQ(*purged, 1);
  EXPECT_EQ(CountOf("pending_events"), 1);

  ManifestImportResult imported =
      Import({MakeParcel(std::string(kParcel1), {MakeDevice(kImeiA, 2)})});
  ASSERT_EQ(imported.new_parcels.size(), 1u);
  EXPECT_EQ(imported.new_parcels[0].second, 1);
  EXPECT_EQ(Load(kParcel1).events.at(0).event_id, "e-new");
}

TEST_F(SqliteStoreTest, ApiKeySaveReplacesStoredKey) {
  ApiKeyRecord key{"k-telco", std::string(64, 'b'),       "shipper",
                   "telco-a", At("2026-03-01T00:00:00Z"), false};
  ASSERT_TRUE(store_->SaveApiKey(key, std::nullopt).ok());
  key.revoked = true;
  ASSERT_TRUE(store_->SaveApiKey(key, std::nullopt).ok());

  auto found = store_->FindApiKey("k-telco");
  ASSERT_TRUE(found.ok());
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->secret_hash, std::string(64, 'b'));
  EXPECT_EQ((*found)->role, "shipper");
  EXPECT_EQ((*found)->shipper_id, "telco-a");
  EXPECT_EQ((*found)->created_at, At("2026-03-01T00:00:00Z"));
  EXPECT_TRUE((*found)->revoked);
  auto missing = store_->FindApiKey("k-other");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
}

TEST_F(SqliteStoreTest, CountsListEveryOrderStatus) {
  auto counts = store_->Counts();
  ASSERT_TRUE(counts.ok());
  std::vector<std::string> names;
  for (const auto& [name, value] : *counts) {
    names.push_back(name);
    EXPECT_EQ(value, 0) << name;
  }
  EXPECT_EQ(names, (std::vector<std::string>{"parcels", "devices", "events", "pending_events",
                                             "orders_pending", "orders_sent", "orders_acknowledged",
                                             "orders_cancelled", "orders_failed"}));
}

TEST_F(SqliteStoreTest, OpenRejectsNewerSchema) {
  store_.reset();
  std::string future = std::to_string(sqlite::BuiltInMigrations().size() + 1);
  ExecuteRaw(DatabasePath(), "INSERT INTO schema_migrations (version, name, applied_at) VALUES (" +
                                 future + ", 'future', 0)");

  auto opened = SqliteStore::Open(DatabasePath());

  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().kind, ErrorKind::kInternal);
  EXPECT_EQ(opened.error().reason, "schema_too_new");
  EXPECT_NE(opened.error().message.find("schema version " + future), std::string::npos)
      << opened.error().message;
  EXPECT_NE(opened.error().message.find(DatabasePath()), std::string::npos);
}

TEST_F(SqliteStoreTest, OpenRejectsFileThatIsNotDatabase) {
  store_.reset();
  std::string path = (dir_.path() / "notes.txt").string();
  std::ofstream(path) << "these are not the pages of a SQLite database, only some text\n";

  auto opened = SqliteStore::Open(path);

  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().kind, ErrorKind::kInternal);
  EXPECT_EQ(opened.error().reason, "database_corrupt");
}

TEST_F(SqliteStoreTest, OpenInMissingDirectoryIsUnavailable) {
  auto opened = SqliteStore::Open((dir_.path() / "missing" / "store.db").string());
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().kind, ErrorKind::kUnavailable);
  EXPECT_EQ(opened.error().reason, "database_io");
}

TEST_F(SqliteStoreTest, WriteLockedByOtherConnectionIsUnavailable) {
  store_.reset();
  SqliteStoreOptions options;
  options.busy_timeout = std::chrono::milliseconds(50);
  auto opened = SqliteStore::Open(DatabasePath(), options);
  ASSERT_TRUE(opened.ok());
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open(DatabasePath().c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);

  EventBatch batch;
  batch.Add("e-1", std::string(kParcel1), ScanType::kArrived, At("2026-03-02T10:00:00Z"));
  auto appended = (*opened)->AppendEvents(batch.Views(), At("2026-03-02T10:00:00Z"),
                                          At("2026-03-03T10:00:00Z"));

  sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(other);
  ASSERT_FALSE(appended.ok());
  EXPECT_EQ(appended.error().kind, ErrorKind::kUnavailable);
  EXPECT_EQ(appended.error().reason, "database_busy");
  EXPECT_NE(appended.error().message.find("begin a transaction"), std::string::npos)
      << appended.error().message;
}

TEST_F(SqliteStoreTest, ConcurrentAppendsAreSerialised) {
  Import({MakeParcel(std::string(kParcel1), {MakeDevice(kImeiA, 2)})});
  constexpr int kThreads = 4;
  constexpr int kBatches = 20;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([this, t] {
      for (int b = 0; b < kBatches; ++b) {
        EventBatch batch;
        for (int i = 0; i < 10; ++i) {
          batch.Add("t" + std::to_string(t) + "-b" + std::to_string(b) + "-" + std::to_string(i),
                    std::string(kParcel1), ScanType::kSorted, At("2026-03-02T10:00:00Z"));
        }
        auto appended = store_->AppendEvents(batch.Views(), At("2026-03-02T10:00:00Z"),
                                             At("2026-03-03T10:00:00Z"));
        EXPECT_TRUE(appended.ok());
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(CountOf("events"), kThreads * kBatches * 10);
  EXPECT_EQ(Load(kParcel1).events.size(), static_cast<std::size_t>(kThreads * kBatches * 10));
}

}  // namespace
}  // namespace imeiguard
