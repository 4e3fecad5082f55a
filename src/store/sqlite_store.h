// The embedded store: one SQLite database file (or an in-memory database for tests and replay).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_set>

#include "eir/sighting.h"
#include "store/audit_chain.h"
#include "store/audit_verification.h"
#include "store/sqlite_statement.h"
#include "store/store.h"

namespace imeiguard {
namespace sqlite {
struct StoreStatements;
}  // namespace sqlite

struct SqliteStoreOptions {
  enum class Durability {
    // PRAGMA synchronous=FULL: every commit is synced to disk before the method returns, so it
    // survives a power loss or an operating-system crash.
    kFull,
    // PRAGMA synchronous=NORMAL: in WAL mode a commit survives a crash of the process (kill -9
    // included) but may be lost with the last few others on a power loss or an operating-system
    // crash. SQLite's documentation of PRAGMA synchronous describes both modes. For replay and
    // benchmarks.
    kNormal,
  };

  Durability durability = Durability::kFull;
  // How long a statement waits for another connection's lock on the file before the method
  // returns kUnavailable with reason "database_busy".
  Duration busy_timeout = std::chrono::seconds(5);
  // Maximum size of the connection's page cache in KiB (PRAGMA cache_size = -N). 0 keeps SQLite's
  // default, which is 2,000 KiB in Debian's SQLite 3.40. A cache that contains the hot part of the
  // events table and its indexes spares ingest most of its reads from the file.
  int cache_size_kib = 0;
};

// Store on SQLite 3: one connection in WAL mode, guarded by a mutex, with its prepared statements
// cached for the connection's lifetime. Each mutating method runs in one BEGIN IMMEDIATE
// transaction, and the in-memory caches change only after its COMMIT succeeded.
//
// Thread safety: every method may be called from any thread, and calls are serialised.
// The store assumes that it is the only writer of its file, because the set of manifest parcels
// and the counts are read once at Open and then kept up to date in memory. Other processes may
// read the file, and may add API keys and audit entries, as the CLI's key commands do.
class SqliteStore final : public Store, public eir::SightingStore {
 public:
  // Opens or creates the database at `path` (":memory:" for a private in-memory database), sets
  // WAL mode for files, applies the schema migrations this binary has and loads the caches.
  // Returns kInvalidInput for an empty path and kUnavailable when the file cannot be opened or is
  // locked. Returns kInternal with reason "schema_too_new" when the file was written by a newer
  // imeiguard, and kInternal for a file that is not a database or whose schema is not imeiguard's.
  static Result<std::unique_ptr<SqliteStore>> Open(std::string_view path,
                                                   const SqliteStoreOptions& options = {});

  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;
  ~SqliteStore() override;

  // Store methods, with what this implementation adds to the interface's contract:

  // A new parcel whose every device row conflicts is not stored. A stored parcel with equal fields
  // may gain devices that it did not have. A conflict names the row's line (the parcel's first
  // line for a parcel without devices) and the first differing column.
  Result<ManifestImportResult> ImportManifest(std::span<const ManifestParcel> parcels,
                                              Timestamp recorded_at) override;
  // An event with an empty event_id or parcel_id fails the whole batch with kInvalidInput. Text is
  // bound straight from the views, which must stay valid for the call.
  Result<EventAppendResult> AppendEvents(std::span<const ScanEventView> events,
                                         Timestamp recorded_at, Timestamp pending_until) override;
  Result<std::vector<ParcelSnapshot>> LoadOpenParcels() override;
  Result<std::optional<ParcelSnapshot>> LoadParcel(std::string_view parcel_id) override;
  Result<std::vector<DeviceRow>> FindDevices(Imei imei) override;
  // On failure nothing of the change is written. Errors: kNotFound when the parcel, a device or a
  // cancelled order is not stored. kConflict "order_not_pending" when an order to cancel has left
  // kPending, and "duplicate_idempotency_key" when a new order's key is stored already.
  // kInvalidInput "order_device_mismatch" when a new order's parcel, shipper or IMEIs differ from
  // its device's. A device's state_since moves to `change.at` only when its state changes.
  Status SaveAssessment(const AssessmentChange& change) override;
  // Oldest first means by order_id, which follows creation. A `limit` of 0 or less returns none.
  Result<std::vector<LockOrder>> LoadDueOrders(Timestamp now, int limit) override;
  Result<std::vector<LockOrder>> ListOrders(std::optional<OrderStatus> status,
                                            std::string_view shipper_id,
                                            std::int64_t after_order_id, int limit) override;
  Result<std::optional<LockOrder>> FindOrderByIdempotencyKey(
      std::string_view idempotency_key) override;
  // kNotFound when the order or the device is not stored.
  Status UpdateOrder(const LockOrder& order,
                     std::optional<std::pair<std::int64_t, LockState>> device_state,
                     const std::optional<AuditEntry>& audit, Timestamp at) override;
  // Reads the audit trail from `after_sequence` on, so a small page is cheap however long it is.
  Result<std::vector<BlocklistChange>> ListBlocklistChanges(std::string_view connector,
                                                            std::int64_t after_sequence,
                                                            int limit) override;
  // "Latest" is by acknowledged_at, then order_id. Reads every acknowledged lock order.
  Result<std::vector<LockOrder>> LoadBlockedDevices(std::string_view connector) override;
  Result<int> PurgeExpiredPending(Timestamp now) override;
  // A `max_parcels` of 0 or less purges nothing. A purged parcel keeps its place in the set of
  // manifest parcels, so that its later events still join its history.
  Result<DevicePurgeResult> PurgeClosedParcelDevices(Timestamp closed_before, int max_parcels,
                                                     Timestamp at) override;
  Status AppendAudit(const AuditEntry& entry) override;
  Result<std::vector<AuditEntry>> LoadAudit(std::string_view entity, int limit) override;
  Status SaveApiKey(const ApiKeyRecord& key, const std::optional<AuditEntry>& audit) override;
  Result<std::optional<ApiKeyRecord>> FindApiKey(std::string_view key_id) override;
  Result<std::vector<ApiKeyRecord>> LoadApiKeys() override;
  Result<std::int64_t> SaveCase(const CaseRecord& record,
                                std::span<const AuditEntry> audit) override;
  Result<std::optional<CaseRecord>> LoadCase(std::int64_t case_id) override;
  Result<std::optional<CaseRecord>> LoadParcelCase(std::string_view parcel_id) override;
  Result<std::vector<CaseRecord>> LoadActiveCases() override;
  // An `after_case_id` that names no case gives an empty page.
  Result<std::vector<CaseRecord>> ListCases(std::int64_t after_case_id, int limit) override;
  // Reads the events of the window in one read transaction, without an index on event time: a
  // full scan of the events table. A file store is read on a connection of its own, so other
  // calls go on meanwhile; an in-memory store makes them wait.
  Result<FlowTallies> TallyLosses(HotspotDimension dimension, Timestamp from, Timestamp to,
                                  const ShiftSchedule& shifts) override;
  Result<std::int64_t> InsertCaptureJob(const CaptureJob& job) override;
  Result<std::optional<CaptureJob>> LoadCaptureJob(std::int64_t capture_id,
                                                   bool with_document) override;
  Result<std::vector<CaptureJob>> ListCaptureJobs(std::int64_t after_capture_id,
                                                  int limit) override;
  Result<std::vector<std::int64_t>> UnfinishedCaptureJobs() override;
  Result<int> StoreCapturedEvents(std::int64_t capture_id, Timestamp record_time,
                                  std::span<const CapturedEvent> events,
                                  std::span<const EventWithdrawal> withdrawals) override;
  Status FinishCaptureJob(const CaptureJob& job) override;
  Result<std::vector<EventWithdrawal>> LoadUnappliedWithdrawals() override;
  Status MarkWithdrawalsApplied(std::span<const EventWithdrawal> withdrawals) override;
  Result<std::vector<CapturedEventRow>> QueryCapturedEvents(
      const CapturedEventQuery& query) override;
  // "parcels", "devices", "events", "pending_events", then "orders_<status>" for every order
  // status, zeros included, in that order.
  Result<std::vector<std::pair<std::string, std::int64_t>>> Counts() override;

  // eir::SightingStore, in sqlite_store_sightings.cc.
  Status AppendSightings(std::span<const eir::Sighting> sightings) override;
  Result<std::vector<eir::Sighting>> ListSightings(const eir::SightingFilter& filter) override;
  Result<std::vector<eir::Fence>> ListFences(int limit) override;

  // Verifies the audit trail's hash chain and checkpoint, and compares them with `anchor` when
  // given, as sqlite::VerifyAuditTrail describes. A damaged trail is a report with findings, not
  // an error.
  Result<AuditReport> VerifyAuditChain(const std::optional<AuditHead>& anchor = std::nullopt);

 private:
  // Hash and equality that let the parcel set be probed with a string_view, without a copy.
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const noexcept {
      return std::hash<std::string_view>{}(text);
    }
  };
  using ParcelIdSet = std::unordered_set<std::string, StringHash, std::equal_to<>>;

  // In-memory counts kept beside the tables, so that Counts needs no scan of the large ones.
  struct RowCounts {
    std::int64_t devices = 0;
    std::int64_t events = 0;
    std::int64_t pending_events = 0;
  };

  SqliteStore(sqlite::Connection db, std::unique_ptr<sqlite::StoreStatements> statements);

  Status LoadCaches();
  // Reads the audit head from the file into audit_head_. The caller holds mutex_.
  Status ReloadAuditHead();
  // Commits, then keeps `audit_head` as audit_head_ when the commit succeeded.
  Status CommitWithAuditHead(sqlite::Transaction& transaction, AuditHead audit_head);

  std::mutex mutex_;
  // Set once at construction; their use is guarded by mutex_. Declared in this order so that the
  // statements are finalised before the connection closes.
  const sqlite::Connection db_connection_;
  sqlite3* const db_;  // db_connection_.get().
  const std::unique_ptr<sqlite::StoreStatements> statements_;
  // Every parcel_id in the parcels table. Guarded by mutex_.
  // NOTE: grows with the table, by an estimated 100 bytes a parcel with libstdc++. The retention
  // purge removes devices but keeps their parcels, so it does not shrink this set. A purge that
  // deletes parcel rows must remove their ids here too.
  ParcelIdSet known_parcels_;
  RowCounts counts_;  // Guarded by mutex_.
  // The last audit entry appended, so that an append reads nothing first. Guarded by mutex_.
  // It moves only after a COMMIT. An append by another process makes it stale, which the next
  // append notices by a primary-key conflict and repairs by reading the head again.
  AuditHead audit_head_;
};

}  // namespace imeiguard
