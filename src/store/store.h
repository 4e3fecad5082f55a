// The durable store: everything imeiguard has accepted, behind one interface so that the embedded
// SQLite store and a later PostgreSQL store are interchangeable.
//
// Contract shared by every implementation:
// - A method that returns success has made its writes durable (committed and synced as the store's
//   durability setting promises) before it returns; callers acknowledge input only after that.
// - Each mutating method is one transaction: on failure nothing of it is visible.
// - Errors: kUnavailable for I/O and lock-timeout failures (the caller may retry), kInvalidInput
//   for values the schema rejects, kInternal for a corrupt or unexpected schema.
// - Methods may be called from several threads; implementations serialise writers themselves.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.h"
#include "core/time.h"
#include "detection/hotspots.h"
#include "detection/verdict.h"
#include "events/event_withdrawal.h"
#include "events/scan_event.h"
#include "locking/lock_state.h"
#include "registry/manifest.h"
#include "store/capture_records.h"
#include "store/case_record.h"

namespace imeiguard {

// A device as stored: its manifest record, its parcel and its current lock state.
struct DeviceRow {
  std::int64_t device_id = 0;
  std::string parcel_id;
  std::string shipper_id;
  DeviceRecord record;
  LockState state = LockState::kWatched;
  Timestamp state_since;
};

// A parcel as stored, with its latest assessment.
struct ParcelRow {
  ParcelRecord record;
  Assessment assessment;
  Timestamp recorded_at;  // When its manifest was first imported.
};

// Everything the engine needs to resume work on one parcel.
struct ParcelSnapshot {
  ParcelRow parcel;
  std::vector<DeviceRow> devices;
  std::vector<ScanEvent> events;  // Sorted by EventTimeOrder.
  std::vector<LockOrder> orders;  // All orders of its devices, oldest first.
};

struct ManifestImportResult {
  int parcels_new = 0;
  int parcels_unchanged = 0;
  int devices_new = 0;
  int devices_unchanged = 0;
  // Rows that contradict what is stored: a parcel whose fields differ from the stored parcel
  // (reason "contradicts_stored"), an IMEI already registered in another open parcel
  // (reason "imei_in_open_parcel"), or a device of a parcel whose devices the retention purge
  // removed (reason "parcel_purged"). These rows are not imported; the rest are.
  std::vector<RowError> conflicts;
  // Parcels that are new, with the number of pending events adopted into each (see AppendEvents).
  std::vector<std::pair<std::string, int>> new_parcels;
};

struct EventAppendResult {
  int stored = 0;      // New events of parcels that the manifest names.
  int pending = 0;     // New events of parcels no manifest names yet.
  int duplicates = 0;  // Events whose event_id was already stored, in either place.
  // Manifest parcels that received at least one new event, each named once, in first-seen order.
  std::vector<std::string> touched_parcels;
};

// The outcome of one batch of the retention purge: the parcels and devices it removed.
struct DevicePurgeResult {
  int devices = 0;                      // Device rows removed, with their IMEIs.
  std::vector<std::string> parcel_ids;  // Parcels whose devices were removed, oldest closure first.
};

// An entry of the audit trail: who did what to which entity, and why.
struct AuditEntry {
  std::int64_t sequence = 0;  // Assigned by the store, strictly increasing.
  Timestamp at;
  std::string actor;   // "engine", "outbox", "cli", or an API key id.
  std::string action;  // "verdict", "lock_order", "lock_acknowledged", "key_created", ...
  std::string entity;  // "parcel:373500000000001234", "device:17", "order:5", ...
  std::string detail;  // JSON object with the facts of the step.
};

// A change to a parcel and the outbox, applied in one transaction so that a crash never leaves a
// verdict without its orders or an order without its verdict.
struct AssessmentChange {
  std::string parcel_id;
  Assessment assessment;
  std::vector<LockOrder> new_orders;           // order_id is ignored and assigned by the store.
  std::vector<std::int64_t> cancelled_orders;  // Pending orders to mark kCancelled.
  std::vector<std::pair<std::int64_t, LockState>> device_states;  // device_id and its new state.
  std::vector<AuditEntry> audit;  // Entries recorded with the change.
  Timestamp at;                   // Clock time of the change.
  // The parcel's case, to insert (case_id 0) or replace, and the steps of the case to record with
  // the change; the store names the case in those entries' entity ("case:17").
  std::optional<CaseRecord> case_record;
  std::vector<AuditEntry> case_audit;
};

// An API key as stored: never the secret, only its SHA-256.
struct ApiKeyRecord {
  std::string key_id;       // Public part of the key, shown in logs.
  std::string secret_hash;  // Lower-case hex SHA-256 of the secret part.
  std::string role;         // "shipper", "carrier", "security_officer", "police", "admin", ...
  std::string shipper_id;   // Scope of a shipper key; empty for others.
  Timestamp created_at;
  bool revoked = false;
};

// An acknowledged lock or unlock order, as blocklists publish it.
struct BlocklistChange {
  // Audit sequence of the order's "lock_order_acknowledged" entry: changes come in this order.
  std::int64_t sequence = 0;
  LockOrder order;
};

class Store {
 public:
  virtual ~Store() = default;

