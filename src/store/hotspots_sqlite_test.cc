// SqliteStore::TallyLosses: the flow through each terminal, route leg, shift and handler of a
// window, and the losses attributed to the last of each.
#include <gtest/gtest.h>

#include <algorithm>

#include "store/sqlite_store.h"
#include "store/store_test_support.h"

namespace imeiguard {
namespace {

using testing_support::At;
using testing_support::EventBatch;
using testing_support::MakeDevice;
using testing_support::MakeParcel;
using testing_support::TemporaryDirectory;

// Lost by verdict after its night-shift sort at the hub.
constexpr std::string_view kSortedThenLost = "373500000000000011";
// Delivered to the doorstep after the day shift at the hub.
constexpr std::string_view kDelivered = "373500000000000022";
// Left the terminal for the hub and never arrived; its theft is confirmed in its case.
constexpr std::string_view kVanishedOnLeg = "373500000000000033";
// Scanned only before the window.
constexpr std::string_view kBeforeWindow = "373500000000000044";

class HotspotStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    auto opened = SqliteStore::Open((dir_.path() / "store.db").string());
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    store_ = std::move(opened).value();
    std::vector<ManifestParcel> parcels;
    std::uint64_t imei = 49015420323751;
    for (std::string_view id : {kSortedThenLost, kDelivered, kVanishedOnLeg, kBeforeWindow}) {
      parcels.push_back(MakeParcel(std::string(id), {MakeDevice(imei++, 2)}));
    }
    ASSERT_TRUE(store_->ImportManifest(parcels, At("2026-03-01T08:00:00Z")).ok());
    StoreFlow();
    MarkLosses();
  }

  void Scan(std::string_view parcel, ScanType type, std::string_view time, std::string node,
            NodeType node_type, std::string handler, std::string next_node = "") {
    ScanEvent& event =
        batch_.Add("e-" + std::to_string(batch_.size()), std::string(parcel), type, At(time));
    event.node = std::move(node);
    event.node_type = node_type;
    event.handler = std::move(handler);
    event.next_node = std::move(next_node);
  }

  void StoreFlow() {
    constexpr NodeType kTerminal = NodeType::kTerminal;
    constexpr NodeType kHub = NodeType::kHub;
    for (std::string_view parcel : {kSortedThenLost, kDelivered, kVanishedOnLeg}) {
      Scan(parcel, ScanType::kAccepted, "2026-03-02T10:00:00+01:00", "SE-TERM-GBG", kTerminal,
           "h-1");
      Scan(parcel, ScanType::kDeparted, "2026-03-02T11:00:00+01:00", "SE-TERM-GBG", kTerminal,
           "h-5", "SE-HUB-STO");
    }
    Scan(kSortedThenLost, ScanType::kArrived, "2026-03-02T23:30:00+01:00", "SE-HUB-STO", kHub,
         "h-2");
    Scan(kSortedThenLost, ScanType::kSorted, "2026-03-02T23:45:00+01:00", "SE-HUB-STO", kHub,
         "h-3");
    // The recipient's claim is no scan of the carrier's: the sort stays the last one.
    Scan(kSortedThenLost, ScanType::kClaimNotReceived, "2026-03-04T09:00:00+01:00", "", {}, "");
    Scan(kDelivered, ScanType::kArrived, "2026-03-02T15:00:00+01:00", "SE-HUB-STO", kHub, "h-2");
    Scan(kDelivered, ScanType::kDeparted, "2026-03-02T16:00:00+01:00", "SE-HUB-STO", kHub, "h-4",
         "SE-TERM-MMA");
    Scan(kDelivered, ScanType::kDelivered, "2026-03-03T09:00:00+01:00", "ADDR-1",
         NodeType::kAddress, "h-9");
    Scan(kBeforeWindow, ScanType::kAccepted, "2026-02-20T10:00:00+01:00", "SE-TERM-GBG", kTerminal,
         "h-1");
    auto views = batch_.Views();
    ASSERT_TRUE(
        store_->AppendEvents(views, At("2026-03-05T00:00:00Z"), At("2026-03-06T00:00:00Z")).ok());
  }

  void MarkLosses() {
    AssessmentChange change;
    change.parcel_id = std::string(kSortedThenLost);
    change.assessment.verdict = Verdict::kLost;
    change.assessment.since = At("2026-03-03T12:00:00Z");
    change.at = change.assessment.since;
    Status saved = store_->SaveAssessment(change);
    ASSERT_TRUE(saved.ok()) << saved.error().message;

    CaseRecord confirmed;
    confirmed.parcel_id = std::string(kVanishedOnLeg);
    confirmed.shipper_id = "telco-a";
    confirmed.opened_at = At("2026-03-03T12:00:00Z");
    confirmed.updated_at = confirmed.opened_at;
    confirmed.theft_confirmed = true;
    ASSERT_TRUE(store_->SaveCase(confirmed, {}).ok());
  }

  FlowTallies Tally(HotspotDimension dimension) {
    auto tallies = store_->TallyLosses(dimension, At("2026-03-01T00:00:00Z"),
                                       At("2026-03-08T00:00:00Z"), ShiftSchedule{});
    EXPECT_TRUE(tallies.ok()) << tallies.error().message;
    return tallies.ok() ? *tallies : FlowTallies{};
  }

