// The bucketed series of flow samples against a plain list of the same samples. Every query must
// give what a walk over the whole list gives, at bucket edges and after erasures.
#include "detection/sample_series.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

namespace imeiguard {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

const Timestamp kStart = ParseRfc3339("2026-03-02T00:00:00Z").value();
const std::vector<std::string> kParcels = {"p-0", "p-1", "p-2"};

struct Sample {
  Timestamp completed;
  Duration duration;
  const std::string* parcel_id;
};

// The durations of the latest `count` samples in [from, before) and of those tied with the last
// of them, sorted, by a walk over the whole list.
std::vector<Duration> LatestByWalk(std::vector<Sample> samples, Timestamp from, Timestamp before,
                                   std::size_t count) {
  std::erase_if(samples,
                [&](const Sample& s) { return s.completed < from || s.completed >= before; });
  std::stable_sort(samples.begin(), samples.end(),
                   [](const Sample& a, const Sample& b) { return a.completed > b.completed; });
  std::vector<Duration> durations;
  for (const Sample& sample : samples) {
    if (durations.size() >= count && sample.completed != samples[durations.size() - 1].completed) {
      break;
    }
    durations.push_back(sample.duration);
  }
  std::sort(durations.begin(), durations.end());
  return durations;
}

TEST(SampleSeries, QueriesMatchAWalkOverEverySample) {
  std::mt19937 random(7);
  // Completion times within two days, on whole minutes so that many coincide and many fall on a
  // bucket's edge.
  std::uniform_int_distribution<int> minute(0, 2 * 24 * 60);
  std::uniform_int_distribution<int> length(1, 600);
  std::uniform_int_distribution<std::size_t> parcel(0, kParcels.size() - 1);
  SampleSeries series;
  std::vector<Sample> samples;
  for (int round = 0; round < 4000; ++round) {
    if (!samples.empty() && round % 3 == 2) {
      std::size_t victim =
          std::uniform_int_distribution<std::size_t>(0, samples.size() - 1)(random);
      series.Erase(samples[victim].completed, samples[victim].duration, *samples[victim].parcel_id);
      samples.erase(samples.begin() + static_cast<std::ptrdiff_t>(victim));
    } else {
      Sample sample{kStart + minutes(minute(random)), minutes(length(random)),
                    &kParcels[parcel(random)]};
      series.Insert(sample.completed, sample.duration, sample.parcel_id);
      samples.push_back(sample);
    }
    if (round % 40 != 0) continue;

    Timestamp from = kStart + minutes(minute(random)) - seconds(round % 2);
    Timestamp before = from + minutes(minute(random));
    Duration longest{0};
    int count = 0;
    for (const Sample& sample : samples) {
      if (sample.completed < from || sample.completed >= before) continue;
      longest = std::max(longest, sample.duration);
      ++count;
    }
    SampleSeries::Extent extent = series.LongestBetween(from, before);
    EXPECT_EQ(extent.longest, longest) << "round " << round;
    EXPECT_EQ(extent.count, count) << "round " << round;

    for (std::size_t wanted : {std::size_t{1}, std::size_t{25}, std::size_t{500}}) {
      std::vector<Duration> latest;
      series.AppendLatest(from, before, wanted, latest);
      std::sort(latest.begin(), latest.end());
      EXPECT_EQ(latest, LatestByWalk(samples, from, before, wanted))
          << "round " << round << ", " << wanted << " wanted";
    }
  }
  ASSERT_FALSE(samples.empty());
  Timestamp earliest =
      std::min_element(samples.begin(), samples.end(), [](const Sample& a, const Sample& b) {
        return a.completed < b.completed;
      })->completed;
  EXPECT_EQ(series.Earliest(), earliest);
}

TEST(SampleSeries, EraseTakesOnlyTheMatchingSample) {
  SampleSeries series;
  series.Insert(kStart, minutes(30), &kParcels[0]);
  series.Insert(kStart, minutes(90), &kParcels[0]);
  series.Insert(kStart, minutes(90), &kParcels[1]);
  series.Erase(kStart, minutes(90), kParcels[0]);
  series.Erase(kStart, minutes(45), kParcels[0]);  // No such sample: nothing changes.
  SampleSeries::Extent extent = series.LongestBetween(kStart, kStart + seconds(1));
  EXPECT_EQ(extent.count, 2);
  EXPECT_EQ(extent.longest, minutes(90));
  series.Erase(kStart, minutes(90), kParcels[1]);
  extent = series.LongestBetween(kStart - minutes(60), kStart + minutes(60));
  EXPECT_EQ(extent.count, 1);
  EXPECT_EQ(extent.longest, minutes(30));
  series.Erase(kStart, minutes(30), kParcels[0]);
  EXPECT_TRUE(series.empty());
}

}  // namespace
}  // namespace imeiguard
