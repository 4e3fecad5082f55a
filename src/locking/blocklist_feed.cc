#include "locking/blocklist_feed.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>

namespace imeiguard {
namespace {

namespace fs = std::filesystem;

Error IoError(std::string_view what, const std::string& path, int error_number) {
  return Error::Unavailable(
      "blocklist_io", std::string(what) + " " + path + " failed: " + std::strerror(error_number));
}

// A file descriptor closed on scope exit.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

Status WriteAll(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t written = ::write(fd, data.data(), data.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      return IoError("writing", path, errno);
    }
    data.remove_prefix(static_cast<std::size_t>(written));
  }
  return Status::Ok();
}

Status SyncPath(const std::string& path, int flags) {
  FileDescriptor fd(::open(path.c_str(), flags | O_CLOEXEC));
  if (fd.get() < 0) return IoError("opening", path, errno);
  if (::fsync(fd.get()) != 0) return IoError("syncing", path, errno);
  return Status::Ok();
}

// Writes `content` to `path` (replacing it) and syncs the file.
Status WriteSynced(const std::string& path, std::string_view content) {
  FileDescriptor fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (fd.get() < 0) return IoError("creating", path, errno);
  if (Status s = WriteAll(fd.get(), content, path); !s.ok()) return s;
  if (::fsync(fd.get()) != 0) return IoError("syncing", path, errno);
  return Status::Ok();
}

// Renames within one folder and syncs the folder, so that the new name survives a power loss.
Status RenameSynced(const std::string& from, const std::string& to) {
  if (::rename(from.c_str(), to.c_str()) != 0) return IoError("renaming", from, errno);
  return SyncPath(fs::path(to).parent_path().string(), O_RDONLY | O_DIRECTORY);
}

Result<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return IoError("reading", path, errno);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

Result<std::string> Sha256OfFile(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return IoError("reading", path, errno);
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(),
                                                                  EVP_MD_CTX_free);
  EVP_DigestInit_ex(context.get(), EVP_sha256(), nullptr);
  std::vector<char> buffer(1 << 20);
  while (file) {
    file.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    EVP_DigestUpdate(context.get(), buffer.data(), static_cast<std::size_t>(file.gcount()));
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestFinal_ex(context.get(), digest, &length);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) {
    hex.push_back(kHex[digest[i] >> 4]);
    hex.push_back(kHex[digest[i] & 0x0f]);
  }
  return hex;
}

// "20261204T180000Z": sortable, and free of the colons that some file systems reject.
std::string FileTime(Timestamp t) {
  auto seconds = std::chrono::floor<std::chrono::seconds>(t);
  auto days = std::chrono::floor<std::chrono::days>(seconds);
  std::chrono::year_month_day date(days);
  std::chrono::hh_mm_ss time(seconds - days);
  char text[32];
  std::snprintf(text, sizeof text, "%04d%02u%02uT%02d%02d%02dZ", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                static_cast<int>(time.hours().count()), static_cast<int>(time.minutes().count()),
                static_cast<int>(time.seconds().count()));
  return text;
}

std::optional<Timestamp> ParseFileTime(std::string_view text) {
  if (text.size() != 16 || text[8] != 'T' || text[15] != 'Z') return std::nullopt;
  std::string rfc = std::string(text.substr(0, 4)) + "-" + std::string(text.substr(4, 2)) + "-" +
                    std::string(text.substr(6, 2)) + "T" + std::string(text.substr(9, 2)) + ":" +
                    std::string(text.substr(11, 2)) + ":" + std::string(text.substr(13, 2)) + "Z";
  auto parsed = ParseRfc3339(rfc);
  if (!parsed.ok()) return std::nullopt;
  return *parsed;
}

// A published file's name split into its parts.
struct FileName {
  BlocklistFileKind kind;
  std::int64_t sequence;
  Timestamp time;
};

// Parses "NAME-full-000007-20261204T180000Z.csv"; std::nullopt for any other name.
std::optional<FileName> ParseFileName(std::string_view file, std::string_view name) {
  constexpr std::string_view kSuffix = ".csv";
  if (file.size() <= name.size() + kSuffix.size() || file.substr(0, name.size()) != name ||
      file.substr(file.size() - kSuffix.size()) != kSuffix) {
    return std::nullopt;
  }
  std::string_view rest = file.substr(name.size(), file.size() - name.size() - kSuffix.size());
  FileName parsed{};
  if (rest.starts_with("-full-")) {
    parsed.kind = BlocklistFileKind::kFull;
    rest.remove_prefix(6);
  } else if (rest.starts_with("-delta-")) {
    parsed.kind = BlocklistFileKind::kDelta;
    rest.remove_prefix(7);
  } else {
    return std::nullopt;
  }
  std::size_t dash = rest.find('-');
  if (dash == std::string_view::npos || dash == 0) return std::nullopt;
  std::string_view digits = rest.substr(0, dash);
  if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  parsed.sequence = std::stoll(std::string(digits));
  auto time = ParseFileTime(rest.substr(dash + 1));
  if (!time) return std::nullopt;
  parsed.time = *time;
  return parsed;
}

