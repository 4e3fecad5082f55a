// The ImeiguardService that runs every role in one process: manifest and event ingest, detection,
// the outbox, and the check snapshot. The server drives it with the system clock and background
// threads; replay drives the same code with a clock that follows the event log.
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <span>
#include <thread>
#include <unordered_map>

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
  CheckAnswer Check(Imei imei) const override;
  bool Ready() const override { return ready_.load(); }
  std::vector<std::pair<std::string, double>> Metrics() const override;

  // Stores a batch of parsed events, recorded at `now`, moves the feed's watermark and re-assesses
  // the parcels they touch as of the watermark. Orders are planned at `now`, or, when `clock_times`
  // is given (one per event, as replay passes them), at the latest clock time of the parcel's new
  // events.
  Result<EventAppendResult> IngestViews(std::span<const ScanEventView> events, Timestamp now,
                                        std::span<const Timestamp> clock_times = {});

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

  // Observes every parcel change (replay's report uses it). Set before Recover.
  void SetParcelListener(ParcelChangeListener listener);

 private:
  // OrderLedger
  bool Claim(LockOrder& order, Timestamp now) override;
  void Record(const LockOrder& order, Timestamp now, const std::string& audit_action) override;

  // Persists a change the tracker made and brings the stored order ids back. Caller holds mutex_.
  Status Persist(const AssessmentChange& change);
  Status ReassessLocked(const std::string& parcel_id, Timestamp now);
  // The event time time-based rules are assessed at: the watermark, or the epoch before any scan.
  Timestamp AssessedAsOf() const;
  Result<EventAppendResult> IngestViewsLocked(std::span<const ScanEventView> events, Timestamp now,
                                              std::span<const Timestamp> clock_times);
  void UpdateSnapshot(const TrackedParcel& parcel);
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

  // Lock state per IMEI core for Check, for devices neither watched nor released: written under
  // mutex_, read by any thread.
  mutable std::shared_mutex snapshot_mutex_;
  std::unordered_map<std::uint64_t, LockState> snapshot_;

  std::atomic<bool> ready_{false};
  std::atomic<bool> stopping_{false};
  std::mutex wake_mutex_;
  std::condition_variable wake_;
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
};

}  // namespace imeiguard