  static const FlowTally* Find(const FlowTallies& tallies, std::string_view node,
                               std::string_view to_node = "", int shift = -1) {
    auto it = std::find_if(tallies.rows.begin(), tallies.rows.end(), [&](const FlowTally& row) {
      return row.node == node && row.to_node == to_node && row.shift == shift;
    });
    return it == tallies.rows.end() ? nullptr : &*it;
  }

  static const FlowTally* FindHandler(const FlowTallies& tallies, std::string_view handler) {
    auto it = std::find_if(tallies.rows.begin(), tallies.rows.end(),
                           [&](const FlowTally& row) { return row.handler == handler; });
    return it == tallies.rows.end() ? nullptr : &*it;
  }

  TemporaryDirectory dir_{"hotspots"};
  std::unique_ptr<SqliteStore> store_;
  EventBatch batch_;
};

TEST_F(HotspotStoreTest, TerminalsCountFlowAndLastScanLosses) {
  FlowTallies tallies = Tally(HotspotDimension::kTerminal);
  EXPECT_EQ(tallies.parcels, 3);
  EXPECT_EQ(tallies.losses, 2);
  // Addresses are not carrier nodes.
  EXPECT_EQ(tallies.rows.size(), 2u);
  const FlowTally* terminal = Find(tallies, "SE-TERM-GBG");
  ASSERT_NE(terminal, nullptr);
  EXPECT_EQ(terminal->parcels, 3);
  EXPECT_EQ(terminal->losses, 1);
  const FlowTally* hub = Find(tallies, "SE-HUB-STO");
  ASSERT_NE(hub, nullptr);
  EXPECT_EQ(hub->parcels, 2);
  EXPECT_EQ(hub->losses, 1);
}

TEST_F(HotspotStoreTest, RoutesCountLegsAndTheLegLeftOn) {
  FlowTallies tallies = Tally(HotspotDimension::kRoute);
  EXPECT_EQ(tallies.parcels, 3);
  EXPECT_EQ(tallies.losses, 2);
  const FlowTally* linehaul = Find(tallies, "SE-TERM-GBG", "SE-HUB-STO");
  ASSERT_NE(linehaul, nullptr);
  EXPECT_EQ(linehaul->parcels, 3);
  EXPECT_EQ(linehaul->losses, 2);
  const FlowTally* onward = Find(tallies, "SE-HUB-STO", "SE-TERM-MMA");
  ASSERT_NE(onward, nullptr);
  EXPECT_EQ(onward->parcels, 1);
  EXPECT_EQ(onward->losses, 0);
}

TEST_F(HotspotStoreTest, ShiftsFollowLocalTime) {
  FlowTallies tallies = Tally(HotspotDimension::kShift);
  EXPECT_EQ(tallies.losses, 2);
  const FlowTally* night = Find(tallies, "SE-HUB-STO", "", 2);
  ASSERT_NE(night, nullptr);
  EXPECT_EQ(night->parcels, 1);
  EXPECT_EQ(night->losses, 1);
  const FlowTally* afternoon = Find(tallies, "SE-HUB-STO", "", 1);
  ASSERT_NE(afternoon, nullptr);
  EXPECT_EQ(afternoon->parcels, 1);
  EXPECT_EQ(afternoon->losses, 0);
  const FlowTally* morning = Find(tallies, "SE-TERM-GBG", "", 0);
  ASSERT_NE(morning, nullptr);
  EXPECT_EQ(morning->parcels, 3);
  EXPECT_EQ(morning->losses, 1);
}

TEST_F(HotspotStoreTest, HandlersIncludeDoorstepDeliveries) {
  FlowTallies tallies = Tally(HotspotDimension::kHandler);
  EXPECT_EQ(tallies.parcels, 3);
  EXPECT_EQ(tallies.losses, 2);
  const FlowTally* sorter = FindHandler(tallies, "h-3");
  ASSERT_NE(sorter, nullptr);
  EXPECT_EQ(sorter->parcels, 1);
  EXPECT_EQ(sorter->losses, 1);
  const FlowTally* dispatcher = FindHandler(tallies, "h-5");
  ASSERT_NE(dispatcher, nullptr);
  EXPECT_EQ(dispatcher->parcels, 3);
  EXPECT_EQ(dispatcher->losses, 1);
  const FlowTally* driver = FindHandler(tallies, "h-9");
  ASSERT_NE(driver, nullptr);
  EXPECT_EQ(driver->parcels, 1);
  EXPECT_EQ(driver->losses, 0);
}

TEST_F(HotspotStoreTest, WindowExcludesEarlierScans) {
  auto tallies = store_->TallyLosses(HotspotDimension::kTerminal, At("2026-02-01T00:00:00Z"),
                                     At("2026-03-01T00:00:00Z"), ShiftSchedule{});
  ASSERT_TRUE(tallies.ok()) << tallies.error().message;
  EXPECT_EQ(tallies->parcels, 1);
  EXPECT_EQ(tallies->losses, 0);
  ASSERT_EQ(tallies->rows.size(), 1u);
  EXPECT_EQ(tallies->rows[0].node, "SE-TERM-GBG");
}

TEST_F(HotspotStoreTest, InvalidShiftsAreRejected) {
  ShiftSchedule shifts;
  shifts.start_hours = {};
  auto tallies = store_->TallyLosses(HotspotDimension::kShift, At("2026-03-01T00:00:00Z"),
                                     At("2026-03-08T00:00:00Z"), shifts);
  ASSERT_FALSE(tallies.ok());
  EXPECT_EQ(tallies.error().kind, ErrorKind::kInvalidInput);
}

}  // namespace
}  // namespace imeiguard
