#include "service/replay.h"

#include <algorithm>
#include <boost/json.hpp>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <sstream>
#include <unordered_set>

#include "epcis/epcis_document.h"
#include "epcis/scan_mapping.h"
#include "events/ndjson.h"
#include "locking/lock_planner.h"
#include "service/event_arena.h"
#include "service/guard_service.h"
#include "store/sqlite_store.h"

namespace imeiguard {
namespace {

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return Error::InvalidInput("file", "cannot open " + path);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

// A platform that confirms every order at once: replay measures the engine's decisions, not the
// latency of a real platform.
class ImmediatePlatform final : public LockConnector {
 public:
  explicit ImmediatePlatform(std::string name) : name_(std::move(name)) {}
  const std::string& name() const override { return name_; }
  ConnectorReply Submit(const LockOrder& order) override {
    return {ConnectorReply::Kind::kApplied, "replay:" + order.idempotency_key, std::nullopt, ""};
  }
  ConnectorReply Poll(const LockOrder& order) override { return Submit(order); }

 private:
  std::string name_;
};

// One report row per device, kept current from every parcel change.
class ReportCollector {
 public:
  void Observe(const TrackedParcel& parcel, Timestamp at) {
    for (const DeviceRow& device : parcel.devices) {
      Row& row = rows_[device.device_id];
      if (row.imei.empty()) {
        row.imei = device.record.imei.WithCheckDigit();
        row.parcel_id = parcel.parcel.record.parcel_id;
        row.since = at;
      }
      row.verdict = parcel.parcel.assessment.verdict;
      for (const Evidence& evidence : parcel.parcel.assessment.evidence) {
        if (!IsLossRule(evidence.rule)) continue;
        if (std::find(row.rules.begin(), row.rules.end(), evidence.rule) == row.rules.end()) {
          row.rules.push_back(evidence.rule);
        }
      }
      for (const LockOrder& order : parcel.orders) {
        if (order.device_id != device.device_id || order.action != LockAction::kLock) continue;
        if (!row.first_locked_at || order.created_at < *row.first_locked_at) {
          row.first_locked_at = order.created_at;
        }
      }
      if (device.state != row.state) {
        CloseInterval(row, at);
        row.state = device.state;
      }
    }
  }

  void Write(std::ostream& out, Timestamp end) {
    std::vector<Row*> ordered;
    for (auto& [id, row] : rows_) {
      CloseInterval(row, end);
      ordered.push_back(&row);
    }
    std::sort(ordered.begin(), ordered.end(), [](const Row* a, const Row* b) {
      return std::tie(a->parcel_id, a->imei) < std::tie(b->parcel_id, b->imei);
    });
    out << "imei,parcel_id,verdict,state,first_locked_at,locked_seconds,rules\n";
    for (const Row* row : ordered) {
      out << row->imei << ',' << row->parcel_id << ',' << VerdictName(row->verdict) << ','
          << LockStateName(row->state) << ','
          << (row->first_locked_at ? FormatRfc3339(*row->first_locked_at) : "") << ','
          << row->locked.count() / 1000 << ',';
      for (std::size_t i = 0; i < row->rules.size(); ++i) out << (i ? ";" : "") << row->rules[i];
      out << '\n';
    }
  }

  std::int64_t devices() const { return static_cast<std::int64_t>(rows_.size()); }
  std::int64_t devices_locked() const {
    return std::count_if(rows_.begin(), rows_.end(), [](const auto& entry) {
      return entry.second.first_locked_at.has_value();
    });
  }

 private:
  struct Row {
    std::string imei;
    std::string parcel_id;
    Verdict verdict = Verdict::kInFlow;
    LockState state = LockState::kWatched;
    Timestamp since;
    Duration locked{0};
    std::optional<Timestamp> first_locked_at;
    std::vector<std::string> rules;
  };

  // Rules that speak for a loss; closing and reopening scans are facts, not rules that fired.
  static bool IsLossRule(std::string_view rule) {
    return rule != "delivered" && rule != "returned" && rule != "seen_again";
  }

  static void CloseInterval(Row& row, Timestamp at) {
    if (StateBlocks(row.state) && at > row.since) row.locked += at - row.since;
    row.since = std::max(row.since, at);
  }

