// The key and audit commands, run in-process on store files in a temporary directory.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <sstream>
#include <string>

#include "api/api_key.h"
#include "cli/admin_commands.h"
#include "store/sqlite_store.h"
#include "store/store_test_support.h"

namespace imeiguard {
namespace {

using testing_support::TemporaryDirectory;

// Runs SQL on the file through its own connection; returns SQLite's error message, or "".
std::string ExecuteRaw(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* message = nullptr;
  int code = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message);
  std::string text = code == SQLITE_OK ? "" : (message != nullptr ? message : "failed");
  sqlite3_free(message);
  sqlite3_close(db);
  return text;
}

// The output and exit code of one command.
struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string error_out;
};

class AdminCommandsTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_FALSE(dir_.path().empty()); }

  std::string Store() const { return (dir_.path() / "store.db").string(); }

  CommandResult Create(const std::string& role, const std::string& shipper = "") {
    CommandResult result;
    std::ostringstream out, error_out;
    result.exit_code = RunKeysCreate(Store(), role, shipper, out, error_out);
    result.out = out.str();
    result.error_out = error_out.str();
    return result;
  }

  // Creates a key and returns it whole, "igk_<id>_<secret>".
  std::string CreatedKey(const std::string& role, const std::string& shipper = "") {
    CommandResult created = Create(role, shipper);
    EXPECT_EQ(created.exit_code, 0) << created.error_out;
    EXPECT_EQ(created.out.back(), '\n');
    return created.out.substr(0, created.out.size() - 1);
  }

  CommandResult Revoke(const std::string& key_id, const std::string& store = "") {
    CommandResult result;
    std::ostringstream out, error_out;
    result.exit_code = RunKeysRevoke(store.empty() ? Store() : store, key_id, out, error_out);
    result.out = out.str();
    result.error_out = error_out.str();
    return result;
  }

  CommandResult List() {
    CommandResult result;
    std::ostringstream out, error_out;
    result.exit_code = RunKeysList(Store(), out, error_out);
    result.out = out.str();
    result.error_out = error_out.str();
    return result;
  }

  CommandResult Verify(const std::string& anchor = "") {
    CommandResult result;
    std::ostringstream out, error_out;
    result.exit_code = RunAuditVerify(Store(), anchor, out, error_out);
    result.out = out.str();
    result.error_out = error_out.str();
    return result;
  }

  std::unique_ptr<SqliteStore> OpenStore() {
    auto store = SqliteStore::Open(Store());
    EXPECT_TRUE(store.ok()) << store.error().message;
    return store.ok() ? std::move(store).value() : nullptr;
  }

  // The newest audit entries, newest first.
  std::vector<AuditEntry> Audit() {
    auto entries = OpenStore()->LoadAudit("", 10);
    EXPECT_TRUE(entries.ok());
    return entries.ok() ? std::move(entries).value() : std::vector<AuditEntry>();
  }

  TemporaryDirectory dir_{"admin"};
};

// "igk_<id>_<secret>" -> "<id>".
std::string KeyId(const std::string& key) {
  std::string rest = key.substr(4);
  return rest.substr(0, rest.find('_'));
}

TEST_F(AdminCommandsTest, CreateRecordsAuditWithoutSecret) {
  std::string key = CreatedKey("shipper", "telco-a");
  ASSERT_EQ(key.rfind("igk_", 0), 0u) << key;

  std::vector<AuditEntry> audit = Audit();
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0].actor, "cli");
  EXPECT_EQ(audit[0].action, "key_created");
  EXPECT_EQ(audit[0].entity, "key:" + KeyId(key));
  EXPECT_EQ(audit[0].detail, R"({"role":"shipper","shipper_id":"telco-a"})");
}

TEST_F(AdminCommandsTest, RevokeRecordsAuditAndKeyIsRejected) {
  std::string key = CreatedKey("admin");

  CommandResult revoked = Revoke(KeyId(key));

  EXPECT_EQ(revoked.exit_code, 0) << revoked.error_out;
  EXPECT_EQ(revoked.out, "revoked key " + KeyId(key) + "\n");
  std::vector<AuditEntry> audit = Audit();
  ASSERT_EQ(audit.size(), 2u);
  EXPECT_EQ(audit[0].actor, "cli");
  EXPECT_EQ(audit[0].action, "key_revoked");
  EXPECT_EQ(audit[0].entity, "key:" + KeyId(key));
  auto store = OpenStore();
  auto principal = Authenticate(*store, "Bearer " + key);
  ASSERT_FALSE(principal.ok());
  EXPECT_EQ(principal.error().reason, "unauthenticated");
}

TEST_F(AdminCommandsTest, RevokeTwiceChangesNothing) {
  std::string key = CreatedKey("admin");
  ASSERT_EQ(Revoke(KeyId(key)).exit_code, 0);

  CommandResult again = Revoke(KeyId(key));

  EXPECT_EQ(again.exit_code, 0);
  EXPECT_EQ(again.out, "key " + KeyId(key) + " was revoked already; nothing changed\n");
  EXPECT_EQ(Audit().size(), 2u);
}

TEST_F(AdminCommandsTest, RevokeOfUnknownKeyFails) {
  CreatedKey("admin");

  CommandResult revoked = Revoke("0123456789ab");

  EXPECT_EQ(revoked.exit_code, 1);
  EXPECT_EQ(revoked.out, "");
  EXPECT_EQ(revoked.error_out,
            "imeiguard: no API key has the id '0123456789ab'; `imeiguard keys list` shows the"
            " stored ids\n");
  EXPECT_EQ(Audit().size(), 1u);
}

