#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "service/blocklist_export.h"
#include "store/sqlite_store.h"
#include "store/store_test_support.h"

namespace imeiguard {
namespace {

using testing_support::At;
using testing_support::MakeDevice;
using testing_support::MakeParcel;
using testing_support::TemporaryDirectory;

constexpr std::uint64_t kDualSim = 86731504229158;   // IMEI 867315042291587
constexpr std::uint64_t kDualSim2 = 86731504229166;  // IMEI 867315042291660
constexpr std::uint64_t kSingle = 35847210004217;    // IMEI 358472100042174
constexpr std::string_view kParcelDual = "373500000000001234";
constexpr std::string_view kParcelSingle = "373500000000005678";

class BlocklistExportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    auto opened = SqliteStore::Open((dir_.path() / "store.db").string());
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    store_ = std::move(opened).value();
    std::vector<ManifestParcel> parcels = {
        MakeParcel(std::string(kParcelDual), {MakeDevice(kDualSim, 2, kDualSim2)}),
        MakeParcel(std::string(kParcelSingle), {MakeDevice(kSingle, 3)})};
    ASSERT_TRUE(store_->ImportManifest(parcels, At("2026-03-01T08:00:00Z")).ok());
  }

  // Creates an order for the parcel's device and returns it with its id.
  LockOrder CreateOrder(std::string_view parcel_id, LockAction action, std::string connector,
                        Timestamp at) {
    auto snapshot = store_->LoadParcel(parcel_id);
    EXPECT_TRUE(snapshot.ok());
    EXPECT_TRUE(snapshot->has_value());
    const DeviceRow& device = (*snapshot)->devices.at(0);
    AssessmentChange change;
    change.parcel_id = std::string(parcel_id);
    change.assessment = (*snapshot)->parcel.assessment;
    LockOrder order;
    order.device_id = device.device_id;
    order.parcel_id = device.parcel_id;
    order.shipper_id = device.shipper_id;
    order.connector = std::move(connector);
    order.action = action;
    order.imei = device.record.imei;
    order.imei2 = device.record.imei2;
    order.idempotency_key = "key-" + std::to_string(++keys_);
    order.reason = action == LockAction::kLock ? "lost: opened, emptied" : "recovered";
    order.created_at = at;
    order.next_attempt_at = at;
    change.new_orders.push_back(order);
    change.at = at;
    EXPECT_TRUE(store_->SaveAssessment(change).ok());
    auto after = store_->LoadParcel(parcel_id);
    return (*after)->orders.back();
  }

  // Marks the order acknowledged with its audit entry, as the outbox does.
  void Acknowledge(LockOrder order, Timestamp at) {
    order.status = OrderStatus::kAcknowledged;
    order.acknowledged_at = at;
    AuditEntry audit;
    audit.at = at;
    audit.actor = "outbox";
    audit.action = "lock_order_acknowledged";
    audit.entity = "order:" + std::to_string(order.order_id);
    Status updated = store_->UpdateOrder(order, std::nullopt, audit, at);
    ASSERT_TRUE(updated.ok()) << updated.error().message;
  }

  std::string Export(BlocklistExportFormat format, std::optional<std::int64_t> since,
                     std::string connector = "") {
    std::ostringstream out;
    auto summary = WriteBlocklistExport(*store_, {format, std::move(connector), since}, out);
    EXPECT_TRUE(summary.ok()) << summary.error().message;
    if (summary.ok()) last_sequence_ = summary->last_sequence;
    return out.str();
  }

  TemporaryDirectory dir_{"blocklist-export"};
  std::unique_ptr<SqliteStore> store_;
  int keys_ = 0;
  std::int64_t last_sequence_ = 0;
};

TEST_F(BlocklistExportTest, ChangesComeInAcknowledgementOrder) {
  LockOrder first = CreateOrder(kParcelDual, LockAction::kLock, "ops", At("2026-03-02T09:00:00Z"));
  LockOrder second =
      CreateOrder(kParcelSingle, LockAction::kLock, "ops", At("2026-03-02T09:00:01Z"));
  LockOrder other = CreateOrder(kParcelSingle, LockAction::kLock, "dm", At("2026-03-02T09:00:02Z"));
  Acknowledge(second, At("2026-03-02T09:00:05Z"));
  Acknowledge(other, At("2026-03-02T09:00:06Z"));
  Acknowledge(first, At("2026-03-02T09:00:07Z"));

  auto changes = store_->ListBlocklistChanges("ops", 0, 10);
  ASSERT_TRUE(changes.ok()) << changes.error().message;
  ASSERT_EQ(changes->size(), 2u);
  EXPECT_EQ((*changes)[0].order.order_id, second.order_id);
  EXPECT_EQ((*changes)[1].order.order_id, first.order_id);
  EXPECT_LT((*changes)[0].sequence, (*changes)[1].sequence);

  auto later = store_->ListBlocklistChanges("", (*changes)[0].sequence, 10);
  ASSERT_TRUE(later.ok());
  ASSERT_EQ(later->size(), 2u);
  EXPECT_EQ((*later)[0].order.order_id, other.order_id);
}