  std::map<std::int64_t, Row> rows_;
};

// The first clock time in the log, so that manifests are imported when the log begins.
std::optional<Timestamp> FirstClockTime(std::string_view text) {
  NdjsonEventReader reader;
  std::optional<Timestamp> first;
  std::size_t end = 0;
  // Only the first few thousand bytes are needed to find one valid line.
  while (!first && end < text.size()) {
    std::size_t next = text.find('\n', end);
    if (next == std::string_view::npos) next = text.size();
    reader.Parse(
        text.substr(end, next - end),
        [&](const ScanEventView& event) { first = event.received.value_or(event.time); },
        [](const EventError&) {});
    end = next + 1;
  }
  return first;
}

// An EPCIS 2.0 document as the NDJSON log of the scans it gives, in document order, or
// std::nullopt for text that is not an EPCIS document. Scans that the document declares in error
// are left out, so replay assesses each history as the engine does once the declaration has
// arrived. Invalid events are listed in `diagnostics` and counted in `rejected`.
std::optional<std::string> EpcisAsNdjson(std::string_view text, const Config& config,
                                         const std::string& path, std::ostream& diagnostics,
                                         std::int64_t& rejected) {
  std::size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos || (text[first] != '{' && text[first] != '[')) {
    return std::nullopt;
  }
  epcis::DocumentLimits limits;
  limits.max_events = std::numeric_limits<std::size_t>::max();
  limits.max_field_bytes = config.ingest.max_field_bytes;
  auto document = epcis::ParseDocument(text, limits);
  if (!document.ok()) return std::nullopt;

  for (const epcis::EventError& error : document->errors) {
    diagnostics << path << ": event " << error.index << ": " << error.field << ": " << error.message
                << "\n";
  }
  rejected += static_cast<std::int64_t>(document->errors.size());
  epcis::Mapped mapped;
  for (const epcis::Event& event : document->events) {
    epcis::MapEvent(event, config.epcis.mapping, Timestamp{}, mapped);
  }
  std::set<std::string> withdrawn;
  for (const EventWithdrawal& withdrawal : mapped.withdrawals)
    withdrawn.insert(withdrawal.event_id);

  std::string log;
  for (const ScanEvent& scan : mapped.scans) {
    if (withdrawn.contains(scan.event_id)) continue;
    boost::json::object line{{"event_id", scan.event_id},
                             {"parcel_id", scan.parcel_id},
                             {"type", ScanTypeName(scan.type)},
                             {"time", FormatRfc3339(scan.time)},
                             {"node", scan.node},
                             {"detail", scan.detail}};
    if (scan.node_type != NodeType::kUnknown) line["node_type"] = NodeTypeName(scan.node_type);
    if (scan.weight_g) line["weight_g"] = *scan.weight_g;
    log += boost::json::serialize(line);
    log += "\n";
  }
  return log;
}

}  // namespace

