#include "detection/engine.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

namespace imeiguard {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

Timestamp At(std::string_view text) { return ParseRfc3339(text).value(); }

ParcelRecord Parcel() {
  ParcelRecord parcel;
  parcel.parcel_id = "373500000000001234";
  parcel.shipper_id = "telco-a";
  parcel.promised_by = At("2026-03-05T23:59:59+01:00");
  return parcel;
}

ScanEvent Scan(std::string id, ScanType type, std::string_view time) {
  ScanEvent event;
  event.event_id = std::move(id);
  event.parcel_id = "373500000000001234";
  event.type = type;
  event.time = At(time);
  event.node = "SE-TERM-GBG";
  return event;
}

std::vector<ScanEvent> Sorted(std::vector<ScanEvent> events) {
  std::sort(events.begin(), events.end(), EventTimeOrder);
  return events;
}

TEST(Assess, NoEventsIsInFlow) {
  Assessment a = Assess(Parcel(), {}, At("2026-03-02T00:00:00Z"), DetectionPolicy{});
  EXPECT_EQ(a.verdict, Verdict::kInFlow);
  EXPECT_FALSE(a.next_deadline.has_value());
}

TEST(Assess, NeverScannedParcelIsNotOverdue) {
  // Registered but never handed to the carrier: the phones are not in the carrier's network.
  Assessment a = Assess(Parcel(), {}, At("2026-04-30T00:00:00Z"), DetectionPolicy{});
  EXPECT_EQ(a.verdict, Verdict::kInFlow);
  EXPECT_TRUE(a.evidence.empty());
}

TEST(Assess, FirstScanStartsOverdueClock) {
  auto history = Sorted({Scan("a", ScanType::kAccepted, "2026-03-02T09:00:00Z")});
  DetectionPolicy policy;
  policy.silence = RuleOutcome::kIgnore;
  Assessment a = Assess(Parcel(), history, At("2026-03-02T10:00:00Z"), policy);
  ASSERT_TRUE(a.next_deadline.has_value());
  EXPECT_EQ(*a.next_deadline, At("2026-03-06T23:59:59+01:00"));
}

TEST(Assess, DeliveryOlderThanLaterScanStaysDelivered) {
  // F1: out_for_delivery 10:24, delivered 10:19, arrived 13:20.
  auto history = Sorted({Scan("a", ScanType::kOutForDelivery, "2026-03-03T10:24:00+01:00"),
                         Scan("b", ScanType::kDelivered, "2026-03-03T10:19:00+01:00"),
                         Scan("c", ScanType::kArrived, "2026-03-03T13:20:00+01:00")});
  Assessment a = Assess(Parcel(), history, At("2026-03-20T00:00:00Z"), DetectionPolicy{});
  EXPECT_EQ(a.verdict, Verdict::kDelivered);
  EXPECT_EQ(a.since, At("2026-03-03T10:19:00+01:00"));
  EXPECT_FALSE(a.next_deadline.has_value());
  ASSERT_EQ(a.evidence.size(), 1u);
  EXPECT_EQ(a.evidence[0].rule, "delivered");
  EXPECT_EQ(a.evidence[0].event_id, "b");
}

TEST(Assess, SilenceDeclaresLost) {
  DetectionPolicy policy;
  policy.silence_limit = hours(72);
  auto history = Sorted({Scan("a", ScanType::kAccepted, "2026-03-01T08:00:00Z"),
                         Scan("b", ScanType::kArrived, "2026-03-02T08:00:00Z")});
  Assessment before = Assess(Parcel(), history, At("2026-03-05T07:59:59Z"), policy);
  EXPECT_EQ(before.verdict, Verdict::kInFlow);
  EXPECT_EQ(*before.next_deadline, At("2026-03-05T08:00:00Z"));

  Assessment after = Assess(Parcel(), history, At("2026-03-05T08:00:00Z"), policy);
  EXPECT_EQ(after.verdict, Verdict::kLost);
  EXPECT_EQ(after.since, At("2026-03-05T08:00:00Z"));
  ASSERT_EQ(after.evidence.size(), 1u);
  EXPECT_EQ(after.evidence[0].rule, "silence");
}

TEST(Assess, OverdueDeclaresLost) {
  DetectionPolicy policy;
  policy.overdue = RuleOutcome::kLost;
  policy.silence_limit = hours(24 * 30);
  policy.overdue_grace = hours(24);
  auto history = Sorted({Scan("a", ScanType::kAccepted, "2026-03-04T08:00:00Z")});
  Assessment a = Assess(Parcel(), history, At("2026-03-07T00:00:00Z"), policy);
  EXPECT_EQ(a.verdict, Verdict::kLost);
  EXPECT_EQ(a.since, At("2026-03-06T23:59:59+01:00"));
  EXPECT_EQ(a.evidence.at(0).rule, "overdue");
}

TEST(Assess, ExceptionMissingDeclaresLostAtItsTime) {
  auto history = Sorted({Scan("a", ScanType::kAccepted, "2026-03-01T08:00:00Z"),
                         Scan("b", ScanType::kExceptionMissing, "2026-03-01T12:00:00Z")});
  Assessment a = Assess(Parcel(), history, At("2026-03-01T12:30:00Z"), DetectionPolicy{});
  EXPECT_EQ(a.verdict, Verdict::kLost);
  EXPECT_EQ(a.since, At("2026-03-01T12:00:00Z"));
  EXPECT_EQ(a.evidence.at(0).rule, "exception_scan");
  EXPECT_EQ(a.evidence.at(0).event_id, "b");
}

TEST(Assess, DamageOnlyRaisesSuspicion) {
  auto history = Sorted({Scan("a", ScanType::kExceptionDamaged, "2026-03-01T12:00:00Z")});
  Assessment a = Assess(Parcel(), history, At("2026-03-01T12:30:00Z"), DetectionPolicy{});
  EXPECT_EQ(a.verdict, Verdict::kSuspect);
}

TEST(Assess, ScanAfterLossRecovers) {
  auto history = Sorted({Scan("a", ScanType::kExceptionMissing, "2026-03-01T12:00:00Z"),
                         Scan("b", ScanType::kFound, "2026-03-01T15:00:00Z")});
  Assessment a = Assess(Parcel(), history, At("2026-03-01T16:00:00Z"), DetectionPolicy{});
  EXPECT_EQ(a.verdict, Verdict::kRecovered);
  EXPECT_EQ(a.since, At("2026-03-01T15:00:00Z"));
  ASSERT_EQ(a.evidence.size(), 2u);
  EXPECT_EQ(a.evidence[1].rule, "seen_again");
}

TEST(Assess, SilenceFiresAgainAfterRecovery) {
  DetectionPolicy policy;
  policy.silence_limit = hours(10);
  policy.overdue = RuleOutcome::kIgnore;
  auto history = Sorted({Scan("a", ScanType::kAccepted, "2026-03-01T00:00:00Z"),
                         Scan("b", ScanType::kArrived, "2026-03-01T20:00:00Z")});
  Assessment a = Assess(Parcel(), history, At("2026-03-02T06:00:00Z"), policy);
  EXPECT_EQ(a.verdict, Verdict::kLost);
  ASSERT_EQ(a.evidence.size(), 3u);
  EXPECT_EQ(a.evidence[0].rule, "silence");
  EXPECT_EQ(a.evidence[1].rule, "seen_again");
  EXPECT_EQ(a.evidence[2].rule, "silence");
}

TEST(Assess, LateDeliveryWithdrawsLoss) {
  // F3: accepted day 0, arrived day 1, lost by day 8; a delivery dated day 2 arrives on day 9.
  DetectionPolicy policy;
  std::vector<ScanEvent> history = {Scan("a", ScanType::kAccepted, "2026-03-01T09:00:00Z"),
                                    Scan("b", ScanType::kArrived, "2026-03-02T09:00:00Z")};
  Assessment lost = Assess(Parcel(), history, At("2026-03-09T09:00:00Z"), policy);
  ASSERT_EQ(lost.verdict, Verdict::kLost);

  history.push_back(Scan("c", ScanType::kDelivered, "2026-03-03T11:40:00Z"));
  Assessment delivered = Assess(Parcel(), Sorted(history), At("2026-03-10T09:00:00Z"), policy);
  EXPECT_EQ(delivered.verdict, Verdict::kDelivered);
  EXPECT_EQ(delivered.since, At("2026-03-03T11:40:00Z"));
}

TEST(Assess, ArrivalOrderDoesNotMatter) {
  std::vector<ScanEvent> events = {Scan("a", ScanType::kAccepted, "2026-03-01T09:00:00Z"),
                                   Scan("b", ScanType::kExceptionOpened, "2026-03-02T09:00:00Z"),
                                   Scan("c", ScanType::kArrived, "2026-03-02T10:00:00Z"),
                                   Scan("d", ScanType::kArrived, "2026-03-05T10:00:00Z")};
  Timestamp now = At("2026-03-09T00:00:00Z");
  Assessment in_order = Assess(Parcel(), Sorted(events), now, DetectionPolicy{});
  std::reverse(events.begin(), events.end());
  Assessment reversed = Assess(Parcel(), Sorted(events), now, DetectionPolicy{});
  EXPECT_EQ(in_order, reversed);
}

TEST(Assess, ClaimDoesNotCountAsScan) {
  DetectionPolicy policy;
  policy.silence_limit = hours(10);
  auto history = Sorted({Scan("a", ScanType::kExceptionMissing, "2026-03-01T00:00:00Z"),
                         Scan("b", ScanType::kClaimNotReceived, "2026-03-01T05:00:00Z")});
  Assessment a = Assess(Parcel(), history, At("2026-03-01T06:00:00Z"), policy);
  EXPECT_EQ(a.verdict, Verdict::kLost);
}

TEST(Assess, DeclarationByOfficerMakesParcelLost) {
  ScanEvent declared = Scan("m", ScanType::kDeclaredLost, "2026-03-02T12:00:00Z");
  declared.handler = "k-officer";
  declared.detail = "CCTV shows the parcel taken";
  auto history = Sorted({Scan("a", ScanType::kArrived, "2026-03-02T09:00:00Z"), declared});
  Assessment a = Assess(Parcel(), history, At("2026-03-02T12:00:01Z"), DetectionPolicy{});
  EXPECT_EQ(a.verdict, Verdict::kLost);
  EXPECT_EQ(a.since, At("2026-03-02T12:00:00Z"));
  ASSERT_EQ(a.evidence.size(), 1u);
  EXPECT_EQ(a.evidence[0].rule, "manual");
  EXPECT_EQ(a.evidence[0].event_id, "m");
  EXPECT_EQ(a.evidence[0].detail, "declared lost by k-officer: CCTV shows the parcel taken");
}

TEST(Assess, DeclarationAfterRuleKeepsLossAndAddsEvidence) {
  auto history = Sorted({Scan("a", ScanType::kExceptionMissing, "2026-03-02T09:00:00Z"),
                         Scan("m", ScanType::kDeclaredLost, "2026-03-02T09:00:40Z")});
  Assessment a = Assess(Parcel(), history, At("2026-03-02T10:00:00Z"), DetectionPolicy{});
  EXPECT_EQ(a.verdict, Verdict::kLost);
  EXPECT_EQ(a.since, At("2026-03-02T09:00:00Z"));
  ASSERT_EQ(a.evidence.size(), 2u);
  EXPECT_EQ(a.evidence[0].rule, "exception_scan");
  EXPECT_EQ(a.evidence[1].rule, "manual");
}

TEST(Assess, ScanAfterDeclarationReopensParcel) {
  auto history = Sorted({Scan("a", ScanType::kArrived, "2026-03-02T09:00:00Z"),
                         Scan("m", ScanType::kDeclaredLost, "2026-03-02T12:00:00Z"),
                         Scan("b", ScanType::kSorted, "2026-03-02T13:00:00Z")});
  Assessment a = Assess(Parcel(), history, At("2026-03-02T14:00:00Z"), DetectionPolicy{});
  EXPECT_EQ(a.verdict, Verdict::kRecovered);
  EXPECT_EQ(a.since, At("2026-03-02T13:00:00Z"));
}

TEST(Assess, DeclarationDoesNotRestartSilence) {
  auto history = Sorted({Scan("a", ScanType::kArrived, "2026-03-02T09:00:00Z"),
                         Scan("m", ScanType::kDeclaredLost, "2026-03-03T09:00:00Z")});
  Assessment a = Assess(Parcel(), history, At("2026-03-03T10:00:00Z"), DetectionPolicy{});
  ASSERT_TRUE(a.next_deadline.has_value());
  EXPECT_EQ(*a.next_deadline, At("2026-03-02T09:00:00Z") + hours(72));
}

}  // namespace
}  // namespace imeiguard
