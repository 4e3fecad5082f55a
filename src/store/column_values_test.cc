// The store's column encodings: its enum names against the domain libraries' wire names, and the
// evidence JSON.
#include "store/column_values.h"

#include <gtest/gtest.h>

namespace imeiguard::sqlite {
namespace {

TEST(ColumnValues, VerdictNamesMatchVerdictName) {
  for (Verdict verdict : {Verdict::kInFlow, Verdict::kDelivered, Verdict::kReturned,
                          Verdict::kSuspect, Verdict::kLost, Verdict::kRecovered}) {
    EXPECT_EQ(VerdictColumn(verdict), VerdictName(verdict));
    EXPECT_EQ(ParseVerdictColumn(VerdictName(verdict)), verdict);
  }
}

TEST(ColumnValues, LockStateNamesMatchLockStateName) {
  for (LockState state : {LockState::kWatched, LockState::kGreylisted, LockState::kLockPending,
                          LockState::kLocked, LockState::kUnlockPending, LockState::kReleased}) {
    EXPECT_EQ(LockStateColumn(state), LockStateName(state));
    EXPECT_EQ(ParseLockStateColumn(LockStateName(state)), state);
  }
}

TEST(ColumnValues, LockActionNamesMatchLockActionName) {
  for (LockAction action : {LockAction::kLock, LockAction::kUnlock}) {
    EXPECT_EQ(LockActionColumn(action), LockActionName(action));
    EXPECT_EQ(ParseLockActionColumn(LockActionName(action)), action);
  }
}

TEST(ColumnValues, OrderStatusNamesMatchOrderStatusName) {
  for (OrderStatus status : {OrderStatus::kPending, OrderStatus::kSent, OrderStatus::kAcknowledged,
                             OrderStatus::kCancelled, OrderStatus::kFailed}) {
    EXPECT_EQ(OrderStatusColumn(status), OrderStatusName(status));
    EXPECT_EQ(ParseOrderStatusColumn(OrderStatusName(status)), status);
  }
}

TEST(ColumnValues, UnknownNameParsesToNothing) {
  EXPECT_FALSE(ParseVerdictColumn("Lost").has_value());
  EXPECT_FALSE(ParseLockStateColumn("").has_value());
  EXPECT_FALSE(ParseLockActionColumn("wipe").has_value());
  EXPECT_FALSE(ParseOrderStatusColumn("done").has_value());
}

TEST(EvidenceJson, RoundTripsEveryField) {
  std::vector<Evidence> evidence = {
      {"exception_scan", FromMillis(1'772'000'000'123), "e-8f3a", "opened at \"GBG\"\n", "lost"},
      {"overdue", FromMillis(-5), "", "", ""},
      {"node_outage", FromMillis(7), "", "9 parcels stuck", "context"},
  };
  Result<std::vector<Evidence>> parsed = ParseEvidenceJson(EvidenceToJson(evidence));
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(*parsed, evidence);
}

TEST(EvidenceJson, ElementWithoutOutcomeParses) {
  Result<std::vector<Evidence>> parsed =
      ParseEvidenceJson(R"([{"rule": "silence", "at": 5, "event_id": "", "detail": "quiet"}])");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  ASSERT_EQ(parsed->size(), 1u);
  EXPECT_EQ((*parsed)[0].outcome, "");
}

TEST(EvidenceJson, EmptyListIsEmptyArray) {
  EXPECT_EQ(EvidenceToJson({}), "[]");
  Result<std::vector<Evidence>> parsed = ParseEvidenceJson("[]");
  ASSERT_TRUE(parsed.ok());
  EXPECT_TRUE(parsed->empty());
}

TEST(EvidenceJson, MalformedTextIsCorrupt) {
  for (std::string_view json :
       {"{", "{}", "[1]", R"([{"rule": "x"}])",
        R"([{"rule": "x", "at": "today", "event_id": "", "detail": ""}])",
        R"([{"rule": "x", "at": 1, "event_id": "", "detail": "", "outcome": 3}])"}) {
    Result<std::vector<Evidence>> parsed = ParseEvidenceJson(json);
    ASSERT_FALSE(parsed.ok()) << json;
    EXPECT_EQ(parsed.error().kind, ErrorKind::kInternal) << json;
    EXPECT_EQ(parsed.error().reason, "corrupt_evidence") << json;
  }
}

}  // namespace
}  // namespace imeiguard::sqlite