Result<ReplaySummary> RunReplay(const Config& config, const ReplayOptions& options,
                                std::ostream& report, std::ostream& diagnostics) {
  auto events_text = ReadFile(options.events_path);
  if (!events_text.ok()) return events_text.error();
  ReplaySummary summary;
  if (auto converted = EpcisAsNdjson(*events_text, config, options.events_path, diagnostics,
                                     summary.events_rejected)) {
    *events_text = std::move(*converted);
  }

  SqliteStoreOptions store_options;
  store_options.durability = SqliteStoreOptions::Durability::kNormal;
  auto store = SqliteStore::Open(":memory:", store_options);
  if (!store.ok()) return store.error();

  // Every connector a policy names is modelled by a platform that confirms at once.
  std::map<std::string, std::unique_ptr<ImmediatePlatform>> platforms;
  std::map<std::string, LockConnector*> connectors;
  for (const auto& [name, connector_config] : config.connectors) {
    platforms[name] = std::make_unique<ImmediatePlatform>(name);
    connectors[name] = platforms[name].get();
  }

  std::optional<Timestamp> first = FirstClockTime(*events_text);
  ManualClock clock(first.value_or(Timestamp{}));
  summary.clock_start = clock.Now();
  // Replay's outbox runs only between events, which can be days after an order was created, and
  // its platforms confirm at once. Expiry would then drop orders that a live server sends within
  // seconds, so replayed orders never expire.
  Config replay_config = config;
  replay_config.outbox.order_expiry = std::chrono::hours(24 * 365 * 100);
  GuardService service(replay_config, **store, clock, connectors);
  ReportCollector collector;
  service.SetParcelListener(
      [&collector](const TrackedParcel& parcel, Timestamp at) { collector.Observe(parcel, at); });

  for (const std::string& path : options.manifest_paths) {
    auto text = ReadFile(path);
    if (!text.ok()) return text.error();
    // Replay reports on files as they are, so a wrongly exported one is imported as far as it
    // goes, as a forced upload would be.
    auto imported = service.ImportManifest(*text, "", ExportCheck::kForce);
    if (!imported.ok()) return imported.error();
    for (const RowError& error : imported->errors) {
      diagnostics << path << ":" << error.line << ": " << error.column << ": " << error.message
                  << "\n";
    }
    summary.manifest_rows_rejected += static_cast<std::int64_t>(imported->errors.size());
  }

  // Events are stored in batches, but a phone parcel's second event in a batch, or a deadline
  // that the feed's watermark has reached, closes the batch first: every event is then assessed
  // as a server receiving the log live would have done.
  EventArena arena;
  std::vector<Timestamp> clock_times;
  std::unordered_set<std::size_t> batch_parcels;  // Hashes of the phone parcels in the batch.
  Status failure;
  auto flush = [&] {
    if (arena.size() == 0 || !failure.ok()) return;
    auto stored = service.IngestViews(arena.Views(), clock.Now(), clock_times);
    if (!stored.ok()) failure = stored.error();
    arena.Clear();
    clock_times.clear();
    batch_parcels.clear();
    service.RunOutboxOnce(clock.Now());
  };
  auto run_due_deadlines = [&] {
    std::optional<Timestamp> deadline = service.NextDeadline();
    std::optional<Timestamp> watermark = service.Watermark();
    if (!deadline || !watermark || *deadline > *watermark) return;
    flush();
    if (Status s = service.RunDeadlines(clock.Now()); !s.ok()) failure = s;
    service.RunOutboxOnce(clock.Now());
  };
  // Fires the deadlines that a quiet feed's watermark reaches before clock time `t`, each at the
  // clock time the server's ticker would have fired it.
  auto run_idle_deadlines_before = [&](Timestamp t) {
    for (std::optional<Timestamp> deadline = service.NextDeadline(); deadline && failure.ok();
         deadline = service.NextDeadline()) {
      std::optional<Timestamp> due_at = service.ClockTimeReaching(*deadline);
      if (!due_at || *due_at >= t) return;
      flush();
      clock.AdvanceTo(std::max(*due_at, clock.Now()));
      if (Status s = service.RunDeadlines(clock.Now()); !s.ok()) failure = s;
      service.RunOutboxOnce(clock.Now());
    }
  };

  NdjsonEventReader reader;
  reader.Parse(
      *events_text,
      [&](const ScanEventView& event) {
        ++summary.events_read;
        Timestamp t = std::max(event.received.value_or(event.time), clock.Now());
        run_idle_deadlines_before(t);
        clock.AdvanceTo(t);
        // Every manifest is imported before the log, and replay never evicts a parcel, so an
        // event of an untracked parcel can never join a history. The server keeps such an event
        // as pending for a late manifest, but replay drops it unstored; its time still moves the
        // feed's watermark, as it does in the server.
        if (!service.Tracks(event.parcel_id)) {
          ++summary.events_without_phone;
          service.ObserveFeed(event.time, t);
          run_due_deadlines();
          return;
        }
        std::size_t hash = std::hash<std::string_view>{}(event.parcel_id);
        // A hash collision only closes a batch early.
        if (!batch_parcels.insert(hash).second) flush();
        batch_parcels.insert(hash);
        arena.Add(event);
        clock_times.push_back(t);
        service.ObserveFeed(event.time, t);
        if (static_cast<int>(arena.size()) >= options.batch_events) flush();
        run_due_deadlines();
      },
      [&](const EventError& error) {
        ++summary.events_read;
        ++summary.events_rejected;
        diagnostics << options.events_path << ":" << error.line << ": " << error.field << ": "
                    << error.message << "\n";
      });
  flush();

  // The log has ended, so the feed is complete: as the clock runs on to `until`, each deadline
  // fires at its own time.
  Timestamp until = options.until.value_or(clock.Now());
  if (until < clock.Now()) until = clock.Now();
  for (std::optional<Timestamp> deadline = service.NextDeadline();
       deadline && *deadline <= until && failure.ok(); deadline = service.NextDeadline()) {
    clock.AdvanceTo(std::max(*deadline, clock.Now()));
    service.CloseFeed(clock.Now());
    if (Status s = service.RunDeadlines(clock.Now()); !s.ok()) failure = s;
    service.RunOutboxOnce(clock.Now());
  }
  clock.AdvanceTo(until);
  service.CloseFeed(until);
  if (!failure.ok()) return failure.error();

  summary.clock_end = until;
  collector.Write(report, until);
  summary.devices = collector.devices();
  summary.devices_locked = collector.devices_locked();
  return summary;
}

}  // namespace imeiguard
