// The in-memory table of device lock states that the public check and the network EIR interfaces
// read, sized for a national blocklist of tens of millions of devices.
//
// A device is keyed by its 14-digit IMEI core and stored as one 64-bit word, (core << 3) | code,
// in a sorted array: 8 bytes per device. Changes collect in a pending list and are published as a
// small sorted overlay, which is folded into a new base array once it grows past a limit. Each
// publication replaces an immutable view through an atomic pointer; readers never lock, never
// allocate and never write shared memory other than their own epoch slot.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <thread>
#include <vector>

#include "eir/epoch_domain.h"
#include "locking/lock_state.h"

namespace imeiguard::eir {

// A device and its lock state, for a bulk load.
struct SnapshotEntry {
  std::uint64_t core = 0;  // Below 10^14.
  LockState state = LockState::kWatched;
};

struct EquipmentSnapshotOptions {
  // How often the background thread publishes pending changes; zero starts no thread, and
  // changes are then visible only after PublishPending.
  std::chrono::milliseconds publish_interval{100};
  // An overlay larger than this is folded into the base array at the next publication.
  std::size_t max_overlay_entries = 1 << 16;
};

class EquipmentSnapshot {
 public:
  explicit EquipmentSnapshot(EquipmentSnapshotOptions options = {});
  ~EquipmentSnapshot();  // Stops the background thread; pending changes are dropped.
  EquipmentSnapshot(const EquipmentSnapshot&) = delete;
  EquipmentSnapshot& operator=(const EquipmentSnapshot&) = delete;

  // The lock state of the device with this core, or std::nullopt when the snapshot does not
  // contain it. Safe from any thread at any time. It never blocks and never allocates, which
  // n5g_eir_allocation_test checks.
  std::optional<LockState> Lookup(std::uint64_t core) const;

  // Records a device's state, or its removal. Visible to Lookup after the next publication: within
  // publish_interval plus the time a fold takes (about 0.3 s for 50 million devices, measured in
  // docs/benchmarks.md). Safe from any thread.
  void Set(std::uint64_t core, LockState state);
  void Erase(std::uint64_t core);

  // Replaces the whole content with `entries` (a later entry of the same core wins) and publishes
  // it, dropping changes not yet published. For a bulk load at start.
  void Load(std::span<const SnapshotEntry> entries);

  // Publishes the pending changes now. Blocks until readers of the replaced view have left.
  void PublishPending();

  struct Stats {
    std::size_t base_entries = 0;
    std::size_t overlay_entries = 0;
    std::size_t bytes = 0;  // Heap bytes of the published arrays.
  };
  Stats stats() const;

 private:
  // The sorted base array with a directory of its blocks of 2^20 cores, about one TAC each: the
  // block's key (core >> 20) in the high 32 bits and its first index in the low 32. A lookup
  // searches the small directory, then interpolates within the block, because serials within a
  // TAC are spread evenly, so it touches a few cache lines instead of one per halving.
  struct BaseTable {
    std::vector<std::uint64_t> words;  // Sorted; no removal codes.
    std::vector<std::uint64_t> directory;
  };

  // One published state: immutable once readers can see it.
  struct View {
    std::shared_ptr<const BaseTable> base;
    std::vector<std::uint64_t> overlay;  // Sorted; newer than base; may hold removals.
  };

  // Builds a base table from sorted words, with its directory.
  // NOTE: the directory stores indexes in 32 bits, so a base of more than 2^32 devices (34 GB)
  // would be misread; national lists are far below that.
  static std::shared_ptr<const BaseTable> MakeBase(std::vector<std::uint64_t> words);
  static const std::uint64_t* FindInBase(const BaseTable& base, std::uint64_t core);
  void Publish(std::unique_ptr<View> next);
  void PublisherLoop();

  const EquipmentSnapshotOptions options_;
  EpochDomain& domain_;
  std::atomic<const View*> view_;

  std::mutex pending_mutex_;
  std::vector<std::uint64_t>
      pending_;  // Packed changes in arrival order. Guarded by pending_mutex_.

  // Serialises publications; the view is replaced only under it.
  mutable std::mutex publish_mutex_;

  std::mutex stop_mutex_;
  std::condition_variable stop_signal_;
  bool stopping_ = false;  // Guarded by stop_mutex_.
  std::thread publisher_;
};

}  // namespace imeiguard::eir
