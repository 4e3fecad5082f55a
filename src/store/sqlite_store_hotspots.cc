// SqliteStore: the counts behind hotspot analysis. One query per dimension keys each scan of the
// window (a node, a leg, a node and shift, a handler), counts the distinct parcels of each key,
// and attributes each lost parcel to the key of its latest keyed scan. The queries are rare and
// depend on the shift schedule, so they are prepared per call.
#include <string>
#include <utility>

#include "store/sqlite_statement.h"
#include "store/sqlite_store.h"

namespace imeiguard {
namespace {

using sqlite::ResetOnExit;
using sqlite::Statement;
using sqlite::StepResult;

// Parcels that count as losses. The first arm's WHERE clause repeats the condition of the
// parcels_open index, so that SQLite reads the open parcels alone.
constexpr std::string_view kLostParcels =
    "lost AS ("
    " SELECT parcel_id FROM parcels"
    " WHERE verdict NOT IN ('delivered', 'returned') AND verdict = 'lost'"
    " UNION SELECT parcel_id FROM cases WHERE theft_confirmed = 1)";

// Scans of the window made by the carrier, by the parcel's time order. ?1 and ?2 bound event time.
constexpr std::string_view kCarrierScans =
    "time >= ?1 AND time < ?2 AND type NOT IN ('claim_not_received', 'declared_lost')";
constexpr std::string_view kAtCarrierNode =
    " AND node <> '' AND node_type NOT IN ('address', 'mailbox')";

// The hour of the day in local time, from event time in milliseconds.
std::string LocalHour(const ShiftSchedule& shifts) {
  return "((time / 60000 + " + std::to_string(shifts.utc_offset_minutes) +
         ") % 1440 + 1440) % 1440 / 60";
}

// The shift index of `hour`, as ShiftSchedule::ShiftOf picks it. Hours are validated integers, so
// writing them into the SQL text is safe.
std::string ShiftOfHour(const ShiftSchedule& shifts, std::string_view hour) {
  const int last = static_cast<int>(shifts.start_hours.size()) - 1;
  std::string sql = "CASE";
  for (int shift = last; shift >= 0; --shift) {
    sql += " WHEN " + std::string(hour) + " >= " + std::to_string(shifts.start_hours[shift]) +
           " THEN " + std::to_string(shift);
  }
  return sql + " ELSE " + std::to_string(last) + " END";
}

// The CTE "keyed" of `dimension`: (parcel_id, k1, k2, time, event_id), one row per scan and key.
std::string KeyedScans(HotspotDimension dimension, const ShiftSchedule& shifts) {
  const std::string window(kCarrierScans);
  switch (dimension) {
    case HotspotDimension::kTerminal:
      return "keyed AS (SELECT parcel_id, node AS k1, '' AS k2, time, event_id FROM events WHERE " +
             window + std::string(kAtCarrierNode) + ")";
    case HotspotDimension::kShift:
      return "keyed AS (SELECT parcel_id, node AS k1, " + ShiftOfHour(shifts, "hour") +
             " AS k2, time, event_id FROM (SELECT parcel_id, node, time, event_id, " +
             LocalHour(shifts) + " AS hour FROM events WHERE " + window +
             std::string(kAtCarrierNode) + "))";
    case HotspotDimension::kHandler:
      return "keyed AS (SELECT parcel_id, handler AS k1, '' AS k2, time, event_id FROM events "
             "WHERE " +
             window + " AND handler <> '')";
    case HotspotDimension::kRoute:
      // A leg is keyed at the scan that arrives at its second node, or at a departed scan that
      // names it, so that the latest leg of a parcel that vanished on the way is the one it left
      // on.
      return "scans AS (SELECT parcel_id, node, type, next_node, time, event_id,"
             " lag(node) OVER (PARTITION BY parcel_id ORDER BY time, event_id) AS previous_node"
             " FROM events WHERE " +
             window + std::string(kAtCarrierNode) +
             "),"
             " keyed AS ("
             " SELECT parcel_id, previous_node AS k1, node AS k2, time, event_id FROM scans"
             " WHERE previous_node <> node"
             " UNION ALL"
             " SELECT parcel_id, node, next_node, time, event_id FROM scans"
             " WHERE type = 'departed' AND next_node <> '' AND next_node <> node)";
  }
  return "";
}

// Rows of (k1, k2, parcels, losses) of every key.
std::string RowsQuery(HotspotDimension dimension, const ShiftSchedule& shifts) {
  return "WITH " + std::string(kLostParcels) + ", " + KeyedScans(dimension, shifts) +
         ", flow AS (SELECT k1, k2, count(DISTINCT parcel_id) AS parcels FROM keyed"
         " GROUP BY k1, k2),"
         " latest AS (SELECT k1, k2, row_number() OVER"
         " (PARTITION BY parcel_id ORDER BY time DESC, event_id DESC) AS from_end"
         " FROM keyed WHERE parcel_id IN (SELECT parcel_id FROM lost)),"
         " losses AS (SELECT k1, k2, count(*) AS losses FROM latest WHERE from_end = 1"
         " GROUP BY k1, k2)"
         " SELECT flow.k1, flow.k2, flow.parcels, coalesce(losses.losses, 0) FROM flow"
         " LEFT JOIN losses ON losses.k1 = flow.k1 AND losses.k2 = flow.k2";
}

// The parcels that have at least one key.
std::string ParcelsQuery(HotspotDimension dimension, const ShiftSchedule& shifts) {
  return "WITH " + KeyedScans(dimension, shifts) + " SELECT count(DISTINCT parcel_id) FROM keyed";
}

FlowTally ReadTally(HotspotDimension dimension, const Statement& row) {
  FlowTally tally;
  switch (dimension) {
    case HotspotDimension::kTerminal:
      tally.node = std::string(row.ColumnText(0));
      break;
    case HotspotDimension::kRoute:
      tally.node = std::string(row.ColumnText(0));
      tally.to_node = std::string(row.ColumnText(1));
      break;
    case HotspotDimension::kShift:
      tally.node = std::string(row.ColumnText(0));
      tally.shift = static_cast<int>(row.ColumnInt64(1));
      break;
    case HotspotDimension::kHandler:
      tally.handler = std::string(row.ColumnText(0));
      break;
  }
  tally.parcels = row.ColumnInt64(2);
  tally.losses = row.ColumnInt64(3);
  return tally;
}

}  // namespace

Result<FlowTallies> SqliteStore::TallyLosses(HotspotDimension dimension, Timestamp from,
                                             Timestamp to, const ShiftSchedule& shifts) {
  if (Status valid = shifts.Validate(); !valid.ok()) return valid.error();

  std::lock_guard lock(mutex_);
  Result<sqlite::Transaction> transaction =
      sqlite::Transaction::Begin(db_, sqlite::Transaction::Mode::kDeferred);
  if (!transaction.ok()) return transaction.error();

  Result<Statement> rows =
      Statement::Prepare(db_, RowsQuery(dimension, shifts), "count losses by hotspot");
  if (!rows.ok()) return rows.error();
  FlowTallies tallies;
  {
    ResetOnExit reset(*rows);
    rows->BindInt64(1, ToMillis(from));
    rows->BindInt64(2, ToMillis(to));
    while (true) {
      Result<StepResult> step = rows->Step();
      if (!step.ok()) return step.error();
      if (*step == StepResult::kDone) break;
      tallies.rows.push_back(ReadTally(dimension, *rows));
      tallies.losses += tallies.rows.back().losses;
    }
  }

  Result<Statement> parcels =
      Statement::Prepare(db_, ParcelsQuery(dimension, shifts), "count parcels of hotspots");
  if (!parcels.ok()) return parcels.error();
  ResetOnExit reset(*parcels);
  parcels->BindInt64(1, ToMillis(from));
  parcels->BindInt64(2, ToMillis(to));
  Result<StepResult> step = parcels->Step();
  if (!step.ok()) return step.error();
  if (*step == StepResult::kRow) tallies.parcels = parcels->ColumnInt64(0);
  return tallies;
}

}  // namespace imeiguard
