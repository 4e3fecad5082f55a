// `imeiguard score`: scores a replay report against a simulated flow's labels.
#pragma once

#include <ostream>
#include <string>

namespace imeiguard {

struct ScoreCommandOptions {
  std::string labels_path;
  std::string report_path;
  std::string policy = "on-loss";  // "on-loss" or "transit-hold"
  std::string format = "table";    // "table", "csv" or "json"
  // The flow's end (RFC 3339), as given to replay's --until; empty: no window figures.
  std::string until;
  int window_hours = 96;  // How long a theft's detection may take, for the window figures.
};

// Reads both files, scores the report and writes the scorecard on `out`. Returns the process exit
// code: 0 on success, 2 when an option or a file is invalid (with the reason on `err`).
int RunScore(const ScoreCommandOptions& options, std::ostream& out, std::ostream& err);

}  // namespace imeiguard