// Holds an exclusive flock on a file until destroyed.
class FolderLock {
 public:
  static Result<std::unique_ptr<FolderLock>> Acquire(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return IoError("opening the lock file", path, errno);
    auto lock = std::unique_ptr<FolderLock>(new FolderLock(fd));
    while (::flock(fd, LOCK_EX) != 0) {
      if (errno != EINTR) return IoError("locking", path, errno);
    }
    return lock;
  }

 private:
  explicit FolderLock(int fd) : fd_(fd) {}
  FileDescriptor fd_;
};

Result<std::vector<BlocklistRow>> ReadRows(const std::string& path) {
  auto text = ReadWholeFile(path);
  if (!text.ok()) return text.error();
  auto parsed = ParseBlocklistFile(*text, path);
  if (!parsed.ok()) return parsed.error();
  return std::move(parsed->rows);
}

// Applies delta rows to a set of blocked IMEIs keyed by their 14-digit core.
void ApplyDelta(const std::vector<BlocklistRow>& rows, std::map<std::string, BlocklistRow>& set) {
  for (const BlocklistRow& row : rows) {
    if (row.action == LockAction::kLock) {
      set[row.imei.Core()] = row;
    } else {
      set.erase(row.imei.Core());
    }
  }
}

}  // namespace

BlocklistFeed::BlocklistFeed(BlocklistFeedOptions options) : options_(std::move(options)) {}

std::string BlocklistFeed::StagingDir() const {
  return (fs::path(options_.directory) / ".staging").string();
}

std::string BlocklistFeed::OpenDeltaPath() const {
  return (fs::path(StagingDir()) / (options_.name + "-delta.open")).string();
}

Status BlocklistFeed::EnsureFolders() const {
  std::error_code error;
  fs::create_directories(StagingDir(), error);
  if (error) {
    return Error::Unavailable("blocklist_io",
                              "creating folder " + StagingDir() + " failed: " + error.message());
  }
  return Status::Ok();
}

Status BlocklistFeed::LoadOpenDelta() {
  std::string path = OpenDeltaPath();
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    if (errno != ENOENT) return IoError("reading", path, errno);
    open_order_ids_.clear();
    open_delta_.reset();
    return Status::Ok();
  }
  OpenDeltaIdentity identity{static_cast<std::uintmax_t>(info.st_ino),
                             static_cast<std::uintmax_t>(info.st_size)};
  if (open_delta_ == identity) return Status::Ok();

  auto text = ReadWholeFile(path);
  if (!text.ok()) return text.error();
  auto parsed = ParseBlocklistFile(*text, path);
  if (!parsed.ok()) {
    // A header cut short by a crash: no row was ever acknowledged, so start the file again.
    if (text->find('\n') != std::string::npos) return parsed.error();
    parsed = ParsedBlocklistFile{};
  }
  if (parsed->complete_bytes < text->size()) {
    // The cut-off row's order was never acknowledged; the outbox sends it again.
    if (::truncate(path.c_str(), static_cast<off_t>(parsed->complete_bytes)) != 0) {
      return IoError("truncating", path, errno);
    }
    identity.size = parsed->complete_bytes;
  }
  open_order_ids_.clear();
  for (const BlocklistRow& row : parsed->rows) open_order_ids_.insert(row.order_id);
  open_delta_ = identity;
  return Status::Ok();
}

