// Every statement the SQLite store runs more than once, prepared once per connection.
#pragma once

#include <memory>

#include "core/error.h"
#include "store/sqlite_statement.h"

struct sqlite3;

namespace imeiguard::sqlite {

// Parameter numbers are those of the SQL in sqlite_store_statements.cc.
struct StoreStatements {
  // Ingest.
  Statement insert_event;    // ?1..?12 event columns; skipped when the id is pending.
  Statement insert_pending;  // ?1..?12 event columns, ?13 pending_until; skipped when stored.
  Statement purge_pending;   // ?1 now.

  // Retention purge.
  Statement select_purgeable_parcels;  // ?1 closed_before, ?2 limit.
  Statement delete_parcel_devices;     // ?1 parcel_id.
  Statement mark_devices_purged;       // ?1 parcel_id, ?2 at.

  // Manifest import.
  Statement insert_parcel;            // ?1..?7 record, ?8 recorded_at.
  Statement select_devices_purged;    // ?1 parcel_id.
  Statement select_device_of_parcel;  // ?1 parcel_id, ?2 imei.
  Statement select_imei_holders;      // ?1 imei, ?2 parcel_id being imported.
  Statement insert_device;            // ?1..?7 device columns, ?8 state_since.
  Statement adopt_pending;            // ?1 parcel_id.
  Statement delete_adopted_pending;   // ?1 parcel_id.

  // Snapshots, for all open parcels and for one parcel (?1 parcel_id).
  Statement select_open_parcels;
  Statement select_open_devices;
  Statement select_open_events;
  Statement select_open_orders;
  Statement select_parcel;
  Statement select_parcel_devices;
  Statement select_parcel_events;
  Statement select_parcel_orders;
  Statement select_devices_by_imei;  // ?1 imei.

  // Assessments and the outbox.
  Statement update_assessment;       // ?1 parcel_id, ?2 verdict, ?3 since, ?4 evidence,
                                     // ?5 next_deadline, ?6 1 when the change makes a case.
  Statement select_device_identity;  // ?1 device_id.
  Statement insert_order;            // ?1..?19 order columns without order_id.
  Statement cancel_order;            // ?1 order_id.
  Statement select_order_status;     // ?1 order_id.
  Statement select_order_by_key;     // ?1 idempotency_key.
  Statement update_device_state;     // ?1 device_id, ?2 state, ?3 at.
  Statement select_due_orders;       // ?1 now, ?2 limit.
  Statement select_orders_page;      // ?1 status or NULL for every status, ?2 after order_id,
                                     // ?3 limit, ?4 shipper_id or '' for every shipper.
  Statement update_order;            // ?1 order_id, ?2..?8 mutable columns.

  // Audit trail and keys.
  Statement select_audit_head;       // At Open, and after another writer appended.
  Statement insert_audit;            // ?1 sequence .. ?8 hash.
  Statement select_audit_of_entity;  // ?1 entity, ?2 limit.
  Statement select_audit_all;        // ?1 limit.
  Statement upsert_api_key;          // ?1..?6 key columns.
  Statement select_api_key;          // ?1 key_id.
  Statement select_api_keys;

  // Counts.
  Statement count_orders_by_status;
};

// Prepares every statement on `db`, whose schema must be at the binary's latest version.
Result<std::unique_ptr<StoreStatements>> PrepareStoreStatements(sqlite3* db);

}  // namespace imeiguard::sqlite
