#include "locking/request_signing.h"

#include <gtest/gtest.h>

namespace imeiguard {
namespace {

using std::chrono::seconds;

constexpr std::int64_t kSentAt = 1767225600;  // 2026-01-01T00:00:00Z

SignedRequestParts LockRequest() {
  return {"POST", "/v1/devices/358472100042175/lock", "tenant-a", "key-1",
          "{\"message\":\"locked\"}"};
}

Timestamp At(std::int64_t unix_seconds) { return FromMillis(unix_seconds * 1000); }

TEST(Sha256Hex, EmptyInput) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(CanonicalRequest, JoinsPartsWithNewlines) {
  EXPECT_EQ(CanonicalRequest(LockRequest(), kSentAt),
            "IG1-HMAC-SHA256\nPOST\n/v1/devices/358472100042175/lock\ntenant-a\n1767225600\n"
            "key-1\n742f4a95dabd64487d5be2c8f9e633920449a743bbafcec49969fe49c6b84e05");
}

// The expected value was computed independently with `openssl dgst -sha256 -hmac s3cret` over the
// canonical request above.
TEST(SignRequest, MatchesKnownAnswer) {
  EXPECT_EQ(SignRequest("s3cret", LockRequest(), kSentAt),
            "1e0b5fc6f6175d2cc9f6838b871fe3e0730563b447113247812b46ce345a1a65");
}

TEST(VerifySignature, AcceptsOwnSignature) {
  std::string signature = SignRequest("s3cret", LockRequest(), kSentAt);
  Status status = VerifyRequestSignature("s3cret", LockRequest(), std::to_string(kSentAt),
                                         signature, At(kSentAt + 10));
  EXPECT_TRUE(status.ok()) << status.error().message;
}

TEST(VerifySignature, AcceptsUpperCaseHex) {
  std::string signature = SignRequest("s3cret", LockRequest(), kSentAt);
  for (char& c : signature) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_TRUE(VerifyRequestSignature("s3cret", LockRequest(), std::to_string(kSentAt), signature,
                                     At(kSentAt))
                  .ok());
}

TEST(VerifySignature, WrongSecretIsMismatch) {
  std::string signature = SignRequest("other", LockRequest(), kSentAt);
  Status status = VerifyRequestSignature("s3cret", LockRequest(), std::to_string(kSentAt),
                                         signature, At(kSentAt));
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().kind, ErrorKind::kInvalidInput);
  EXPECT_EQ(status.error().reason, "signature_mismatch");
  EXPECT_EQ(status.error().message.find("s3cret"), std::string::npos);
}

TEST(VerifySignature, EachSignedPartMatters) {
  std::string signature = SignRequest("s3cret", LockRequest(), kSentAt);
  std::vector<SignedRequestParts> changed(5, LockRequest());
  changed[0].method = "PUT";
  changed[1].target = "/v1/devices/358472100042175/unlock";
  changed[2].tenant = "tenant-b";
  changed[3].idempotency_key = "key-2";
  changed[4].body = "{\"message\":\"other\"}";
  for (const SignedRequestParts& parts : changed) {
    Status status =
        VerifyRequestSignature("s3cret", parts, std::to_string(kSentAt), signature, At(kSentAt));
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.error().reason, "signature_mismatch");
  }
}

TEST(VerifySignature, MissingSignature) {
  Status status =
      VerifyRequestSignature("s3cret", LockRequest(), std::to_string(kSentAt), "", At(kSentAt));
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().reason, "signature_missing");
}

TEST(VerifySignature, MalformedTimestamp) {
  for (std::string_view timestamp : {"", "12ab", "2026-01-01T00:00:00Z", "1.5"}) {
    Status status = VerifyRequestSignature("s3cret", LockRequest(), timestamp, "00", At(kSentAt));
    ASSERT_FALSE(status.ok()) << timestamp;
    EXPECT_EQ(status.error().reason, "timestamp_invalid") << timestamp;
  }
}

TEST(VerifySignature, TimestampSkewBeyondFiveMinutes) {
  std::string late = SignRequest("s3cret", LockRequest(), kSentAt);
  Status status = VerifyRequestSignature("s3cret", LockRequest(), std::to_string(kSentAt), late,
                                         At(kSentAt + 301));
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().reason, "timestamp_skew");
  EXPECT_NE(status.error().message.find("301 s"), std::string::npos);
}

TEST(VerifySignature, TimestampSkewAtLimitAccepted) {
  std::string signature = SignRequest("s3cret", LockRequest(), kSentAt);
  EXPECT_TRUE(VerifyRequestSignature("s3cret", LockRequest(), std::to_string(kSentAt), signature,
                                     At(kSentAt - 300))
                  .ok());
  EXPECT_TRUE(VerifyRequestSignature("s3cret", LockRequest(), std::to_string(kSentAt), signature,
                                     At(kSentAt + 300))
                  .ok());
}

}  // namespace
}  // namespace imeiguard
