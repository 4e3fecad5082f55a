// imeiguard: one binary for serving, replaying, key management, audit verification and offline
// checks.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli/admin_commands.h"
#include "cli/blocklist_commands.h"
#include "cli/score_command.h"
#include "cli/serve.h"
#include "cli/simulate_command.h"
#include "service/replay.h"
#include "store/sqlite_store.h"

namespace imeiguard {
namespace {

int Fail(const Error& error) {
  std::cerr << "imeiguard: " << error.message << "\n";
  return error.kind == ErrorKind::kInvalidInput ? 2 : 1;
}

Result<Config> ConfigFrom(const std::string& path) {
  if (path.empty()) return DefaultConfig();
  return LoadConfig(path);
}

int RunReplayCommand(const std::string& config_path, ReplayOptions options,
                     const std::string& report_path, const std::string& until) {
  auto config = ConfigFrom(config_path);
  if (!config.ok()) return Fail(config.error());
  if (!until.empty()) {
    auto parsed = ParseRfc3339(until);
    if (!parsed.ok()) return Fail(parsed.error());
    options.until = *parsed;
  }
  std::ofstream report(report_path, std::ios::binary | std::ios::trunc);
  if (!report)
    return Fail(Error::InvalidInput("report", "cannot write report file " + report_path));
  auto summary = RunReplay(*config, options, report, std::cerr);
  if (!summary.ok()) return Fail(summary.error());
  report.close();
  std::cerr << "replayed " << summary->events_read << " events (" << summary->events_rejected
            << " rejected, " << summary->events_without_phone
            << " of parcels no manifest names) from " << FormatRfc3339(summary->clock_start)
            << " to " << FormatRfc3339(summary->clock_end) << "; " << summary->devices
            << " devices, " << summary->devices_locked << " with a lock order; report in "
            << report_path << "\n";
  return 0;
}

int RunCheck(const std::string& text, const std::string& channel_name) {
  ImeiChannel channel = channel_name == "network" ? ImeiChannel::kNetwork : ImeiChannel::kHuman;
  auto imei = Imei::Parse(text, channel);
  if (!imei.ok()) {
    std::cout << "invalid (" << imei.error().reason << "): " << imei.error().message << "\n";
    return 2;
  }
  std::cout << "valid: core " << imei->Core() << ", IMEI " << imei->WithCheckDigit() << "\n";
  return 0;
}

}  // namespace
}  // namespace imeiguard