  // Imports the parcels of a parsed manifest. A parcel already stored with equal fields and devices
  // changes nothing, so re-importing a file is idempotent. New parcels adopt the pending events
  // that name them (moved from the pending area into their history) in the same transaction.
  virtual Result<ManifestImportResult> ImportManifest(std::span<const ManifestParcel> parcels,
                                                      Timestamp recorded_at) = 0;

  // Appends a batch of events. An event_id already stored is a duplicate and changes nothing.
  // Events of manifest parcels join their history; the others wait in the pending area until
  // `pending_until`, after which PurgeExpiredPending may drop them.
  virtual Result<EventAppendResult> AppendEvents(std::span<const ScanEventView> events,
                                                 Timestamp recorded_at,
                                                 Timestamp pending_until) = 0;

  // Every parcel that is not closed (verdict other than delivered and returned), with its devices,
  // events and orders: what the engine loads at start-up.
  virtual Result<std::vector<ParcelSnapshot>> LoadOpenParcels() = 0;

  // One parcel with its devices, events and orders, or std::nullopt when no manifest names it.
  virtual Result<std::optional<ParcelSnapshot>> LoadParcel(std::string_view parcel_id) = 0;

  // Devices registered under `imei` as first or second IMEI, newest first.
  virtual Result<std::vector<DeviceRow>> FindDevices(Imei imei) = 0;

  // Stores the parcel's new assessment, inserts the new orders (assigning their ids), cancels the
  // listed pending orders, sets the device states and appends the audit entries, all or nothing.
  virtual Status SaveAssessment(const AssessmentChange& change) = 0;

  // Orders with status kPending whose next_attempt_at is at or before `now`, and orders with
  // status kSent whose next_attempt_at (the next status poll) is at or before `now`; oldest first.
  virtual Result<std::vector<LockOrder>> LoadDueOrders(Timestamp now, int limit) = 0;

  // A page of orders with `status` (every status when it is empty) of `shipper_id` (every shipper
  // when it is empty) whose order_id is greater than `after_order_id`, in order_id order, at most
  // `limit` of them.
  virtual Result<std::vector<LockOrder>> ListOrders(std::optional<OrderStatus> status,
                                                    std::string_view shipper_id,
                                                    std::int64_t after_order_id, int limit) = 0;

  // The order with `idempotency_key`, or std::nullopt when none is stored.
  virtual Result<std::optional<LockOrder>> FindOrderByIdempotencyKey(
      std::string_view idempotency_key) = 0;

  // Stores the order's new status, attempts, times and platform id, and when `device_state` is
  // given the device's new lock state, and the audit entry, in one transaction.
  virtual Status UpdateOrder(const LockOrder& order,
                             std::optional<std::pair<std::int64_t, LockState>> device_state,
                             const std::optional<AuditEntry>& audit, Timestamp at) = 0;

  // Acknowledged orders of `connector` (of every connector when it is empty) whose
  // acknowledgement's audit sequence is greater than `after_sequence`, in sequence order, at most
  // `limit` of them.
  virtual Result<std::vector<BlocklistChange>> ListBlocklistChanges(std::string_view connector,
                                                                    std::int64_t after_sequence,
                                                                    int limit) = 0;

  // The lock order of every device whose latest acknowledged order of `connector` (of any
  // connector when it is empty) is a lock: the devices a blocklist lists now, by order_id.
  virtual Result<std::vector<LockOrder>> LoadBlockedDevices(std::string_view connector) = 0;

  // Drops pending events whose window ended before `now`; returns how many.
  virtual Result<int> PurgeExpiredPending(Timestamp now) = 0;

  // Removes the devices, and with them the link between IMEIs and parcel, of at most
  // `max_parcels` parcels that were closed (delivered or returned) before `closed_before` without
  // a case, oldest closure first, and marks each parcel purged at `at`. A parcel has had a case
  // once it had a suspect, lost or recovered verdict or a lock order; its devices are never
  // purged. The parcels, their events and their verdicts stay. A batch that finds nothing due
  // writes nothing and returns an empty result.
  virtual Result<DevicePurgeResult> PurgeClosedParcelDevices(Timestamp closed_before,
                                                             int max_parcels, Timestamp at) = 0;

  // Appends one entry; its `sequence` is ignored and assigned by the store.
  virtual Status AppendAudit(const AuditEntry& entry) = 0;
  // The latest `limit` entries of `entity` (of every entity when it is empty), newest first.
  virtual Result<std::vector<AuditEntry>> LoadAudit(std::string_view entity, int limit) = 0;

