#include "state_file.h"

#include <boost/json.hpp>
#include <cerrno>
#include <cstring>

namespace imeiguard::dm_simulator {

Result<std::unique_ptr<StateFile>> StateFile::Open(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "a+");
  if (file == nullptr) {
    return Error::Unavailable("state_file", "cannot open the state file " + path + ": " +
                                                std::strerror(errno) +
                                                "; check the path and its permissions");
  }
  auto state_file = std::unique_ptr<StateFile>(new StateFile(path, file));

  // A crash may have cut the last line short. Ending that line makes the next record start a line
  // of its own, so that only the cut record is lost.
  if (std::fseek(file, -1, SEEK_END) == 0 && std::fgetc(file) != '\n') {
    std::fseek(file, 0, SEEK_END);
    std::fputc('\n', file);
    std::fflush(file);
  }
  return state_file;
}

StateFile::~StateFile() { std::fclose(file_); }

Result<int> StateFile::Read(const std::function<void(const boost::json::object&)>& on_record) {
  std::rewind(file_);
  int unreadable = 0;
  std::string line;
  int c;
  auto flush_line = [&] {
    if (line.empty()) return;
    boost::json::error_code ec;
    boost::json::value value = boost::json::parse(line, ec);
    if (!ec && value.is_object()) {
      on_record(value.get_object());
    } else {
      ++unreadable;
    }
    line.clear();
  };
  while ((c = std::fgetc(file_)) != EOF) {
    if (c == '\n') {
      flush_line();
    } else {
      line.push_back(static_cast<char>(c));
    }
  }
  if (std::ferror(file_)) {
    return Error::Unavailable(
        "state_file", "reading the state file " + path_ + " failed: " + std::strerror(errno));
  }
  flush_line();
  return unreadable;
}

Status StateFile::Append(const boost::json::object& record) {
  std::string line = boost::json::serialize(record);
  line.push_back('\n');
  // In "a+" mode every write goes to the end of the file; the seek only makes the switch from
  // reading to writing valid.
  std::fseek(file_, 0, SEEK_END);
  if (std::fwrite(line.data(), 1, line.size(), file_) != line.size() || std::fflush(file_) != 0) {
    return Error::Unavailable(
        "state_file", "writing to the state file " + path_ + " failed: " + std::strerror(errno));
  }
  return Status::Ok();
}

}  // namespace imeiguard::dm_simulator
