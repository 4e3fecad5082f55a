// Checks that snapshot lookups and N5g-eir answers, recorded sightings included, take nothing
// from the heap once the snapshot is published.
#include <gtest/gtest.h>

#include "eir/n5g_eir_answer.h"
#include "eir/sighting_queue.h"
#include "testing/counting_new.h"

namespace imeiguard::eir {
namespace {

using imeiguard::testing::allocation_count;
using imeiguard::testing::counting_allocations;

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

  counting_allocations = true;
  int answered = 0;
  for (int round = 0; round < 100; ++round) {
    for (const char* target : targets) {
      answered +=
          AnswerEirRequest("GET", target, snapshot, &queue, "AMF-1", FromMillis(round)).status != 0;
    }
    answered += snapshot.Lookup(35847210004217 + static_cast<std::uint64_t>(round)).has_value();
  }
  counting_allocations = false;

  EXPECT_EQ(answered, 500);
  EXPECT_EQ(allocation_count.load(), 0);
  EXPECT_GT(queue.counters().queued, 0);
}

}  // namespace
}  // namespace imeiguard::eir
