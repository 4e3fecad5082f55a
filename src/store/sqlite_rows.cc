#include "store/sqlite_rows.h"

#include <string>

#include "store/column_values.h"

namespace imeiguard::sqlite {
namespace {

constexpr std::int64_t kImeiCoreLimit = 100'000'000'000'000;  // 10^14: fourteen digits.

Error CorruptRow(std::string_view table, std::string_view column, std::string_view value) {
  return Error::Internal("corrupt_row", "column " + std::string(column) + " of table " +
                                            std::string(table) + " contains the invalid value '" +
                                            std::string(value) +
                                            "', which imeiguard does not write; the database"
                                            " was changed outside imeiguard");
}

std::optional<Timestamp> OptionalTime(const Statement& row, int column) {
  std::optional<std::int64_t> millis = row.ColumnOptionalInt64(column);
  if (!millis.has_value()) return std::nullopt;
  return FromMillis(*millis);
}

std::optional<std::int32_t> OptionalInt32(const Statement& row, int column) {
  std::optional<std::int64_t> value = row.ColumnOptionalInt64(column);
  if (!value.has_value()) return std::nullopt;
  return static_cast<std::int32_t>(*value);
}

bool IsImeiCore(std::int64_t value) { return value >= 0 && value < kImeiCoreLimit; }

// Reads an IMEI column and the nullable second-IMEI column.
Result<std::pair<Imei, std::optional<Imei>>> ReadImeis(const Statement& row, std::string_view table,
                                                       int column, int second_column) {
  std::int64_t imei = row.ColumnInt64(column);
  if (!IsImeiCore(imei)) return CorruptRow(table, "imei", std::to_string(imei));
  std::optional<Imei> imei2;
  std::optional<std::int64_t> second = row.ColumnOptionalInt64(second_column);
  if (second.has_value()) {
    if (!IsImeiCore(*second)) return CorruptRow(table, "imei2", std::to_string(*second));
    imei2 = Imei::FromCoreValue(static_cast<std::uint64_t>(*second));
  }
  return std::pair{Imei::FromCoreValue(static_cast<std::uint64_t>(imei)), imei2};
}

}  // namespace

Result<ParcelRow> ReadParcelRow(const Statement& row) {
  ParcelRow parcel;
  ParcelRecord& record = parcel.record;
  record.parcel_id = std::string(row.ColumnText(0));
  record.shipper_id = std::string(row.ColumnText(1));
  std::optional<Service> service = ParseService(row.ColumnText(2));
  if (!service.has_value()) return CorruptRow("parcels", "service", row.ColumnText(2));
  record.service = *service;
  record.promised_by = FromMillis(row.ColumnInt64(3));
  record.origin = std::string(row.ColumnText(4));
  record.destination_postcode = std::string(row.ColumnText(5));
  record.declared_weight_g = OptionalInt32(row, 6);
  parcel.recorded_at = FromMillis(row.ColumnInt64(7));

  std::optional<Verdict> verdict = ParseVerdictColumn(row.ColumnText(8));
  if (!verdict.has_value()) return CorruptRow("parcels", "verdict", row.ColumnText(8));
  parcel.assessment.verdict = *verdict;
  parcel.assessment.since = FromMillis(row.ColumnInt64(9));
  Result<std::vector<Evidence>> evidence = ParseEvidenceJson(row.ColumnText(10));
  if (!evidence.ok()) {
    Error error = evidence.error();
    error.message = "parcel " + record.parcel_id + ": " + error.message;
    return error;
  }
  parcel.assessment.evidence = std::move(evidence).value();
  parcel.assessment.next_deadline = OptionalTime(row, 11);
  return parcel;
}

Result<DeviceRow> ReadDeviceRow(const Statement& row) {
  DeviceRow device;
  device.device_id = row.ColumnInt64(0);
  device.parcel_id = std::string(row.ColumnText(1));
  device.shipper_id = std::string(row.ColumnText(2));
  Result<std::pair<Imei, std::optional<Imei>>> imeis = ReadImeis(row, "devices", 3, 4);
  if (!imeis.ok()) return imeis.error();
  device.record.imei = imeis->first;
  device.record.imei2 = imeis->second;
  device.record.serial = std::string(row.ColumnText(5));
  device.record.model = std::string(row.ColumnText(6));
  device.record.value_ore = row.ColumnOptionalInt64(7);

  std::optional<LockState> state = ParseLockStateColumn(row.ColumnText(8));
  if (!state.has_value()) return CorruptRow("devices", "state", row.ColumnText(8));
  device.state = *state;
  device.state_since = FromMillis(row.ColumnInt64(9));
  return device;
}

Result<ScanEvent> ReadEvent(const Statement& row) {
  ScanEvent event;
  event.event_id = std::string(row.ColumnText(0));
  event.parcel_id = std::string(row.ColumnText(1));
  std::optional<ScanType> type = ParseScanType(row.ColumnText(2));
  if (!type.has_value()) return CorruptRow("events", "type", row.ColumnText(2));
  event.type = *type;
  event.time = FromMillis(row.ColumnInt64(3));
  event.received = OptionalTime(row, 4);
  event.node = std::string(row.ColumnText(5));

  // NodeTypeName writes kUnknown as ''.
  std::string_view node_type = row.ColumnText(6);
  if (!node_type.empty()) {
    std::optional<NodeType> parsed = ParseNodeType(node_type);
    if (!parsed.has_value()) return CorruptRow("events", "node_type", node_type);
    event.node_type = *parsed;
  }

  event.handler = std::string(row.ColumnText(7));
  event.weight_g = OptionalInt32(row, 8);
  event.next_node = std::string(row.ColumnText(9));
  event.detail = std::string(row.ColumnText(10));
  event.recorded_at = FromMillis(row.ColumnInt64(11));
  return event;
}

Result<LockOrder> ReadLockOrder(const Statement& row) {
  LockOrder order;
  order.order_id = row.ColumnInt64(0);
  order.device_id = row.ColumnInt64(1);
  order.parcel_id = std::string(row.ColumnText(2));
  order.shipper_id = std::string(row.ColumnText(3));
  order.connector = std::string(row.ColumnText(4));
  std::optional<LockAction> action = ParseLockActionColumn(row.ColumnText(5));
  if (!action.has_value()) return CorruptRow("lock_orders", "action", row.ColumnText(5));
  order.action = *action;
  Result<std::pair<Imei, std::optional<Imei>>> imeis = ReadImeis(row, "lock_orders", 6, 7);
  if (!imeis.ok()) return imeis.error();
  order.imei = imeis->first;
  order.imei2 = imeis->second;

  std::optional<OrderStatus> status = ParseOrderStatusColumn(row.ColumnText(8));
  if (!status.has_value()) return CorruptRow("lock_orders", "status", row.ColumnText(8));
  order.status = *status;
  order.idempotency_key = std::string(row.ColumnText(9));
  order.platform_order_id = std::string(row.ColumnText(10));
  order.reason = std::string(row.ColumnText(11));
  order.attempts = static_cast<int>(row.ColumnInt64(12));
  order.created_at = FromMillis(row.ColumnInt64(13));
  order.next_attempt_at = FromMillis(row.ColumnInt64(14));
  order.sent_at = OptionalTime(row, 15);
  order.acknowledged_at = OptionalTime(row, 16);
  order.last_error = std::string(row.ColumnText(17));
  order.supersedes_order_id = row.ColumnOptionalInt64(18);
  order.expires_at = OptionalTime(row, 19);
  return order;
}

AuditEntry ReadAuditEntry(const Statement& row) {
  AuditEntry entry;
  entry.sequence = row.ColumnInt64(0);
  entry.at = FromMillis(row.ColumnInt64(1));
  entry.actor = std::string(row.ColumnText(2));
  entry.action = std::string(row.ColumnText(3));
  entry.entity = std::string(row.ColumnText(4));
  entry.detail = std::string(row.ColumnText(5));
  return entry;
}

ApiKeyRecord ReadApiKey(const Statement& row) {
  ApiKeyRecord key;
  key.key_id = std::string(row.ColumnText(0));
  key.secret_hash = std::string(row.ColumnText(1));
  key.role = std::string(row.ColumnText(2));
  key.shipper_id = std::string(row.ColumnText(3));
  key.created_at = FromMillis(row.ColumnInt64(4));
  key.revoked = row.ColumnInt64(5) != 0;
  return key;
}

}  // namespace imeiguard::sqlite
