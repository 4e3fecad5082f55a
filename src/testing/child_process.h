// Test support: runs a program of the project (the server, the simulator) as a real child process.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace imeiguard::testing {

class ChildProcess {
 public:
  // Starts `argv[0]` with the arguments that follow, stdout and stderr appended to `log_path`.
  // Returns std::nullopt when the program cannot be started.
  static std::optional<ChildProcess> Start(const std::vector<std::string>& argv,
                                           const std::string& log_path);

  ChildProcess(ChildProcess&& other) noexcept : pid_(other.pid_) { other.pid_ = -1; }
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess();  // Kills with SIGKILL and reaps, if still running.

  // Sends `signal` and waits for the process to end; returns its wait status.
  int Stop(int signal);
  bool Running();
  pid_t pid() const { return pid_; }

 private:
  explicit ChildProcess(pid_t pid) : pid_(pid) {}
  pid_t pid_ = -1;
};

// Waits until `path` holds a port number (as written by --port-file) and returns it, or
// std::nullopt after `timeout`.
std::optional<std::uint16_t> WaitForPortFile(const std::string& path,
                                             std::chrono::milliseconds timeout);

}  // namespace imeiguard::testing
