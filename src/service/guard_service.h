// The ImeiguardService that runs every role in one process: manifest and event ingest, detection,
// the outbox, and the check snapshot. The server drives it with the system clock and background
// threads; replay drives the same code with a clock that follows the event log.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <span>
#include <thread>
#include <unordered_map>

#include "eir/equipment_snapshot.h"
#include "service/blast_radius_guard.h"
#include "service/config.h"
#include "service/outbox.h"
#include "service/service.h"
#include "service/tracker.h"

namespace imeiguard {

class GuardService final : public ImeiguardService, private OrderLedger {
 public:
  // `store`, `clock` and the connectors are owned by the caller and outlive the service.
  GuardService(const Config& config, Store& store, const Clock& clock,
               std::map<std::string, LockConnector*> connectors);
  ~GuardService() override;

  // Loads every open parcel, re-assesses it at the current time (so that work interrupted by a
  // crash is redone) and fills the check snapshot. Call once before anything else.
  Status Recover();

  // Starts the deadline ticker and the outbox thread. Stop (or the destructor) joins them.
  void StartBackground();
  void Stop();

  // ImeiguardService
  Result<ManifestImportReport> ImportManifest(std::string_view text,
                                              std::string_view required_shipper,
                                              ExportCheck export_check) override;
  Result<EventIngestReport> IngestEvents(std::string_view ndjson) override;
  Result<std::optional<ParcelSnapshot>> GetParcel(std::string_view parcel_id) override;
  Result<std::vector<DeviceRow>> FindDevices(Imei imei) override;
  Result<LossDeclaration> DeclareLost(std::string_view parcel_id, std::string_view actor,
                                      std::string_view reason) override;
  Result<std::vector<LockOrder>> ListOrders(std::optional<OrderStatus> status,
                                            std::string_view shipper_id,
                                            std::int64_t after_order_id, int limit) override {
    return store_.ListOrders(status, shipper_id, after_order_id, limit);
  }
  Result<std::vector<CaseSummary>> ListCases(std::int64_t after_case_id, int limit) override;
  Result<std::optional<CaseDetail>> GetCase(std::int64_t case_id) override;
  Result<CaseRecord> ApproveLock(std::int64_t case_id, std::string_view actor,
                                 std::string_view reason) override;
  Result<CaseRecord> RejectLock(std::int64_t case_id, std::string_view actor,
                                std::string_view reason) override;
  Result<CaseRecord> OrderUnlock(std::int64_t case_id, std::string_view actor,
                                 std::string_view reason) override;
  Result<CaseRecord> RecordPoliceReport(std::int64_t case_id, std::string_view actor,
                                        std::string_view report_number) override;
  Result<CaseRecord> ConfirmTheft(std::int64_t case_id, std::string_view actor,
                                  std::string_view reason) override;
  Result<GuardTripDecision> DecideGuardTrip(std::int64_t trip_id, bool approve,
                                            std::string_view actor,
                                            std::string_view reason) override;
  Result<LockOrder> ReceivePlatformReport(std::string_view connector,
                                          const PlatformOrder& report) override;
  CheckAnswer Check(Imei imei) const override;
  // The device states that the public check reads, for the network EIR interfaces. Lives as
  // long as the service.
  const eir::EquipmentSnapshot& equipment_snapshot() const { return equipment_snapshot_; }
  bool Ready() const override { return ready_.load(); }
  std::vector<std::pair<std::string, double>> Metrics() const override;
  // Adds the metrics of a component beside the service, such as the network EIR's, to Metrics.
  // Call before the server starts.
  void SetMetricsSource(std::function<std::vector<std::pair<std::string, double>>()> source) {
    metrics_source_ = std::move(source);
  }

  // Stores a batch of parsed events, recorded at `now`, moves the feed's watermark and re-assesses
  // the parcels they touch as of the watermark. Orders are planned at `now`, or, when `clock_times`
  // is given (one per event, as replay passes them), at the latest clock time of the parcel's new
  // events.
  Result<EventAppendResult> IngestViews(std::span<const ScanEventView> events, Timestamp now,
                                        std::span<const Timestamp> clock_times = {});

  // Takes back scan events declared in error (EPCIS errorDeclaration) after the store deleted them
  // (Store::FinishCaptureJob). Each parcel named is re-assessed as if the events had never
  // arrived, adopted again from the store when the engine had let it go as closed, and the
  // withdrawals are then marked applied. A crash before that leaves them unapplied for
  // ResumeWithdrawals. Returns the first store failure.
  Status ApplyWithdrawals(std::span<const EventWithdrawal> withdrawals);
  // Applies the withdrawals that a crash left unapplied. Call after Recover.
  Status ResumeWithdrawals();