TEST_F(BlocklistExportTest, UnlockedDeviceLeavesBlockedDevices) {
  LockOrder lock = CreateOrder(kParcelDual, LockAction::kLock, "ops", At("2026-03-02T09:00:00Z"));
  Acknowledge(lock, At("2026-03-02T09:00:01Z"));
  LockOrder single =
      CreateOrder(kParcelSingle, LockAction::kLock, "ops", At("2026-03-02T09:00:00Z"));
  Acknowledge(single, At("2026-03-02T09:00:02Z"));
  LockOrder pending =
      CreateOrder(kParcelDual, LockAction::kUnlock, "ops", At("2026-03-03T09:00:00Z"));

  auto blocked = store_->LoadBlockedDevices("ops");
  ASSERT_TRUE(blocked.ok()) << blocked.error().message;
  EXPECT_EQ(blocked->size(), 2u);

  Acknowledge(pending, At("2026-03-03T09:00:01Z"));
  blocked = store_->LoadBlockedDevices("ops");
  ASSERT_TRUE(blocked.ok());
  ASSERT_EQ(blocked->size(), 1u);
  EXPECT_EQ((*blocked)[0].order_id, single.order_id);
  auto other_connector = store_->LoadBlockedDevices("dm");
  ASSERT_TRUE(other_connector.ok());
  EXPECT_TRUE(other_connector->empty());
}

TEST_F(BlocklistExportTest, FullFileFromStoreListsBothImeis) {
  Acknowledge(CreateOrder(kParcelDual, LockAction::kLock, "ops", At("2026-03-02T23:59:00Z")),
              At("2026-03-03T00:00:01Z"));
  BlocklistFeed feed({"ops", (dir_.path() / "feed").string(), 0.5});
  auto full = PublishFullFromStore(*store_, feed, At("2026-03-03T01:00:00Z"), false);
  ASSERT_TRUE(full.ok()) << full.error().message;
  std::ifstream file(full->path);
  std::ostringstream text;
  text << file.rdbuf();
  EXPECT_EQ(text.str(),
            "imei,reporting_date,status,reason\n"
            "867315042291587,20260302,blacklist,\"lost: opened, emptied\"\n"
            "867315042291660,20260302,blacklist,\"lost: opened, emptied\"\n");
}

TEST_F(BlocklistExportTest, GlobalExportListsBlockedThenChanges) {
  Acknowledge(CreateOrder(kParcelDual, LockAction::kLock, "ops", At("2026-03-02T09:00:00Z")),
              At("2026-03-02T09:00:01Z"));
  std::string full = Export(BlocklistExportFormat::kGlobal, std::nullopt);
  std::string seq = std::to_string(last_sequence_);
  EXPECT_EQ(full,
            "imei,status,reason,reported_at,changed_at,sequence\n"
            "867315042291587,blocked,\"lost: opened, emptied\",2026-03-02T09:00:00Z,"
            "2026-03-02T09:00:01Z," +
                seq +
                "\n"
                "867315042291660,blocked,\"lost: opened, emptied\",2026-03-02T09:00:00Z,"
                "2026-03-02T09:00:01Z," +
                seq + "\n");

  std::int64_t since = last_sequence_;
  Acknowledge(CreateOrder(kParcelDual, LockAction::kUnlock, "ops", At("2026-03-04T10:00:00Z")),
              At("2026-03-04T10:00:02Z"));
  std::string delta = Export(BlocklistExportFormat::kGlobal, since);
  std::string next = std::to_string(last_sequence_);
  EXPECT_GT(last_sequence_, since);
  EXPECT_EQ(delta,
            "imei,status,reason,reported_at,changed_at,sequence\n"
            "867315042291587,unblocked,recovered,2026-03-04T10:00:00Z,"
            "2026-03-04T10:00:02Z," +
                next +
                "\n"
                "867315042291660,unblocked,recovered,2026-03-04T10:00:00Z,"
                "2026-03-04T10:00:02Z," +
                next + "\n");
}

