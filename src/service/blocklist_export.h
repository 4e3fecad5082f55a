// Blocklists built from the store: the full files of a blocklist feed, and the export for the
// global IMEI blocklist (`imeiguard export blocklist`).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include "core/error.h"
#include "core/time.h"
#include "locking/blocklist_feed.h"
#include "store/store.h"

namespace imeiguard {

// The rows of the IMEIs that `connector` blocks now, by the store: one per IMEI, dual-SIM phones
// with two.
Result<std::vector<BlocklistRow>> LoadBlockedRows(Store& store, std::string_view connector);

// Publishes a full file of `feed` from the store (BlocklistFeed::PublishFull). The feed's name is
// the connector's.
Result<BlocklistFileInfo> PublishFullFromStore(Store& store, BlocklistFeed& feed, Timestamp now,
                                               bool force);

enum class BlocklistExportFormat {
  // imei,status,reason,reported_at,changed_at,sequence: status "blocked" or "unblocked", times in
  // RFC 3339 UTC, sequence the change's number to pass as --since next time.
  kGlobal,
  // The DIRBS stolen list: imei,reporting_date,status, and with --since the DIRBS delta
  // imei,reporting_date,status,change_type with one net change per IMEI.
  kDirbs,
};

struct BlocklistExportOptions {
  BlocklistExportFormat format = BlocklistExportFormat::kGlobal;
  std::string connector;  // Only this connector's orders; every connector when empty.
  // Changes after this sequence; std::nullopt exports every IMEI blocked now.
  std::optional<std::int64_t> since;
};

struct BlocklistExportSummary {
  std::int64_t rows = 0;
  std::int64_t last_sequence = 0;  // The sequence the export is complete up to.
};

// Writes the export to `out`. Reads every acknowledged change up to now in pages, so that the
// blocked set and last_sequence are consistent with each other.
Result<BlocklistExportSummary> WriteBlocklistExport(Store& store,
                                                    const BlocklistExportOptions& options,
                                                    std::ostream& out);

// Publishes each feed's open delta every `delta_every`, and a full file every `full_every`, on a
// background thread. A full file that PublishFull rejects (for example one that shrank) is logged
// as an ALERT and tried again after `full_every`.
class BlocklistPublisher {
 public:
  struct Schedule {
    Duration delta_every = std::chrono::seconds(60);
    Duration full_every = std::chrono::hours(24);
  };
  // `store`, `clock` and the feeds are owned by the caller and outlive the publisher.
  BlocklistPublisher(Store& store, const Clock& clock);
  ~BlocklistPublisher();

  void Add(BlocklistFeed& feed, Schedule schedule);
  // Runs one round at `now`: what the thread does every second.
  void RunOnce(Timestamp now);
  void Start();
  void Stop();

 private:
  struct Entry {
    BlocklistFeed* feed;
    Schedule schedule;
    std::optional<Timestamp> last_delta;
    std::optional<Timestamp> next_full;  // Unset until read from the folder.
  };

  Store& store_;
  const Clock& clock_;
  std::vector<Entry> entries_;  // Set before Start; used by the thread only after.
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;  // Guarded by mutex_.
  std::thread thread_;
};

}  // namespace imeiguard