  // Inserts the key, or replaces every field of the stored key with the same key_id (to revoke it),
  // and appends the audit entry when one is given, in one transaction.
  virtual Status SaveApiKey(const ApiKeyRecord& key, const std::optional<AuditEntry>& audit) = 0;
  // The key with `key_id`, revoked or not, or std::nullopt.
  virtual Result<std::optional<ApiKeyRecord>> FindApiKey(std::string_view key_id) = 0;
  // Every key, revoked or not, oldest first (by created_at, then key_id).
  virtual Result<std::vector<ApiKeyRecord>> LoadApiKeys() = 0;

  // Inserts the case when its case_id is 0, or replaces every field of the stored case, and
  // appends `audit` with the case named in each entry's entity ("case:17"), in one transaction.
  // Returns the case_id. kConflict "case_exists" when a new case names a parcel that has one.
  virtual Result<std::int64_t> SaveCase(const CaseRecord& record,
                                        std::span<const AuditEntry> audit) = 0;
  // The case with `case_id`, or std::nullopt.
  virtual Result<std::optional<CaseRecord>> LoadCase(std::int64_t case_id) = 0;
  // The case of `parcel_id`, or std::nullopt.
  virtual Result<std::optional<CaseRecord>> LoadParcelCase(std::string_view parcel_id) = 0;
  // Every case whose lock is not settled (awaiting an officer, or automatic or approved with its
  // parcel open): what the engine loads at start-up, by case_id.
  virtual Result<std::vector<CaseRecord>> LoadActiveCases() = 0;
  // A page of the case queue, newest first and, among cases opened at the same time, most valuable
  // first; `after_case_id` is the last case of the page before (0 for the first page).
  virtual Result<std::vector<CaseRecord>> ListCases(std::int64_t after_case_id, int limit) = 0;

  // Counts, for each row of `dimension`, the phone parcels scanned there with an event time in
  // [from, to) and the lost parcels (lost verdict, or a case whose theft is confirmed) whose last
  // such scan of the dimension was there, with the totals over every row (see FlowTallies).
  // Terminal, route and shift rows count nodes the carrier runs: scans at an address or mailbox,
  // and a recipient's claim or an officer's declaration, are no scans of theirs. A route row is a
  // leg between two consecutive nodes of a parcel's scans, or the leg a departed scan names; a
  // shift row is a node and the shift of `shifts` that the scan's event time falls in.
  virtual Result<FlowTallies> TallyLosses(HotspotDimension dimension, Timestamp from, Timestamp to,
                                          const ShiftSchedule& shifts) = 0;

  // EPCIS capture (see capture_records.h).

  // Inserts a capture job with its document and returns its capture_id.
  virtual Result<std::int64_t> InsertCaptureJob(const CaptureJob& job) = 0;
  // The job, with its document only when `with_document`, or std::nullopt.
  virtual Result<std::optional<CaptureJob>> LoadCaptureJob(std::int64_t capture_id,
                                                           bool with_document) = 0;
  // A page of jobs without their documents, by capture_id after `after_capture_id`.
  virtual Result<std::vector<CaptureJob>> ListCaptureJobs(std::int64_t after_capture_id,
                                                          int limit) = 0;
  // The capture_id of every job that has not finished, oldest first.
  virtual Result<std::vector<std::int64_t>> UnfinishedCaptureJobs() = 0;
  // In one transaction: stores `events` of job `capture_id`, captured at `record_time` (an
  // archive_key already stored changes nothing), and records `withdrawals`, deleting the scan
  // events they name from the history and the pending area. Returns how many events were new.
  virtual Result<int> StoreCapturedEvents(std::int64_t capture_id, Timestamp record_time,
                                          std::span<const CapturedEvent> events,
                                          std::span<const EventWithdrawal> withdrawals) = 0;
  // Marks the job finished with `job`'s outcome and empties its document; its events_captured
  // becomes the number of stored events that the job captured first. kNotFound when the job is
  // not stored.
  virtual Status FinishCaptureJob(const CaptureJob& job) = 0;
  // Withdrawals whose parcel has not been re-assessed since, oldest first.
  virtual Result<std::vector<EventWithdrawal>> LoadUnappliedWithdrawals() = 0;
  virtual Status MarkWithdrawalsApplied(std::span<const EventWithdrawal> withdrawals) = 0;
  // A page of captured events in capture order.
  virtual Result<std::vector<CapturedEventRow>> QueryCapturedEvents(
      const CapturedEventQuery& query) = 0;

  // Counts for metrics and readiness: parcels, devices, events, pending events, orders by status.
  virtual Result<std::vector<std::pair<std::string, std::int64_t>>> Counts() = 0;
};

}  // namespace imeiguard