  // Whether the parcel is a phone parcel the engine is following.
  bool Tracks(std::string_view parcel_id) const;

  // Moves the feed's watermark to its value at clock time `now` and re-assesses every parcel
  // whose time-based deadline (an event time) the watermark has reached. Orders are planned at
  // `now`.
  Status RunDeadlines(Timestamp now);
  // The earliest pending deadline, an event time.
  std::optional<Timestamp> NextDeadline() const;

  // Feeds a carrier scan's event time, seen at clock time `now`, to the watermark without storing
  // anything (replay uses it for the scans of parcels without phones, which it does not store).
  void ObserveFeed(Timestamp event_time, Timestamp now);
  // Declares the carrier feed complete up to `t`: replay calls it once its log has ended.
  void CloseFeed(Timestamp t);
  // The clock time at which, with no further scan, the watermark reaches `event_time`.
  std::optional<Timestamp> ClockTimeReaching(Timestamp event_time) const;
  // The feed's watermark: the event time up to which the feed is believed complete, if any.
  std::optional<Timestamp> Watermark() const;

  // Purges the devices of parcels closed without a case longer than the retention period before
  // `now`, in batches of privacy.purge_batch_parcels, each its own store transaction, and drops
  // those parcels from memory. Appends one audit entry with the counts (no IMEIs) when anything
  // was purged. Returns how many parcels lost their devices; on a store failure, the batches
  // before it stay purged and audited.
  Result<int> PurgeRetention(Timestamp now);

  // One pass of the outbox at `now`; returns the number of attempts made.
  int RunOutboxOnce(Timestamp now);

  // Compares every order that is not final, and every device believed locked, with the view of
  // its connector's platform (connectors that can list orders only). An order the platform
  // confirmed takes that status, and an accepted order that the platform does not have is made due
  // again with the same key. An alert (log line, metric and audit entry) is raised once per order
  // for an order unconfirmed past outbox.confirmation_deadline and for a locked device that the
  // platform does not show locked. Returns the number of orders it changed. The ticker runs it
  // every outbox.reconcile_interval.
  int Reconcile(Timestamp now);

  // Observes every parcel change (replay's report uses it). Set before Recover.
  void SetParcelListener(ParcelChangeListener listener);

 private:
  // OrderLedger
  bool Claim(LockOrder& order, Timestamp now) override;
  void Record(const LockOrder& order, Timestamp now, const std::string& audit_action) override;

  // Stores `order` and the device state it leads to, with an audit entry by `actor`. Does nothing
  // when the tracker's copy of the order is already final, because updates never move an order
  // back. Caller holds mutex_.
  void RecordLocked(const LockOrder& order, Timestamp now, const std::string& audit_action,
                    std::string_view actor);
  // The tracker's copy of an order, adopting its parcel from the store when it is not tracked;
  // nullptr when neither has it. Caller holds mutex_.
  const LockOrder* HeldOrderLocked(std::int64_t order_id, const std::string& parcel_id);
  // Whether a newer live order of the same device and connector supersedes `order`. Caller holds
  // mutex_.
  bool SupersededLocked(const LockOrder& order) const;
  // Logs, counts and audits a problem with `order` that reconciliation cannot fix, once per
  // order and `kind` ("unconfirmed", "not_locked_on_platform") in this process. Caller holds
  // mutex_.
  void RaiseAlert(const LockOrder& order, Timestamp now, std::string_view kind,
                  const std::string& problem);
  // Failed order listings of one reconciliation pass, by connector name.
  using ListingFailures = std::map<std::string, int>;
  // Reconcile's two halves. The first returns the number of orders it changed.
  int ReconcileOpenOrders(Timestamp now, ListingFailures& failures);
  void ReconcileLockedDevices(Timestamp now, ListingFailures& failures);

  // Persists a change the tracker made and brings the stored order ids back. Caller holds mutex_.
  Status Persist(const AssessmentChange& change);
  Status ReassessLocked(const std::string& parcel_id, Timestamp now);
  // The event time time-based rules are assessed at: the watermark, or the epoch before any scan.
  Timestamp AssessedAsOf() const;
  Result<EventAppendResult> IngestViewsLocked(std::span<const ScanEventView> events, Timestamp now,
                                              std::span<const Timestamp> clock_times);
  void UpdateSnapshot(const TrackedParcel& parcel);

  // Cases and the officers' part in locking (guard_cases.cc). Callers hold mutex_.

