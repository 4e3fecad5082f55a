#include "service/guard_service.h"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <set>
#include <unordered_map>

#include "locking/lock_planner.h"
#include "service/event_arena.h"

namespace imeiguard {
namespace {

constexpr std::size_t kMaxDeclarationReasonLength = 500;

// Batches of one retention purge run. With the default 500 parcels a batch and a run every 10
// minutes, the purge keeps up with about 1.4 million closed parcels a day. That is far more than a
// carrier's few thousand phone parcels a day, and a backlog after an outage drains over several
// runs.
constexpr int kMaxPurgeBatchesPerRun = 20;

}  // namespace

GuardService::GuardService(const Config& config, Store& store, const Clock& clock,
                           std::map<std::string, LockConnector*> connectors)
    : config_(config),
      store_(store),
      clock_(clock),
      connectors_(connectors),
      tracker_(config),
      watermark_(config.feed),
      outbox_(store, *this, connectors, config.outbox),
      blast_guard_(config) {
  tracker_.SetListener([this](const TrackedParcel& parcel, Timestamp at) {
    UpdateSnapshot(parcel);
    if (external_listener_) external_listener_(parcel, at);
  });
  tracker_.SetLockGate([this](const TrackedParcel& parcel, const Assessment& assessment,
                              Timestamp now) { return DecideLock(parcel, assessment, now); });
}

GuardService::~GuardService() { Stop(); }

void GuardService::SetParcelListener(ParcelChangeListener listener) {
  std::lock_guard lock(mutex_);
  external_listener_ = std::move(listener);
}

Status GuardService::Recover() {
  auto open = store_.LoadOpenParcels();
  if (!open.ok()) return open.error();
  std::lock_guard lock(mutex_);
  recovering_ = true;
  if (Status s = LoadCases(*open); !s.ok()) return s;
  std::vector<std::string> ids;
  ids.reserve(open->size());
  Timestamp now = clock_.Now();
  std::optional<Timestamp> restored_watermark;
  for (ParcelSnapshot& snapshot : *open) {
    ids.push_back(snapshot.parcel.record.parcel_id);
    // The watermark restarts from the stored scans of open parcels. Scans of closed parcels and
    // of parcels without phones are not kept, so it may start a little behind where it was.
    for (const ScanEvent& event : snapshot.events) {
      if (IsCarrierScanType(event.type)) watermark_.Observe(event.time, now);
    }
    // A rule fired at a deadline only after the watermark passed it, so the restarted watermark
    // starts there. Otherwise a restart would withdraw such verdicts until the feed caught up.
    for (const Evidence& evidence : snapshot.parcel.assessment.evidence) {
      if (evidence.event_id.empty() && evidence.rule != kRuleManual && !evidence.outcome.empty()) {
        restored_watermark = std::max(restored_watermark.value_or(evidence.at), evidence.at);
      }
    }
    tracker_.Adopt(std::move(snapshot));
  }
  if (restored_watermark) watermark_.Close(*restored_watermark);
  for (const std::string& id : ids) {
    // Redoes any verdict lost to a crash. Reassess notifies only on a change, so the check
    // snapshot is filled here for the parcels whose stored state is already current.
    if (Status s = ReassessLocked(id, now); !s.ok()) return s;
    if (const TrackedParcel* parcel = tracker_.Find(id)) UpdateSnapshot(*parcel);
  }
  recovering_ = false;
  equipment_snapshot_.PublishPending();
  ready_.store(true);
  spdlog::info("recovered {} open parcels", ids.size());
  return Status::Ok();
}

Timestamp GuardService::AssessedAsOf() const { return watermark_.value().value_or(Timestamp{}); }

Status GuardService::ReassessLocked(const std::string& parcel_id, Timestamp now) {
  lock_decision_.reset();
  return PersistWithCase(parcel_id, now, tracker_.Reassess(parcel_id, AssessedAsOf(), now));
}

Status GuardService::Persist(const AssessmentChange& change) {
  if (Status s = store_.SaveAssessment(change); !s.ok()) {
    ++store_failures_;
    spdlog::error("saving the assessment of parcel {} failed: {}", change.parcel_id,
                  s.error().message);
    return s;
  }
  if (change.assessment.verdict != Verdict::kInFlow || !change.audit.empty()) ++verdict_changes_;
  if (!change.new_orders.empty()) {
    // The store assigned the new orders' ids; the tracker needs them to follow the outbox.
    auto stored = store_.LoadParcel(change.parcel_id);
    if (stored.ok() && stored->has_value()) {
      tracker_.ReplaceOrders(change.parcel_id, std::move((*stored)->orders));
    }
    {
      std::lock_guard lock(wake_mutex_);
      orders_waiting_ = true;
    }
    wake_.notify_all();
  }
  for (const AuditEntry& entry : change.audit) {
    if (entry.action == "verdict") {
      spdlog::info("parcel {}: {}", change.parcel_id, entry.detail);
    }
  }
  return Status::Ok();
}

Result<ManifestImportReport> GuardService::ImportManifest(std::string_view text,
                                                          std::string_view required_shipper,
                                                          ExportCheck export_check) {
  ManifestOptions options;
  options.destination_zone = config_.ingest.destination_zone;
  ManifestBatch batch = ParseManifest(text, options);

  ManifestImportReport report;
  report.rows_read = batch.rows_read;
  if (export_check == ExportCheck::kEnforce) {
    report.rejection = CheckManifestExport(batch);
    if (report.rejection.has_value()) {
      ++manifests_rejected_;
      return report;
    }
  }
  report.errors = std::move(batch.errors);
  if (!required_shipper.empty()) {
    std::erase_if(batch.parcels, [&](const ManifestParcel& parcel) {
      if (parcel.parcel.shipper_id == required_shipper) return false;
      report.errors.push_back({parcel.first_line, "shipper_id", "shipper_scope",
                               "shipper '" + parcel.parcel.shipper_id +
                                   "' is not the shipper of this API key ('" +
                                   std::string(required_shipper) + "')"});
      return true;
    });
  }

  std::lock_guard lock(mutex_);
  Timestamp now = clock_.Now();
  auto imported = store_.ImportManifest(batch.parcels, now);
  if (!imported.ok()) {
    ++store_failures_;
    return imported.error();
  }
  report.parcels_new = imported->parcels_new;
  report.parcels_unchanged = imported->parcels_unchanged;
  report.devices_new = imported->devices_new;
  report.devices_unchanged = imported->devices_unchanged;
  for (RowError& conflict : imported->conflicts) report.errors.push_back(std::move(conflict));
  std::sort(report.errors.begin(), report.errors.end(),
            [](const RowError& a, const RowError& b) { return a.line < b.line; });
  manifest_rows_ += report.rows_read;
  manifest_rows_rejected_ += static_cast<std::int64_t>(report.errors.size());

  for (const auto& [parcel_id, adopted_events] : imported->new_parcels) {
    auto snapshot = store_.LoadParcel(parcel_id);
    if (!snapshot.ok()) return snapshot.error();
    if (!snapshot->has_value()) continue;
    tracker_.Adopt(std::move(**snapshot));
    if (Status s = ReassessLocked(parcel_id, now); !s.ok()) return s.error();
  }
  return report;
}

Result<EventIngestReport> GuardService::IngestEvents(std::string_view ndjson) {
  // One reader and arena per thread: a steady stream parses without allocating per event.
  thread_local NdjsonEventReader reader;
  thread_local EventArena arena;
  arena.Clear();

  EventIngestReport report;
  reader.Parse(
      ndjson,
      [&](const ScanEventView& event) {
        ++report.lines;
        arena.Add(event);
      },
      [&](const EventError& error) {
        ++report.lines;
        report.errors.push_back(error);
      });
  if (report.lines > config_.ingest.max_batch_lines) {
    return Error::InvalidInput("batch_too_long",
                               "the batch has " + std::to_string(report.lines) +
                                   " lines; send at most " +
                                   std::to_string(config_.ingest.max_batch_lines) + " per request");
  }
  events_received_ += report.lines;
  events_rejected_ += static_cast<std::int64_t>(report.errors.size());

  auto appended = IngestViews(arena.Views(), clock_.Now());
  if (!appended.ok()) return appended.error();
  report.stored = appended->stored;
  report.pending = appended->pending;
  report.duplicates = appended->duplicates;
  return report;
}

Result<EventAppendResult> GuardService::IngestViews(std::span<const ScanEventView> events,
                                                    Timestamp now,
                                                    std::span<const Timestamp> clock_times) {
  std::lock_guard lock(mutex_);
  return IngestViewsLocked(events, now, clock_times);
}

Result<EventAppendResult> GuardService::IngestViewsLocked(std::span<const ScanEventView> events,
                                                          Timestamp now,
                                                          std::span<const Timestamp> clock_times) {
  bool event_clock = !clock_times.empty();
  for (std::size_t i = 0; i < events.size(); ++i) {
    if (IsCarrierScanType(events[i].type)) {
      watermark_.Observe(events[i].time, event_clock ? clock_times[i] : now);
    }
  }
  Timestamp recorded_at = now;
  auto appended =
      store_.AppendEvents(events, recorded_at, recorded_at + config_.ingest.pending_window);
  if (!appended.ok()) {
    ++store_failures_;
    return appended.error();
  }
  events_stored_ += appended->stored;
  events_pending_ += appended->pending;
  events_duplicate_ += appended->duplicates;
  if (appended->touched_parcels.empty()) return appended;

  // The latest clock time of each touched parcel's new events: the replay clock of its assessment.
  std::unordered_map<std::string_view, Timestamp> touched;
  for (const std::string& parcel_id : appended->touched_parcels) {
    touched.emplace(parcel_id, event_clock ? Timestamp{} : now);
  }
  for (std::size_t i = 0; i < events.size(); ++i) {
    auto it = touched.find(events[i].parcel_id);
    if (it == touched.end()) continue;
    tracker_.AddEvent(events[i], recorded_at);
    if (event_clock) it->second = std::max(it->second, clock_times[i]);
  }
  for (const std::string& parcel_id : appended->touched_parcels) {
    if (Status s = ReassessLocked(parcel_id, touched[parcel_id]); !s.ok()) return s.error();
  }
  return appended;
}

Result<LossDeclaration> GuardService::DeclareLost(std::string_view parcel_id,
                                                  std::string_view actor, std::string_view reason) {
  if (reason.empty() || reason.size() > kMaxDeclarationReasonLength) {
    return Error::InvalidInput("invalid_reason", "a declaration of loss needs a reason of 1 to " +
                                                     std::to_string(kMaxDeclarationReasonLength) +
                                                     " bytes");
  }
  std::lock_guard lock(mutex_);
  const TrackedParcel* tracked = tracker_.Find(parcel_id);
  if (tracked == nullptr) {
    // Only closed parcels leave the tracker, so a stored parcel that is not tracked is closed.
    auto stored = store_.LoadParcel(parcel_id);
    if (!stored.ok()) return stored.error();
    if (!stored->has_value()) {
      return Error::NotFound("parcel_not_found",
                             "no parcel " + std::string(parcel_id) + " is registered");
    }
    return Error::Conflict("parcel_closed",
                           "parcel " + std::string(parcel_id) + " is " +
                               std::string(VerdictName((*stored)->parcel.assessment.verdict)) +
                               " and cannot be declared lost");
  }
  if (VerdictIsClosed(tracked->parcel.assessment.verdict)) {
    return Error::Conflict("parcel_closed",
                           "parcel " + std::string(parcel_id) + " is " +
                               std::string(VerdictName(tracked->parcel.assessment.verdict)) +
                               " and cannot be declared lost");
  }
  std::set<std::int64_t> live_before;
  for (const LockOrder& order : tracked->orders) {
    if (order.action == LockAction::kLock && order.status != OrderStatus::kCancelled) {
      live_before.insert(order.order_id);
    }
  }

  // The declaration joins the parcel's history like a scan. It is then durable, replayed and
  // weighed in event-time order. Event ids are unique across parcels, so the id names the parcel,
  // the officer and the millisecond.
  Timestamp now = clock_.Now();
  LossDeclaration declaration;
  declaration.event_id = "declared-lost:" + std::string(parcel_id) + ":" + std::string(actor) +
                         ":" + std::to_string(ToMillis(now));
  ScanEventView view;
  view.event_id = declaration.event_id;
  view.parcel_id = parcel_id;
  view.type = ScanType::kDeclaredLost;
  view.time = now;
  view.handler = actor;
  view.detail = reason;
  auto appended = IngestViewsLocked(std::span(&view, 1), now, {});
  if (!appended.ok()) return appended.error();

  tracked = tracker_.Find(parcel_id);
  if (tracked == nullptr) return Error::Internal("parcel_untracked", "the parcel left the engine");
  declaration.verdict = tracked->parcel.assessment.verdict;
  if (auto it = cases_.find(tracked->parcel.record.parcel_id); it != cases_.end()) {
    declaration.case_record = it->second;
  }
  for (const LockOrder& order : tracked->orders) {
    if (order.action != LockAction::kLock || order.status == OrderStatus::kCancelled) continue;
    declaration.orders.push_back({order, live_before.contains(order.order_id)});
  }

  AuditEntry audit;
  audit.at = now;
  audit.actor = std::string(actor);
  audit.action = "declared_lost";
  audit.entity = "parcel:" + std::string(parcel_id);
  boost::json::array order_ids;
  for (const DeclaredLockOrder& served : declaration.orders)
    order_ids.push_back(served.order.order_id);
  audit.detail = boost::json::serialize(boost::json::object{
      {"reason", reason}, {"event_id", declaration.event_id}, {"orders", std::move(order_ids)}});
  if (Status s = store_.AppendAudit(audit); !s.ok()) {
    // The declaration itself is stored in the history; only this record of who made it is missing.
    ++store_failures_;
    spdlog::error("recording the declaration of loss of parcel {} by {} failed: {}", parcel_id,
                  actor, s.error().message);
  }
  spdlog::info("parcel {} declared lost by {}; {} lock orders serve it", parcel_id, actor,
               declaration.orders.size());
  return declaration;
}

Status GuardService::RunDeadlines(Timestamp now) {
  std::lock_guard lock(mutex_);
  std::optional<Timestamp> as_of = watermark_.Advance(now);
  if (!as_of) return Status::Ok();
  // A parcel can have several deadlines before the watermark (silence, then overdue): each pass
  // fires the earliest and schedules the next.
  for (auto due = tracker_.TakeDueParcels(*as_of); !due.empty();
       due = tracker_.TakeDueParcels(*as_of)) {
    for (const auto& entry : due) {
      if (Status s = ReassessLocked(entry.second, now); !s.ok()) return s;
    }
  }
  return Status::Ok();
}

void GuardService::ObserveFeed(Timestamp event_time, Timestamp now) {
  std::lock_guard lock(mutex_);
  watermark_.Observe(event_time, now);
}

void GuardService::CloseFeed(Timestamp t) {
  std::lock_guard lock(mutex_);
  watermark_.Close(t);
}

std::optional<Timestamp> GuardService::ClockTimeReaching(Timestamp event_time) const {
  std::lock_guard lock(mutex_);
  return watermark_.WallTimeReaching(event_time);
}

std::optional<Timestamp> GuardService::Watermark() const {
  std::lock_guard lock(mutex_);
  return watermark_.value();
}

bool GuardService::Tracks(std::string_view parcel_id) const {
  std::lock_guard lock(mutex_);
  return tracker_.Tracks(parcel_id);
}

std::optional<Timestamp> GuardService::NextDeadline() const {
  std::lock_guard lock(mutex_);
  return tracker_.NextDeadline();
}

int GuardService::RunOutboxOnce(Timestamp now) { return outbox_.RunOnce(now); }

bool GuardService::Claim(LockOrder& order, Timestamp now) {
  std::lock_guard lock(mutex_);
  const LockOrder* held = HeldOrderLocked(order.order_id, order.parcel_id);
  if (held == nullptr) return false;
  if (held->status != OrderStatus::kPending && held->status != OrderStatus::kSent) return false;

  // A lock that an unlock superseded (or the reverse) is never sent after it. The newer order
  // follows it anyway, so withdrawing it is right even if an earlier request reached the platform.
  if (held->platform_order_id.empty() && SupersededLocked(*held)) {
    LockOrder withdrawn = *held;
    withdrawn.status = OrderStatus::kCancelled;
    withdrawn.last_error = "superseded by a newer order before the platform accepted it";
    RecordLocked(withdrawn, now, "lock_order_superseded", "outbox");
    return false;
  }

  LockOrder claimed = *held;
  if (claimed.platform_order_id.empty()) ++claimed.attempts;
  claimed.status = OrderStatus::kSent;
  // The lease: if this process dies mid-call, the order is due again once the lease ends.
  Duration lease = config_.outbox.poll_interval;
  if (auto it = config_.connectors.find(claimed.connector); it != config_.connectors.end()) {
    lease += it->second.request_timeout;
  }
  claimed.next_attempt_at = now + lease;
  if (Status s = store_.UpdateOrder(claimed, std::nullopt, std::nullopt, now); !s.ok()) {
    ++store_failures_;
    spdlog::warn("claiming order {} failed: {}", claimed.order_id, s.error().message);
    return false;
  }
  tracker_.ApplyOrderUpdate(claimed, now);
  order = claimed;
  return true;
}

const LockOrder* GuardService::HeldOrderLocked(std::int64_t order_id,
                                               const std::string& parcel_id) {
  const LockOrder* held = tracker_.FindOrder(order_id);
  if (held != nullptr) return held;
  // The parcel was closed and dropped from memory, or this process started after it closed.
  // Loading it again lets its last orders be followed to the end.
  auto snapshot = store_.LoadParcel(parcel_id);
  if (!snapshot.ok() || !snapshot->has_value()) return nullptr;
  tracker_.Adopt(std::move(**snapshot));
  return tracker_.FindOrder(order_id);
}

bool GuardService::SupersededLocked(const LockOrder& order) const {
  const TrackedParcel* parcel = tracker_.Find(order.parcel_id);
  if (parcel == nullptr) return false;
  const LockOrder* latest = LatestLiveOrder(parcel->orders, order.device_id, order.connector);
  return latest != nullptr && latest->order_id != order.order_id &&
         latest->order_id > order.order_id;
}

void GuardService::Record(const LockOrder& order, Timestamp now, const std::string& audit_action) {
  std::lock_guard lock(mutex_);
  RecordLocked(order, now, audit_action, "outbox");
}

void GuardService::RecordLocked(const LockOrder& order, Timestamp now,
                                const std::string& audit_action, std::string_view actor) {
  if (const LockOrder* held = tracker_.FindOrder(order.order_id);
      held != nullptr && OrderIsFinal(held->status)) {
    // A callback or reconciliation settled the order while this update was on its way.
    spdlog::debug("order {} is already {}; {} ignored", order.order_id,
                  OrderStatusName(held->status), audit_action);
    return;
  }
  std::optional<std::pair<std::int64_t, LockState>> state = tracker_.ApplyOrderUpdate(order, now);
  AuditEntry audit;
  audit.at = now;
  audit.actor = std::string(actor);
  audit.action = audit_action;
  audit.entity = "order:" + std::to_string(order.order_id);
  boost::json::object detail{{"status", OrderStatusName(order.status)},
                             {"action", LockActionName(order.action)},
                             {"connector", order.connector},
                             {"attempts", order.attempts},
                             {"platform_order_id", order.platform_order_id}};
  if (!order.last_error.empty()) detail["error"] = order.last_error;
  audit.detail = boost::json::serialize(detail);
  if (Status s = store_.UpdateOrder(order, state, audit, now); !s.ok()) {
    ++store_failures_;
    spdlog::error("recording order {} failed: {}", order.order_id, s.error().message);
  }
  if (order.status == OrderStatus::kFailed) {
    spdlog::error("ALERT lock order {} ({} of IMEI {} via {}) failed after {} attempts: {}",
                  order.order_id, LockActionName(order.action), order.imei.Masked(),
                  order.connector, order.attempts, order.last_error);
  } else if (order.status == OrderStatus::kAcknowledged) {
    spdlog::info("{} of IMEI {} acknowledged by {} (platform order {})",
                 LockActionName(order.action), order.imei.Masked(), order.connector,
                 order.platform_order_id);
  }
}

Result<int> GuardService::PurgeRetention(Timestamp now) {
  Timestamp closed_before = now - config_.privacy.retention;
  int batch_size = config_.privacy.purge_batch_parcels;
  int parcels = 0;
  int devices = 0;
  Status failure;
  for (int batch = 0; batch < kMaxPurgeBatchesPerRun; ++batch) {
    // mutex_ is held for one batch, so that no assessment of a purged parcel runs between the
    // purge and the tracker forgetting it. A closed parcel is normally evicted already.
    std::unique_lock lock(mutex_);
    auto purged = store_.PurgeClosedParcelDevices(closed_before, batch_size, now);
    if (!purged.ok()) {
      ++store_failures_;
      failure = purged.error();
      break;
    }
    for (const std::string& parcel_id : purged->parcel_ids) tracker_.Forget(parcel_id);
    lock.unlock();

    parcels += static_cast<int>(purged->parcel_ids.size());
    devices += purged->devices;
    if (static_cast<int>(purged->parcel_ids.size()) < batch_size) break;
  }
  if (parcels > 0) {
    // NOTE: a crash between a batch's commit and this append leaves that batch purged without
    // an audit entry; the parcels' devices_purged_at column still records it.
    AuditEntry audit;
    audit.at = now;
    audit.actor = "retention";
    audit.action = "devices_purged";
    audit.entity = "retention";
    audit.detail = boost::json::serialize(boost::json::object{
        {"parcels", parcels},
        {"devices", devices},
        {"closed_before", FormatRfc3339(closed_before)},
        {"retention_days", config_.privacy.retention / std::chrono::hours(24)}});
    if (Status s = store_.AppendAudit(audit); !s.ok()) {
      ++store_failures_;
      spdlog::error("recording the retention purge of {} parcels failed: {}", parcels,
                    s.error().message);
      if (failure.ok()) failure = s;
    }
    spdlog::info("retention purge removed {} devices of {} parcels closed before {}", devices,
                 parcels, FormatRfc3339(closed_before));
  }
  if (!failure.ok()) return failure.error();
  return parcels;
}

void GuardService::UpdateSnapshot(const TrackedParcel& parcel) {
  // Outside recovery every change is published at once, so the published state is current. A
  // device whose state did not change is skipped, because most scans change no device and each
  // publication copies the snapshot's overlay.
  bool changed = false;
  auto set = [&](std::uint64_t core, LockState state) {
    if (!recovering_ && equipment_snapshot_.Lookup(core) == state) return;
    equipment_snapshot_.Set(core, state);
    changed = true;
  };
  for (const DeviceRow& device : parcel.devices) {
    set(device.record.imei.core_value(), device.state);
    if (device.record.imei2) set(device.record.imei2->core_value(), device.state);
  }
  // Published at once, so that a check right after the change that caused it sees it. Recovery
  // publishes once at its end instead.
  if (changed && !recovering_) equipment_snapshot_.PublishPending();
}

CheckAnswer GuardService::Check(Imei imei) const {
  // Watched and released devices are in the snapshot too, so a check of one takes the same path
  // as a check of a blocked one and its timing reveals nothing more than the answer.
  std::optional<LockState> state = equipment_snapshot_.Lookup(imei.core_value());
  if (state && StateBlocks(*state)) return CheckAnswer::kBlocked;
  return CheckAnswer::kNotBlocked;
}

Result<std::optional<ParcelSnapshot>> GuardService::GetParcel(std::string_view parcel_id) {
  return store_.LoadParcel(parcel_id);
}

Result<std::vector<DeviceRow>> GuardService::FindDevices(Imei imei) {
  return store_.FindDevices(imei);
}

std::vector<std::pair<std::string, double>> GuardService::Metrics() const {
  const OutboxStats& outbox = outbox_.stats();
  std::vector<std::pair<std::string, double>> metrics = {
      {"imeiguard_events_received_total", static_cast<double>(events_received_.load())},
      {"imeiguard_events_stored_total", static_cast<double>(events_stored_.load())},
      {"imeiguard_events_pending_total", static_cast<double>(events_pending_.load())},
      {"imeiguard_events_duplicate_total", static_cast<double>(events_duplicate_.load())},
      {"imeiguard_events_rejected_total", static_cast<double>(events_rejected_.load())},
      {"imeiguard_manifest_rows_total", static_cast<double>(manifest_rows_.load())},
      {"imeiguard_manifest_rows_rejected_total",
       static_cast<double>(manifest_rows_rejected_.load())},
      {"imeiguard_manifests_rejected_total", static_cast<double>(manifests_rejected_.load())},
      {"imeiguard_verdict_changes_total", static_cast<double>(verdict_changes_.load())},
      {"imeiguard_store_failures_total", static_cast<double>(store_failures_.load())},
      {"imeiguard_lock_orders_submitted_total", static_cast<double>(outbox.submitted)},
      {"imeiguard_lock_orders_acknowledged_total", static_cast<double>(outbox.acknowledged)},
      {"imeiguard_lock_orders_retried_total", static_cast<double>(outbox.retried)},
      {"imeiguard_lock_orders_failed_total", static_cast<double>(outbox.failed)},
      {"imeiguard_locks_held_for_approval_total", static_cast<double>(locks_held_.load())},
      {"imeiguard_blast_radius_guard_trips_total", static_cast<double>(guard_trips_.load())},
      {"imeiguard_lock_orders_found_in_doubt_total", static_cast<double>(outbox.found_in_doubt)},
      {"imeiguard_lock_orders_resent_total", static_cast<double>(outbox.resent)},
      {"imeiguard_platform_reports_applied_total",
       static_cast<double>(platform_reports_applied_.load())},
      {"imeiguard_lock_orders_reconciled_total", static_cast<double>(orders_reconciled_.load())},
      {"imeiguard_lock_alerts_total", static_cast<double>(lock_alerts_.load())},
      {"imeiguard_equipment_snapshot_devices",
       static_cast<double>(equipment_snapshot_.stats().base_entries +
                           equipment_snapshot_.stats().overlay_entries)},
  };
  if (metrics_source_) {
    for (auto& metric : metrics_source_()) metrics.push_back(std::move(metric));
  }
  return metrics;
}

void GuardService::StartBackground() {
  stopping_.store(false);
  ticker_ = std::thread([this] { TickerLoop(); });
  outbox_thread_ = std::thread([this] { OutboxLoop(); });
}

void GuardService::Stop() {
  stopping_.store(true);
  wake_.notify_all();
  if (ticker_.joinable()) ticker_.join();
  if (outbox_thread_.joinable()) outbox_thread_.join();
}

void GuardService::TickerLoop() {
  Timestamp last_purge = clock_.Now();
  Timestamp last_reconcile = clock_.Now();
  while (!stopping_.load()) {
    {
      std::unique_lock lock(wake_mutex_);
      wake_.wait_for(lock, config_.tick_interval, [this] { return stopping_.load(); });
    }
    if (stopping_.load()) break;
    Timestamp now = clock_.Now();
    if (Status s = RunDeadlines(now); !s.ok()) {
      spdlog::warn("deadline pass failed, retrying next tick: {}", s.error().message);
    }
    if (now - last_reconcile >= config_.outbox.reconcile_interval) {
      last_reconcile = now;
      Reconcile(now);
    }
    if (now - last_purge > std::chrono::minutes(10)) {
      last_purge = now;
      auto purged = store_.PurgeExpiredPending(now);
      if (purged.ok() && *purged > 0) {
        spdlog::info("dropped {} events whose manifest never came", *purged);
      }
      {
        std::lock_guard lock(mutex_);
        tracker_.EvictSettled();
        // Learned statistics older than their window, and stays too old to make an outage, no
        // longer count.
        if (std::optional<Timestamp> as_of = watermark_.value()) {
          const ChainLimits& chain = config_.default_policy.detection.chain;
          tracker_.PruneStatistics(*as_of - chain.window - chain.outage_horizon);
        }
      }
      if (auto purged = PurgeRetention(now); !purged.ok()) {
        spdlog::warn("retention purge failed, retrying in 10 minutes: {}", purged.error().message);
      }
    }
  }
}

void GuardService::OutboxLoop() {
  while (!stopping_.load()) {
    int attempts = RunOutboxOnce(clock_.Now());
    if (attempts > 0) continue;
    // Without the flag in the predicate a notification would only make wait_for check
    // `stopping_` and sleep on, so new orders would wait for the 200 ms poll.
    std::unique_lock lock(wake_mutex_);
    wake_.wait_for(lock, std::chrono::milliseconds(200),
                   [this] { return stopping_.load() || orders_waiting_; });
    orders_waiting_ = false;
  }
}

}  // namespace imeiguard
