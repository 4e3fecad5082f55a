// SqliteStore: manifest import, event ingest, the purge of expired pending events and the
// retention purge of closed parcels' devices.
#include <string>
#include <unordered_set>
#include <utility>

#include "store/sqlite_rows.h"
#include "store/sqlite_statement.h"
#include "store/sqlite_store.h"
#include "store/sqlite_store_statements.h"

namespace imeiguard {
namespace {

using sqlite::ResetOnExit;
using sqlite::Statement;
using sqlite::StepResult;
using sqlite::StoreStatements;

// The end of a device row's message for a row that a stored parcel or device contradicts.
constexpr std::string_view kNotImportedBecauseStored =
    "; the row was not imported because a manifest cannot change what is already stored";

std::optional<std::int64_t> OptionalInt64(std::optional<std::int32_t> value) {
  if (!value.has_value()) return std::nullopt;
  return *value;
}

int RowLine(const ManifestParcel& parcel, const DeviceRecord& device) {
  return device.line != 0 ? device.line : parcel.first_line;
}

// The first parcel field, by its manifest column name, in which the two records differ; "" when
// they are equal.
std::string_view FirstDifferingParcelField(const ParcelRecord& stored, const ParcelRecord& row) {
  if (stored.shipper_id != row.shipper_id) return "shipper_id";
  if (stored.service != row.service) return "service";
  if (stored.promised_by != row.promised_by) return "promised_by";
  if (stored.origin != row.origin) return "origin";
  if (stored.destination_postcode != row.destination_postcode) return "destination_postcode";
  if (stored.declared_weight_g != row.declared_weight_g) return "declared_weight_g";
  return "";
}

std::string_view FirstDifferingDeviceField(const DeviceRecord& stored, const DeviceRecord& row) {
  if (stored.imei2 != row.imei2) return "imei2";
  if (stored.serial != row.serial) return "serial";
  if (stored.model != row.model) return "model";
  if (stored.value_ore != row.value_ore) return "value_sek";
  return "";
}

Result<std::optional<ParcelRecord>> ReadParcelRecord(StoreStatements& statements,
                                                     const std::string& parcel_id) {
  Statement& select = statements.select_parcel;
  ResetOnExit reset(select);
  select.BindText(1, parcel_id);
  Result<StepResult> step = select.Step();
  if (!step.ok()) return step.error();
  if (*step == StepResult::kDone) return std::optional<ParcelRecord>();
  Result<ParcelRow> parcel = sqlite::ReadParcelRow(select);
  if (!parcel.ok()) return parcel.error();
  return std::optional<ParcelRecord>(std::move(parcel->record));
}

// Whether the retention purge has removed the devices of the stored parcel `parcel_id`.
Result<bool> DevicesPurged(StoreStatements& statements, const std::string& parcel_id) {
  Statement& select = statements.select_devices_purged;
  ResetOnExit reset(select);
  select.BindText(1, parcel_id);
  Result<StepResult> step = select.Step();
  if (!step.ok()) return step.error();
  return *step == StepResult::kRow;
}

// The device of `parcel_id` whose first IMEI is `imei`, as stored.
Result<std::optional<DeviceRecord>> ReadDeviceRecord(StoreStatements& statements,
                                                     const std::string& parcel_id, Imei imei) {
  Statement& select = statements.select_device_of_parcel;
  ResetOnExit reset(select);
  select.BindText(1, parcel_id);
  select.BindInt64(2, static_cast<std::int64_t>(imei.core_value()));
  Result<StepResult> step = select.Step();
  if (!step.ok()) return step.error();
  if (*step == StepResult::kDone) return std::optional<DeviceRecord>();
  Result<DeviceRow> device = sqlite::ReadDeviceRow(select);
  if (!device.ok()) return device.error();
  return std::optional<DeviceRecord>(std::move(device->record));
}

// Finds a device, other than the row's own, that already has `imei`: in this parcel (the row
// contradicts it) or in another open parcel (the phone cannot be in two parcels at once).
Result<std::optional<RowError>> FindImeiConflict(StoreStatements& statements,
                                                 const ManifestParcel& parcel,
                                                 const DeviceRecord& device, Imei imei,
                                                 std::string_view column) {
  Statement& select = statements.select_imei_holders;
  ResetOnExit reset(select);
  select.BindInt64(1, static_cast<std::int64_t>(imei.core_value()));
  select.BindText(2, parcel.parcel.parcel_id);

  std::optional<RowError> conflict;
  while (true) {
    Result<StepResult> step = select.Step();
    if (!step.ok()) return step.error();
    if (*step == StepResult::kDone) break;

    RowError error;
    error.line = RowLine(parcel, device);
    error.column = std::string(column);
    if (select.ColumnText(0) == parcel.parcel.parcel_id) {
      error.reason = "contradicts_stored";
      error.message = "the " + std::string(column) + " on line " + std::to_string(error.line) +
                      " already belongs to another device of parcel " + parcel.parcel.parcel_id +
                      std::string(kNotImportedBecauseStored);
      return std::optional<RowError>(std::move(error));
    }
    error.reason = "imei_in_open_parcel";
    error.message = "the " + std::string(column) + " on line " + std::to_string(error.line) +
                    " is already registered in another parcel that is still open; it can be"
                    " registered again once that parcel is delivered or returned";
    conflict = std::move(error);
  }
  return conflict;
}

enum class DeviceOutcome { kNew, kUnchanged, kConflict };

// Decides whether a manifest row adds a device, repeats a stored one, or conflicts (then `error`
// describes the conflict).
Result<DeviceOutcome> ClassifyDevice(StoreStatements& statements, const ManifestParcel& parcel,
                                     const DeviceRecord& device, RowError& error) {
  Result<std::optional<DeviceRecord>> stored =
      ReadDeviceRecord(statements, parcel.parcel.parcel_id, device.imei);
  if (!stored.ok()) return stored.error();
  if (stored->has_value()) {
    std::string_view field = FirstDifferingDeviceField(**stored, device);
    if (field.empty()) return DeviceOutcome::kUnchanged;
    error = RowError{
        .line = RowLine(parcel, device),
        .column = std::string(field),
        .reason = "contradicts_stored",
        .message = "the device on line " + std::to_string(RowLine(parcel, device)) +
                   " is stored in parcel " + parcel.parcel.parcel_id + " with a different " +
                   std::string(field) + std::string(kNotImportedBecauseStored),
    };
    return DeviceOutcome::kConflict;
  }

  std::pair<std::optional<Imei>, std::string_view> imeis[] = {{device.imei, "imei"},
                                                              {device.imei2, "imei2"}};
  for (const auto& [imei, column] : imeis) {
    if (!imei.has_value()) continue;
    Result<std::optional<RowError>> conflict =
        FindImeiConflict(statements, parcel, device, *imei, column);
    if (!conflict.ok()) return conflict.error();
    if (conflict->has_value()) {
      error = std::move(**conflict);
      return DeviceOutcome::kConflict;
    }
  }
  return DeviceOutcome::kNew;
}

// Inserts a new parcel and moves the pending events that name it into its history. Returns how
// many events it adopted.
Result<int> InsertParcel(StoreStatements& statements, const ParcelRecord& record,
                         Timestamp recorded_at) {
  Statement& insert = statements.insert_parcel;
  ResetOnExit reset_insert(insert);
  insert.BindText(1, record.parcel_id);
  insert.BindText(2, record.shipper_id);
  insert.BindText(3, ServiceName(record.service));
  insert.BindInt64(4, ToMillis(record.promised_by));
  insert.BindText(5, record.origin);
  insert.BindText(6, record.destination_postcode);
  insert.BindOptionalInt64(7, OptionalInt64(record.declared_weight_g));
  insert.BindInt64(8, ToMillis(recorded_at));
  Status inserted = insert.Run();
  if (!inserted.ok()) return inserted.error();

  Statement& adopt = statements.adopt_pending;
  ResetOnExit reset_adopt(adopt);
  adopt.BindText(1, record.parcel_id);
  Status adopted = adopt.Run();
  if (!adopted.ok()) return adopted.error();
  int adopted_count = adopt.Changes();

  Statement& remove = statements.delete_adopted_pending;
  ResetOnExit reset_remove(remove);
  remove.BindText(1, record.parcel_id);
  Status removed = remove.Run();
  if (!removed.ok()) return removed.error();
  if (remove.Changes() != adopted_count) {
    return Error::Internal("pending_adoption",
                           "parcel " + record.parcel_id + " adopted " +
                               std::to_string(adopted_count) + " pending events but " +
                               std::to_string(remove.Changes()) + " were removed");
  }
  return adopted_count;
}

Status InsertDevice(StoreStatements& statements, const ParcelRecord& parcel,
                    const DeviceRecord& device, Timestamp recorded_at) {
  Statement& insert = statements.insert_device;
  ResetOnExit reset(insert);
  insert.BindText(1, parcel.parcel_id);
  insert.BindText(2, parcel.shipper_id);
  insert.BindInt64(3, static_cast<std::int64_t>(device.imei.core_value()));
  if (device.imei2.has_value()) {
    insert.BindInt64(4, static_cast<std::int64_t>(device.imei2->core_value()));
  } else {
    insert.BindNull(4);
  }
  insert.BindText(5, device.serial);
  insert.BindText(6, device.model);
  insert.BindOptionalInt64(7, device.value_ore);
  insert.BindInt64(8, ToMillis(recorded_at));
  return insert.Run();
}

// Imports one manifest parcel into `result`. The parcel row is written with its first new device,
// so that a new parcel none of whose rows can be imported leaves nothing behind.
Status ImportParcel(StoreStatements& statements, const ManifestParcel& parcel,
                    Timestamp recorded_at, ManifestImportResult& result) {
  const ParcelRecord& record = parcel.parcel;
  Result<std::optional<ParcelRecord>> stored = ReadParcelRecord(statements, record.parcel_id);
  if (!stored.ok()) return stored.error();

  bool parcel_stored = stored->has_value();
  if (parcel_stored) {
    std::string_view field = FirstDifferingParcelField(**stored, record);
    if (!field.empty()) {
      std::string message = "parcel " + record.parcel_id + " is stored with a different " +
                            std::string(field) + std::string(kNotImportedBecauseStored);
      if (parcel.devices.empty()) {
        result.conflicts.push_back(
            {parcel.first_line, std::string(field), "contradicts_stored", std::move(message)});
      }
      for (const DeviceRecord& device : parcel.devices) {
        result.conflicts.push_back(
            {RowLine(parcel, device), std::string(field), "contradicts_stored", message});
      }
      return Status::Ok();
    }
    Result<bool> purged = DevicesPurged(statements, record.parcel_id);
    if (!purged.ok()) return purged.error();
    if (*purged) {
      for (const DeviceRecord& device : parcel.devices) {
        result.conflicts.push_back(
            {RowLine(parcel, device), "parcel_id", "parcel_purged",
             "parcel " + record.parcel_id +
                 " is closed and its IMEIs were purged when its retention period ended, so it"
                 " cannot take devices again; the row was not imported"});
      }
      ++result.parcels_unchanged;
      return Status::Ok();
    }
    ++result.parcels_unchanged;
  }

  auto store_parcel = [&]() -> Status {
    Result<int> adopted = InsertParcel(statements, record, recorded_at);
    if (!adopted.ok()) return adopted.error();
    ++result.parcels_new;
    result.new_parcels.emplace_back(record.parcel_id, *adopted);
    parcel_stored = true;
    return Status::Ok();
  };

  for (const DeviceRecord& device : parcel.devices) {
    RowError conflict;
    Result<DeviceOutcome> outcome = ClassifyDevice(statements, parcel, device, conflict);
    if (!outcome.ok()) return outcome.error();
    if (*outcome == DeviceOutcome::kConflict) {
      result.conflicts.push_back(std::move(conflict));
      continue;
    }
    if (*outcome == DeviceOutcome::kUnchanged) {
      ++result.devices_unchanged;
      continue;
    }
    if (!parcel_stored) {
      Status parcel_inserted = store_parcel();
      if (!parcel_inserted.ok()) return parcel_inserted;
    }
    Status device_inserted = InsertDevice(statements, record, device, recorded_at);
    if (!device_inserted.ok()) return device_inserted;
    ++result.devices_new;
  }

  if (!parcel_stored && parcel.devices.empty()) return store_parcel();
  return Status::Ok();
}

// Binds parameters 1 to 12 of insert_event and insert_pending. The text is bound without a copy.
void BindEvent(Statement& insert, const ScanEventView& event, Timestamp recorded_at) {
  insert.BindText(1, event.event_id);
  insert.BindText(2, event.parcel_id);
  insert.BindText(3, ScanTypeName(event.type));
  insert.BindInt64(4, ToMillis(event.time));
  if (event.received.has_value()) {
    insert.BindInt64(5, ToMillis(*event.received));
  } else {
    insert.BindNull(5);
  }
  insert.BindText(6, event.node);
  insert.BindText(7, NodeTypeName(event.node_type));
  insert.BindText(8, event.handler);
  insert.BindOptionalInt64(9, OptionalInt64(event.weight_g));
  insert.BindText(10, event.next_node);
  insert.BindText(11, event.detail);
  insert.BindInt64(12, ToMillis(recorded_at));
}

Status CheckEventKeys(std::span<const ScanEventView> events) {
  for (std::size_t i = 0; i < events.size(); ++i) {
    if (events[i].event_id.empty() || events[i].parcel_id.empty()) {
      return Error::InvalidInput("missing_field",
                                 "event " + std::to_string(i) + " of the batch has an empty " +
                                     (events[i].event_id.empty() ? "event_id" : "parcel_id") +
                                     "; no event of the batch was stored");
    }
  }
  return Status::Ok();
}

// The parcels due for the retention purge, at most `limit` of them.
Result<std::vector<std::string>> SelectPurgeableParcels(StoreStatements& statements,
                                                        Timestamp closed_before, int limit) {
  Statement& select = statements.select_purgeable_parcels;
  ResetOnExit reset(select);
  select.BindInt64(1, ToMillis(closed_before));
  select.BindInt64(2, limit);
  std::vector<std::string> parcel_ids;
  while (true) {
    Result<StepResult> step = select.Step();
    if (!step.ok()) return step.error();
    if (*step == StepResult::kDone) return parcel_ids;
    parcel_ids.emplace_back(select.ColumnText(0));
  }
}

// Deletes the devices of one parcel and marks it purged. Returns how many devices it deleted.
Result<int> PurgeParcelDevices(StoreStatements& statements, const std::string& parcel_id,
                               Timestamp at) {
  Statement& remove = statements.delete_parcel_devices;
  ResetOnExit reset_remove(remove);
  remove.BindText(1, parcel_id);
  Status removed = remove.Run();
  if (!removed.ok()) return removed.error();
  // Changes() counts the connection's last statement, so it is read before the UPDATE runs.
  int removed_count = remove.Changes();

  Statement& mark = statements.mark_devices_purged;
  ResetOnExit reset_mark(mark);
  mark.BindText(1, parcel_id);
  mark.BindInt64(2, ToMillis(at));
  Status marked = mark.Run();
  if (!marked.ok()) return marked.error();
  return removed_count;
}

}  // namespace

Result<ManifestImportResult> SqliteStore::ImportManifest(std::span<const ManifestParcel> parcels,
                                                         Timestamp recorded_at) {
  std::lock_guard lock(mutex_);
  Result<sqlite::Transaction> transaction =
      sqlite::Transaction::Begin(db_, sqlite::Transaction::Mode::kImmediate);
  if (!transaction.ok()) return transaction.error();

  ManifestImportResult result;
  for (const ManifestParcel& parcel : parcels) {
    Status imported = ImportParcel(*statements_, parcel, recorded_at, result);
    if (!imported.ok()) return imported.error();
  }
  Status committed = transaction->Commit();
  if (!committed.ok()) return committed.error();

  for (const auto& [parcel_id, adopted] : result.new_parcels) {
    known_parcels_.insert(parcel_id);
    counts_.events += adopted;
    counts_.pending_events -= adopted;
  }
  counts_.devices += result.devices_new;
  return result;
}

Result<EventAppendResult> SqliteStore::AppendEvents(std::span<const ScanEventView> events,
                                                    Timestamp recorded_at,
                                                    Timestamp pending_until) {
  Status checked = CheckEventKeys(events);
  if (!checked.ok()) return checked.error();

  std::lock_guard lock(mutex_);
  Result<sqlite::Transaction> transaction =
      sqlite::Transaction::Begin(db_, sqlite::Transaction::Mode::kImmediate);
  if (!transaction.ok()) return transaction.error();

  EventAppendResult result;
  std::unordered_set<std::string_view> touched;
  for (const ScanEventView& event : events) {
    // The parcel set decides the table without a query; the insert itself finds duplicates.
    bool known = known_parcels_.contains(event.parcel_id);
    Statement& insert = known ? statements_->insert_event : statements_->insert_pending;
    ResetOnExit reset(insert);
    BindEvent(insert, event, recorded_at);
    if (!known) insert.BindInt64(13, ToMillis(pending_until));
    Status inserted = insert.Run();
    if (!inserted.ok()) return inserted.error();

    if (insert.Changes() == 0) {
      ++result.duplicates;
    } else if (!known) {
      ++result.pending;
    } else {
      ++result.stored;
      if (touched.insert(event.parcel_id).second) {
        result.touched_parcels.emplace_back(event.parcel_id);
      }
    }
  }
  Status committed = transaction->Commit();
  if (!committed.ok()) return committed.error();

  counts_.events += result.stored;
  counts_.pending_events += result.pending;
  return result;
}

Result<int> SqliteStore::PurgeExpiredPending(Timestamp now) {
  std::lock_guard lock(mutex_);
  Result<sqlite::Transaction> transaction =
      sqlite::Transaction::Begin(db_, sqlite::Transaction::Mode::kImmediate);
  if (!transaction.ok()) return transaction.error();

  Statement& purge = statements_->purge_pending;
  ResetOnExit reset(purge);
  purge.BindInt64(1, ToMillis(now));
  Status purged = purge.Run();
  if (!purged.ok()) return purged.error();
  int removed = purge.Changes();
  Status committed = transaction->Commit();
  if (!committed.ok()) return committed.error();

  counts_.pending_events -= removed;
  return removed;
}

Result<DevicePurgeResult> SqliteStore::PurgeClosedParcelDevices(Timestamp closed_before,
                                                                int max_parcels, Timestamp at) {
  DevicePurgeResult result;
  if (max_parcels <= 0) return result;

  std::lock_guard lock(mutex_);
  Result<sqlite::Transaction> transaction =
      sqlite::Transaction::Begin(db_, sqlite::Transaction::Mode::kImmediate);
  if (!transaction.ok()) return transaction.error();

  Result<std::vector<std::string>> due =
      SelectPurgeableParcels(*statements_, closed_before, max_parcels);
  if (!due.ok()) return due.error();
  if (due->empty()) return result;
  for (const std::string& parcel_id : *due) {
    Result<int> removed = PurgeParcelDevices(*statements_, parcel_id, at);
    if (!removed.ok()) return removed.error();
    result.devices += *removed;
  }
  Status committed = transaction->Commit();
  if (!committed.ok()) return committed.error();

  counts_.devices -= result.devices;
  result.parcel_ids = std::move(due).value();
  return result;
}

}  // namespace imeiguard
