#include "eir/equipment_snapshot.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <random>
#include <thread>
#include <vector>

namespace imeiguard::eir {
namespace {

using namespace std::chrono_literals;

constexpr std::uint64_t kCore = 35847210004217;
constexpr std::uint64_t kOtherCore = 49015420323751;

EquipmentSnapshotOptions ManualPublication() {
  EquipmentSnapshotOptions options;
  options.publish_interval = 0ms;
  return options;
}

TEST(EquipmentSnapshot, AbsentDeviceHasNoState) {
  EquipmentSnapshot snapshot(ManualPublication());
  EXPECT_FALSE(snapshot.Lookup(kCore).has_value());
}

TEST(EquipmentSnapshot, ChangeVisibleAfterPublication) {
  EquipmentSnapshot snapshot(ManualPublication());
  snapshot.Set(kCore, LockState::kLocked);
  EXPECT_FALSE(snapshot.Lookup(kCore).has_value());
  snapshot.PublishPending();
  EXPECT_EQ(snapshot.Lookup(kCore), LockState::kLocked);
  EXPECT_FALSE(snapshot.Lookup(kOtherCore).has_value());
}

TEST(EquipmentSnapshot, LaterChangeOfSameDeviceWins) {
  EquipmentSnapshot snapshot(ManualPublication());
  snapshot.Set(kCore, LockState::kLockPending);
  snapshot.Set(kCore, LockState::kLocked);
  snapshot.PublishPending();
  EXPECT_EQ(snapshot.Lookup(kCore), LockState::kLocked);
  snapshot.Set(kCore, LockState::kReleased);
  snapshot.PublishPending();
  EXPECT_EQ(snapshot.Lookup(kCore), LockState::kReleased);
}

TEST(EquipmentSnapshot, EraseRemovesFromOverlayAndBase) {
  EquipmentSnapshot snapshot(ManualPublication());
  SnapshotEntry base[] = {{kCore, LockState::kLocked}};
  snapshot.Load(base);
  snapshot.Erase(kCore);
  snapshot.PublishPending();
  EXPECT_FALSE(snapshot.Lookup(kCore).has_value());
}

TEST(EquipmentSnapshot, FoldMovesOverlayIntoBase) {
  EquipmentSnapshotOptions options = ManualPublication();
  options.max_overlay_entries = 4;
  EquipmentSnapshot snapshot(options);
  for (std::uint64_t i = 0; i < 10; ++i) snapshot.Set(kCore + i, LockState::kGreylisted);
  snapshot.Erase(kCore + 3);
  snapshot.PublishPending();

  EquipmentSnapshot::Stats stats = snapshot.stats();
  EXPECT_EQ(stats.base_entries, 9u);
  EXPECT_EQ(stats.overlay_entries, 0u);
  EXPECT_EQ(snapshot.Lookup(kCore + 9), LockState::kGreylisted);
  EXPECT_FALSE(snapshot.Lookup(kCore + 3).has_value());
}

TEST(EquipmentSnapshot, LoadReplacesContentAndPendingChanges) {
  EquipmentSnapshot snapshot(ManualPublication());
  snapshot.Set(kOtherCore, LockState::kLocked);
  SnapshotEntry entries[] = {{kCore, LockState::kWatched}, {kCore, LockState::kGreylisted}};
  snapshot.Load(entries);
  snapshot.PublishPending();
  EXPECT_EQ(snapshot.Lookup(kCore), LockState::kGreylisted);
  EXPECT_FALSE(snapshot.Lookup(kOtherCore).has_value());
  EXPECT_EQ(snapshot.stats().base_entries, 1u);
}

TEST(EquipmentSnapshot, BackgroundPublicationWithinOneSecond) {
  EquipmentSnapshot snapshot;  // The default publication interval.
  auto start = std::chrono::steady_clock::now();
  snapshot.Set(kCore, LockState::kLocked);
  while (!snapshot.Lookup(kCore).has_value() && std::chrono::steady_clock::now() - start < 1s) {
    std::this_thread::sleep_for(5ms);
  }
  EXPECT_EQ(snapshot.Lookup(kCore), LockState::kLocked);

  snapshot.Set(kCore, LockState::kReleased);
  start = std::chrono::steady_clock::now();
  while (snapshot.Lookup(kCore) != LockState::kReleased &&
         std::chrono::steady_clock::now() - start < 1s) {
    std::this_thread::sleep_for(5ms);
  }
  EXPECT_EQ(snapshot.Lookup(kCore), LockState::kReleased);
}

// Readers on several threads while a writer changes states and folds: every device that is always
// present keeps being found, with one of the states the writer gave it.
TEST(EquipmentSnapshot, ReadersNeverMissDevicesWhileWriterPublishes) {
  EquipmentSnapshotOptions options = ManualPublication();
  options.max_overlay_entries = 16;
  EquipmentSnapshot snapshot(options);
  std::vector<SnapshotEntry> entries;
  for (std::uint64_t i = 0; i < 1000; ++i) entries.push_back({kCore + i, LockState::kWatched});
  snapshot.Load(entries);

  std::atomic<bool> done{false};
  std::atomic<int> misses{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 3; ++r) {
    readers.emplace_back([&] {
      while (!done.load()) {
        for (std::uint64_t i = 0; i < 1000; i += 7) {
          std::optional<LockState> state = snapshot.Lookup(kCore + i);
          if (!state || (*state != LockState::kWatched && *state != LockState::kLocked)) ++misses;
        }
      }
    });
  }
  for (int round = 0; round < 200; ++round) {
    for (std::uint64_t i = 0; i < 1000; i += 50) {
      snapshot.Set(kCore + i, round % 2 == 0 ? LockState::kLocked : LockState::kWatched);
    }
    snapshot.PublishPending();
  }
  done = true;
  for (std::thread& reader : readers) reader.join();
  EXPECT_EQ(misses.load(), 0);
}

// Lookups through the block directory and its interpolation agree with a plain map, for devices
// spread evenly over TACs, packed at a block's edges, and present and absent side by side.
TEST(EquipmentSnapshot, LookupsAgreeWithMapAcrossBlocks) {
  std::mt19937_64 random(42);
  std::map<std::uint64_t, LockState> expected;
  std::vector<SnapshotEntry> entries;
  auto add = [&](std::uint64_t core, LockState state) {
    expected[core] = state;
    entries.push_back({core, state});
  };
  for (std::uint64_t tac : {35847210ull, 35847211ull, 49015420ull, 86731504ull}) {
    for (int i = 0; i < 2000; ++i) add(tac * 1000000 + random() % 1000000, LockState::kLocked);
  }
  // Dense runs at the start and end of one 2^20 block, and a lone core in another block.
  for (std::uint64_t core = 5ull << 20; core < (5ull << 20) + 50; ++core)
    add(core, LockState::kWatched);
  for (std::uint64_t core = (6ull << 20) - 50; core < (6ull << 20); ++core)
    add(core, LockState::kGreylisted);
  add(99999999999999, LockState::kReleased);
  EquipmentSnapshot snapshot(ManualPublication());
  snapshot.Load(entries);

  std::vector<std::uint64_t> probes;
  for (const auto& [core, state] : expected) {
    probes.push_back(core);
    probes.push_back(core + 1);
    if (core > 0) probes.push_back(core - 1);
  }
  for (int i = 0; i < 20000; ++i) probes.push_back(random() % 100000000000000ull);
  int mismatches = 0;
  for (std::uint64_t core : probes) {
    auto it = expected.find(core);
    std::optional<LockState> found = snapshot.Lookup(core);
    bool agrees =
        it == expected.end() ? !found.has_value() : found.has_value() && *found == it->second;
    if (!agrees) ++mismatches;
  }
  EXPECT_EQ(mismatches, 0);
}

}  // namespace
}  // namespace imeiguard::eir
