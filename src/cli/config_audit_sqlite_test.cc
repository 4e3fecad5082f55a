#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "cli/config_audit.h"
#include "store/sqlite_store.h"

namespace imeiguard {
namespace {

class ConfigAuditTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("imeiguard-config-audit-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto store = SqliteStore::Open((dir_ / "store.db").string());
    ASSERT_TRUE(store.ok()) << store.error().message;
    store_ = std::move(*store);
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::vector<AuditEntry> ConfigEntries() {
    auto entries = store_->LoadAudit("config", 100);
    EXPECT_TRUE(entries.ok());
    return entries.ok() ? *entries : std::vector<AuditEntry>{};
  }

  const Timestamp now_ = FromMillis(1'800'000'000'000);
  std::filesystem::path dir_;
  std::unique_ptr<SqliteStore> store_;
};

TEST_F(ConfigAuditTest, FirstStartRecorded) {
  auto recorded = RecordConfiguration(*store_, "port = 8080\n", "a.toml", now_);
  ASSERT_TRUE(recorded.ok()) << recorded.error().message;
  EXPECT_TRUE(*recorded);
  std::vector<AuditEntry> entries = ConfigEntries();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].action, "config_changed");
  EXPECT_EQ(entries[0].actor, "serve");
  EXPECT_NE(entries[0].detail.find("\"source\":\"a.toml\""), std::string::npos);
  EXPECT_EQ(entries[0].detail.find("previous_sha256"), std::string::npos);
}

TEST_F(ConfigAuditTest, SameConfigurationNotRecordedAgain) {
  ASSERT_TRUE(RecordConfiguration(*store_, "port = 8080\n", "a.toml", now_).ok());
  auto again = RecordConfiguration(*store_, "port = 8080\n", "a.toml", now_);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again);
  EXPECT_EQ(ConfigEntries().size(), 1u);
}

TEST_F(ConfigAuditTest, ChangeRecordedWithPreviousHash) {
  ASSERT_TRUE(RecordConfiguration(*store_, "port = 8080\n", "a.toml", now_).ok());
  auto changed = RecordConfiguration(*store_, "port = 9090\n", "a.toml", now_);
  ASSERT_TRUE(changed.ok());
  EXPECT_TRUE(*changed);
  std::vector<AuditEntry> entries = ConfigEntries();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_NE(entries[0].detail.find("previous_sha256"), std::string::npos);  // Newest first.
  auto reverted = RecordConfiguration(*store_, "port = 8080\n", "a.toml", now_);
  ASSERT_TRUE(reverted.ok());
  EXPECT_TRUE(*reverted);
}

}  // namespace
}  // namespace imeiguard
