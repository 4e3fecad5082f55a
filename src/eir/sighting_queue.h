// SightingQueue: records EIR queries that name a traced device without slowing the lookup that
// reported them. Record copies the query into a bounded lock-free ring; a background thread writes
// the ring to the store in batches.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>

#include "eir/equipment_snapshot.h"
#include "eir/sighting.h"

namespace imeiguard::eir {

// Longest IMSI (or other SUPI) and GPSI a queued sighting keeps; longer ones are truncated.
inline constexpr std::size_t kMaxSightingSubscriberBytes = 128;

struct SightingQueueOptions {
  std::size_t capacity = 1 << 14;  // Rounded up to a power of two.
  std::chrono::milliseconds flush_interval{200};
  std::size_t max_batch = 1000;  // Sightings per store transaction.
};

class SightingQueue final : public SightingRecorder {
 public:
  // `snapshot` decides which devices are traced; `store` receives the batches. Both outlive the
  // queue. Starts the writer thread.
  SightingQueue(const EquipmentSnapshot& snapshot, SightingStore& store,
                SightingQueueOptions options = {});
  ~SightingQueue() override;  // Calls Stop.
  SightingQueue(const SightingQueue&) = delete;
  SightingQueue& operator=(const SightingQueue&) = delete;

  // Queues the query when its device is traced; drops it and counts it when the ring is full.
  // Lock-free and allocation-free; text fields longer than the ring's slots are truncated.
  void Record(const EquipmentQuery& query) override;

  // Writes everything queued so far and returns once it is stored (or its write failed).
  void Flush();
  // Writes what is queued and stops the writer thread. Idempotent.
  void Stop();

  struct Counters {
    std::int64_t queued = 0;
    std::int64_t dropped = 0;  // Ring full: the store cannot keep up.
    std::int64_t stored = 0;
    std::int64_t failed = 0;  // Lost in a batch whose write failed.
  };
  Counters counters() const;

 private:
  struct Slot;
  bool Push(const EquipmentQuery& query, LockState state);
  // Moves up to max_batch sightings out of the ring into a batch and stores it; returns how many.
  std::size_t DrainOnce();
  void WriterLoop();

  const EquipmentSnapshot& snapshot_;
  SightingStore& store_;
  const SightingQueueOptions options_;

  // Bounded multi-producer ring of sequence-numbered slots (the design of Dmitry Vyukov's bounded
  // MPMC queue), drained by the writer thread only.
  std::size_t mask_ = 0;
  std::unique_ptr<Slot[]> slots_;
  alignas(64) std::atomic<std::size_t> enqueue_position_{0};
  alignas(64) std::size_t dequeue_position_ = 0;  // Writer thread only, or under drain_mutex_.

  std::mutex drain_mutex_;  // One drain at a time: the writer thread or Flush.
  std::mutex stop_mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;  // Guarded by stop_mutex_.
  std::thread writer_;

  std::atomic<std::int64_t> queued_{0};
  std::atomic<std::int64_t> dropped_{0};
  std::atomic<std::int64_t> stored_{0};
  std::atomic<std::int64_t> failed_{0};
};

}  // namespace imeiguard::eir
