#include "locking/platform_order.h"

#include <gtest/gtest.h>

namespace imeiguard {
namespace {

TEST(ParsePlatformOrder, ReadsSimulatorOrder) {
  auto order = ParsePlatformOrder(
      R"({"order_id": "ord-000001", "imei": "86731504229158", "action": "unlock",)"
      R"( "status": "rejected", "reason": "injected_rejection", "idempotency_key": "k-1",)"
      R"( "created_at": "2026-03-02T05:14:09Z", "finished_at": "2026-03-02T05:14:10Z"})");
  ASSERT_TRUE(order.ok()) << order.error().message;
  EXPECT_EQ(order->order_id, "ord-000001");
  EXPECT_EQ(order->action, LockAction::kUnlock);
  EXPECT_EQ(order->status, PlatformOrderStatus::kRejected);
  EXPECT_EQ(order->reason, "injected_rejection");
  EXPECT_EQ(order->idempotency_key, "k-1");
  ASSERT_TRUE(order->finished_at.has_value());
  EXPECT_EQ(*order->finished_at, ParseRfc3339("2026-03-02T05:14:10Z").value());
}

TEST(ParsePlatformOrder, PendingHasNoFinish) {
  auto order = ParsePlatformOrder(
      R"({"order_id": "ord-2", "action": "lock", "status": "pending", "idempotency_key": "k"})");
  ASSERT_TRUE(order.ok()) << order.error().message;
  EXPECT_EQ(order->status, PlatformOrderStatus::kPending);
  EXPECT_FALSE(order->finished_at.has_value());
}

TEST(ParsePlatformOrder, MissingKeyNamed) {
  auto order =
      ParsePlatformOrder(R"({"order_id": "ord-2", "action": "lock", "status": "applied"})");
  ASSERT_FALSE(order.ok());
  EXPECT_EQ(order.error().reason, "invalid_platform_order");
  EXPECT_NE(order.error().message.find("idempotency_key"), std::string::npos)
      << order.error().message;
}

TEST(ParsePlatformOrder, UnknownStatusRejected) {
  auto order = ParsePlatformOrder(
      R"({"order_id": "ord-2", "action": "lock", "status": "done", "idempotency_key": "k"})");
  ASSERT_FALSE(order.ok());
  EXPECT_NE(order.error().message.find("\"done\""), std::string::npos) << order.error().message;
}

TEST(ParsePlatformOrder, BadFinishTimeRejected) {
  auto order = ParsePlatformOrder(
      R"({"order_id": "o", "action": "lock", "status": "applied", "idempotency_key": "k",)"
      R"( "finished_at": "yesterday"})");
  ASSERT_FALSE(order.ok());
  EXPECT_NE(order.error().message.find("finished_at"), std::string::npos);
}

TEST(ParsePlatformOrder, NonObjectRejected) {
  auto order = ParsePlatformOrder("[1, 2]");
  ASSERT_FALSE(order.ok());
  EXPECT_EQ(order.error().kind, ErrorKind::kInvalidInput);
}

}  // namespace
}  // namespace imeiguard
