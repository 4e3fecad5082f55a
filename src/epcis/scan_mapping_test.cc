#include "epcis/scan_mapping.h"

#include <gtest/gtest.h>

namespace imeiguard::epcis {
namespace {

Event ParcelEvent(std::string biz_step, std::string disposition = "") {
  Event event;
  event.type = EventType::kObject;
  event.action = "OBSERVE";
  event.event_id = "urn:uuid:1";
  event.event_hash = "ni:///sha-256;00?ver=CBV2.0";
  event.event_time = FromMillis(1'772'428'449'000);
  event.epc_list = {"urn:epc:id:sscc:7350000.0000001234"};
  event.read_point = "urn:epc:id:sgln:7350000.00001.0";
  event.biz_step = std::move(biz_step);
  event.disposition = std::move(disposition);
  return event;
}

Mapped Map(const Event& event, const MappingRules& rules = {}) {
  Mapped mapped;
  MapEvent(event, rules, Timestamp{}, mapped);
  return mapped;
}

TEST(MapEvent, ArrivingIsArrived) {
  Mapped mapped = Map(ParcelEvent("arriving"));
  ASSERT_EQ(mapped.scans.size(), 1u);
  EXPECT_EQ(mapped.scans[0].type, ScanType::kArrived);
  EXPECT_EQ(mapped.scans[0].parcel_id, "073500000000012347");
  EXPECT_EQ(mapped.scans[0].event_id, "urn:uuid:1");
  EXPECT_EQ(mapped.scans[0].node, "urn:epc:id:sgln:7350000.00001.0");
}

TEST(MapEvent, StepsGiveScanTypes) {
  const std::pair<std::string, ScanType> cases[] = {
      {"accepting", ScanType::kAccepted}, {"departing", ScanType::kDeparted},
      {"loading", ScanType::kLoaded},     {"unloading", ScanType::kUnloaded},
      {"returning", ScanType::kReturned}, {"receiving", ScanType::kDelivered}};
  for (const auto& [step, type] : cases) {
    Mapped mapped = Map(ParcelEvent(step));
    ASSERT_EQ(mapped.scans.size(), 1u) << step;
    EXPECT_EQ(mapped.scans[0].type, type) << step;
  }
}

TEST(MapEvent, DispositionRefinesStep) {
  const std::pair<std::string, ScanType> cases[] = {{"damaged", ScanType::kExceptionDamaged},
                                                    {"container_open", ScanType::kExceptionOpened},
                                                    {"stolen", ScanType::kExceptionMissing},
                                                    {"unknown", ScanType::kExceptionMissing}};
  for (const auto& [disposition, type] : cases) {
    Mapped mapped = Map(ParcelEvent("arriving", disposition));
    ASSERT_EQ(mapped.scans.size(), 1u) << disposition;
    EXPECT_EQ(mapped.scans[0].type, type) << disposition;
  }
}

TEST(MapEvent, InspectingNeedsWeight) {
  EXPECT_TRUE(Map(ParcelEvent("inspecting")).scans.empty());
  Event weighed = ParcelEvent("inspecting");
  weighed.weight_g = 402;
  Mapped mapped = Map(weighed);
  ASSERT_EQ(mapped.scans.size(), 1u);
  EXPECT_EQ(mapped.scans[0].type, ScanType::kReweighed);
  EXPECT_EQ(mapped.scans[0].weight_g, 402);
}

TEST(MapEvent, CompletenessVerifiedDeliversAtLocker) {
  Event event = ParcelEvent("", "completeness_verified");
  EXPECT_TRUE(Map(event).scans.empty());
  MappingRules rules;
  rules.node_types["urn:epc:id:sgln:7350000.00001.0"] = NodeType::kLocker;
  Mapped mapped = Map(event, rules);
  ASSERT_EQ(mapped.scans.size(), 1u);
  EXPECT_EQ(mapped.scans[0].type, ScanType::kDelivered);
  EXPECT_EQ(mapped.scans[0].node_type, NodeType::kLocker);
}

TEST(MapEvent, ConfiguredStepGivesScan) {
  MappingRules rules;
  rules.biz_steps["sorting"] = ScanType::kSorted;
  Mapped mapped = Map(ParcelEvent("sorting"), rules);
  ASSERT_EQ(mapped.scans.size(), 1u);
  EXPECT_EQ(mapped.scans[0].type, ScanType::kSorted);
}

TEST(MapEvent, UnmappedStepGivesNothing) {
  EXPECT_TRUE(Map(ParcelEvent("shipping")).scans.empty());
}

TEST(MapEvent, NonParcelGivesNothing) {
  Event event = ParcelEvent("arriving");
  event.epc_list = {"urn:epc:id:sgtin:0614141.107346.2017"};
  EXPECT_TRUE(Map(event).scans.empty());
}

TEST(MapEvent, TwoParcelsGetDistinctIds) {
  Event event = ParcelEvent("arriving");
  event.epc_list.push_back("https://id.gs1.org/00/373500000000009999");
  Mapped mapped = Map(event);
  ASSERT_EQ(mapped.scans.size(), 2u);
  EXPECT_EQ(mapped.scans[0].event_id, "urn:uuid:1#073500000000012347");
  EXPECT_EQ(mapped.scans[1].event_id, "urn:uuid:1#373500000000009999");
}

TEST(MapEvent, AggregationParentIsParcel) {
  Event event = ParcelEvent("loading");
  event.type = EventType::kAggregation;
  event.action = "ADD";
  event.epc_list.clear();
  event.parent_id = "https://id.gs1.org/00/373500000000009999";
  event.child_epcs = {"urn:gsma:imei:490154203237518"};
  Mapped mapped = Map(event);
  ASSERT_EQ(mapped.scans.size(), 1u);
  EXPECT_EQ(mapped.scans[0].parcel_id, "373500000000009999");
}

TEST(MapEvent, DeclarationWithdrawsAndGivesNoScan) {
  Event event = ParcelEvent("receiving");
  event.error_declaration = ErrorDeclaration{FromMillis(1'772'500'000'000), "incorrect_data", {}};
  Mapped mapped = Map(event);
  EXPECT_TRUE(mapped.scans.empty());
  ASSERT_EQ(mapped.withdrawals.size(), 1u);
  EXPECT_EQ(mapped.withdrawals[0].event_id, "urn:uuid:1");
  EXPECT_EQ(mapped.withdrawals[0].parcel_id, "073500000000012347");
  EXPECT_EQ(mapped.withdrawals[0].reason, "incorrect_data");
}

TEST(MapEvent, EventWithoutIdUsesHash) {
  Event event = ParcelEvent("arriving");
  event.event_id.clear();
  Mapped mapped = Map(event);
  ASSERT_EQ(mapped.scans.size(), 1u);
  EXPECT_EQ(mapped.scans[0].event_id, "ni:///sha-256;00?ver=CBV2.0");
}

}  // namespace
}  // namespace imeiguard::epcis
