#include "service/blocklist_export.h"

#include <spdlog/spdlog.h>

#include <map>

namespace imeiguard {
namespace {

constexpr int kChangePage = 10000;

// One IMEI's latest change, and the change's sequence.
struct ImeiState {
  BlocklistRow row;
  std::int64_t sequence = 0;
};
using BlockedSet = std::map<std::string, ImeiState>;  // By 14-digit core.

Timestamp ChangedAt(const LockOrder& order) {
  return order.acknowledged_at.value_or(order.created_at);
}

void Apply(const BlocklistChange& change, BlockedSet& blocked) {
  for (const BlocklistRow& row : RowsOfOrder(change.order, ChangedAt(change.order))) {
    if (row.action == LockAction::kLock) {
      blocked[row.imei.Core()] = {row, change.sequence};
    } else {
      blocked.erase(row.imei.Core());
    }
  }
}

std::string GlobalRow(const BlocklistRow& row, std::int64_t sequence) {
  bool lock = row.action == LockAction::kLock;
  return row.imei.WithCheckDigit() + "," + (lock ? "blocked" : "unblocked") + "," +
         CsvField(row.reason) + "," + FormatRfc3339(row.reported_at) + "," +
         FormatRfc3339(row.changed_at) + "," + std::to_string(sequence) + "\n";
}

std::string DirbsRow(const BlocklistRow& row, bool delta) {
  bool lock = row.action == LockAction::kLock;
  std::string line = row.imei.WithCheckDigit() + "," + ReportingDate(row.reported_at) + "," +
                     std::string(lock ? kBlockedStatus : kUnblockedStatus);
  if (delta) line += lock ? ",add" : ",remove";
  return line + "\n";
}

// Writes the net change per IMEI between `before` and `after`, for a DIRBS delta.
std::int64_t WriteDirbsDelta(const BlockedSet& before, const BlockedSet& after, std::ostream& out) {
  std::int64_t rows = 0;
  for (const auto& [core, state] : after) {
    if (before.contains(core)) continue;
    out << DirbsRow(state.row, true);
    ++rows;
  }
  for (const auto& [core, state] : before) {
    if (after.contains(core)) continue;
    BlocklistRow removed = state.row;
    removed.action = LockAction::kUnlock;
    out << DirbsRow(removed, true);
    ++rows;
  }
  return rows;
}

}  // namespace

Result<std::vector<BlocklistRow>> LoadBlockedRows(Store& store, std::string_view connector) {
  auto orders = store.LoadBlockedDevices(connector);
  if (!orders.ok()) return orders.error();
  std::vector<BlocklistRow> rows;
  for (const LockOrder& order : *orders) {
    for (BlocklistRow& row : RowsOfOrder(order, ChangedAt(order))) rows.push_back(std::move(row));
  }
  return rows;
}

Result<BlocklistFileInfo> PublishFullFromStore(Store& store, BlocklistFeed& feed, Timestamp now,
                                               bool force) {
  auto rows = LoadBlockedRows(store, feed.options().name);
  if (!rows.ok()) return rows.error();
  return feed.PublishFull(*rows, now, force);
}

Result<BlocklistExportSummary> WriteBlocklistExport(Store& store,
                                                    const BlocklistExportOptions& options,
                                                    std::ostream& out) {
  bool dirbs = options.format == BlocklistExportFormat::kDirbs;
  bool delta = options.since.has_value();
  if (dirbs) {
    out << (delta ? "imei,reporting_date,status,change_type\n" : "imei,reporting_date,status\n");
  } else {
    out << "imei,status,reason,reported_at,changed_at,sequence\n";
  }

  BlocklistExportSummary summary;
  BlockedSet before;  // The state at options.since, for a DIRBS delta.
  BlockedSet blocked;
  std::int64_t after = 0;
  while (true) {
    auto page = store.ListBlocklistChanges(options.connector, after, kChangePage);
    if (!page.ok()) return page.error();
    for (const BlocklistChange& change : *page) {
      bool in_range = delta && change.sequence > *options.since;
      if (in_range && !dirbs) {
        for (const BlocklistRow& row : RowsOfOrder(change.order, ChangedAt(change.order))) {
          out << GlobalRow(row, change.sequence);
          ++summary.rows;
        }
      }
      if (delta && !in_range) Apply(change, before);
      Apply(change, blocked);
      after = change.sequence;
    }
    if (static_cast<int>(page->size()) < kChangePage) break;
  }
  summary.last_sequence = after;

  if (delta && dirbs) {
    summary.rows = WriteDirbsDelta(before, blocked, out);
  } else if (!delta) {
    for (const auto& [core, state] : blocked) {
      out << (dirbs ? DirbsRow(state.row, false) : GlobalRow(state.row, state.sequence));
      ++summary.rows;
    }
  }
  out.flush();
  if (!out) return Error::Unavailable("export", "writing the blocklist export failed");
  return summary;
}

BlocklistPublisher::BlocklistPublisher(Store& store, const Clock& clock)
    : store_(store), clock_(clock) {}

BlocklistPublisher::~BlocklistPublisher() { Stop(); }

void BlocklistPublisher::Add(BlocklistFeed& feed, Schedule schedule) {
  entries_.push_back({&feed, schedule, std::nullopt, std::nullopt});
}

void BlocklistPublisher::RunOnce(Timestamp now) {
  for (Entry& entry : entries_) {
    const std::string& name = entry.feed->options().name;
    if (!entry.next_full) {
      auto last = entry.feed->LastFullTime();
      if (!last.ok()) {
        spdlog::error("blocklist {}: reading its folder failed: {}", name, last.error().message);
        continue;
      }
      entry.next_full = last->has_value() ? **last + entry.schedule.full_every : now;
    }
    if (now >= *entry.next_full) {
      entry.next_full = now + entry.schedule.full_every;
      auto full = PublishFullFromStore(store_, *entry.feed, now, false);
      if (full.ok()) {
        spdlog::info("blocklist {}: published full file {}", name, full->path);
      } else {
        spdlog::error("ALERT blocklist {}: full file not published: {}", name,
                      full.error().message);
      }
      entry.last_delta = now;
      continue;
    }
    if (!entry.last_delta) entry.last_delta = now;
    if (now - *entry.last_delta < entry.schedule.delta_every) continue;
    entry.last_delta = now;
    auto delta = entry.feed->PublishDelta(now);
    if (!delta.ok()) {
      spdlog::error("blocklist {}: publishing the delta failed: {}", name, delta.error().message);
    } else if (delta->has_value()) {
      spdlog::info("blocklist {}: published delta {}", name, (*delta)->path);
    }
  }
}

void BlocklistPublisher::Start() {
  if (entries_.empty()) return;
  thread_ = std::thread([this] {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      lock.unlock();
      RunOnce(clock_.Now());
      lock.lock();
      wake_.wait_for(lock, std::chrono::seconds(1), [this] { return stopping_; });
    }
  });
}

void BlocklistPublisher::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace imeiguard
