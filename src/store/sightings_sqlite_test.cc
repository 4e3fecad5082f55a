// Sightings in SqliteStore: filters by device and SIM, paging, and the SIMs flagged as fences.
#include <gtest/gtest.h>

#include "store/sqlite_store.h"
#include "store/store_test_support.h"

namespace imeiguard {
namespace {

using testing_support::At;
using testing_support::TemporaryDirectory;

constexpr std::uint64_t kPhoneA = 49015420323751;
constexpr std::uint64_t kPhoneB = 86731504229158;
constexpr std::uint64_t kPhoneC = 35847210004217;

eir::Sighting MakeSighting(std::uint64_t core, std::string imsi, LockState state,
                           std::string_view at) {
  eir::Sighting sighting;
  sighting.core = core;
  sighting.interface = "n5g-eir";
  sighting.network_element = "AMF-1";
  sighting.imsi = std::move(imsi);
  sighting.gpsi = "msisdn-46701234567";
  sighting.at = At(at);
  sighting.state = state;
  return sighting;
}

class SightingStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = SqliteStore::Open((dir_.path() / "store.db").string());
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    store_ = std::move(opened).value();
  }

  void Append(std::vector<eir::Sighting> sightings) {
    ASSERT_TRUE(store_->AppendSightings(sightings).ok());
  }

  TemporaryDirectory dir_{"sightings"};
  std::unique_ptr<SqliteStore> store_;
};

TEST_F(SightingStoreTest, StoresEveryField) {
  Append({MakeSighting(kPhoneA, "240011234567890", LockState::kLocked, "2026-03-02T10:00:00Z")});
  auto listed = store_->ListSightings({});
  ASSERT_TRUE(listed.ok()) << listed.error().message;
  ASSERT_EQ(listed->size(), 1u);
  const eir::Sighting& sighting = (*listed)[0];
  EXPECT_GT(sighting.sighting_id, 0);
  EXPECT_EQ(sighting.core, kPhoneA);
  EXPECT_EQ(sighting.interface, "n5g-eir");
  EXPECT_EQ(sighting.network_element, "AMF-1");
  EXPECT_EQ(sighting.imsi, "240011234567890");
  EXPECT_EQ(sighting.gpsi, "msisdn-46701234567");
  EXPECT_EQ(sighting.at, At("2026-03-02T10:00:00Z"));
  EXPECT_EQ(sighting.state, LockState::kLocked);
}

TEST_F(SightingStoreTest, FiltersByDevicesAndSim) {
  Append({MakeSighting(kPhoneA, "1111111111", LockState::kLocked, "2026-03-02T10:00:00Z"),
          MakeSighting(kPhoneB, "2222222222", LockState::kLocked, "2026-03-02T10:01:00Z"),
          MakeSighting(kPhoneC, "1111111111", LockState::kWatched, "2026-03-02T10:02:00Z")});
  eir::SightingFilter by_devices;
  by_devices.cores = {kPhoneA, kPhoneB};
  auto devices = store_->ListSightings(by_devices);
  ASSERT_TRUE(devices.ok());
  EXPECT_EQ(devices->size(), 2u);

  eir::SightingFilter by_sim;
  by_sim.imsi = "1111111111";
  auto sim = store_->ListSightings(by_sim);
  ASSERT_TRUE(sim.ok());
  ASSERT_EQ(sim->size(), 2u);
  EXPECT_EQ((*sim)[0].core, kPhoneA);
  EXPECT_EQ((*sim)[1].core, kPhoneC);
}

TEST_F(SightingStoreTest, PagesAfterId) {
  Append({MakeSighting(kPhoneA, "1", LockState::kLocked, "2026-03-02T10:00:00Z"),
          MakeSighting(kPhoneA, "1", LockState::kLocked, "2026-03-02T10:01:00Z"),
          MakeSighting(kPhoneA, "1", LockState::kLocked, "2026-03-02T10:02:00Z")});
  eir::SightingFilter first;
  first.limit = 2;
  auto page = store_->ListSightings(first);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->size(), 2u);
  eir::SightingFilter second;
  second.after_id = page->back().sighting_id;
  auto rest = store_->ListSightings(second);
  ASSERT_TRUE(rest.ok());
  ASSERT_EQ(rest->size(), 1u);
  EXPECT_EQ((*rest)[0].at, At("2026-03-02T10:02:00Z"));
}

TEST_F(SightingStoreTest, FenceNeedsTwoStolenDevices) {
  Append({// One SIM in two stolen phones, one of them seen twice: a fence.
          MakeSighting(kPhoneA, "1111111111", LockState::kLocked, "2026-03-02T10:00:00Z"),
          MakeSighting(kPhoneA, "1111111111", LockState::kLocked, "2026-03-02T11:00:00Z"),
          MakeSighting(kPhoneB, "1111111111", LockState::kGreylisted, "2026-03-02T12:00:00Z"),
          // One SIM in one stolen phone and one watched phone: not a fence.
          MakeSighting(kPhoneA, "2222222222", LockState::kLocked, "2026-03-02T10:00:00Z"),
          MakeSighting(kPhoneC, "2222222222", LockState::kWatched, "2026-03-02T10:00:00Z")});
  auto fences = store_->ListFences(10);
  ASSERT_TRUE(fences.ok()) << fences.error().message;
  ASSERT_EQ(fences->size(), 1u);
  const eir::Fence& fence = (*fences)[0];
  EXPECT_EQ(fence.imsi, "1111111111");
  EXPECT_EQ(fence.cores, (std::vector<std::uint64_t>{kPhoneA, kPhoneB}));
  EXPECT_EQ(fence.first_seen, At("2026-03-02T10:00:00Z"));
  EXPECT_EQ(fence.last_seen, At("2026-03-02T12:00:00Z"));
}

}  // namespace
}  // namespace imeiguard
