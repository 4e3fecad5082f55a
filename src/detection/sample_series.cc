#include "detection/sample_series.h"

#include <algorithm>

namespace imeiguard {
bool SampleSeries::EntryBefore(const Entry& entry, Timestamp time) {
  return entry.completed < time;
}

std::int64_t SampleSeries::BucketOf(Timestamp time) {
  const std::int64_t width = kSampleBucket.count();
  const std::int64_t since_epoch = time.time_since_epoch().count();
  // Floor division, so that times before the epoch fall in the bucket below, not towards zero.
  return since_epoch / width - (since_epoch % width < 0 ? 1 : 0);
}

void SampleSeries::Insert(Timestamp completed, Duration duration, const std::string* parcel_id) {
  Bucket& bucket = buckets_[BucketOf(completed)];
  auto position =
      std::upper_bound(bucket.entries.begin(), bucket.entries.end(), completed,
                       [](Timestamp time, const Entry& entry) { return time < entry.completed; });
  bucket.entries.insert(position, Entry{completed, duration, parcel_id});
  bucket.longest = std::max(bucket.longest, duration);
}

void SampleSeries::Erase(Timestamp completed, Duration duration, const std::string& parcel_id) {
  auto found = buckets_.find(BucketOf(completed));
  if (found == buckets_.end()) return;
  Bucket& bucket = found->second;
  auto match =
      std::lower_bound(bucket.entries.begin(), bucket.entries.end(), completed, EntryBefore);
  while (match != bucket.entries.end() && match->completed == completed &&
         (match->duration != duration || *match->parcel_id != parcel_id)) {
    ++match;
  }
  if (match == bucket.entries.end() || match->completed != completed) return;
  bucket.entries.erase(match);
  if (bucket.entries.empty()) {
    buckets_.erase(found);
    return;
  }
  if (duration == bucket.longest) {
    bucket.longest = Duration(0);
    for (const Entry& entry : bucket.entries) {
      bucket.longest = std::max(bucket.longest, entry.duration);
    }
  }
}

Timestamp SampleSeries::Earliest() const {
  return buckets_.begin()->second.entries.front().completed;
}

void SampleSeries::AppendLatest(Timestamp from, Timestamp before, std::size_t count,
                                std::vector<Duration>& durations) const {
  std::size_t appended = 0;
  Timestamp last_appended{};
  for (auto bucket = buckets_.upper_bound(BucketOf(before)); bucket != buckets_.begin();) {
    --bucket;
    const std::vector<Entry>& entries = bucket->second.entries;
    auto end = std::lower_bound(entries.begin(), entries.end(), before, EntryBefore);
    for (auto entry = end; entry != entries.begin();) {
      --entry;
      if (entry->completed < from) return;
      if (appended >= count && entry->completed != last_appended) return;
      durations.push_back(entry->duration);
      last_appended = entry->completed;
      ++appended;
    }
  }
}

SampleSeries::Extent SampleSeries::LongestBetween(Timestamp from, Timestamp before) const {
  Extent extent;
  const std::int64_t first = BucketOf(from);
  const std::int64_t last = BucketOf(before);
  for (auto bucket = buckets_.lower_bound(first); bucket != buckets_.end() && bucket->first <= last;
       ++bucket) {
    const Bucket& samples = bucket->second;
    // A bucket strictly between the two ends lies wholly inside [from, before).
    if (bucket->first > first && bucket->first < last) {
      extent.longest = std::max(extent.longest, samples.longest);
      extent.count += static_cast<int>(samples.entries.size());
      continue;
    }
    for (const Entry& entry : samples.entries) {
      if (entry.completed < from || entry.completed >= before) continue;
      extent.longest = std::max(extent.longest, entry.duration);
      ++extent.count;
    }
  }
  return extent;
}

}  // namespace imeiguard
