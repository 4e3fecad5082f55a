#include "locking/blocklist_feed.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "locking/request_signing.h"

namespace imeiguard {
namespace {

namespace fs = std::filesystem;

Timestamp At(std::string_view text) { return *ParseRfc3339(text); }

Imei ImeiOf(std::string_view text) { return *Imei::Parse(text, ImeiChannel::kHuman); }

std::string ReadFile(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

class BlocklistFeedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("imeiguard-feed-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    feed_ = std::make_unique<BlocklistFeed>(BlocklistFeedOptions{"ops", dir_.string(), 0.5});
  }
  void TearDown() override { fs::remove_all(dir_); }

  static LockOrder Order(std::int64_t id, LockAction action, std::string_view imei) {
    LockOrder order;
    order.order_id = id;
    order.action = action;
    order.imei = ImeiOf(imei);
    order.reason = action == LockAction::kLock ? "lost: silence" : "recovered";
    order.created_at = At("2026-03-01T09:00:00Z");
    return order;
  }

  static BlocklistRow Blocked(std::string_view imei) {
    return RowsOfOrder(Order(1, LockAction::kLock, imei), At("2026-03-01T09:00:00Z"))[0];
  }

  std::string OpenDelta() const { return (dir_ / ".staging" / "ops-delta.open").string(); }

  fs::path dir_;
  std::unique_ptr<BlocklistFeed> feed_;
};

TEST_F(BlocklistFeedTest, AppendIsSyncedAndIdempotent) {
  LockOrder order = Order(7, LockAction::kLock, "867315042291587");
  order.imei2 = ImeiOf("867315042291660");
  ASSERT_TRUE(feed_->Append(order, At("2026-03-01T09:00:01Z")).ok());
  ASSERT_TRUE(feed_->Append(order, At("2026-03-01T09:00:02Z")).ok());

  auto parsed = ParseBlocklistFile(ReadFile(OpenDelta()), "open");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  ASSERT_EQ(parsed->rows.size(), 2u);
  EXPECT_EQ(parsed->rows[1].imei.WithCheckDigit(), "867315042291660");
  auto files = feed_->List(0);
  ASSERT_TRUE(files.ok());
  EXPECT_TRUE(files->empty());
}

TEST_F(BlocklistFeedTest, RepeatedAppendInNewProcessIsSkipped) {
  LockOrder order = Order(7, LockAction::kLock, "867315042291587");
  ASSERT_TRUE(feed_->Append(order, At("2026-03-01T09:00:01Z")).ok());
  BlocklistFeed restarted({"ops", dir_.string(), 0.5});
  ASSERT_TRUE(restarted.Append(order, At("2026-03-01T09:00:05Z")).ok());
  auto parsed = ParseBlocklistFile(ReadFile(OpenDelta()), "open");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->rows.size(), 1u);
}

TEST_F(BlocklistFeedTest, IncompleteRowFromCrashIsCutOff) {
  ASSERT_TRUE(
      feed_->Append(Order(7, LockAction::kLock, "867315042291587"), At("2026-03-01T09:00:01Z"))
          .ok());
  std::size_t size = fs::file_size(OpenDelta());
  std::ofstream(OpenDelta(), std::ios::app) << "358472100042174,20260301,black";

  BlocklistFeed restarted({"ops", dir_.string(), 0.5});
  ASSERT_TRUE(
      restarted.Append(Order(8, LockAction::kLock, "358472100042174"), At("2026-03-01T09:00:02Z"))
          .ok());
  std::string text = ReadFile(OpenDelta());
  auto parsed = ParseBlocklistFile(text, "open");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  ASSERT_EQ(parsed->rows.size(), 2u);
  EXPECT_EQ(parsed->rows[1].order_id, 8);
  EXPECT_GT(text.size(), size);
}

TEST_F(BlocklistFeedTest, PublishedDeltaHasNumberTimeAndChecksum) {
  ASSERT_TRUE(
      feed_->Append(Order(7, LockAction::kLock, "867315042291587"), At("2026-03-01T09:00:01Z"))
          .ok());
  auto published = feed_->PublishDelta(At("2026-03-01T09:01:00Z"));
  ASSERT_TRUE(published.ok()) << published.error().message;
  ASSERT_TRUE(published->has_value());
  const BlocklistFileInfo& info = **published;
  EXPECT_EQ(info.sequence, 1);
  EXPECT_EQ(fs::path(info.path).filename(), "ops-delta-000001-20260301T090100Z.csv");
  std::string content = ReadFile(info.path);
  EXPECT_EQ(info.sha256, Sha256Hex(content));
  EXPECT_EQ(ReadFile(info.path + ".sha256"),
            Sha256Hex(content) + "  ops-delta-000001-20260301T090100Z.csv\n");
  EXPECT_FALSE(fs::exists(OpenDelta()));

  auto nothing = feed_->PublishDelta(At("2026-03-01T09:02:00Z"));
  ASSERT_TRUE(nothing.ok());
  EXPECT_FALSE(nothing->has_value());
}

TEST_F(BlocklistFeedTest, FullFileAddsRowsNotYetInStore) {
  ASSERT_TRUE(
      feed_->Append(Order(7, LockAction::kLock, "358472100042174"), At("2026-03-01T09:00:01Z"))
          .ok());
  ASSERT_TRUE(
      feed_->Append(Order(8, LockAction::kUnlock, "867315042291660"), At("2026-03-01T09:00:02Z"))
          .ok());
  // The store has not recorded either order yet: it still lists the unlocked IMEI.
  auto full = feed_->PublishFull({Blocked("867315042291587"), Blocked("867315042291660")},
                                 At("2026-03-01T10:00:00Z"), false);
  ASSERT_TRUE(full.ok()) << full.error().message;
  EXPECT_EQ(full->sequence, 2);
  EXPECT_EQ(ReadFile(full->path), std::string(kBlocklistFullHeader) + "\n" +
                                      "358472100042174,20260301,blacklist,lost: silence\n"
                                      "867315042291587,20260301,blacklist,lost: silence\n");
  auto files = feed_->List(1);
  ASSERT_TRUE(files.ok());
  ASSERT_EQ(files->size(), 1u);
  EXPECT_EQ((*files)[0].kind, BlocklistFileKind::kFull);
  auto last = feed_->LastFullTime();
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(*last, At("2026-03-01T10:00:00Z"));
}

TEST_F(BlocklistFeedTest, ShrunkFullFileNeedsForce) {
  std::vector<BlocklistRow> three = {Blocked("867315042291587"), Blocked("867315042291660"),
                                     Blocked("358472100042174")};
  ASSERT_TRUE(feed_->PublishFull(three, At("2026-03-01T10:00:00Z"), false).ok());

  auto shrunk = feed_->PublishFull({Blocked("867315042291587")}, At("2026-03-02T10:00:00Z"), false);
  ASSERT_FALSE(shrunk.ok());
  EXPECT_EQ(shrunk.error().kind, ErrorKind::kConflict);
  EXPECT_EQ(shrunk.error().reason, "full_file_shrank");
  EXPECT_NE(shrunk.error().message.find("would list 1 IMEIs, but operators hold 3"),
            std::string::npos)
      << shrunk.error().message;
  auto files = feed_->List(0);
  ASSERT_TRUE(files.ok());
  EXPECT_EQ(files->size(), 1u);

  auto forced = feed_->PublishFull({Blocked("867315042291587")}, At("2026-03-02T10:00:00Z"), true);
  ASSERT_TRUE(forced.ok()) << forced.error().message;
  EXPECT_EQ(forced->sequence, 2);
}

TEST_F(BlocklistFeedTest, UnlocksInDeltasDoNotTripShrinkCheck) {
  std::vector<BlocklistRow> two = {Blocked("867315042291587"), Blocked("867315042291660")};
  ASSERT_TRUE(feed_->PublishFull(two, At("2026-03-01T10:00:00Z"), false).ok());
  ASSERT_TRUE(
      feed_->Append(Order(8, LockAction::kUnlock, "867315042291587"), At("2026-03-01T11:00:00Z"))
          .ok());
  ASSERT_TRUE(
      feed_->Append(Order(9, LockAction::kUnlock, "867315042291660"), At("2026-03-01T11:00:00Z"))
          .ok());
  auto full = feed_->PublishFull({}, At("2026-03-02T10:00:00Z"), false);
  ASSERT_TRUE(full.ok()) << full.error().message;
  EXPECT_EQ(ReadFile(full->path), std::string(kBlocklistFullHeader) + "\n");
}

TEST_F(BlocklistFeedTest, MissingChecksumIsWrittenAtNextPublish) {
  ASSERT_TRUE(
      feed_->Append(Order(7, LockAction::kLock, "867315042291587"), At("2026-03-01T09:00:01Z"))
          .ok());
  auto first = feed_->PublishDelta(At("2026-03-01T09:01:00Z"));
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(first->has_value());
  std::string checksum = ReadFile((*first)->path + ".sha256");
  fs::remove((*first)->path + ".sha256");

  ASSERT_TRUE(
      feed_->Append(Order(8, LockAction::kLock, "358472100042174"), At("2026-03-01T09:01:30Z"))
          .ok());
  ASSERT_TRUE(feed_->PublishDelta(At("2026-03-01T09:02:00Z")).ok());
  EXPECT_EQ(ReadFile((*first)->path + ".sha256"), checksum);
  auto files = feed_->List(0);
  ASSERT_TRUE(files.ok());
  ASSERT_EQ(files->size(), 2u);
  EXPECT_TRUE(feed_->ReadVerified((*files)[0]).ok());
  EXPECT_TRUE(feed_->ReadVerified((*files)[1]).ok());
}

TEST_F(BlocklistFeedTest, AlteredFileFailsVerification) {
  ASSERT_TRUE(
      feed_->Append(Order(7, LockAction::kLock, "867315042291587"), At("2026-03-01T09:00:01Z"))
          .ok());
  auto published = feed_->PublishDelta(At("2026-03-01T09:01:00Z"));
  ASSERT_TRUE(published.ok());
  ASSERT_TRUE(published->has_value());
  std::ofstream((*published)->path, std::ios::app) << "867315042291660,20260301,blacklist,add,x,"
                                                      "2026-03-01T09:00:01Z,9\n";
  auto read = feed_->ReadVerified(**published);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().kind, ErrorKind::kConflict);
  EXPECT_EQ(read.error().reason, "checksum_mismatch");
}

}  // namespace
}  // namespace imeiguard