Status BlocklistFeed::Append(const LockOrder& order, Timestamp now) {
  std::lock_guard lock(mutex_);
  if (Status s = EnsureFolders(); !s.ok()) return s;
  auto folder_lock = FolderLock::Acquire((fs::path(StagingDir()) / "lock").string());
  if (!folder_lock.ok()) return folder_lock.error();
  if (Status s = LoadOpenDelta(); !s.ok()) return s;
  if (open_order_ids_.contains(order.order_id)) return Status::Ok();

  std::string path = OpenDeltaPath();
  std::string text;
  if (!open_delta_ || open_delta_->size == 0) text = std::string(kBlocklistDeltaHeader) + "\n";
  for (const BlocklistRow& row : RowsOfOrder(order, now)) text += FormatDeltaRow(row);

  FileDescriptor fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644));
  if (fd.get() < 0) return IoError("opening", path, errno);
  // Forget the cached identity until the rows are synced, so that after a failure the next call
  // reads and repairs the file.
  open_delta_.reset();
  if (Status s = WriteAll(fd.get(), text, path); !s.ok()) return s;
  if (::fdatasync(fd.get()) != 0) return IoError("syncing", path, errno);
  if (text.starts_with(kBlocklistDeltaHeader)) {
    if (Status s = SyncPath(StagingDir(), O_RDONLY | O_DIRECTORY); !s.ok()) return s;
  }
  struct stat info {};
  if (::fstat(fd.get(), &info) == 0) {
    open_delta_ = OpenDeltaIdentity{static_cast<std::uintmax_t>(info.st_ino),
                                    static_cast<std::uintmax_t>(info.st_size)};
    open_order_ids_.insert(order.order_id);
  }
  return Status::Ok();
}

Result<std::optional<BlocklistFileInfo>> BlocklistFeed::PublishDelta(Timestamp now) {
  std::lock_guard lock(mutex_);
  if (Status s = EnsureFolders(); !s.ok()) return s.error();
  auto folder_lock = FolderLock::Acquire((fs::path(StagingDir()) / "lock").string());
  if (!folder_lock.ok()) return folder_lock.error();
  return PublishDeltaLocked(now);
}

Result<std::optional<BlocklistFileInfo>> BlocklistFeed::PublishDeltaLocked(Timestamp now) {
  if (Status s = LoadOpenDelta(); !s.ok()) return s.error();
  if (!open_delta_ || open_order_ids_.empty()) return std::optional<BlocklistFileInfo>();
  auto published = Publish(OpenDeltaPath(), BlocklistFileKind::kDelta, now);
  open_order_ids_.clear();
  open_delta_.reset();
  if (!published.ok()) return published.error();
  return std::optional<BlocklistFileInfo>(std::move(*published));
}

Status BlocklistFeed::RepairChecksums(const std::vector<BlocklistFileInfo>& files) const {
  for (const BlocklistFileInfo& file : files) {
    if (!file.sha256.empty()) continue;
    auto sha256 = Sha256OfFile(file.path);
    if (!sha256.ok()) return sha256.error();
    std::string name = fs::path(file.path).filename().string();
    std::string staged = (fs::path(StagingDir()) / (name + ".sha256")).string();
    if (Status s = WriteSynced(staged, *sha256 + "  " + name + "\n"); !s.ok()) return s;
    if (Status s = RenameSynced(staged, file.path + ".sha256"); !s.ok()) return s;
  }
  return Status::Ok();
}

Result<BlocklistFileInfo> BlocklistFeed::Publish(const std::string& staged_path,
                                                 BlocklistFileKind kind, Timestamp now) {
  auto existing = List(0);
  if (!existing.ok()) return existing.error();
  if (Status s = RepairChecksums(*existing); !s.ok()) return s.error();
  BlocklistFileInfo info;
  info.sequence = existing->empty() ? 1 : existing->back().sequence + 1;
  info.kind = kind;
  char number[32];
  std::snprintf(number, sizeof number, "%06lld", static_cast<long long>(info.sequence));
  std::string file = options_.name + (kind == BlocklistFileKind::kFull ? "-full-" : "-delta-") +
                     number + "-" + FileTime(now) + ".csv";
  info.path = (fs::path(options_.directory) / file).string();

  auto sha256 = Sha256OfFile(staged_path);
  if (!sha256.ok()) return sha256.error();
  info.sha256 = *sha256;
  std::string staged_checksum = (fs::path(StagingDir()) / (file + ".sha256")).string();
  if (Status s = WriteSynced(staged_checksum, info.sha256 + "  " + file + "\n"); !s.ok()) {
    return s.error();
  }
  if (Status s = RenameSynced(staged_path, info.path); !s.ok()) return s.error();
  if (Status s = RenameSynced(staged_checksum, info.path + ".sha256"); !s.ok()) return s.error();
  return info;
}

