#include "detection/hotspots.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <utility>

namespace imeiguard {
namespace {

constexpr int kMinutesPerDay = 24 * 60;
constexpr int kMaxOffsetMinutes = 14 * 60;

// ln C(n, j) + j ln p + (n - j) ln(1 - p): the log of one term of the binomial distribution.
// lgamma_r, unlike std::lgamma, writes the sign to a local instead of a global, so this may run on
// several threads at once.
double LogBinomialTerm(std::int64_t n, std::int64_t j, double p) {
  int sign = 0;
  double log_choose = ::lgamma_r(static_cast<double>(n) + 1, &sign) -
                      ::lgamma_r(static_cast<double>(j) + 1, &sign) -
                      ::lgamma_r(static_cast<double>(n - j) + 1, &sign);
  return log_choose + static_cast<double>(j) * std::log(p) +
         static_cast<double>(n - j) * std::log1p(-p);
}

// The sum of the binomial terms from j = `first` outward (upward when `step` is +1, downward when
// it is -1) to the end of the range. Each term follows from the one before by the ratio of
// consecutive terms, relative to the first; the loop stops once the terms left cannot change
// the sum in the 17th digit. Returns the log of the sum.
double LogTailFrom(std::int64_t n, std::int64_t first, double p, int step) {
  const double odds = p / (1 - p);
  double term = 1;
  double sum = 1;
  for (std::int64_t j = first; step > 0 ? j < n : j > 0; j += step) {
    // Ratio of term j + step to term j.
    double ratio = step > 0 ? static_cast<double>(n - j) / static_cast<double>(j + 1) * odds
                            : static_cast<double>(j) / static_cast<double>(n - j + 1) / odds;
    term *= ratio;
    sum += term;
    // The ratios only shrink from here on, so the rest is at most a geometric series.
    if (ratio < 1 && term * ratio / (1 - ratio) < sum * 1e-17) break;
  }
  return LogBinomialTerm(n, first, p) + std::log(sum);
}

// Formats 0 to 99 with a leading zero.
std::string TwoDigits(int value) {
  return {static_cast<char>('0' + value / 10 % 10), static_cast<char>('0' + value % 10)};
}

std::string KeyOf(HotspotDimension dimension, const FlowTally& row, const ShiftSchedule& shifts) {
  switch (dimension) {
    case HotspotDimension::kTerminal:
      return row.node;
    case HotspotDimension::kRoute:
      return row.node + ">" + row.to_node;
    case HotspotDimension::kShift:
      return row.node + "@" + shifts.Name(row.shift);
    case HotspotDimension::kHandler:
      return row.handler;
  }
  return row.node;
}

}  // namespace

std::string_view HotspotDimensionName(HotspotDimension dimension) {
  switch (dimension) {
    case HotspotDimension::kTerminal:
      return "terminal";
    case HotspotDimension::kRoute:
      return "route";
    case HotspotDimension::kShift:
      return "shift";
    case HotspotDimension::kHandler:
      return "handler";
  }
  return "terminal";
}

std::optional<HotspotDimension> ParseHotspotDimension(std::string_view text) {
  for (HotspotDimension dimension : {HotspotDimension::kTerminal, HotspotDimension::kRoute,
                                     HotspotDimension::kShift, HotspotDimension::kHandler}) {
    if (HotspotDimensionName(dimension) == text) return dimension;
  }
  return std::nullopt;
}

Status ShiftSchedule::Validate() const {
  if (start_hours.empty() || start_hours.size() > 24) {
    return Error::InvalidInput("shift_starts", "a day needs 1 to 24 shift start hours");
  }
  for (std::size_t i = 0; i < start_hours.size(); ++i) {
    int hour = start_hours[i];
    if (hour < 0 || hour > 23) {
      return Error::InvalidInput("shift_starts", "shift start hour " + std::to_string(hour) +
                                                     " is not an hour from 0 to 23");
    }
    if (i > 0 && hour <= start_hours[i - 1]) {
      return Error::InvalidInput("shift_starts",
                                 "shift start hours must ascend without repeats, but " +
                                     std::to_string(hour) + " follows " +
                                     std::to_string(start_hours[i - 1]));
    }
  }
  if (std::abs(utc_offset_minutes) > kMaxOffsetMinutes) {
    return Error::InvalidInput("utc_offset", "UTC offset " + FormatUtcOffset(utc_offset_minutes) +
                                                 " is beyond -14:00 to +14:00");
  }
  return Status::Ok();
}

int ShiftSchedule::ShiftOf(Timestamp t) const {
  std::int64_t local_minutes = ToMillis(t) / 60'000 + utc_offset_minutes;
  // Floor modulo: times before 1970 have a negative remainder.
  int minute_of_day =
      static_cast<int>(((local_minutes % kMinutesPerDay) + kMinutesPerDay) % kMinutesPerDay);
  int hour = minute_of_day / 60;
  auto later = std::upper_bound(start_hours.begin(), start_hours.end(), hour);
  // Before the first start of the day, the last shift of the day before is still on.
  if (later == start_hours.begin()) return static_cast<int>(start_hours.size()) - 1;
  return static_cast<int>(later - start_hours.begin()) - 1;
}

std::string ShiftSchedule::Name(int shift) const {
  if (shift < 0 || shift >= static_cast<int>(start_hours.size())) return "";
  int end = start_hours[(static_cast<std::size_t>(shift) + 1) % start_hours.size()];
  return TwoDigits(start_hours[shift]) + "-" + TwoDigits(end);
}

Result<int> ParseUtcOffset(std::string_view text) {
  if (text == "Z") return 0;
  int hours = 0;
  int minutes = 0;
  char sign = 0;
  char end = 0;
  std::string copy(text);
  bool parsed = text.size() == 6 && text[3] == ':' &&
                std::sscanf(copy.c_str(), "%c%2d:%2d%c", &sign, &hours, &minutes, &end) == 3 &&
                (sign == '+' || sign == '-') && minutes < 60;
  int total = (hours * 60 + minutes) * (sign == '-' ? -1 : 1);
  if (!parsed || std::abs(total) > kMaxOffsetMinutes) {
    return Error::InvalidInput("utc_offset", "UTC offset '" + copy +
                                                 "' is invalid; write it as +01:00, -05:30 or Z, "
                                                 "from -14:00 to +14:00");
  }
  return total;
}

std::string FormatUtcOffset(int minutes) {
  int magnitude = std::abs(minutes);
  return (minutes < 0 ? "-" : "+") + TwoDigits(magnitude / 60) + ":" + TwoDigits(magnitude % 60);
}

double BinomialUpperTail(std::int64_t n, std::int64_t k, double p) {
  if (k <= 0) return 1;
  if (k > n || p <= 0) return 0;
  if (p >= 1) return 1;

  // Above the mean the upper tail is the small side: sum it from k upward. At or below the mean
  // the tail is at least about one half, so one minus the lower tail loses nothing that matters.
  if (static_cast<double>(k) > static_cast<double>(n) * p) {
    return std::exp(LogTailFrom(n, k, p, +1));
  }
  double lower = std::exp(LogTailFrom(n, k - 1, p, -1));
  return std::clamp(1 - lower, 0.0, 1.0);
}

std::vector<double> BenjaminiHochbergQValues(std::span<const double> p_values) {
  const std::size_t m = p_values.size();
  std::vector<std::size_t> order(m);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return p_values[a] < p_values[b]; });

  // From the largest p-value down, so that each q is the minimum over the ranks above it.
  std::vector<double> q_values(m, 1.0);
  double running = 1.0;
  for (std::size_t rank = m; rank > 0; --rank) {
    std::size_t index = order[rank - 1];
    double scaled = p_values[index] * static_cast<double>(m) / static_cast<double>(rank);
    running = std::min(running, scaled);
    q_values[index] = running;
  }
  return q_values;
}