TEST_F(BlocklistExportTest, DirbsDeltaHasOneNetChangePerImei) {
  Acknowledge(CreateOrder(kParcelDual, LockAction::kLock, "ops", At("2026-03-02T09:00:00Z")),
              At("2026-03-02T09:00:01Z"));
  EXPECT_EQ(Export(BlocklistExportFormat::kDirbs, std::nullopt),
            "imei,reporting_date,status\n"
            "867315042291587,20260302,blacklist\n"
            "867315042291660,20260302,blacklist\n");
  std::int64_t since = last_sequence_;

  // Unlocked and locked again, and a new lock: only the new lock is a change.
  Acknowledge(CreateOrder(kParcelDual, LockAction::kUnlock, "ops", At("2026-03-03T09:00:00Z")),
              At("2026-03-03T09:00:01Z"));
  Acknowledge(CreateOrder(kParcelDual, LockAction::kLock, "ops", At("2026-03-04T09:00:00Z")),
              At("2026-03-04T09:00:01Z"));
  Acknowledge(CreateOrder(kParcelSingle, LockAction::kLock, "ops", At("2026-03-04T09:00:00Z")),
              At("2026-03-04T09:00:02Z"));
  EXPECT_EQ(Export(BlocklistExportFormat::kDirbs, since),
            "imei,reporting_date,status,change_type\n"
            "358472100042174,20260304,blacklist,add\n");

  EXPECT_EQ(Export(BlocklistExportFormat::kDirbs, 0, "dm"),
            "imei,reporting_date,status,change_type\n");
}

TEST_F(BlocklistExportTest, PublisherFollowsSchedule) {
  BlocklistFeed feed({"ops", (dir_.path() / "feed").string(), 0.5});
  ManualClock clock(At("2026-03-02T00:00:00Z"));
  BlocklistPublisher publisher(*store_, clock);
  publisher.Add(feed, {std::chrono::seconds(60), std::chrono::hours(24)});

  publisher.RunOnce(At("2026-03-02T00:00:00Z"));
  auto files = feed.List(0);
  ASSERT_TRUE(files.ok());
  ASSERT_EQ(files->size(), 1u);
  EXPECT_EQ((*files)[0].kind, BlocklistFileKind::kFull);

  LockOrder lock = CreateOrder(kParcelDual, LockAction::kLock, "ops", At("2026-03-02T00:00:10Z"));
  ASSERT_TRUE(feed.Append(lock, At("2026-03-02T00:00:11Z")).ok());
  Acknowledge(lock, At("2026-03-02T00:00:11Z"));
  publisher.RunOnce(At("2026-03-02T00:00:30Z"));
  EXPECT_EQ(feed.List(1)->size(), 0u);
  publisher.RunOnce(At("2026-03-02T00:01:01Z"));
  files = feed.List(1);
  ASSERT_TRUE(files.ok());
  ASSERT_EQ(files->size(), 1u);
  EXPECT_EQ((*files)[0].kind, BlocklistFileKind::kDelta);

  publisher.RunOnce(At("2026-03-03T00:00:00Z"));
  files = feed.List(2);
  ASSERT_TRUE(files.ok());
  ASSERT_EQ(files->size(), 1u);
  EXPECT_EQ((*files)[0].kind, BlocklistFileKind::kFull);
}

TEST_F(BlocklistExportTest, EmptiedStoreDoesNotEmptyFeed) {
  BlocklistFeed feed({"ops", (dir_.path() / "feed").string(), 0.5});
  Acknowledge(CreateOrder(kParcelDual, LockAction::kLock, "ops", At("2026-03-02T09:00:00Z")),
              At("2026-03-02T09:00:01Z"));
  ASSERT_TRUE(PublishFullFromStore(*store_, feed, At("2026-03-02T10:00:00Z"), false).ok());

  // A store restored from an empty backup: it blocks nothing, so the full file is held back.
  auto empty = SqliteStore::Open((dir_.path() / "empty.db").string());
  ASSERT_TRUE(empty.ok()) << empty.error().message;
  ManualClock clock(At("2026-03-03T10:00:00Z"));
  BlocklistPublisher publisher(**empty, clock);
  publisher.Add(feed, {std::chrono::seconds(60), std::chrono::hours(24)});
  publisher.RunOnce(At("2026-03-03T10:00:00Z"));
  auto files = feed.List(0);
  ASSERT_TRUE(files.ok());
  EXPECT_EQ(files->size(), 1u);

  auto forced = PublishFullFromStore(**empty, feed, At("2026-03-03T10:00:01Z"), true);
  ASSERT_TRUE(forced.ok()) << forced.error().message;
  EXPECT_EQ(forced->sequence, 2);
}

}  // namespace
}  // namespace imeiguard
