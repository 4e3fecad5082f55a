// The blocklist file feed for operators: a folder of full and delta files (blocklist_file.h) that
// operators fetch and load into their equipment identity registers.
//
// Folder layout, for feed NAME:
//   NAME-full-000007-20261204T180000Z.csv         every IMEI blocked at that time
//   NAME-full-000007-20261204T180000Z.csv.sha256  its SHA-256, as `sha256sum -c` reads it
//   NAME-delta-000008-20261204T180100Z.csv        the changes after file 7, in the order applied
//   .staging/                                     files being written; operators ignore it
//
// The number is the feed's sequence: an operator loads the newest full file, then every delta with
// a higher number in order. Published files are complete: each is written under .staging/, synced,
// and renamed into place, and its .sha256 appears after it. Every operation holds an exclusive
// flock on .staging/lock, so a CLI command and the server can work on one folder.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/time.h"
#include "locking/blocklist_file.h"
#include "locking/lock_state.h"

namespace imeiguard {

struct BlocklistFeedOptions {
  std::string name;       // Connector name; starts every file name.
  std::string directory;  // Created when missing.
  // A full file with fewer rows than this share of what operators hold (the previous full file
  // with the deltas after it) is not published without `force`.
  double min_full_ratio = 0.5;
};

// A published file.
struct BlocklistFileInfo {
  std::int64_t sequence = 0;
  BlocklistFileKind kind = BlocklistFileKind::kDelta;
  std::string path;
  std::string sha256;  // Lower-case hex, from the .sha256 file.
};

// Thread safety: every method may be called from any thread; calls are serialised by a mutex in
// the process and by the folder's flock between processes.
class BlocklistFeed {
 public:
  explicit BlocklistFeed(BlocklistFeedOptions options);

  const BlocklistFeedOptions& options() const { return options_; }

  // Appends the rows of `order` to the open delta and syncs it to disk; returns only after the
  // sync. An order whose id the open delta already has is not appended again, so a repeated
  // Append after a crash writes nothing. kUnavailable when the folder cannot be written.
  Status Append(const LockOrder& order, Timestamp now);

  // Publishes the open delta as the next numbered delta when it has rows. Returns the file, or
  // std::nullopt when there was nothing to publish.
  Result<std::optional<BlocklistFileInfo>> PublishDelta(Timestamp now);

  // Publishes the open delta (when it has rows), then a full file of `blocked` with, on top, every
  // delta row published since the previous full file, so that an order applied but not yet
  // recorded in the store is not dropped. Fails with kConflict "full_file_shrank" and publishes no
  // full file when it would have fewer rows than min_full_ratio of the previous full file with the
  // deltas after it, unless `force`.
  Result<BlocklistFileInfo> PublishFull(const std::vector<BlocklistRow>& blocked, Timestamp now,
                                        bool force);

  // Published files with a sequence greater than `after_sequence`, in sequence order.
  Result<std::vector<BlocklistFileInfo>> List(std::int64_t after_sequence) const;

  // Reads a published file and checks it against its .sha256. kConflict "checksum_mismatch" when
  // they differ, kUnavailable when either cannot be read.
  Result<std::string> ReadVerified(const BlocklistFileInfo& file) const;

  // When the newest full file was published, or std::nullopt when there is none.
  Result<std::optional<Timestamp>> LastFullTime() const;

 private:
  std::string StagingDir() const;
  std::string OpenDeltaPath() const;
  Status EnsureFolders() const;
  // Reads the open delta's order ids unless the cached ones are of the same file (inode) and
  // size, and cuts off an incomplete last line. The caller holds mutex_ and the flock.
  Status LoadOpenDelta();
  Result<std::optional<BlocklistFileInfo>> PublishDeltaLocked(Timestamp now);
  Result<BlocklistFileInfo> Publish(const std::string& staged_path, BlocklistFileKind kind,
                                    Timestamp now);
  // Writes the .sha256 of each file that lacks one, which a crash between the rename of a file
  // and the rename of its checksum leaves behind.
  Status RepairChecksums(const std::vector<BlocklistFileInfo>& files) const;

  const BlocklistFeedOptions options_;
  std::mutex mutex_;
  // The order ids in the open delta, and the file's inode and size when they were read or last
  // appended to. Guarded by mutex_.
  struct OpenDeltaIdentity {
    std::uintmax_t inode = 0;
    std::uintmax_t size = 0;
    bool operator==(const OpenDeltaIdentity&) const = default;
  };
  std::set<std::int64_t> open_order_ids_;
  std::optional<OpenDeltaIdentity> open_delta_;
};

}  // namespace imeiguard
