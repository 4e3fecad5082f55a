#include "eir/sighting_queue.h"

#include <gtest/gtest.h>

#include <mutex>

namespace imeiguard::eir {
namespace {

using namespace std::chrono_literals;

constexpr std::uint64_t kLockedCore = 35847210004217;
constexpr std::uint64_t kReleasedCore = 49015420323751;
constexpr std::uint64_t kUnknownCore = 12345678901234;

// Keeps appended sightings in memory, and fails appends on request.
class MemorySightingStore final : public SightingStore {
 public:
  Status AppendSightings(std::span<const Sighting> sightings) override {
    std::lock_guard lock(mutex);
    if (fail) return Error::Unavailable("store", "append failed on purpose");
    stored.insert(stored.end(), sightings.begin(), sightings.end());
    return Status();
  }
  Result<std::vector<Sighting>> ListSightings(const SightingFilter&) override { return stored; }
  Result<std::vector<Fence>> ListFences(int) override { return std::vector<Fence>(); }

  std::mutex mutex;
  bool fail = false;
  std::vector<Sighting> stored;
};

class SightingQueueTest : public ::testing::Test {
 protected:
  SightingQueueTest() : snapshot_(EquipmentSnapshotOptions{0ms, 1 << 16}) {
    snapshot_.Set(kLockedCore, LockState::kLocked);
    snapshot_.Set(kReleasedCore, LockState::kReleased);
    snapshot_.PublishPending();
  }
  static EquipmentQuery Query(std::uint64_t core) {
    EquipmentQuery query;
    query.core = core;
    query.interface = "n5g-eir";
    query.network_element = "AMF-1";
    query.supi_or_imsi = "imsi-240011234567890";
    query.gpsi = "msisdn-46701234567";
    query.at = FromMillis(5000);
    return query;
  }

  EquipmentSnapshot snapshot_;
  MemorySightingStore store_;
};

TEST_F(SightingQueueTest, RecordsOnlyTracedDevices) {
  SightingQueue queue(snapshot_, store_);
  queue.Record(Query(kLockedCore));
  queue.Record(Query(kReleasedCore));
  queue.Record(Query(kUnknownCore));
  queue.Flush();
  ASSERT_EQ(store_.stored.size(), 1u);
  const Sighting& sighting = store_.stored[0];
  EXPECT_EQ(sighting.core, kLockedCore);
  EXPECT_EQ(sighting.state, LockState::kLocked);
  EXPECT_EQ(sighting.imsi, "240011234567890");
  EXPECT_EQ(sighting.gpsi, "msisdn-46701234567");
  EXPECT_EQ(sighting.network_element, "AMF-1");
  EXPECT_EQ(sighting.interface, "n5g-eir");
  EXPECT_EQ(sighting.at, FromMillis(5000));
}

TEST_F(SightingQueueTest, FullRingDropsAndCounts) {
  SightingQueueOptions options;
  options.capacity = 4;
  options.flush_interval = 1h;  // Nothing drains until Stop.
  SightingQueue queue(snapshot_, store_, options);
  for (int i = 0; i < 6; ++i) queue.Record(Query(kLockedCore));
  EXPECT_EQ(queue.counters().queued, 4);
  EXPECT_EQ(queue.counters().dropped, 2);
  queue.Stop();
  EXPECT_EQ(store_.stored.size(), 4u);
  EXPECT_EQ(queue.counters().stored, 4);
}

TEST_F(SightingQueueTest, StopWritesWhatIsQueued) {
  SightingQueueOptions options;
  options.flush_interval = 1h;
  {
    SightingQueue queue(snapshot_, store_, options);
    queue.Record(Query(kLockedCore));
    queue.Record(Query(kLockedCore));
  }
  EXPECT_EQ(store_.stored.size(), 2u);
}

TEST_F(SightingQueueTest, FailedWriteIsCounted) {
  store_.fail = true;
  SightingQueue queue(snapshot_, store_);
  queue.Record(Query(kLockedCore));
  queue.Flush();
  EXPECT_EQ(queue.counters().failed, 1);
  EXPECT_EQ(queue.counters().stored, 0);
}

TEST_F(SightingQueueTest, LongFieldsAreTruncated) {
  SightingQueue queue(snapshot_, store_);
  std::string long_element(200, 'n');
  EquipmentQuery query = Query(kLockedCore);
  query.network_element = long_element;
  queue.Record(query);
  queue.Flush();
  ASSERT_EQ(store_.stored.size(), 1u);
  EXPECT_EQ(store_.stored[0].network_element, std::string(64, 'n'));
}

// An S13 query has no GPSI and may have no IMSI: views that point nowhere (checked by UBSan).
TEST_F(SightingQueueTest, AbsentFieldsAreEmpty) {
  SightingQueue queue(snapshot_, store_);
  EquipmentQuery query = Query(kLockedCore);
  query.interface = "s13";
  query.supi_or_imsi = std::string_view();
  query.gpsi = std::string_view();
  queue.Record(query);
  queue.Flush();
  ASSERT_EQ(store_.stored.size(), 1u);
  EXPECT_EQ(store_.stored[0].imsi, "");
  EXPECT_EQ(store_.stored[0].gpsi, "");
}

TEST(SubscriberKey, ImsiSupiAndBareImsiMatch) {
  EXPECT_EQ(SubscriberKey("imsi-240011234567890"), "240011234567890");
  EXPECT_EQ(SubscriberKey("240011234567890"), "240011234567890");
  EXPECT_EQ(SubscriberKey("nai-user@example.net"), "nai-user@example.net");
}

}  // namespace
}  // namespace imeiguard::eir
