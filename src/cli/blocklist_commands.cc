#include "cli/blocklist_commands.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "cli/admin_commands.h"
#include "cli/connectors.h"
#include "locking/blocklist_feed.h"

namespace imeiguard {
namespace {

int Fail(const Error& error, std::ostream& error_out) {
  error_out << "imeiguard: " << error.message << "\n";
  if (error.reason == "full_file_shrank") return kExitFullFileShrank;
  return error.kind == ErrorKind::kInvalidInput ? 2 : 1;
}

std::string_view KindName(BlocklistFileKind kind) {
  return kind == BlocklistFileKind::kFull ? "full" : "delta";
}

void PrintFile(const BlocklistFileInfo& file, std::ostream& out) {
  out << file.sequence << " " << KindName(file.kind) << " " << file.sha256 << " " << file.path
      << "\n";
}

// The configuration and the connector's feed options, or the error naming what is wrong.
Result<std::pair<Config, BlocklistFeedOptions>> LoadFeed(const BlocklistCommandOptions& options) {
  auto config = options.config_path.empty() ? Result<Config>(DefaultConfig())
                                            : LoadConfig(options.config_path);
  if (!config.ok()) return config.error();
  if (!options.store_path.empty()) config->store_path = options.store_path;
  auto connector = config->connectors.find(options.connector);
  if (connector == config->connectors.end() || connector->second.kind != "blocklist_file") {
    std::string feeds;
    for (const auto& [name, entry] : config->connectors) {
      if (entry.kind == "blocklist_file") feeds += (feeds.empty() ? "" : ", ") + name;
    }
    return Error::InvalidInput("connector", "the configuration has no connector '" +
                                                options.connector +
                                                "' of kind \"blocklist_file\"; it has " +
                                                (feeds.empty() ? std::string("none") : feeds));
  }
  BlocklistFeedOptions feed = FeedOptionsOf(connector->second);
  return std::pair(std::move(*config), std::move(feed));
}

}  // namespace

int RunBlocklistPublish(const BlocklistCommandOptions& options, bool full, bool force,
                        std::ostream& out, std::ostream& error_out) {
  auto loaded = LoadFeed(options);
  if (!loaded.ok()) return Fail(loaded.error(), error_out);
  BlocklistFeed feed(loaded->second);
  Timestamp now = SystemClock().Now();
  if (!full) {
    auto delta = feed.PublishDelta(now);
    if (!delta.ok()) return Fail(delta.error(), error_out);
    if (delta->has_value()) {
      PrintFile(**delta, out);
    } else {
      error_out << "the open delta of " << options.connector << " has no rows; nothing published\n";
    }
    return 0;
  }
  auto store = OpenExistingStore(loaded->first.store_path);
  if (!store.ok()) return Fail(store.error(), error_out);
  auto published = PublishFullFromStore(**store, feed, now, force);
  if (!published.ok()) return Fail(published.error(), error_out);
  PrintFile(*published, out);
  return 0;
}

int RunBlocklistList(const BlocklistCommandOptions& options, std::int64_t since, std::ostream& out,
                     std::ostream& error_out) {
  auto loaded = LoadFeed(options);
  if (!loaded.ok()) return Fail(loaded.error(), error_out);
  auto files = BlocklistFeed(loaded->second).List(since);
  if (!files.ok()) return Fail(files.error(), error_out);
  for (const BlocklistFileInfo& file : *files) PrintFile(file, out);
  return 0;
}

int RunBlocklistFetch(const BlocklistCommandOptions& options, std::int64_t since, std::ostream& out,
                      std::ostream& error_out) {
  auto loaded = LoadFeed(options);
  if (!loaded.ok()) return Fail(loaded.error(), error_out);
  BlocklistFeed feed(loaded->second);
  auto files = feed.List(since);
  if (!files.ok()) return Fail(files.error(), error_out);
  std::string rows;
  for (const BlocklistFileInfo& file : *files) {
    if (file.kind != BlocklistFileKind::kDelta) continue;
    auto text = feed.ReadVerified(file);
    if (!text.ok()) return Fail(text.error(), error_out);
    auto parsed = ParseBlocklistFile(*text, file.path);
    if (!parsed.ok()) return Fail(parsed.error(), error_out);
    for (const BlocklistRow& row : parsed->rows) rows += FormatDeltaRow(row);
  }
  out << kBlocklistDeltaHeader << "\n" << rows;
  return 0;
}

int RunExportBlocklist(const std::string& store_path, const BlocklistExportOptions& options,
                       const std::string& out_path, std::ostream& out, std::ostream& error_out) {
  auto store = OpenExistingStore(store_path);
  if (!store.ok()) return Fail(store.error(), error_out);
  std::string temporary = out_path + ".tmp";
  std::ofstream file(temporary, std::ios::binary | std::ios::trunc);
  if (!file) {
    return Fail(Error::InvalidInput("out", "cannot write export file " + temporary), error_out);
  }
  auto summary = WriteBlocklistExport(**store, options, file);
  file.close();
  if (!summary.ok() || !file) {
    std::filesystem::remove(temporary);
    return Fail(summary.ok() ? Error::Unavailable("out", "writing " + temporary + " failed")
                             : summary.error(),
                error_out);
  }
  // Sync before the rename, so that the file under its final name is never half written.
  if (std::FILE* synced = std::fopen(temporary.c_str(), "rb")) {
    ::fsync(::fileno(synced));
    std::fclose(synced);
  }
  std::error_code error;
  std::filesystem::rename(temporary, out_path, error);
  if (error) {
    return Fail(Error::Unavailable("out", "renaming " + temporary + " to " + out_path +
                                              " failed: " + error.message()),
                error_out);
  }
  out << "exported " << summary->rows << " rows up to sequence " << summary->last_sequence << " to "
      << out_path << "\n";
  return 0;
}

}  // namespace imeiguard
