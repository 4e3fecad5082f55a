// API keys on a real SQLite store: creation, revocation and the refusals of Authenticate.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "api/api_key.h"
#include "store/sqlite_store.h"
#include "store/store_test_support.h"

namespace imeiguard {
namespace {

using testing_support::At;

class ApiKeyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = SqliteStore::Open(":memory:");
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    store_ = std::move(opened).value();
  }

  std::string Create(Role role, std::string_view shipper_id = "") {
    auto key = CreateApiKey(*store_, role, shipper_id, At("2026-03-01T00:00:00Z"), "cli");
    EXPECT_TRUE(key.ok()) << key.error().message;
    return key.ok() ? *key : std::string();
  }

  // "igk_<id>_<secret>" -> "<id>".
  static std::string KeyId(const std::string& key) {
    std::string rest = key.substr(4);
    return rest.substr(0, rest.find('_'));
  }

  std::unique_ptr<SqliteStore> store_;
};

TEST_F(ApiKeyTest, ValidKeyAuthenticates) {
  std::string key = Create(Role::kShipper, "telco-a");
  auto principal = Authenticate(*store_, "Bearer " + key);
  ASSERT_TRUE(principal.ok()) << principal.error().message;
  EXPECT_EQ(principal->role, Role::kShipper);
  EXPECT_EQ(principal->key_id, KeyId(key));
  EXPECT_EQ(principal->shipper_id, "telco-a");
}

TEST_F(ApiKeyTest, RevokedKeyIsRejected) {
  std::string key = Create(Role::kAdmin);
  auto revoked = RevokeApiKey(*store_, KeyId(key), At("2026-03-02T00:00:00Z"), "cli");
  ASSERT_TRUE(revoked.ok()) << revoked.error().message;
  EXPECT_TRUE(*revoked);

  auto principal = Authenticate(*store_, "Bearer " + key);

  ASSERT_FALSE(principal.ok());
  EXPECT_EQ(principal.error().kind, ErrorKind::kInvalidInput);
  EXPECT_EQ(principal.error().reason, "unauthenticated");
}

// A caller probing for key ids must learn nothing from the refusal: unknown id, wrong secret,
// revoked key and malformed header all read the same.
TEST_F(ApiKeyTest, RefusalsDoNotRevealWhetherIdExists) {
  std::string key = Create(Role::kAdmin);
  std::string revoked_key = Create(Role::kPolice);
  ASSERT_TRUE(RevokeApiKey(*store_, KeyId(revoked_key), At("2026-03-02T00:00:00Z"), "cli").ok());
  std::string wrong_secret = key.substr(0, key.rfind('_') + 1) + std::string(48, '0');
  std::string unknown_id = "igk_000000000000_" + key.substr(key.rfind('_') + 1);

  const std::vector<std::string> refused = {"Bearer " + wrong_secret, "Bearer " + unknown_id,
                                            "Bearer " + revoked_key, "Bearer igk_nosecret",
                                            "Basic " + key};
  auto first = Authenticate(*store_, refused[0]);
  ASSERT_FALSE(first.ok());
  for (const std::string& header : refused) {
    auto principal = Authenticate(*store_, header);
    ASSERT_FALSE(principal.ok()) << header;
    EXPECT_EQ(principal.error().kind, first.error().kind) << header;
    EXPECT_EQ(principal.error().reason, "unauthenticated") << header;
    EXPECT_EQ(principal.error().message, first.error().message) << header;
  }
}

TEST_F(ApiKeyTest, CreateAndRevokeAreAudited) {
  std::string key = Create(Role::kShipper, "telco-a");
  ASSERT_TRUE(RevokeApiKey(*store_, KeyId(key), At("2026-03-02T00:00:00Z"), "cli").ok());

  auto audit = store_->LoadAudit("key:" + KeyId(key), 10);

  ASSERT_TRUE(audit.ok());
  ASSERT_EQ(audit->size(), 2u);
  EXPECT_EQ((*audit)[0].action, "key_revoked");
  EXPECT_EQ((*audit)[0].actor, "cli");
  EXPECT_EQ((*audit)[0].at, At("2026-03-02T00:00:00Z"));
  EXPECT_EQ((*audit)[1].action, "key_created");
  EXPECT_EQ((*audit)[1].detail, R"({"role":"shipper","shipper_id":"telco-a"})");
  auto stored = store_->FindApiKey(KeyId(key));
  ASSERT_TRUE(stored.ok());
  ASSERT_TRUE(stored->has_value());
  std::string secret = key.substr(key.rfind('_') + 1);
  for (const AuditEntry& entry : *audit) {
    EXPECT_EQ(entry.detail.find(secret), std::string::npos);
    EXPECT_EQ(entry.detail.find((*stored)->secret_hash), std::string::npos);
  }
}

TEST_F(ApiKeyTest, RevokeOfUnknownKeyIsNotFound) {
  auto revoked = RevokeApiKey(*store_, "0123456789ab", At("2026-03-02T00:00:00Z"), "cli");
  ASSERT_FALSE(revoked.ok());
  EXPECT_EQ(revoked.error().kind, ErrorKind::kNotFound);
  EXPECT_EQ(revoked.error().reason, "key_not_found");
}

TEST_F(ApiKeyTest, RevokeTwiceWritesOnce) {
  std::string key = Create(Role::kAdmin);
  ASSERT_TRUE(RevokeApiKey(*store_, KeyId(key), At("2026-03-02T00:00:00Z"), "cli").ok());
  auto again = RevokeApiKey(*store_, KeyId(key), At("2026-03-03T00:00:00Z"), "cli");
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again);
  auto audit = store_->LoadAudit("", 10);
  ASSERT_TRUE(audit.ok());
  EXPECT_EQ(audit->size(), 2u);
}

}  // namespace
}  // namespace imeiguard
