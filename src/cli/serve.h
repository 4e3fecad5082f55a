// `imeiguard serve`: every role in one process on the embedded store.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "core/error.h"
#include "service/config.h"
#include "store/sqlite_store.h"

namespace imeiguard {

struct ServeOptions {
  std::string config_path;
  std::string store_path;
  std::string listen;
  std::optional<std::uint16_t> port;
  std::string port_file;
};

// Opens (creating its folder if needed) the SQLite store at `path`.
Result<std::unique_ptr<SqliteStore>> OpenStore(const std::string& path);

// Runs until SIGINT or SIGTERM; returns the process exit code.
int RunServe(const ServeOptions& options);

}  // namespace imeiguard
