// Epoch-based reclamation for read-mostly data published through an atomic pointer.
//
// Readers mark themselves active in a slot of their own (one cache line per thread) while they
// use a published object, so that they never take a lock and never write a shared reference
// count. A writer that replaced the pointer calls Synchronize before it frees the old object:
// it waits until every reader that could still see the old object has left.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace imeiguard::eir {

class EpochDomain {
 public:
  // Marks the calling thread as reading from construction to destruction. Not reentrant: a thread
  // has at most one ReadSection at a time.
  class ReadSection {
   public:
    explicit ReadSection(EpochDomain& domain);
    ~ReadSection();
    ReadSection(const ReadSection&) = delete;
    ReadSection& operator=(const ReadSection&) = delete;

   private:
    EpochDomain& domain_;
    int slot_;  // kOverflowSlot when the thread has no slot of its own.
  };

  EpochDomain() = default;
  EpochDomain(const EpochDomain&) = delete;
  EpochDomain& operator=(const EpochDomain&) = delete;

  // Waits until every ReadSection that began before the call has ended. Call it after the
  // pointer readers load was replaced and before the old object is freed. Sleeps between polls,
  // so it must not be called inside a ReadSection. Safe to call from several threads.
  void Synchronize();

  // The process-wide domain that every snapshot uses, so that a thread needs one slot in all.
  static EpochDomain& Global();

  // Threads beyond this many that read at the same time share one counter, which a writer must
  // see at zero. They stay correct, but they can delay Synchronize under constant load.
  static constexpr int kSlots = 256;

 private:
  static constexpr int kOverflowSlot = -1;

  struct alignas(64) Slot {
    // The epoch the reader entered at, or 0 when it is not reading.
    std::atomic<std::uint64_t> active_epoch{0};
    // Whether a thread owns the slot.
    std::atomic<bool> owned{false};
  };

  // The calling thread's slot in this domain, claimed on first use and freed when the thread ends.
  int ThreadSlot();
  int ClaimSlot();
  void ReleaseSlot(int slot);

  std::atomic<std::uint64_t> epoch_{1};
  Slot slots_[kSlots];
  alignas(64) std::atomic<std::int64_t> overflow_readers_{0};
};

}  // namespace imeiguard::eir
