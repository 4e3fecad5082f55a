#include "store/sqlite_store_statements.h"

#include <string>
#include <utility>

#include "store/sqlite_rows.h"

namespace imeiguard::sqlite {
namespace {

// The open-parcel condition, written exactly as the partial index parcels_open is, so that the
// query planner can use that index.
constexpr std::string_view kOpenParcelIds =
    "(SELECT parcel_id FROM parcels WHERE verdict NOT IN ('delivered', 'returned'))";

std::string Concat(std::initializer_list<std::string_view> parts) {
  std::string sql;
  for (std::string_view part : parts) sql.append(part);
  return sql;
}

struct StatementSpec {
  Statement StoreStatements::*member;
  std::string sql;
  std::string purpose;
};

std::vector<StatementSpec> StatementSpecs() {
  using S = StoreStatements;
  return {
      {&S::insert_event,
       Concat({"INSERT OR IGNORE INTO events (", kEventColumns,
               ") SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12"
               " WHERE NOT EXISTS (SELECT 1 FROM pending_events WHERE event_id = ?1)"
               " AND NOT EXISTS (SELECT 1 FROM withdrawn_events WHERE event_id = ?1)"}),
       "insert an event"},
      {&S::insert_pending,
       Concat({"INSERT OR IGNORE INTO pending_events (", kEventColumns,
               ", pending_until) SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13"
               " WHERE NOT EXISTS (SELECT 1 FROM events WHERE event_id = ?1)"
               " AND NOT EXISTS (SELECT 1 FROM withdrawn_events WHERE event_id = ?1)"}),
       "insert a pending event"},
      {&S::purge_pending, "DELETE FROM pending_events WHERE pending_until < ?1",
       "delete expired pending events"},

      // The condition on verdict, had_case and devices_purged_at is written exactly as the
      // partial index parcels_purgeable is. Lock orders make had_case 1 through their verdict;
      // the NOT EXISTS keeps a device with an order even if a flag were wrong.
      {&S::select_purgeable_parcels,
       "SELECT parcel_id FROM parcels"
       " WHERE verdict IN ('delivered', 'returned') AND had_case = 0 AND devices_purged_at IS NULL"
       " AND verdict_since < ?1"
       " AND NOT EXISTS (SELECT 1 FROM lock_orders WHERE lock_orders.parcel_id = parcels.parcel_id)"
       " ORDER BY verdict_since LIMIT ?2",
       "find the parcels whose devices retention purges"},
      {&S::delete_parcel_devices, "DELETE FROM devices WHERE parcel_id = ?1",
       "delete the devices of a parcel"},
      {&S::mark_devices_purged, "UPDATE parcels SET devices_purged_at = ?2 WHERE parcel_id = ?1",
       "mark a parcel's devices purged"},

      {&S::insert_parcel,
       "INSERT INTO parcels (parcel_id, shipper_id, service, promised_by, origin,"
       " destination_postcode, declared_weight_g, recorded_at, verdict, verdict_since)"
       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'in_flow', ?8)",
       "insert a parcel"},
      {&S::select_devices_purged,
       "SELECT 1 FROM parcels WHERE parcel_id = ?1 AND devices_purged_at IS NOT NULL",
       "read whether a parcel's devices were purged"},
      {&S::select_device_of_parcel,
       Concat({"SELECT ", kDeviceColumns, " FROM devices WHERE parcel_id = ?1 AND imei = ?2"}),
       "read a stored device"},
      // Devices that have an IMEI, as first or second, in the parcel being imported or in another
      // open parcel: the devices a new row with that IMEI would contradict. A join, not the
      // kOpenParcelIds list, so that each lookup reads a few rows rather than every open parcel.
      {&S::select_imei_holders,
       "SELECT d.parcel_id FROM devices AS d JOIN parcels AS p ON p.parcel_id = d.parcel_id"
       " WHERE (d.imei = ?1 OR d.imei2 = ?1)"
       " AND (d.parcel_id = ?2 OR p.verdict NOT IN ('delivered', 'returned'))",
       "look up the devices that have an IMEI"},
      {&S::insert_device,
       "INSERT INTO devices (parcel_id, shipper_id, imei, imei2, serial, model, value_ore, state,"
       " state_since) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'watched', ?8)",
       "insert a device"},
      {&S::adopt_pending,
       Concat({"INSERT INTO events (", kEventColumns, ") SELECT ", kEventColumns,
               " FROM pending_events WHERE parcel_id = ?1"}),
       "move pending events into a parcel's history"},
      {&S::delete_adopted_pending, "DELETE FROM pending_events WHERE parcel_id = ?1",
       "delete adopted pending events"},

      {&S::select_open_parcels,
       Concat({"SELECT ", kParcelColumns,
               " FROM parcels WHERE verdict NOT IN ('delivered', 'returned') ORDER BY parcel_id"}),
       "read the open parcels"},
      {&S::select_open_devices,
       Concat({"SELECT ", kDeviceColumns, " FROM devices WHERE parcel_id IN ", kOpenParcelIds,
               " ORDER BY device_id"}),
       "read the devices of open parcels"},
      {&S::select_open_events,
       Concat({"SELECT ", kEventColumns, " FROM events WHERE parcel_id IN ", kOpenParcelIds}),
       "read the events of open parcels"},
      {&S::select_open_orders,
       Concat({"SELECT ", kOrderColumns, " FROM lock_orders WHERE parcel_id IN ", kOpenParcelIds,
               " ORDER BY order_id"}),
       "read the lock orders of open parcels"},
      {&S::select_parcel, Concat({"SELECT ", kParcelColumns, " FROM parcels WHERE parcel_id = ?1"}),
       "read a parcel"},
      {&S::select_parcel_devices,
       Concat({"SELECT ", kDeviceColumns, " FROM devices WHERE parcel_id = ?1 ORDER BY device_id"}),
       "read the devices of a parcel"},
      {&S::select_parcel_events,
       Concat(
           {"SELECT ", kEventColumns, " FROM events WHERE parcel_id = ?1 ORDER BY time, event_id"}),
       "read the events of a parcel"},
      {&S::select_parcel_orders,
       Concat(
           {"SELECT ", kOrderColumns, " FROM lock_orders WHERE parcel_id = ?1 ORDER BY order_id"}),
       "read the lock orders of a parcel"},
      {&S::select_devices_by_imei,
       Concat({"SELECT ", kDeviceColumns,
               " FROM devices WHERE imei = ?1 OR imei2 = ?1 ORDER BY device_id DESC"}),
       "look up devices by IMEI"},

      {&S::update_assessment,
       "UPDATE parcels SET verdict = ?2, verdict_since = ?3, evidence = ?4, next_deadline = ?5,"
       " had_case = max(had_case, ?6) WHERE parcel_id = ?1",
       "update a parcel's assessment"},
      {&S::select_device_identity,
       "SELECT parcel_id, shipper_id, imei, imei2 FROM devices WHERE device_id = ?1",
       "read the device of a lock order"},
      {&S::insert_order,
       "INSERT INTO lock_orders (device_id, parcel_id, shipper_id, connector, action, imei, imei2,"
       " status, idempotency_key, platform_order_id, reason, attempts, created_at,"
       " next_attempt_at, sent_at, acknowledged_at, last_error, supersedes_order_id, expires_at)"
       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,"
       " ?19)",
       "insert a lock order"},
      {&S::cancel_order,
       "UPDATE lock_orders SET status = 'cancelled' WHERE order_id = ?1 AND status = 'pending'",
       "cancel a lock order"},
      {&S::select_order_status, "SELECT status FROM lock_orders WHERE order_id = ?1",
       "read a lock order's status"},
      {&S::select_order_by_key,
       Concat({"SELECT ", kOrderColumns, " FROM lock_orders WHERE idempotency_key = ?1"}),
       "read a lock order by idempotency key"},
      // state_since moves only when the state changes.
      {&S::update_device_state,
       "UPDATE devices SET state_since = CASE WHEN state = ?2 THEN state_since ELSE ?3 END,"
       " state = ?2 WHERE device_id = ?1",
       "update a device's lock state"},
      {&S::select_due_orders,
       Concat({"SELECT ", kOrderColumns,
               " FROM lock_orders WHERE status IN ('pending', 'sent') AND next_attempt_at <= ?1"
               " ORDER BY order_id LIMIT ?2"}),
       "read the due lock orders"},
      {&S::select_orders_page,
       Concat({"SELECT ", kOrderColumns,
               " FROM lock_orders WHERE (?1 IS NULL OR status = ?1) AND order_id > ?2"
               " AND (?4 = '' OR shipper_id = ?4) ORDER BY order_id LIMIT ?3"}),
       "read a page of lock orders"},
      {&S::update_order,
       "UPDATE lock_orders SET status = ?2, attempts = ?3, next_attempt_at = ?4, sent_at = ?5,"
       " acknowledged_at = ?6, platform_order_id = ?7, last_error = ?8 WHERE order_id = ?1",
       "update a lock order"},

      // The later of the checkpoint and the last row: after a truncation, the next entry takes
      // the sequence after the checkpoint's, so the removed entries stay a visible gap.
      {&S::select_audit_head,
       "SELECT sequence, hash FROM audit_checkpoint UNION ALL"
       " SELECT * FROM (SELECT sequence, hash FROM audit ORDER BY sequence DESC LIMIT 1)"
       " ORDER BY sequence DESC LIMIT 1",
       "read the audit trail's head"},
      {&S::insert_audit,
       "INSERT INTO audit (sequence, at, actor, action, entity, detail, prev_hash, hash)"
       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
       "append an audit entry"},
      {&S::select_audit_of_entity,
       Concat({"SELECT ", kAuditColumns,
               " FROM audit WHERE entity = ?1 ORDER BY sequence DESC LIMIT ?2"}),
       "read the audit entries of an entity"},
      {&S::select_audit_all,
       Concat({"SELECT ", kAuditColumns, " FROM audit ORDER BY sequence DESC LIMIT ?1"}),
       "read the audit trail"},
      {&S::upsert_api_key,
       Concat({"INSERT INTO api_keys (", kApiKeyColumns,
               ") VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (key_id) DO UPDATE SET"
               " secret_hash = excluded.secret_hash, role = excluded.role,"
               " shipper_id = excluded.shipper_id, created_at = excluded.created_at,"
               " revoked = excluded.revoked"}),
       "save an API key"},
      {&S::select_api_key, Concat({"SELECT ", kApiKeyColumns, " FROM api_keys WHERE key_id = ?1"}),
       "read an API key"},
      {&S::select_api_keys,
       Concat({"SELECT ", kApiKeyColumns, " FROM api_keys ORDER BY created_at, key_id"}),
       "read the API keys"},

      {&S::count_orders_by_status, "SELECT status, count(*) FROM lock_orders GROUP BY status",
       "count lock orders"},
  };
}

}  // namespace

Result<std::unique_ptr<StoreStatements>> PrepareStoreStatements(sqlite3* db) {
  std::vector<StatementSpec> specs = StatementSpecs();
  // StoreStatements has only Statement members, so this catches a member left without SQL.
  if (specs.size() * sizeof(Statement) != sizeof(StoreStatements)) {
    return Error::Internal(
        "statement_list",
        "the store has " + std::to_string(specs.size()) + " statement texts for " +
            std::to_string(sizeof(StoreStatements) / sizeof(Statement)) + " statements");
  }

  auto statements = std::make_unique<StoreStatements>();
  for (StatementSpec& spec : specs) {
    Result<Statement> prepared = Statement::Prepare(db, spec.sql, std::move(spec.purpose));
    if (!prepared.ok()) return prepared.error();
    (*statements).*spec.member = std::move(prepared).value();
  }
  return statements;
}

}  // namespace imeiguard::sqlite
