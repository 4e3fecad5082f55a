// `imeiguard blocklist publish|list|fetch` on a connector of kind "blocklist_file", and
// `imeiguard export blocklist`. Each returns the process's exit code, writes its result to `out`
// and its errors to `error_out`. Exit codes: 0 success, 1 the store or the folder failed, 2
// invalid arguments or configuration, 4 a full file was not published because it shrank.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

#include "service/blocklist_export.h"

namespace imeiguard {

inline constexpr int kExitFullFileShrank = 4;

struct BlocklistCommandOptions {
  std::string config_path;  // Empty: the default configuration.
  std::string store_path;   // Overrides the configuration's store.
  std::string connector;    // A [connectors.NAME] of kind "blocklist_file".
};

// Publishes the open delta of the connector's feed, or with `full` a full file built from the
// store (refused, with exit code kExitFullFileShrank, when it shrank and `force` is false).
// Prints "<sequence> <kind> <sha256> <path>" of each published file.
int RunBlocklistPublish(const BlocklistCommandOptions& options, bool full, bool force,
                        std::ostream& out, std::ostream& error_out);

// Prints "<sequence> <kind> <sha256> <path>" of every published file after `since`.
int RunBlocklistList(const BlocklistCommandOptions& options, std::int64_t since, std::ostream& out,
                     std::ostream& error_out);

// Prints the rows of every delta after `since` under one delta header, after checking each file
// against its .sha256. Fails without printing rows when a checksum does not match.
int RunBlocklistFetch(const BlocklistCommandOptions& options, std::int64_t since, std::ostream& out,
                      std::ostream& error_out);

// Writes the export (BlocklistExportOptions) of the store at `store_path` to `out_path`, through
// a temporary file that is synced and renamed, and prints the row count and the last sequence.
int RunExportBlocklist(const std::string& store_path, const BlocklistExportOptions& options,
                       const std::string& out_path, std::ostream& out, std::ostream& error_out);

}  // namespace imeiguard
