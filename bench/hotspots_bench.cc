// hotspots_bench: how long hotspot analysis takes on a simulated week.
//
// Simulates a week of parcels (imeiguard simulate's defaults: 200,000 parcels, 20,000 of them
// with phones) and stores the phone parcels and their scans in a SQLite file in a temporary folder.
// The stolen parcels are marked lost from the simulation's own labels, so that the engine's
// verdicts play no part. It then times Store::TallyLosses with RankHotspots for each dimension
// over the whole week, and prints the rows, the losses and the median and slowest of the runs.
//
// Usage: hotspots_bench [--seed N] [--parcels N] [--phone-parcels N] [--runs N] [--dir DIR]
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <sstream>
#include <unordered_set>

#include "detection/hotspots.h"
#include "events/ndjson.h"
#include "registry/manifest.h"
#include "simulation/flow.h"
#include "simulation/writers.h"
#include "store/sqlite_store.h"

namespace imeiguard::bench {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr std::size_t kEventsPerAppend = 20000;

double Millis(Clock::duration duration) {
  return std::chrono::duration<double, std::milli>(duration).count();
}

// Stores the manifest and the scans of its parcels. The scans of parcels without phones are
// dropped, as the server drops them.
bool LoadFlow(const simulation::SimulatedFlow& flow, const simulation::Network& network,
              SqliteStore& store) {
  std::ostringstream manifest_text;
  simulation::WriteManifestCsv(flow, network, manifest_text);
  ManifestBatch manifest = ParseManifestCsv(manifest_text.str(), ManifestOptions{});
  Timestamp now = FromMillis(flow.end * 1000);
  if (!store.ImportManifest(manifest.parcels, now).ok()) return false;

  std::unordered_set<std::string> phone_parcels;
  for (const ManifestParcel& parcel : manifest.parcels) {
    phone_parcels.insert(parcel.parcel.parcel_id);
  }
  std::ostringstream events_text;
  simulation::WriteEventsNdjson(flow, network, events_text);
  std::vector<ScanEvent> events;
  NdjsonEventReader reader;
  reader.Parse(
      events_text.str(),
      [&](const ScanEventView& view) {
        if (!phone_parcels.contains(std::string(view.parcel_id))) return;
        events.push_back(ScanEvent::FromView(view, now));
      },
      [](const EventError&) {});
  std::printf("stored %zu phone parcels and %zu of their scans\n", manifest.parcels.size(),
              events.size());

  for (std::size_t first = 0; first < events.size(); first += kEventsPerAppend) {
    std::vector<ScanEventView> views;
    for (std::size_t i = first; i < std::min(events.size(), first + kEventsPerAppend); ++i) {
      const ScanEvent& e = events[i];
      views.push_back(ScanEventView{e.event_id, e.parcel_id, e.type, e.time, e.received, e.node,
                                    e.node_type, e.handler, e.weight_g, e.next_node, e.detail});
    }
    if (!store.AppendEvents(views, now, now).ok()) return false;
  }
  return true;
}

// Gives every stolen phone parcel a lost verdict.
bool MarkStolenLost(const simulation::SimulatedFlow& flow, SqliteStore& store) {
  int lost = 0;
  for (const simulation::SimulatedParcel& parcel : flow.parcels) {
    if (parcel.device_count == 0 || parcel.outcome != simulation::Outcome::kStolen) continue;
    AssessmentChange change;
    change.parcel_id = parcel.parcel_id;
    change.assessment.verdict = Verdict::kLost;
    change.assessment.since = FromMillis(parcel.theft_time * 1000);
    change.at = change.assessment.since;
    if (!store.SaveAssessment(change).ok()) return false;
    ++lost;
  }
  std::printf("marked %d stolen phone parcels lost\n", lost);
  return true;
}

void TimeDimension(SqliteStore& store, HotspotDimension dimension, Timestamp from, Timestamp to,
                   int runs) {
  std::vector<double> millis;
  std::size_t rows = 0;
  std::int64_t losses = 0;
  double best_p = 1;
  for (int run = 0; run < runs; ++run) {
    Clock::time_point start = Clock::now();
    auto tallies = store.TallyLosses(dimension, from, to, ShiftSchedule{});
    if (!tallies.ok()) {
      std::fprintf(stderr, "hotspots_bench: %s\n", tallies.error().message.c_str());
      return;
    }
    std::vector<Hotspot> ranked = RankHotspots(dimension, *tallies, ShiftSchedule{});
    millis.push_back(Millis(Clock::now() - start));
    rows = ranked.size();
    losses = tallies->losses;
    best_p = ranked.empty() ? 1 : ranked.front().p_value;
  }
  std::sort(millis.begin(), millis.end());
  std::printf("%-9s %7zu rows %5lld losses  top p %.2e  median %8.1f ms  max %8.1f ms\n",
              std::string(HotspotDimensionName(dimension)).c_str(), rows,
              static_cast<long long>(losses), best_p, millis[millis.size() / 2], millis.back());
}

int Run(int argc, char** argv) {
  simulation::SimulationOptions options;
  int runs = 5;
  std::string dir =
      (fs::temp_directory_path() / ("hotspots-bench-" + std::to_string(::getpid()))).string();
  CLI::App app{"Times hotspot analysis on a simulated week"};
  app.add_option("--seed", options.seed, "Random seed of the simulated week");
  app.add_option("--parcels", options.parcels, "Parcels in all, with and without phones");
  app.add_option("--phone-parcels", options.phone_parcels, "Parcels that carry phones");
  app.add_option("--runs", runs, "Timed runs per dimension")->check(CLI::Range(1, 1000));
  app.add_option("--dir", dir, "Folder for the SQLite file, removed at the end");
  CLI11_PARSE(app, argc, argv);

  const simulation::Network network;
  auto flow = simulation::Simulate(options, network);
  if (!flow.ok()) {
    std::fprintf(stderr, "hotspots_bench: %s\n", flow.error().message.c_str());
    return 2;
  }
  fs::create_directories(dir);
  int status = 1;
  {
    auto store = SqliteStore::Open((fs::path(dir) / "store.db").string());
    if (store.ok() && LoadFlow(*flow, network, **store) && MarkStolenLost(*flow, **store)) {
      Timestamp from = FromMillis(flow->options.start * 1000);
      Timestamp to = FromMillis(flow->end * 1000);
      for (HotspotDimension dimension : {HotspotDimension::kTerminal, HotspotDimension::kRoute,
                                         HotspotDimension::kShift, HotspotDimension::kHandler}) {
        TimeDimension(**store, dimension, from, to, runs);
      }
      status = 0;
    } else {
      std::fprintf(stderr, "hotspots_bench: loading the week into %s failed\n", dir.c_str());
    }
  }
  fs::remove_all(dir);
  return status;
}

}  // namespace
}  // namespace imeiguard::bench

int main(int argc, char** argv) { return imeiguard::bench::Run(argc, argv); }
