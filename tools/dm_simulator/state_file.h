// The simulator's state as JSON lines, so that a restarted simulator keeps its orders and devices.
#pragma once

#include <boost/json/object.hpp>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>

#include "core/error.h"

namespace imeiguard::dm_simulator {

// An append-only file of records, one JSON object a line; a later record of the same order or
// device replaces the earlier one. Each record is flushed to the operating system when written,
// so it survives the simulator being killed, but not a power loss (there is no fsync).
// Not thread-safe: the platform calls it under its own lock.
class StateFile {
 public:
  // Opens `path` for reading and appending, creating it when absent. Returns kUnavailable with
  // reason "state_file" when it cannot be opened.
  static Result<std::unique_ptr<StateFile>> Open(const std::string& path);
  ~StateFile();
  StateFile(const StateFile&) = delete;
  StateFile& operator=(const StateFile&) = delete;

  // Calls `on_record` for each line that is a JSON object, in file order. Returns the number of
  // other lines (such as a last line cut short by a crash), or kUnavailable on a read error.
  Result<int> Read(const std::function<void(const boost::json::object&)>& on_record);

  // Appends `record` as one line and flushes it. Returns kUnavailable when the write fails.
  Status Append(const boost::json::object& record);

  const std::string& path() const { return path_; }

 private:
  StateFile(std::string path, std::FILE* file) : path_(std::move(path)), file_(file) {}

  const std::string path_;
  std::FILE* const file_;
};

}  // namespace imeiguard::dm_simulator
