// Replay: runs manifests and an event log through the server's engine with a clock that follows
// the log, and writes one report row per device.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/time.h"
#include "service/config.h"

namespace imeiguard {

struct ReplayOptions {
  std::vector<std::string> manifest_paths;
  std::string events_path;
  std::optional<Timestamp> until;  // Default: the latest clock time in the log.
  int batch_events = 4096;         // Events stored per transaction.
};

struct ReplaySummary {
  std::int64_t events_read = 0;
  std::int64_t events_rejected = 0;
  std::int64_t events_without_phone = 0;  // Events of parcels no manifest names: dropped.
  std::int64_t manifest_rows_rejected = 0;
  std::int64_t devices = 0;
  std::int64_t devices_locked = 0;  // Devices that had at least one lock order.
  Timestamp clock_start;
  Timestamp clock_end;
};

// Replays as FORMATS.md's replay report describes and writes the report CSV to `report`.
// Platforms are modelled as acknowledging every order at the moment it is issued, so lock times
// measure the engine, not a network. Bad manifest rows and bad event lines are counted and listed
// on `diagnostics`, and do not stop the replay; a file that cannot be read does (kInvalidInput).
Result<ReplaySummary> RunReplay(const Config& config, const ReplayOptions& options,
                                std::ostream& report, std::ostream& diagnostics);

}  // namespace imeiguard
