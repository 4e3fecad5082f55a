// Where losses concentrate: for each terminal, route leg, shift or handler, the phone parcels that
// passed it and the losses attributed to it, tested against the loss rate of the whole network.
//
// The store counts (Store::TallyLosses); this module only does the statistics. A row with n
// parcels and k losses is tested with the upper tail of Binomial(n, r), where r is the network's
// loss rate: the chance of at least k losses if the row's parcels were lost like any others.
// Because many rows are tested at once, each p-value also gets a Benjamini-Hochberg q-value.
//
// Pure: no I/O, no clock. Thread-safe: every function only reads its arguments.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/time.h"

namespace imeiguard {

// What a hotspot row is keyed by. kTerminal counts every network node (terminals, hubs, vehicles,
// service points, lockers); kRoute a leg between two consecutive nodes of a parcel's scan chain;
// kShift a node and a shift of local time; kHandler the handler's id.
enum class HotspotDimension { kTerminal, kRoute, kShift, kHandler };

std::string_view HotspotDimensionName(HotspotDimension dimension);  // "terminal", "route", ...
std::optional<HotspotDimension> ParseHotspotDimension(std::string_view text);

// The shifts of a working day in local time, such as 06-14, 14-22 and 22-06. A node's local time
// is UTC plus a fixed offset: daylight saving time is not followed, so in summer a scan made in the
// first or last hour of a shift can count in the neighbouring shift.
struct ShiftSchedule {
  // Local hours (0 to 23) at which the shifts start, ascending. The last shift runs past
  // midnight to the first start.
  std::vector<int> start_hours{6, 14, 22};
  int utc_offset_minutes = 60;

  // Checks that there are 1 to 24 distinct ascending hours from 0 to 23 and an offset from
  // -14:00 to +14:00; kInvalidInput naming what is wrong otherwise.
  Status Validate() const;

  // The index in start_hours of the shift that `t` falls in.
  int ShiftOf(Timestamp t) const;

  // The shift's window as "HH-HH", such as "22-06".
  std::string Name(int shift) const;
};

// Parses a UTC offset written "+01:00", "-05:30" or "Z" into minutes east of UTC.
Result<int> ParseUtcOffset(std::string_view text);
// Formats minutes east of UTC as "+01:00".
std::string FormatUtcOffset(int minutes);

// The flow through one row and the losses attributed to it, as the store counts them. Only the
// members of the row's dimension are set: node for a terminal, node and to_node for a route leg,
// node and shift for a shift, handler for a handler.
struct FlowTally {
  std::string node;
  std::string to_node;
  int shift = -1;  // Index into ShiftSchedule::start_hours.
  std::string handler;
  std::int64_t parcels = 0;  // Distinct phone parcels that passed it.
  std::int64_t losses = 0;   // Lost parcels whose last scan of the dimension was there.
};

// Every row of a dimension in a window, with the totals the loss rate comes from: the parcels
// that passed any row and the losses attributed to any row.
struct FlowTallies {
  std::int64_t parcels = 0;
  std::int64_t losses = 0;
  std::vector<FlowTally> rows;
};

// tallies.losses / tallies.parcels, or 0 when no parcel passed.
double NetworkLossRate(const FlowTallies& tallies);

// A row tested against the network-wide loss rate.
struct Hotspot {
  FlowTally flow;
  std::string key;  // "SE-HUB-STO", "SE-TERM-GBG>SE-HUB-STO", "SE-HUB-STO@22-06" or "h-00123".
  double expected_losses = 0;
  std::optional<double> ratio;  // losses / expected_losses; empty when no loss is expected.
  double p_value = 1;
  double q_value = 1;
};

// P(X >= k) for X ~ Binomial(n, p): 1 for k <= 0, 0 for k > n. Summed term by term in log space
// from the tail's far side inward, so that tails far below 1e-300 underflow to 0 but any tail
// above that keeps about 12 significant digits. Requires 0 <= p <= 1 and n >= 0.
double BinomialUpperTail(std::int64_t n, std::int64_t k, double p);

// Benjamini-Hochberg adjusted p-values, in the order of `p_values`: q_i is the smallest
// p_(j) * m / j over the ranks j at or above p_i's rank, capped at 1.
std::vector<double> BenjaminiHochbergQValues(std::span<const double> p_values);

// Tests each row of `tallies` against the rate tallies.losses / tallies.parcels and returns them
// most significant first: by p-value, then by ratio, then by key. A row's losses must not exceed
// its parcels (the store attributes a loss only to a row that counts the parcel).
std::vector<Hotspot> RankHotspots(HotspotDimension dimension, const FlowTallies& tallies,
                                  const ShiftSchedule& shifts);

}  // namespace imeiguard
