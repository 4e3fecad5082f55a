// The durations the flow has shown for one leg, one node type or one node's waits, each keyed by
// the event time at which it completed and tagged with its parcel.
//
// Samples are kept in buckets of kSampleBucket of completion time, each sorted by that time. At
// every scan of a parcel the engine reads the latest few hundred samples of a leg and the maximum
// wait of two days at a node. So a walk back reads contiguous memory, and the maximum of two days
// reads one maximum per bucket. Pure, not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/time.h"

namespace imeiguard {

inline constexpr Duration kSampleBucket = std::chrono::minutes(15);

class SampleSeries {
 public:
  // `parcel_id` must outlive the sample.
  void Insert(Timestamp completed, Duration duration, const std::string* parcel_id);

  // Erases one sample of the parcel that completed at `completed` and lasted `duration`, if any.
  void Erase(Timestamp completed, Duration duration, const std::string& parcel_id);

  bool empty() const { return buckets_.empty(); }

  // Returns the completion time of the earliest sample. The series must not be empty.
  Timestamp Earliest() const;

  // Appends to `durations` those of the latest `count` samples completed in [from, before), latest
  // first, and of every other sample completed at the same time as the last of them. Samples
  // completed together count together, so that which of them count does not depend on the order
  // in which they were inserted.
  void AppendLatest(Timestamp from, Timestamp before, std::size_t count,
                    std::vector<Duration>& durations) const;

  struct Extent {
    Duration longest{0};
    int count = 0;
  };
  // The maximum duration among the samples completed in [from, before), and their number.
  Extent LongestBetween(Timestamp from, Timestamp before) const;

 private:
  struct Entry {
    Timestamp completed;
    Duration duration;
    const std::string* parcel_id;
  };
  struct Bucket {
    std::vector<Entry> entries;  // Sorted by completion time, equal times in insertion order.
    Duration longest{0};
  };
  static bool EntryBefore(const Entry& entry, Timestamp time);
  static std::int64_t BucketOf(Timestamp time);

  std::map<std::int64_t, Bucket> buckets_;
};

}  // namespace imeiguard
