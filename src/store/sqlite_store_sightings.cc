// SqliteStore: sightings, the leads that EIR queries leave. Written in batches by the sighting
// queue's thread and read by the police and security officers, so statements are prepared per
// call.
#include <algorithm>
#include <charconv>
#include <string>

#include "store/column_values.h"
#include "store/sqlite_statement.h"
#include "store/sqlite_store.h"

namespace imeiguard {
namespace {

using sqlite::Statement;
using sqlite::StepResult;
using sqlite::Transaction;

constexpr std::string_view kSightingColumns =
    "sighting_id, imei_core, seen_at, interface, network_element, imsi, gpsi, lock_state";

constexpr std::string_view kStolenStates =
    "('greylisted', 'lock_pending', 'locked', 'unlock_pending')";

Result<eir::Sighting> ReadSighting(const Statement& row) {
  eir::Sighting sighting;
  sighting.sighting_id = row.ColumnInt64(0);
  sighting.core = static_cast<std::uint64_t>(row.ColumnInt64(1));
  sighting.at = FromMillis(row.ColumnInt64(2));
  sighting.interface = std::string(row.ColumnText(3));
  sighting.network_element = std::string(row.ColumnText(4));
  sighting.imsi = std::string(row.ColumnText(5));
  sighting.gpsi = std::string(row.ColumnText(6));
  std::optional<LockState> state = sqlite::ParseLockStateColumn(row.ColumnText(7));
  if (!state) {
    return Error::Internal("corrupt_sighting", "sighting " + std::to_string(sighting.sighting_id) +
                                                   " has an unknown lock state '" +
                                                   std::string(row.ColumnText(7)) + "'");
  }
  sighting.state = *state;
  return sighting;
}

// The query of ListSightings for `core_count` cores (0: any device).
std::string SightingsQuery(std::size_t core_count) {
  std::string sql = "SELECT " + std::string(kSightingColumns) +
                    " FROM sightings WHERE sighting_id > ?1 AND (?2 = '' OR imsi = ?2)";
  if (core_count > 0) {
    sql += " AND imei_core IN (";
    for (std::size_t i = 0; i < core_count; ++i) {
      sql += (i == 0 ? "?" : ", ?") + std::to_string(i + 4);
    }
    sql += ")";
  }
  return sql + " ORDER BY sighting_id LIMIT ?3";
}

// Parses the comma-separated cores of GROUP_CONCAT.
std::vector<std::uint64_t> ParseCores(std::string_view text) {
  std::vector<std::uint64_t> cores;
  while (!text.empty()) {
    std::size_t comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    std::uint64_t core = 0;
    std::from_chars(item.data(), item.data() + item.size(), core);
    cores.push_back(core);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
  }
  std::sort(cores.begin(), cores.end());
  return cores;
}

}  // namespace

Status SqliteStore::AppendSightings(std::span<const eir::Sighting> sightings) {
  if (sightings.empty()) return Status();
  std::lock_guard lock(mutex_);
  auto transaction = Transaction::Begin(db_, Transaction::Mode::kImmediate);
  if (!transaction.ok()) return transaction.error();
  auto insert = Statement::Prepare(
      db_,
      "INSERT INTO sightings (imei_core, seen_at, interface, network_element, imsi, gpsi, "
      "lock_state) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
      "store a sighting");
  if (!insert.ok()) return insert.error();
  for (const eir::Sighting& sighting : sightings) {
    insert->BindInt64(1, static_cast<std::int64_t>(sighting.core));
    insert->BindInt64(2, ToMillis(sighting.at));
    insert->BindText(3, sighting.interface);
    insert->BindText(4, sighting.network_element);
    insert->BindText(5, sighting.imsi);
    insert->BindText(6, sighting.gpsi);
    insert->BindText(7, sqlite::LockStateColumn(sighting.state));
    Result<StepResult> step = insert->Step();
    if (!step.ok()) return step.error();
    insert->Reset();
  }
  return transaction->Commit();
}

Result<std::vector<eir::Sighting>> SqliteStore::ListSightings(const eir::SightingFilter& filter) {
  std::vector<eir::Sighting> sightings;
  if (filter.limit <= 0) return sightings;
  std::lock_guard lock(mutex_);
  auto select = Statement::Prepare(db_, SightingsQuery(filter.cores.size()), "read sightings");
  if (!select.ok()) return select.error();
  select->BindInt64(1, filter.after_id);
  select->BindText(2, filter.imsi);
  select->BindInt64(3, filter.limit);
  for (std::size_t i = 0; i < filter.cores.size(); ++i) {
    select->BindInt64(static_cast<int>(i + 4), static_cast<std::int64_t>(filter.cores[i]));
  }
  while (true) {
    Result<StepResult> step = select->Step();
    if (!step.ok()) return step.error();
    if (*step == StepResult::kDone) return sightings;
    auto sighting = ReadSighting(*select);
    if (!sighting.ok()) return sighting.error();
    sightings.push_back(std::move(*sighting));
  }
}

Result<std::vector<eir::Fence>> SqliteStore::ListFences(int limit) {
  std::vector<eir::Fence> fences;
  if (limit <= 0) return fences;
  std::lock_guard lock(mutex_);
  std::string sql =
      "SELECT imsi, group_concat(DISTINCT imei_core), min(seen_at), max(seen_at)"
      " FROM sightings WHERE imsi <> '' AND lock_state IN " +
      std::string(kStolenStates) +
      " GROUP BY imsi HAVING count(DISTINCT imei_core) > 1"
      " ORDER BY count(DISTINCT imei_core) DESC, imsi LIMIT ?1";
  auto select = Statement::Prepare(db_, sql, "read fences");
  if (!select.ok()) return select.error();
  select->BindInt64(1, limit);
  while (true) {
    Result<StepResult> step = select->Step();
    if (!step.ok()) return step.error();
    if (*step == StepResult::kDone) return fences;
    eir::Fence fence;
    fence.imsi = std::string(select->ColumnText(0));
    fence.cores = ParseCores(select->ColumnText(1));
    fence.first_seen = FromMillis(select->ColumnInt64(2));
    fence.last_seen = FromMillis(select->ColumnInt64(3));
    fences.push_back(std::move(fence));
  }
}

}  // namespace imeiguard
