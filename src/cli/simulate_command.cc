#include "cli/simulate_command.h"

#include <array>
#include <filesystem>
#include <fstream>
#include <functional>

#include "simulation/writers.h"

namespace imeiguard {
namespace {

using simulation::SimulatedFlow;

// Writes one file through `write`; returns false with the reason on `err` when it fails.
bool WriteFile(const std::filesystem::path& path, const std::function<void(std::ostream&)>& write,
               std::ostream& err) {
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  if (file) {
    write(file);
    file.close();
  }
  if (!file) {
    err << "imeiguard simulate: failed to write " << path.string() << "\n";
    return false;
  }
  return true;
}

void PrintSummary(const SimulatedFlow& flow, std::ostream& out) {
  std::array<int, simulation::kScenarioCount> phones{};
  int stolen = 0;
  for (const simulation::SimulatedParcel& parcel : flow.parcels) {
    phones[static_cast<int>(parcel.scenario)] += parcel.device_count;
    if (parcel.outcome == simulation::Outcome::kStolen) stolen += parcel.device_count;
  }
  out << "simulated " << flow.parcels.size() << " parcels, " << flow.devices.size() << " phones, "
      << flow.events.size() << " events from "
      << simulation::FormatSeconds(flow.options.start, false) << " to "
      << simulation::FormatSeconds(flow.end, false) << "; " << stolen << " phones stolen\n";
  out << "phones by scenario:";
  for (int s = 0; s < simulation::kScenarioCount; ++s) {
    out << " " << simulation::ScenarioName(static_cast<simulation::Scenario>(s)) << "="
        << phones[s];
  }
  out << "\nreplay to the end of the flow with --until "
      << simulation::FormatSeconds(flow.end, false) << "\n";
}

}  // namespace

int RunSimulate(const simulation::SimulationOptions& options, const std::string& out_dir,
                std::ostream& out, std::ostream& err) {
  const simulation::Network network;
  auto flow = simulation::Simulate(options, network);
  if (!flow.ok()) {
    err << "imeiguard simulate: " << flow.error().message << "\n";
    return 2;
  }

  std::error_code error;
  std::filesystem::create_directories(out_dir, error);
  if (error) {
    err << "imeiguard simulate: failed to create " << out_dir << ": " << error.message() << "\n";
    return 1;
  }
  const std::filesystem::path dir(out_dir);
  const bool written =
      WriteFile(
          dir / "manifest.csv",
          [&](std::ostream& file) { simulation::WriteManifestCsv(*flow, network, file); }, err) &&
      WriteFile(
          dir / "events.ndjson",
          [&](std::ostream& file) { simulation::WriteEventsNdjson(*flow, network, file); }, err) &&
      WriteFile(
          dir / "labels.csv", [&](std::ostream& file) { simulation::WriteLabelsCsv(*flow, file); },
          err);
  if (!written) return 1;
  PrintSummary(*flow, out);
  return 0;
}

}  // namespace imeiguard
