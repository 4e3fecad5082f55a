// Checks that snapshot lookups and N5g-eir answers, recorded sightings included, take nothing
// from the heap once the snapshot is published.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "eir/n5g_eir_answer.h"
#include "eir/sighting_queue.h"

namespace {

std::atomic<bool> counting{false};
std::atomic<long> allocations{0};

}  // namespace

// GCC flags free() on memory from a replaced operator new once both are inlined, though the
// replacement takes it from malloc().
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

void* operator new(std::size_t size) {
  if (counting.load(std::memory_order_relaxed)) allocations.fetch_add(1);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace imeiguard::eir {
namespace {

using namespace std::chrono_literals;

// Keeps nothing: the queue's writer thread is not what this test measures.
class DiscardingStore final : public SightingStore {
 public:
  Status AppendSightings(std::span<const Sighting>) override { return Status(); }
  Result<std::vector<Sighting>> ListSightings(const SightingFilter&) override {
    return std::vector<Sighting>();
  }
  Result<std::vector<Fence>> ListFences(int) override { return std::vector<Fence>(); }
};

TEST(N5gEirAllocation, AnswersDoNotAllocate) {
  EquipmentSnapshot snapshot(EquipmentSnapshotOptions{0ms, 1 << 16});
  for (std::uint64_t core = 35847210004217; core < 35847210004317; ++core) {
    snapshot.Set(core, LockState::kLocked);
  }
  snapshot.PublishPending();
  DiscardingStore store;
  SightingQueueOptions options;
  options.flush_interval = 1h;  // The writer thread stays asleep while allocations are counted.
  SightingQueue queue(snapshot, store, options);
  const char* targets[] = {
      "/n5g-eir-eic/v1/equipment-status?pei=imei-358472100042174&supi=imsi-240011234567890",
      "/n5g-eir-eic/v1/equipment-status?pei=imeisv-3569380356438091",
      "/n5g-eir-eic/v1/equipment-status?supi=imsi-240011234567890",
      "/n5g-eir-eic/v1/equipment-status?pei=imei-12"};
  AnswerEirRequest("GET", targets[0], snapshot, &queue, "AMF-1", FromMillis(0));  // Warm-up.

  counting = true;
  int answered = 0;
  for (int round = 0; round < 100; ++round) {
    for (const char* target : targets) {
      answered +=
          AnswerEirRequest("GET", target, snapshot, &queue, "AMF-1", FromMillis(round)).status != 0;
    }
    answered += snapshot.Lookup(35847210004217 + static_cast<std::uint64_t>(round)).has_value();
  }
  counting = false;

  EXPECT_EQ(answered, 500);
  EXPECT_EQ(allocations.load(), 0);
  EXPECT_GT(queue.counters().queued, 0);
}

}  // namespace
}  // namespace imeiguard::eir