TEST_F(AdminCommandsTest, RevokeOnMissingStoreCreatesNothing) {
  std::string missing = (dir_.path() / "typo.db").string();

  CommandResult revoked = Revoke("0123456789ab", missing);

  EXPECT_EQ(revoked.exit_code, 2);
  EXPECT_NE(revoked.error_out.find("no database file at " + missing), std::string::npos)
      << revoked.error_out;
  EXPECT_FALSE(std::filesystem::exists(missing));
}

TEST_F(AdminCommandsTest, ListShowsKeysWithoutSecrets) {
  std::string shipper_key = CreatedKey("shipper", "telco-a");
  std::string admin_key = CreatedKey("admin");
  ASSERT_EQ(Revoke(KeyId(admin_key)).exit_code, 0);

  CommandResult listed = List();

  EXPECT_EQ(listed.exit_code, 0) << listed.error_out;
  std::istringstream lines(listed.out);
  std::string header, first, second, extra;
  std::getline(lines, header);
  std::getline(lines, first);
  std::getline(lines, second);
  EXPECT_FALSE(std::getline(lines, extra));
  EXPECT_EQ(header, "key_id\trole\tshipper_id\tcreated_at\trevoked");
  // Keys created in the same millisecond are listed by id, so find each by its id.
  std::string shipper_line = first.rfind(KeyId(shipper_key), 0) == 0 ? first : second;
  std::string admin_line = first.rfind(KeyId(shipper_key), 0) == 0 ? second : first;
  EXPECT_EQ(shipper_line.rfind(KeyId(shipper_key) + "\tshipper\ttelco-a\t", 0), 0u) << shipper_line;
  EXPECT_TRUE(shipper_line.ends_with("Z\tno")) << shipper_line;
  EXPECT_EQ(admin_line.rfind(KeyId(admin_key) + "\tadmin\t-\t", 0), 0u) << admin_line;
  EXPECT_TRUE(admin_line.ends_with("Z\tyes")) << admin_line;

  std::string shipper_secret = shipper_key.substr(shipper_key.rfind('_') + 1);
  std::string admin_secret = admin_key.substr(admin_key.rfind('_') + 1);
  EXPECT_EQ(listed.out.find(shipper_secret), std::string::npos);
  EXPECT_EQ(listed.out.find(admin_secret), std::string::npos);
  auto stored = OpenStore()->FindApiKey(KeyId(shipper_key));
  ASSERT_TRUE(stored.ok());
  ASSERT_TRUE(stored->has_value());
  EXPECT_EQ(listed.out.find((*stored)->secret_hash), std::string::npos);
}

TEST_F(AdminCommandsTest, VerifyOfIntactTrailExitsZero) {
  std::string key = CreatedKey("admin");
  ASSERT_EQ(Revoke(KeyId(key)).exit_code, 0);

  CommandResult verified = Verify();

  EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.error_out;
  EXPECT_EQ(verified.out.rfind("audit trail intact: 2 entries\ncheckpoint matches the last entry\n"
                               "head 2:",
                               0),
            0u)
      << verified.out;
}

TEST_F(AdminCommandsTest, VerifyOfEditedTrailNamesEntry) {
  CreatedKey("admin");
  CreatedKey("police");
  ASSERT_EQ(ExecuteRaw(Store(),
                       "DROP TRIGGER audit_reject_update;"
                       "UPDATE audit SET detail = '{\"role\":\"admin\"}'"
                       " WHERE sequence = 2"),
            "");

  CommandResult verified = Verify();

  EXPECT_EQ(verified.exit_code, kExitAuditBroken);
  EXPECT_EQ(verified.out,
            "edited: entry 2 does not match its stored hash: its fields were changed after it was"
            " written\naudit trail failed verification: 1 finding in 2 stored entries\n");
}

TEST_F(AdminCommandsTest, VerifyWithAnchorNamesTruncation) {
  CreatedKey("admin");
  CreatedKey("police");
  CommandResult first = Verify();
  ASSERT_EQ(first.exit_code, 0);
  std::size_t head_at = first.out.find("head ") + 5;
  std::string anchor = first.out.substr(head_at, first.out.find('\n', head_at) - head_at);
  ASSERT_EQ(ExecuteRaw(Store(),
                       "DROP TRIGGER audit_reject_delete;"
                       "DROP TRIGGER audit_checkpoint_reject_rewind;"
                       "DELETE FROM audit WHERE sequence = 2;"
                       "UPDATE audit_checkpoint SET sequence = 1,"
                       " hash = (SELECT hash FROM audit WHERE sequence = 1)"),
            "");

  EXPECT_EQ(Verify().exit_code, 0);
  CommandResult anchored = Verify(anchor);

  EXPECT_EQ(anchored.exit_code, kExitAuditBroken);
  EXPECT_EQ(anchored.out.rfind("removed: entry 2 is missing after entry 1", 0), 0u) << anchored.out;
}

TEST_F(AdminCommandsTest, VerifyWithMalformedAnchorExitsTwo) {
  CreatedKey("admin");
  CommandResult verified = Verify("2:abc");
  EXPECT_EQ(verified.exit_code, 2);
  EXPECT_NE(verified.error_out.find("invalid audit anchor '2:abc'"), std::string::npos)
      << verified.error_out;
}

}  // namespace
}  // namespace imeiguard
