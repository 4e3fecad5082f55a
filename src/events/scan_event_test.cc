#include "events/scan_event.h"

#include <gtest/gtest.h>

namespace imeiguard {
namespace {

TEST(ScanType, NamesRoundTrip) {
  for (int i = 0; i <= static_cast<int>(ScanType::kFound); ++i) {
    auto type = static_cast<ScanType>(i);
    EXPECT_EQ(ParseScanType(ScanTypeName(type)), type) << ScanTypeName(type);
  }
  EXPECT_EQ(ScanTypeName(ScanType::kOutForDelivery), "out_for_delivery");
  EXPECT_EQ(ScanTypeName(ScanType::kClaimNotReceived), "claim_not_received");
}

TEST(ScanType, UnknownNameRejected) {
  EXPECT_FALSE(ParseScanType("Arrived").has_value());
  EXPECT_FALSE(ParseScanType("").has_value());
}

TEST(NodeType, NamesRoundTrip) {
  for (int i = static_cast<int>(NodeType::kTerminal); i <= static_cast<int>(NodeType::kAddress);
       ++i) {
    auto type = static_cast<NodeType>(i);
    EXPECT_EQ(ParseNodeType(NodeTypeName(type)), type) << NodeTypeName(type);
  }
  EXPECT_EQ(NodeTypeName(NodeType::kServicePoint), "service_point");
}

TEST(NodeType, UnknownHasNoName) {
  EXPECT_EQ(NodeTypeName(NodeType::kUnknown), "");
  EXPECT_FALSE(ParseNodeType("").has_value());
  EXPECT_FALSE(ParseNodeType("depot").has_value());
}

TEST(ScanEvent, FromViewCopiesEveryField) {
  ScanEventView view;
  view.event_id = "e-8f3a";
  view.parcel_id = "373500000000001234";
  view.type = ScanType::kReweighed;
  view.time = FromMillis(1000);
  view.received = FromMillis(2000);
  view.node = "SE-TERM-GBG";
  view.node_type = NodeType::kTerminal;
  view.handler = "h-1042";
  view.weight_g = 402;
  view.next_node = "SE-HUB-STO";
  view.detail = "scale 3";

  ScanEvent event = ScanEvent::FromView(view, FromMillis(3000));
  EXPECT_EQ(event.event_id, "e-8f3a");
  EXPECT_EQ(event.parcel_id, "373500000000001234");
  EXPECT_EQ(event.type, ScanType::kReweighed);
  EXPECT_EQ(event.time, FromMillis(1000));
  EXPECT_EQ(event.received, FromMillis(2000));
  EXPECT_EQ(event.node, "SE-TERM-GBG");
  EXPECT_EQ(event.node_type, NodeType::kTerminal);
  EXPECT_EQ(event.handler, "h-1042");
  EXPECT_EQ(event.weight_g, 402);
  EXPECT_EQ(event.next_node, "SE-HUB-STO");
  EXPECT_EQ(event.detail, "scale 3");
  EXPECT_EQ(event.recorded_at, FromMillis(3000));
}

TEST(ScanEvent, ViewPointsIntoEvent) {
  ScanEvent event;
  event.event_id = "e-1";
  event.parcel_id = "RR123456785SE";
  event.node = "SE-LOCKER-9";
  event.node_type = NodeType::kLocker;
  event.type = ScanType::kDelivered;
  event.weight_g = 5;

  ScanEventView view = event.View();
  EXPECT_EQ(view.event_id.data(), event.event_id.data());
  EXPECT_EQ(view.parcel_id, "RR123456785SE");
  EXPECT_EQ(view.node, "SE-LOCKER-9");
  EXPECT_EQ(view.node_type, NodeType::kLocker);
  EXPECT_EQ(view.type, ScanType::kDelivered);
  EXPECT_EQ(view.weight_g, 5);
  EXPECT_FALSE(view.received.has_value());
}

TEST(ScanEvent, ClockTimePrefersReceived) {
  ScanEvent event;
  event.time = FromMillis(10);
  EXPECT_EQ(event.ClockTime(), FromMillis(10));
  event.received = FromMillis(20);
  EXPECT_EQ(event.ClockTime(), FromMillis(20));
}

TEST(ScanEvent, DeliveryScans) {
  EXPECT_TRUE(IsDeliveryScan(ScanType::kDelivered));
  EXPECT_TRUE(IsDeliveryScan(ScanType::kPickedUp));
  EXPECT_FALSE(IsDeliveryScan(ScanType::kDeliveryAttempted));
  EXPECT_FALSE(IsDeliveryScan(ScanType::kAvailableForPickup));
}

TEST(ScanEvent, ExceptionScans) {
  EXPECT_TRUE(IsExceptionScan(ScanType::kExceptionDamaged));
  EXPECT_TRUE(IsExceptionScan(ScanType::kExceptionOpened));
  EXPECT_TRUE(IsExceptionScan(ScanType::kExceptionMissing));
  EXPECT_FALSE(IsExceptionScan(ScanType::kClaimNotReceived));
  EXPECT_FALSE(IsExceptionScan(ScanType::kReweighed));
}

}  // namespace
}  // namespace imeiguard