int main(int argc, char** argv) {
  using namespace imeiguard;
  spdlog::set_default_logger(spdlog::stderr_color_mt("imeiguard"));
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");

  CLI::App app{"imeiguard: locks phones lost from a parcel carrier's network, by IMEI"};
  app.require_subcommand(1);

  ServeOptions serve_options;
  CLI::App* serve = app.add_subcommand("serve", "Run the API, ingest, detection and the outbox");
  serve->add_option("--config", serve_options.config_path, "Configuration file (TOML)");
  serve->add_option("--store", serve_options.store_path, "SQLite database file (overrides config)");
  serve->add_option("--listen", serve_options.listen, "Address to listen on (overrides config)");
  serve->add_option("--port", serve_options.port, "TCP port; 0 picks a free one");
  serve->add_option("--port-file", serve_options.port_file,
                    "Write the bound port to this file once listening");

  ReplayOptions replay_options;
  std::string replay_config, replay_report, replay_until;
  CLI::App* replay =
      app.add_subcommand("replay", "Replay manifests and an event log; write the report CSV");
  replay->add_option("--manifest", replay_options.manifest_paths, "Manifest file (CSV or JSON)")
      ->required();
  replay
      ->add_option("--events", replay_options.events_path,
                   "Event log (NDJSON, or an EPCIS 2.0 JSON-LD document)")
      ->required();
  replay->add_option("--report", replay_report, "Report file to write (CSV)")->required();
  replay->add_option("--config", replay_config, "Configuration file (TOML)");
  replay->add_option("--until", replay_until,
                     "Run the clock on to this RFC 3339 time after the last event");

  simulation::SimulationOptions simulate_options;
  std::string simulate_out;
  CLI::App* simulate = app.add_subcommand(
      "simulate",
      "Simulate a labelled parcel flow: write manifest.csv, events.ndjson and labels.csv");
  simulate->add_option("--seed", simulate_options.seed,
                       "Random seed; the same seed gives the same files");
  simulate->add_option("--days", simulate_options.days,
                       "Days over which parcels are accepted (1 to 60)");
  simulate->add_option("--tail-days", simulate_options.tail_days,
                       "Days the flow runs on with no new parcels (0 to 30, default 4)");
  simulate->add_option("--parcels", simulate_options.parcels,
                       "Parcels in all, with and without phones");
  simulate->add_option("--phone-parcels", simulate_options.phone_parcels,
                       "Parcels that carry phones and are in the manifest");
  simulate->add_option(
      "--theft-rate", simulate_options.theft_rate,
      "Share of phone parcels stolen, split over five kinds of theft (default 0.001)");
  simulate->add_option(
      "--min-thefts", simulate_options.min_thefts_per_scenario,
      "Phones taken by each single-parcel theft and by the insider, at least (default 10)");
  simulate->add_option("--out", simulate_out, "Folder to write the three files to")->required();

  ScoreCommandOptions score_options;
  CLI::App* score = app.add_subcommand(
      "score", "Score a replay report against a simulated flow's labels, per scenario");
  score->add_option("--labels", score_options.labels_path, "Labels CSV written by simulate")
      ->required();
  score->add_option("--report", score_options.report_path, "Report CSV written by replay")
      ->required();
  score->add_option("--policy", score_options.policy,
                    "on-loss (default) or transit-hold: the locking policy the engine ran with");
  score->add_option("--format", score_options.format, "table (default), csv or json");
  score->add_option("--until", score_options.until,
                    "The flow's end, as given to replay: also score the thefts whose detection "
                    "window closed before it");
  score->add_option("--window-hours", score_options.window_hours,
                    "How long a theft's detection may take, for --until (default 96)");

  CLI::App* keys = app.add_subcommand("keys", "Manage API keys");
  keys->require_subcommand(1);
  std::string key_store = "var/imeiguard.db", key_role, key_shipper;
  CLI::App* create = keys->add_subcommand("create", "Create a key and print it once");
  create->add_option("--store", key_store, "SQLite database file");
  create
      ->add_option("--role", key_role,
                   "shipper, carrier, security_officer, police, operator or admin")
      ->required();
  create->add_option("--shipper", key_shipper, "The shipper a shipper key belongs to");
  std::string revoke_key_id;
  CLI::App* revoke =
      keys->add_subcommand("revoke", "Revoke a key, so that the API rejects it from then on");
  revoke->add_option("--store", key_store, "SQLite database file, which must exist");
  revoke->add_option("key_id", revoke_key_id, "The key's id: the part between igk_ and the secret")
      ->required();
  CLI::App* list = keys->add_subcommand(
      "list", "List every key: id, role, shipper, creation time, revoked; never a secret");
  list->add_option("--store", key_store, "SQLite database file, which must exist");

  CLI::App* audit = app.add_subcommand("audit", "Check the audit trail");
  audit->require_subcommand(1);
  std::string audit_store = "var/imeiguard.db", audit_anchor;
  CLI::App* verify = audit->add_subcommand(
      "verify",
      "Verify the audit trail's hash chain; exit 0 when intact, 3 when an entry was edited, "
      "removed or reordered");
  verify->add_option("--store", audit_store, "SQLite database file, opened read-only");
  verify->add_option("--anchor", audit_anchor,
                     "A head printed by an earlier verify, <sequence>:<hash>, to also detect "
                     "entries removed from the end or rewritten up to it");

  std::string check_imei, check_channel = "human";
  CLI::App* check = app.add_subcommand("check", "Validate an IMEI offline and print its core");
  check->add_option("imei", check_imei, "IMEI in any accepted spelling")->required();
  check->add_option("--channel", check_channel, "human (default) or network")
      ->check(CLI::IsMember({"human", "network"}));

  BlocklistCommandOptions feed_options;
  std::int64_t feed_since = 0;
  bool publish_full = false;
  bool publish_force = false;
  CLI::App* blocklist =
      app.add_subcommand("blocklist", "Publish and read the files of a blocklist_file connector");
  blocklist->require_subcommand(1);
  auto add_feed_options = [&feed_options](CLI::App* command) {
    command->add_option("--config", feed_options.config_path, "Configuration file (TOML)");
    command
        ->add_option("--connector", feed_options.connector,
                     "Name of a [connectors.NAME] of kind \"blocklist_file\"")
        ->required();
  };
  CLI::App* publish = blocklist->add_subcommand(
      "publish", "Publish the open delta now, or with --full a full file built from the store");
  add_feed_options(publish);
  publish->add_option("--store", feed_options.store_path,
                      "SQLite database file (overrides config)");
  publish->add_flag("--full", publish_full, "Publish a full file of every blocked IMEI");
  publish->add_flag("--force", publish_force,
                    "Publish the full file even when it lists fewer IMEIs than min_full_ratio of "
                    "what operators hold");
  CLI::App* feed_list = blocklist->add_subcommand(
      "list", "Print sequence, kind, SHA-256 and path of each published file");
  add_feed_options(feed_list);
  feed_list->add_option("--since", feed_since, "Only files with a higher sequence number");
  CLI::App* fetch = blocklist->add_subcommand(
      "fetch", "Print the rows of every delta after --since, checked against their SHA-256");
  add_feed_options(fetch);
  fetch->add_option("--since", feed_since, "Sequence number of the last file already loaded")
      ->required();

  std::string export_store = "var/imeiguard.db", export_format = "global", export_out;
  std::optional<std::int64_t> export_since;
  BlocklistExportOptions export_options;
  CLI::App* export_command = app.add_subcommand("export", "Export data for other systems");
  export_command->require_subcommand(1);
  CLI::App* export_blocklist = export_command->add_subcommand(
      "blocklist", "Export blocked IMEIs for the global blocklist (global) or DIRBS (dirbs)");
  export_blocklist->add_option("--store", export_store, "SQLite database file, which must exist");
  export_blocklist->add_option("--format", export_format, "global (default) or dirbs")
      ->check(CLI::IsMember({"global", "dirbs"}));
  export_blocklist->add_option("--out", export_out, "File to write (CSV)")->required();
  export_blocklist->add_option("--since", export_since,
                               "Only changes after this sequence, as printed by the last export");
  export_blocklist->add_option("--connector", export_options.connector,
                               "Only orders of this connector (default: every connector)");

  CLI11_PARSE(app, argc, argv);

  if (publish->parsed()) {
    return RunBlocklistPublish(feed_options, publish_full, publish_force, std::cout, std::cerr);
  }
  if (feed_list->parsed()) return RunBlocklistList(feed_options, feed_since, std::cout, std::cerr);
  if (fetch->parsed()) return RunBlocklistFetch(feed_options, feed_since, std::cout, std::cerr);
  if (export_blocklist->parsed()) {
    export_options.format =
        export_format == "dirbs" ? BlocklistExportFormat::kDirbs : BlocklistExportFormat::kGlobal;
    export_options.since = export_since;
    return RunExportBlocklist(export_store, export_options, export_out, std::cout, std::cerr);
  }

  if (serve->parsed()) return RunServe(serve_options);
  if (replay->parsed()) {
    return RunReplayCommand(replay_config, replay_options, replay_report, replay_until);
  }
  if (simulate->parsed()) return RunSimulate(simulate_options, simulate_out, std::cout, std::cerr);
  if (score->parsed()) return RunScore(score_options, std::cout, std::cerr);
  if (create->parsed()) {
    return RunKeysCreate(key_store, key_role, key_shipper, std::cout, std::cerr);
  }
  if (revoke->parsed()) return RunKeysRevoke(key_store, revoke_key_id, std::cout, std::cerr);
  if (list->parsed()) return RunKeysList(key_store, std::cout, std::cerr);
  if (verify->parsed()) return RunAuditVerify(audit_store, audit_anchor, std::cout, std::cerr);
  if (check->parsed()) return RunCheck(check_imei, check_channel);
  return 0;
}
