// Column lists of the store's tables and the readers that turn a result row into a domain value.
// Each reader expects the row to start with its list's columns, in the list's order.
#pragma once

#include <algorithm>
#include <string_view>

#include "core/error.h"
#include "store/sqlite_statement.h"
#include "store/store.h"

namespace imeiguard::sqlite {

inline constexpr std::string_view kParcelColumns =
    "parcel_id, shipper_id, service, promised_by, origin, destination_postcode, declared_weight_g, "
    "recorded_at, verdict, verdict_since, evidence, next_deadline";

inline constexpr std::string_view kDeviceColumns =
    "device_id, parcel_id, shipper_id, imei, imei2, serial, model, value_ore, state, state_since";

inline constexpr std::string_view kEventColumns =
    "event_id, parcel_id, type, time, received, node, node_type, handler, weight_g, next_node, "
    "detail, recorded_at";

inline constexpr std::string_view kOrderColumns =
    "order_id, device_id, parcel_id, shipper_id, connector, action, imei, imei2, status, "
    "idempotency_key, platform_order_id, reason, attempts, created_at, next_attempt_at, sent_at, "
    "acknowledged_at, last_error, supersedes_order_id, expires_at";
// A query that selects more after the order's columns reads them from this index on.
inline constexpr int kOrderColumnCount =
    static_cast<int>(std::ranges::count(kOrderColumns, ',')) + 1;

inline constexpr std::string_view kAuditColumns = "sequence, at, actor, action, entity, detail";

inline constexpr std::string_view kApiKeyColumns =
    "key_id, secret_hash, role, shipper_id, created_at, revoked";

// Readers return kInternal with reason "corrupt_row" when a column contains a value that the
// schema's CHECK constraints should have kept out (an unknown enum name, an IMEI out of range).
Result<ParcelRow> ReadParcelRow(const Statement& row);
Result<DeviceRow> ReadDeviceRow(const Statement& row);
Result<ScanEvent> ReadEvent(const Statement& row);
Result<LockOrder> ReadLockOrder(const Statement& row);
AuditEntry ReadAuditEntry(const Statement& row);
ApiKeyRecord ReadApiKey(const Statement& row);

}  // namespace imeiguard::sqlite
