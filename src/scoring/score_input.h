// Readers of the scorer's two inputs: the labels that `imeiguard simulate` writes and the report
// that `imeiguard replay` writes, both CSV with a header row.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/time.h"

namespace imeiguard::scoring {

// The true story of one phone, from the simulator's labels.
struct DeviceLabel {
  std::string imei;
  std::string scenario;
  bool stolen = false;
  std::optional<Timestamp> theft_time;
  std::optional<Timestamp> delivered_time;
  // Clock time at which the log first shows a delivery or return scan of its parcel.
  std::optional<Timestamp> closed_received;
  std::string outcome;  // "delivered", "returned", "stolen" or "in_flow".
};

// One replay report row: the engine's outcome for one phone.
struct ReportRow {
  std::string imei;
  std::string verdict;
  std::string state;  // The device's last lock state.
  std::optional<Timestamp> first_locked_at;
  std::int64_t locked_seconds = 0;
};

// Parses labels CSV. Required columns: imei, scenario, stolen (0 or 1), theft_time,
// delivered_time, closed_received, outcome; others are ignored. Times are RFC 3339 or empty.
// Returns kInvalidInput naming `origin`, the line and the column of the first bad value, and
// rejects an IMEI that appears twice.
Result<std::vector<DeviceLabel>> ParseLabelsCsv(std::string_view text, std::string_view origin);

// Parses a replay report. Required columns: imei, verdict, state, first_locked_at,
// locked_seconds; others are ignored. Errors as for ParseLabelsCsv.
Result<std::vector<ReportRow>> ParseReportCsv(std::string_view text, std::string_view origin);

}  // namespace imeiguard::scoring