double NetworkLossRate(const FlowTallies& tallies) {
  if (tallies.parcels <= 0) return 0;
  return static_cast<double>(tallies.losses) / static_cast<double>(tallies.parcels);
}

std::vector<Hotspot> RankHotspots(HotspotDimension dimension, const FlowTallies& tallies,
                                  const ShiftSchedule& shifts) {
  const double rate = NetworkLossRate(tallies);
  std::vector<Hotspot> hotspots;
  hotspots.reserve(tallies.rows.size());
  std::vector<double> p_values;
  p_values.reserve(tallies.rows.size());
  for (const FlowTally& row : tallies.rows) {
    Hotspot hotspot;
    hotspot.flow = row;
    hotspot.key = KeyOf(dimension, row, shifts);
    hotspot.expected_losses = static_cast<double>(row.parcels) * rate;
    if (hotspot.expected_losses > 0) {
      hotspot.ratio = static_cast<double>(row.losses) / hotspot.expected_losses;
    }
    hotspot.p_value = BinomialUpperTail(row.parcels, row.losses, rate);
    p_values.push_back(hotspot.p_value);
    hotspots.push_back(std::move(hotspot));
  }

  std::vector<double> q_values = BenjaminiHochbergQValues(p_values);
  for (std::size_t i = 0; i < hotspots.size(); ++i) hotspots[i].q_value = q_values[i];

  std::sort(hotspots.begin(), hotspots.end(), [](const Hotspot& a, const Hotspot& b) {
    if (a.p_value != b.p_value) return a.p_value < b.p_value;
    double ratio_a = a.ratio.value_or(0);
    double ratio_b = b.ratio.value_or(0);
    if (ratio_a != ratio_b) return ratio_a > ratio_b;
    return a.key < b.key;
  });
  return hotspots;
}

}  // namespace imeiguard