Result<BlocklistFileInfo> BlocklistFeed::PublishFull(const std::vector<BlocklistRow>& blocked,
                                                     Timestamp now, bool force) {
  std::lock_guard lock(mutex_);
  if (Status s = EnsureFolders(); !s.ok()) return s.error();
  auto folder_lock = FolderLock::Acquire((fs::path(StagingDir()) / "lock").string());
  if (!folder_lock.ok()) return folder_lock.error();
  if (auto delta = PublishDeltaLocked(now); !delta.ok()) return delta.error();

  // What operators hold: the newest full file with the deltas after it.
  // NOTE: the files and both sets are held in memory whole, a few hundred bytes an IMEI (an
  // estimate), so a blocklist of tens of millions needs gigabytes here.
  auto files = List(0);
  if (!files.ok()) return files.error();
  auto last_full = std::find_if(files->rbegin(), files->rend(), [](const BlocklistFileInfo& f) {
    return f.kind == BlocklistFileKind::kFull;
  });
  std::map<std::string, BlocklistRow> held;
  std::map<std::string, BlocklistRow> next;
  for (const BlocklistRow& row : blocked) next[row.imei.Core()] = row;
  if (last_full != files->rend()) {
    auto rows = ReadRows(last_full->path);
    if (!rows.ok()) return rows.error();
    for (const BlocklistRow& row : *rows) held[row.imei.Core()] = row;
  }
  std::int64_t after = last_full == files->rend() ? 0 : last_full->sequence;
  for (const BlocklistFileInfo& file : *files) {
    if (file.sequence <= after || file.kind != BlocklistFileKind::kDelta) continue;
    auto rows = ReadRows(file.path);
    if (!rows.ok()) return rows.error();
    ApplyDelta(*rows, held);
    ApplyDelta(*rows, next);
  }

  if (last_full != files->rend() && !force &&
      static_cast<double>(next.size()) <
          options_.min_full_ratio * static_cast<double>(held.size())) {
    return Error::Conflict(
        "full_file_shrank",
        options_.name + ": the new full file would list " + std::to_string(next.size()) +
            " IMEIs, but operators hold " + std::to_string(held.size()) +
            " from the full file and deltas since it, which is below min_full_ratio " +
            std::to_string(options_.min_full_ratio) +
            "; it was not published. Check the store, then publish it with --force if it is right");
  }

  std::string staged = (fs::path(StagingDir()) / (options_.name + "-full.tmp")).string();
  std::string text = std::string(kBlocklistFullHeader) + "\n";
  for (const auto& [core, row] : next) text += FormatFullRow(row);
  if (Status s = WriteSynced(staged, text); !s.ok()) return s.error();
  return Publish(staged, BlocklistFileKind::kFull, now);
}

Result<std::vector<BlocklistFileInfo>> BlocklistFeed::List(std::int64_t after_sequence) const {
  std::vector<BlocklistFileInfo> files;
  std::error_code error;
  fs::directory_iterator entries(options_.directory, error);
  if (error) {
    if (error == std::errc::no_such_file_or_directory) return files;
    return Error::Unavailable(
        "blocklist_io", "listing folder " + options_.directory + " failed: " + error.message());
  }
  for (const fs::directory_entry& entry : entries) {
    auto name = ParseFileName(entry.path().filename().string(), options_.name);
    if (!name || name->sequence <= after_sequence) continue;
    BlocklistFileInfo info;
    info.sequence = name->sequence;
    info.kind = name->kind;
    info.path = entry.path().string();
    std::ifstream checksum(info.path + ".sha256");
    checksum >> info.sha256;
    files.push_back(std::move(info));
  }
  std::sort(files.begin(), files.end(),
            [](const auto& a, const auto& b) { return a.sequence < b.sequence; });
  return files;
}

Result<std::string> BlocklistFeed::ReadVerified(const BlocklistFileInfo& file) const {
  auto text = ReadWholeFile(file.path);
  if (!text.ok()) return text.error();
  if (file.sha256.empty()) {
    return Error::Unavailable("blocklist_io", "no checksum file " + file.path + ".sha256");
  }
  auto actual = Sha256OfFile(file.path);
  if (!actual.ok()) return actual.error();
  if (*actual != file.sha256) {
    return Error::Conflict("checksum_mismatch", file.path + " has SHA-256 " + *actual +
                                                    ", but its .sha256 file says " + file.sha256);
  }
  return text;
}

Result<std::optional<Timestamp>> BlocklistFeed::LastFullTime() const {
  auto files = List(0);
  if (!files.ok()) return files.error();
  for (auto file = files->rbegin(); file != files->rend(); ++file) {
    if (file->kind != BlocklistFileKind::kFull) continue;
    auto name = ParseFileName(fs::path(file->path).filename().string(), options_.name);
    if (name) return std::optional<Timestamp>(name->time);
  }
  return std::optional<Timestamp>();
}

}  // namespace imeiguard
