// The device-status snapshot at national scale: lookups per second on one and two threads, the
// memory per device, and the time to fold a full overlay into the base array.
//
// The number of devices is IMEIGUARD_SNAPSHOT_DEVICES (default 50,000,000). Devices are spread
// over 5,000 TACs with random serials, as a blocklist of real phone models would be.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <vector>

#include "eir/equipment_snapshot.h"

namespace imeiguard::eir {
namespace {

constexpr int kTacCount = 5000;

std::uint64_t SplitMix(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// The i-th device of the benchmark's population: a TAC from the table, a random serial.
std::uint64_t DeviceCore(std::uint64_t i) {
  std::uint64_t state = i * 7919 + 17;
  std::uint64_t tac = 35000000 + SplitMix(state) % kTacCount * 97;
  return tac * 1000000 + SplitMix(state) % 1000000;
}

std::size_t DeviceCount() {
  const char* text = std::getenv("IMEIGUARD_SNAPSHOT_DEVICES");
  return text != nullptr ? std::strtoull(text, nullptr, 10) : 50'000'000;
}

// The snapshot every benchmark reads, built once.
EquipmentSnapshot& Snapshot() {
  static EquipmentSnapshot* snapshot = [] {
    EquipmentSnapshotOptions options;
    options.publish_interval = std::chrono::milliseconds(0);
    auto* built = new EquipmentSnapshot(options);
    std::vector<SnapshotEntry> entries(DeviceCount());
    for (std::size_t i = 0; i < entries.size(); ++i) {
      entries[i] = {DeviceCore(i), i % 3 == 0 ? LockState::kLocked : LockState::kGreylisted};
    }
    built->Load(entries);
    return built;
  }();
  return *snapshot;
}

void BM_LookupKnownDevice(benchmark::State& state) {
  EquipmentSnapshot& snapshot = Snapshot();
  std::size_t devices = DeviceCount();
  std::uint64_t random = 1234 + static_cast<std::uint64_t>(state.thread_index());
  std::int64_t found = 0;
  for (auto _ : state) {
    std::uint64_t core = DeviceCore(SplitMix(random) % devices);
    found += snapshot.Lookup(core).has_value();
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["found_share"] =
      benchmark::Counter(static_cast<double>(found) /
                             static_cast<double>(std::max<std::int64_t>(1, state.iterations())),
                         benchmark::Counter::kAvgThreads);
  if (state.thread_index() == 0) {
    EquipmentSnapshot::Stats stats = snapshot.stats();
    state.counters["devices"] = static_cast<double>(stats.base_entries + stats.overlay_entries);
    state.counters["bytes_per_device"] =
        static_cast<double>(stats.bytes) /
        static_cast<double>(stats.base_entries + stats.overlay_entries);
  }
}
BENCHMARK(BM_LookupKnownDevice)->Threads(1)->Threads(2)->UseRealTime();

void BM_LookupUnknownDevice(benchmark::State& state) {
  EquipmentSnapshot& snapshot = Snapshot();
  std::size_t devices = DeviceCount();
  std::uint64_t random = 99 + static_cast<std::uint64_t>(state.thread_index());
  std::int64_t found = 0;
  for (auto _ : state) {
    // A device of the same TACs beyond the population: absent but for about 1 % of collisions.
    found += snapshot.Lookup(DeviceCore(devices + SplitMix(random) % devices)).has_value();
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["found_share"] =
      benchmark::Counter(static_cast<double>(found) /
                             static_cast<double>(std::max<std::int64_t>(1, state.iterations())),
                         benchmark::Counter::kAvgThreads);
}
BENCHMARK(BM_LookupUnknownDevice)->Threads(1)->Threads(2)->UseRealTime();

// Publishing a full overlay (65,536 changes) folds it into the base: the longest a change can
// wait beyond the publication interval.
void BM_FoldFullOverlay(benchmark::State& state) {
  EquipmentSnapshot& snapshot = Snapshot();
  std::uint64_t random = 7;
  for (auto _ : state) {
    for (int i = 0; i <= (1 << 16); ++i) {
      snapshot.Set(DeviceCore(SplitMix(random) % DeviceCount()), LockState::kLocked);
    }
    snapshot.PublishPending();
  }
}
BENCHMARK(BM_FoldFullOverlay)->Unit(benchmark::kMillisecond)->Iterations(3);

// Publishing a small batch of changes: what a lock costs the writer in the normal case.
void BM_PublishSmallChange(benchmark::State& state) {
  EquipmentSnapshot& snapshot = Snapshot();
  std::uint64_t random = 11;
  for (auto _ : state) {
    snapshot.Set(DeviceCore(SplitMix(random) % DeviceCount()), LockState::kLocked);
    snapshot.PublishPending();
  }
}
BENCHMARK(BM_PublishSmallChange)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace imeiguard::eir

BENCHMARK_MAIN();