  // The lock gate's decision in the assessment that is being persisted.
  struct LockDecision {
    bool hold = false;       // The lock waits for an officer.
    bool automatic = false;  // A rule locks on its own, counted by the blast-radius guard.
    std::string hold_reason;
    std::string rule;
    std::string requested_by;  // The declaring officer, who may not approve the lock.
    std::optional<GuardTrip> trip;
  };
  // The lock gate: the verdict that a lost parcel's devices are planned by.
  Verdict DecideLock(const TrackedParcel& parcel, const Assessment& assessment, Timestamp now);
  // Decides from the rules that keep the verdict lost; the blast-radius guard counts only when
  // `consult_guard`.
  LockDecision FreshDecision(const TrackedParcel& parcel, const Assessment& assessment,
                             Timestamp now, bool consult_guard);
  // The case as this assessment leaves it, or std::nullopt when it is unchanged. Adds the steps
  // to case_steps_ and the guard's entries to `guard_audit`.
  std::optional<CaseRecord> CaseAfter(const TrackedParcel& parcel, Timestamp now,
                                      std::vector<AuditEntry>& guard_audit);
  // Persists an assessment change (when there is one) with the case changes, in one transaction.
  Status PersistWithCase(const std::string& parcel_id, Timestamp now,
                         std::optional<AssessmentChange> change);
  // Runs an officer's step: the case becomes `proposed`, the parcel is re-assessed so that the
  // orders follow, and both are stored with `step` in one transaction.
  Result<CaseRecord> ApplyCaseStep(CaseRecord proposed, AuditEntry step, Timestamp now);
  // The case with `case_id` for an officer's step: the engine's copy when its parcel is open.
  Result<CaseRecord> CaseForStep(std::int64_t case_id);
  // Loads the cases of open parcels and the cases awaiting an officer, and gives the blast-radius
  // guard the automatic locks of `open` parcels (it keeps those within its windows).
  Status LoadCases(const std::vector<ParcelSnapshot>& open);
  void TickerLoop();
  void OutboxLoop();

  const Config& config_;
  Store& store_;
  const Clock& clock_;
  std::map<std::string, LockConnector*> connectors_;

  mutable std::mutex mutex_;  // Guards tracker_ and the order of store writes that follow it.
  Tracker tracker_;
  FeedWatermark watermark_;
  ParcelChangeListener external_listener_;
  Outbox outbox_;

  // Lock state per IMEI core of every tracked device, for Check and the network EIR interfaces.
  // Written under mutex_, read by any thread without a lock.
  eir::EquipmentSnapshot equipment_snapshot_;
  // Set during Recover, which publishes the snapshot once at its end. Guarded by mutex_.
  bool recovering_ = false;
  // Set once before the server starts (SetMetricsSource).
  std::function<std::vector<std::pair<std::string, double>>()> metrics_source_;

  std::atomic<bool> ready_{false};
  std::atomic<bool> stopping_{false};
  std::mutex wake_mutex_;
  std::condition_variable wake_;
  // Set when new orders are stored, so that the outbox thread sends them at once instead of at
  // its next poll. Guarded by wake_mutex_.
  bool orders_waiting_ = false;

  // Cases of open parcels, and cases awaiting an officer, by parcel_id.
  std::unordered_map<std::string, CaseRecord> cases_;
  std::optional<LockDecision> lock_decision_;  // Set by DecideLock during one assessment.
  bool case_dirty_ = false;                    // An officer's step changed cases_.
  std::vector<AuditEntry> case_steps_;         // Steps to record with the next persist.
  BlastRadiusGuard blast_guard_;

  std::thread ticker_;
  std::thread outbox_thread_;

  // Counters for metrics.
  std::atomic<std::int64_t> events_received_{0};
  std::atomic<std::int64_t> events_stored_{0};
  std::atomic<std::int64_t> events_pending_{0};
  std::atomic<std::int64_t> events_duplicate_{0};
  std::atomic<std::int64_t> events_rejected_{0};
  std::atomic<std::int64_t> manifest_rows_{0};
  std::atomic<std::int64_t> manifest_rows_rejected_{0};
  std::atomic<std::int64_t> manifests_rejected_{0};
  std::atomic<std::int64_t> verdict_changes_{0};
  std::atomic<std::int64_t> store_failures_{0};
  std::atomic<std::int64_t> locks_held_{0};
  std::atomic<std::int64_t> guard_trips_{0};
  std::atomic<std::int64_t> platform_reports_applied_{0};
  std::atomic<std::int64_t> orders_reconciled_{0};
  std::atomic<std::int64_t> lock_alerts_{0};
  // Orders already alerted on, by kind, so that each problem is raised once per process.
  // Guarded by mutex_.
  // NOTE: entries are never removed, so the set grows by one small entry per alert.
  std::set<std::pair<std::int64_t, std::string>> alerted_;
};

}  // namespace imeiguard
