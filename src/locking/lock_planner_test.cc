#include "locking/lock_planner.h"

#include <gtest/gtest.h>

#include <vector>

namespace imeiguard {
namespace {

PlannedDevice Device() {
  PlannedDevice device;
  device.device_id = 7;
  device.parcel_id = "373500000000001234";
  device.shipper_id = "telco-a";
  device.imei = Imei::FromCoreValue(86731504229158);
  device.imei2 = Imei::FromCoreValue(86731504229166);
  return device;
}

const std::vector<std::string> kOneConnector = {"dm"};

LockOrder Existing(std::int64_t id, LockAction action, OrderStatus status, int at_ms) {
  LockOrder order;
  order.order_id = id;
  order.device_id = 7;
  order.connector = "dm";
  order.action = action;
  order.status = status;
  order.created_at = FromMillis(at_ms);
  return order;
}

TEST(PlanDevice, LostCreatesOneLockPerDevice) {
  DevicePlan plan = PlanDevice(Verdict::kLost, Device(), {}, kOneConnector, FromMillis(5), "lost");
  ASSERT_EQ(plan.new_orders.size(), 1u);
  const LockOrder& order = plan.new_orders[0];
  EXPECT_EQ(order.action, LockAction::kLock);
  EXPECT_EQ(order.imei.core_value(), 86731504229158u);
  ASSERT_TRUE(order.imei2.has_value());
  EXPECT_EQ(order.idempotency_key, "373500000000001234:7:dm:lock:1");
  EXPECT_TRUE(plan.cancelled_orders.empty());
}

TEST(PlanDevice, PlanningTwiceAddsNothing) {
  std::vector<LockOrder> orders = {Existing(1, LockAction::kLock, OrderStatus::kSent, 1)};
  DevicePlan plan = PlanDevice(Verdict::kLost, Device(), orders, kOneConnector, FromMillis(5), "");
  EXPECT_TRUE(plan.new_orders.empty());
  EXPECT_TRUE(plan.cancelled_orders.empty());
}

TEST(PlanDevice, WithdrawnLossCancelsUnsentLock) {
  std::vector<LockOrder> orders = {Existing(1, LockAction::kLock, OrderStatus::kPending, 1)};
  DevicePlan plan =
      PlanDevice(Verdict::kDelivered, Device(), orders, kOneConnector, FromMillis(5), "");
  EXPECT_TRUE(plan.new_orders.empty());
  ASSERT_EQ(plan.cancelled_orders.size(), 1u);
  EXPECT_EQ(plan.cancelled_orders[0], 1);
}

TEST(PlanDevice, WithdrawnLossUnlocksSentLock) {
  std::vector<LockOrder> orders = {Existing(1, LockAction::kLock, OrderStatus::kAcknowledged, 1)};
  DevicePlan plan =
      PlanDevice(Verdict::kDelivered, Device(), orders, kOneConnector, FromMillis(5), "delivered");
  ASSERT_EQ(plan.new_orders.size(), 1u);
  EXPECT_EQ(plan.new_orders[0].action, LockAction::kUnlock);
  EXPECT_EQ(plan.new_orders[0].idempotency_key, "373500000000001234:7:dm:unlock:1");
}

TEST(PlanDevice, UnlockNamesTheLockItSupersedes) {
  std::vector<LockOrder> orders = {Existing(4, LockAction::kLock, OrderStatus::kSent, 1)};
  DevicePlan plan =
      PlanDevice(Verdict::kDelivered, Device(), orders, kOneConnector, FromMillis(5), "delivered");
  ASSERT_EQ(plan.new_orders.size(), 1u);
  EXPECT_EQ(plan.new_orders[0].action, LockAction::kUnlock);
  ASSERT_TRUE(plan.new_orders[0].supersedes_order_id.has_value());
  EXPECT_EQ(*plan.new_orders[0].supersedes_order_id, 4);
  EXPECT_TRUE(plan.cancelled_orders.empty());
}

TEST(PlanDevice, UnsentLockCancelledWithoutUnlock) {
  std::vector<LockOrder> orders = {Existing(4, LockAction::kLock, OrderStatus::kPending, 1)};
  DevicePlan plan =
      PlanDevice(Verdict::kDelivered, Device(), orders, kOneConnector, FromMillis(5), "delivered");
  EXPECT_TRUE(plan.new_orders.empty());
  ASSERT_EQ(plan.cancelled_orders.size(), 1u);
  EXPECT_EQ(plan.cancelled_orders[0], 4);
}

// A pending lock whose earlier attempt got no reply may be on the platform: it is withdrawn from
// the outbox and an unlock follows it.
TEST(PlanDevice, AttemptedPendingLockCancelledAndUnlocked) {
  std::vector<LockOrder> orders = {Existing(4, LockAction::kLock, OrderStatus::kPending, 1)};
  orders[0].attempts = 1;
  DevicePlan plan =
      PlanDevice(Verdict::kDelivered, Device(), orders, kOneConnector, FromMillis(5), "delivered");
  ASSERT_EQ(plan.cancelled_orders.size(), 1u);
  EXPECT_EQ(plan.cancelled_orders[0], 4);
  ASSERT_EQ(plan.new_orders.size(), 1u);
  EXPECT_EQ(plan.new_orders[0].action, LockAction::kUnlock);
  EXPECT_EQ(plan.new_orders[0].supersedes_order_id, std::optional<std::int64_t>(4));
}

TEST(PlanDevice, FirstLockSupersedesNothing) {
  DevicePlan plan = PlanDevice(Verdict::kLost, Device(), {}, kOneConnector, FromMillis(5), "lost");
  ASSERT_EQ(plan.new_orders.size(), 1u);
  EXPECT_FALSE(plan.new_orders[0].supersedes_order_id.has_value());
}

TEST(PlanDevice, NewOrderCarriesExpiry) {
  DevicePlan plan = PlanDevice(Verdict::kLost, Device(), {}, kOneConnector, FromMillis(5), "lost",
                               std::chrono::hours(2));
  ASSERT_EQ(plan.new_orders.size(), 1u);
  ASSERT_TRUE(plan.new_orders[0].expires_at.has_value());
  EXPECT_EQ(*plan.new_orders[0].expires_at, FromMillis(5) + std::chrono::hours(2));
}

TEST(PlanDevice, UnlockNeverExpires) {
  std::vector<LockOrder> orders = {Existing(4, LockAction::kLock, OrderStatus::kAcknowledged, 1)};
  DevicePlan plan = PlanDevice(Verdict::kDelivered, Device(), orders, kOneConnector, FromMillis(5),
                               "delivered", std::chrono::hours(2));
  ASSERT_EQ(plan.new_orders.size(), 1u);
  EXPECT_EQ(plan.new_orders[0].action, LockAction::kUnlock);
  EXPECT_FALSE(plan.new_orders[0].expires_at.has_value());
}

TEST(PlanDevice, InFlowWithoutOrdersPlansNothing) {
  DevicePlan plan = PlanDevice(Verdict::kInFlow, Device(), {}, kOneConnector, FromMillis(5), "");
  EXPECT_TRUE(plan.new_orders.empty());
}

TEST(PlanDevice, RelockAfterUnlockUsesNextGeneration) {
  std::vector<LockOrder> orders = {Existing(1, LockAction::kLock, OrderStatus::kAcknowledged, 1),
                                   Existing(2, LockAction::kUnlock, OrderStatus::kAcknowledged, 2)};
  DevicePlan plan = PlanDevice(Verdict::kLost, Device(), orders, kOneConnector, FromMillis(5), "");
  ASSERT_EQ(plan.new_orders.size(), 1u);
  EXPECT_EQ(plan.new_orders[0].idempotency_key, "373500000000001234:7:dm:lock:2");
}

TEST(DeriveLockState, FollowsAcknowledgements) {
  std::vector<LockOrder> orders = {Existing(1, LockAction::kLock, OrderStatus::kSent, 1)};
  EXPECT_EQ(DeriveLockState(Verdict::kLost, orders), LockState::kLockPending);
  orders[0].status = OrderStatus::kAcknowledged;
  EXPECT_EQ(DeriveLockState(Verdict::kLost, orders), LockState::kLocked);
  orders.push_back(Existing(2, LockAction::kUnlock, OrderStatus::kPending, 2));
  EXPECT_EQ(DeriveLockState(Verdict::kDelivered, orders), LockState::kUnlockPending);
  orders[1].status = OrderStatus::kAcknowledged;
  EXPECT_EQ(DeriveLockState(Verdict::kDelivered, orders), LockState::kReleased);
  EXPECT_EQ(DeriveLockState(Verdict::kRecovered, orders), LockState::kWatched);
}

TEST(DeriveLockState, WithoutOrdersFollowsVerdict) {
  EXPECT_EQ(DeriveLockState(Verdict::kInFlow, {}), LockState::kWatched);
  EXPECT_EQ(DeriveLockState(Verdict::kSuspect, {}), LockState::kGreylisted);
  EXPECT_EQ(DeriveLockState(Verdict::kDelivered, {}), LockState::kReleased);
}

}  // namespace
}  // namespace imeiguard
