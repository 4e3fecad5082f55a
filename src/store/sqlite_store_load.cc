// SqliteStore: parcel snapshots and device lookups.
#include <algorithm>
#include <string>
#include <unordered_map>
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

// The statements that read one set of parcels, each row of the last three naming its parcel.
struct SnapshotQueries {
  Statement& parcels;
  Statement& devices;
  Statement& events;
  Statement& orders;
};

// Steps `select` to its end and passes each row to `read_row`, which returns a Status.
template <typename ReadRow>
Status ForEachRow(Statement& select, ReadRow read_row) {
  while (true) {
    Result<StepResult> step = select.Step();
    if (!step.ok()) return step.error();
    if (*step == StepResult::kDone) return Status::Ok();
    Status read = read_row(select);
    if (!read.ok()) return read;
  }
}

struct ParcelIdHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view text) const noexcept {
    return std::hash<std::string_view>{}(text);
  }
};

// Runs the four queries (with `parcel_id` bound as ?1 when not empty) and groups their rows by
// parcel. The caller has a read transaction open, so the four see one state of the database.
Result<std::vector<ParcelSnapshot>> ReadSnapshots(SnapshotQueries queries,
                                                  std::string_view parcel_id) {
  Statement* all[] = {&queries.parcels, &queries.devices, &queries.events, &queries.orders};
  ResetOnExit reset_parcels(queries.parcels);
  ResetOnExit reset_devices(queries.devices);
  ResetOnExit reset_events(queries.events);
  ResetOnExit reset_orders(queries.orders);
  if (!parcel_id.empty()) {
    for (Statement* select : all) select->BindText(1, parcel_id);
  }

  std::vector<ParcelSnapshot> snapshots;
  std::unordered_map<std::string, std::size_t, ParcelIdHash, std::equal_to<>> index_of;
  Status parcels_read = ForEachRow(queries.parcels, [&](const Statement& row) -> Status {
    Result<ParcelRow> parcel = sqlite::ReadParcelRow(row);
    if (!parcel.ok()) return parcel.error();
    index_of.emplace(parcel->record.parcel_id, snapshots.size());
    snapshots.emplace_back().parcel = std::move(parcel).value();
    return Status::Ok();
  });
  if (!parcels_read.ok()) return parcels_read.error();

  auto snapshot_of = [&](std::string_view row_parcel_id) -> ParcelSnapshot* {
    auto found = index_of.find(row_parcel_id);
    return found == index_of.end() ? nullptr : &snapshots[found->second];
  };

  Status devices_read = ForEachRow(queries.devices, [&](const Statement& row) -> Status {
    Result<DeviceRow> device = sqlite::ReadDeviceRow(row);
    if (!device.ok()) return device.error();
    if (ParcelSnapshot* snapshot = snapshot_of(device->parcel_id)) {
      snapshot->devices.push_back(std::move(device).value());
    }
    return Status::Ok();
  });
  if (!devices_read.ok()) return devices_read.error();

  Status events_read = ForEachRow(queries.events, [&](const Statement& row) -> Status {
    Result<ScanEvent> event = sqlite::ReadEvent(row);
    if (!event.ok()) return event.error();
    if (ParcelSnapshot* snapshot = snapshot_of(event->parcel_id)) {
      snapshot->events.push_back(std::move(event).value());
    }
    return Status::Ok();
  });
  if (!events_read.ok()) return events_read.error();

  Status orders_read = ForEachRow(queries.orders, [&](const Statement& row) -> Status {
    Result<LockOrder> order = sqlite::ReadLockOrder(row);
    if (!order.ok()) return order.error();
    if (ParcelSnapshot* snapshot = snapshot_of(order->parcel_id)) {
      snapshot->orders.push_back(std::move(order).value());
    }
    return Status::Ok();
  });
  if (!orders_read.ok()) return orders_read.error();

  // The single-parcel query already sorts; the open-parcel one does not, to spare a sort of every
  // open event in SQL.
  for (ParcelSnapshot& snapshot : snapshots) {
    std::sort(snapshot.events.begin(), snapshot.events.end(), EventTimeOrder);
  }
  return snapshots;
}

}  // namespace

Result<std::vector<ParcelSnapshot>> SqliteStore::LoadOpenParcels() {
  std::lock_guard lock(mutex_);
  Result<sqlite::Transaction> transaction =
      sqlite::Transaction::Begin(db_, sqlite::Transaction::Mode::kDeferred);
  if (!transaction.ok()) return transaction.error();

  SnapshotQueries queries{statements_->select_open_parcels, statements_->select_open_devices,
                          statements_->select_open_events, statements_->select_open_orders};
  Result<std::vector<ParcelSnapshot>> snapshots = ReadSnapshots(queries, "");
  if (!snapshots.ok()) return snapshots.error();
  Status committed = transaction->Commit();
  if (!committed.ok()) return committed.error();
  return snapshots;
}

Result<std::optional<ParcelSnapshot>> SqliteStore::LoadParcel(std::string_view parcel_id) {
  if (parcel_id.empty()) return std::optional<ParcelSnapshot>();

  std::lock_guard lock(mutex_);
  Result<sqlite::Transaction> transaction =
      sqlite::Transaction::Begin(db_, sqlite::Transaction::Mode::kDeferred);
  if (!transaction.ok()) return transaction.error();

  SnapshotQueries queries{statements_->select_parcel, statements_->select_parcel_devices,
                          statements_->select_parcel_events, statements_->select_parcel_orders};
  Result<std::vector<ParcelSnapshot>> snapshots = ReadSnapshots(queries, parcel_id);
  if (!snapshots.ok()) return snapshots.error();
  Status committed = transaction->Commit();
  if (!committed.ok()) return committed.error();

  if (snapshots->empty()) return std::optional<ParcelSnapshot>();
  return std::optional<ParcelSnapshot>(std::move(snapshots->front()));
}

Result<std::vector<DeviceRow>> SqliteStore::FindDevices(Imei imei) {
  std::lock_guard lock(mutex_);
  Statement& select = statements_->select_devices_by_imei;
  ResetOnExit reset(select);
  select.BindInt64(1, static_cast<std::int64_t>(imei.core_value()));

  std::vector<DeviceRow> devices;
  Status read = ForEachRow(select, [&](const Statement& row) -> Status {
    Result<DeviceRow> device = sqlite::ReadDeviceRow(row);
    if (!device.ok()) return device.error();
    devices.push_back(std::move(device).value());
    return Status::Ok();
  });
  if (!read.ok()) return read.error();
  return devices;
}

}  // namespace imeiguard
