// SqliteStore: what blocklist feeds and exports read. The change log is the audit trail's
// "lock_order_acknowledged" entries, whose sequence already orders every acknowledgement, so no
// table of its own is needed.
#include <string>

#include "store/sqlite_rows.h"
#include "store/sqlite_statement.h"
#include "store/sqlite_store.h"

namespace imeiguard {
namespace {

using sqlite::Statement;
using sqlite::StepResult;

// The audit entity of an order is "order:<order_id>"; substr from position 7 is the id.
std::string ChangesQuery() {
  return "SELECT " + std::string(sqlite::kOrderColumns) +
         ", acks.sequence_of_ack FROM"
         " (SELECT CAST(substr(entity, 7) AS INTEGER) AS acked_order_id,"
         "         sequence AS sequence_of_ack"
         "  FROM audit WHERE sequence > ?1 AND action = 'lock_order_acknowledged'"
         "  AND entity LIKE 'order:%') AS acks"
         " JOIN lock_orders ON lock_orders.order_id = acks.acked_order_id"
         " WHERE (?2 = '' OR connector = ?2) ORDER BY acks.sequence_of_ack LIMIT ?3";
}

std::string BlockedDevicesQuery() {
  return "SELECT " + std::string(sqlite::kOrderColumns) +
         " FROM lock_orders AS latest"
         " WHERE status = 'acknowledged' AND action = 'lock' AND (?1 = '' OR connector = ?1)"
         " AND NOT EXISTS (SELECT 1 FROM lock_orders AS later"
         "   WHERE later.device_id = latest.device_id AND later.status = 'acknowledged'"
         "   AND (?1 = '' OR later.connector = ?1)"
         "   AND (later.acknowledged_at > latest.acknowledged_at"
         "        OR (later.acknowledged_at = latest.acknowledged_at"
         "            AND later.order_id > latest.order_id)))"
         " ORDER BY order_id";
}

}  // namespace

Result<std::vector<BlocklistChange>> SqliteStore::ListBlocklistChanges(std::string_view connector,
                                                                       std::int64_t after_sequence,
                                                                       int limit) {
  std::vector<BlocklistChange> changes;
  if (limit <= 0) return changes;
  std::lock_guard lock(mutex_);
  auto select = Statement::Prepare(db_, ChangesQuery(), "read the blocklist changes");
  if (!select.ok()) return select.error();
  select->BindInt64(1, after_sequence);
  select->BindText(2, connector);
  select->BindInt64(3, limit);
  while (true) {
    Result<StepResult> step = select->Step();
    if (!step.ok()) return step.error();
    if (*step == StepResult::kDone) return changes;
    auto order = sqlite::ReadLockOrder(*select);
    if (!order.ok()) return order.error();
    changes.push_back({select->ColumnInt64(sqlite::kOrderColumnCount), std::move(*order)});
  }
}

Result<std::vector<LockOrder>> SqliteStore::LoadBlockedDevices(std::string_view connector) {
  std::lock_guard lock(mutex_);
  auto select = Statement::Prepare(db_, BlockedDevicesQuery(), "read the blocked devices");
  if (!select.ok()) return select.error();
  select->BindText(1, connector);
  std::vector<LockOrder> orders;
  while (true) {
    Result<StepResult> step = select->Step();
    if (!step.ok()) return step.error();
    if (*step == StepResult::kDone) return orders;
    auto order = sqlite::ReadLockOrder(*select);
    if (!order.ok()) return order.error();
    orders.push_back(std::move(*order));
  }
}

}  // namespace imeiguard
