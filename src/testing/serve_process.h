// Test support: a fresh store and configuration in a temporary folder, with `imeiguard serve`
// running on it as a child process on 127.0.0.1.
#pragma once

#include <csignal>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "core/error.h"
#include "testing/child_process.h"

namespace imeiguard::testing {

class ServeProcess {
 public:
  // Empties (or creates) `dir` and writes `config_toml` to config.toml in it. `binary` is the
  // imeiguard program.
  ServeProcess(std::string binary, std::filesystem::path dir, std::string_view config_toml);
  ~ServeProcess();  // Kills the server and removes the folder.
  ServeProcess(const ServeProcess&) = delete;
  ServeProcess& operator=(const ServeProcess&) = delete;

  // Runs `imeiguard keys create` on the store and returns the new key. `shipper` is for a shipper
  // key. kUnavailable when the program fails, and its output is then in key.txt in the
  // folder.
  Result<std::string> CreateKey(std::string_view role, std::string_view shipper = {});

  // Starts the server on port 0 and waits up to 20 s for the port it bound. kUnavailable when it
  // does not start; its log is log_path().
  Status Start();
  // Stops the server with `signal` and waits for it to end: SIGTERM for a clean stop, SIGKILL for
  // a crash.
  void Stop(int signal = SIGTERM);

  std::uint16_t port() const { return port_; }
  std::filesystem::path log_path() const { return dir_ / "server.log"; }

 private:
  std::string binary_;
  std::filesystem::path dir_;
  std::unique_ptr<ChildProcess> server_;
  std::uint16_t port_ = 0;
};

}  // namespace imeiguard::testing
