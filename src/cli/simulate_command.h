// `imeiguard simulate`: writes a labelled simulated parcel flow to a folder.
#pragma once

#include <ostream>
#include <string>

#include "simulation/flow.h"

namespace imeiguard {

// Simulates a flow and writes out_dir/manifest.csv, out_dir/events.ndjson and out_dir/labels.csv,
// creating the folder if needed, then prints a summary on `out`. Returns the process exit code:
// 0 on success, 2 for invalid options (with the reason on `err`), 1 when a file cannot be written.
int RunSimulate(const simulation::SimulationOptions& options, const std::string& out_dir,
                std::ostream& out, std::ostream& err);

}  // namespace imeiguard
