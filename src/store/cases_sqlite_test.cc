// Cases in SqliteStore: the queue's order and paging, steps recorded with the case in one
// transaction, and the cases the engine loads at start-up.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "store/sqlite_store.h"
#include "store/store_test_support.h"

namespace imeiguard {
namespace {

using testing_support::At;
using testing_support::MakeDevice;
using testing_support::MakeParcel;
using testing_support::TemporaryDirectory;

constexpr std::string_view kParcels[] = {"373500000000001234", "373500000000005678",
                                         "RR123456785SE"};

class CaseStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    auto opened = SqliteStore::Open((dir_.path() / "store.db").string());
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    store_ = std::move(opened).value();
    std::vector<ManifestParcel> parcels;
    std::uint64_t imei = 49015420323751;
    for (std::string_view id : kParcels) {
      parcels.push_back(MakeParcel(std::string(id), {MakeDevice(imei++, 2)}));
    }
    ASSERT_TRUE(store_->ImportManifest(parcels, At("2026-03-01T08:00:00Z")).ok());
  }

  static CaseRecord Case(std::string_view parcel_id, std::string_view opened_at,
                         std::int64_t value_ore) {
    CaseRecord record;
    record.parcel_id = std::string(parcel_id);
    record.shipper_id = "telco-a";
    record.opened_at = At(opened_at);
    record.updated_at = At(opened_at);
    record.value_ore = value_ore;
    return record;
  }

  static AuditEntry Step(std::string action) {
    AuditEntry entry;
    entry.at = At("2026-03-01T09:00:00Z");
    entry.actor = "k-officer";
    entry.action = std::move(action);
    entry.detail = "{}";
    return entry;
  }

  std::int64_t Save(const CaseRecord& record) {
    auto saved = store_->SaveCase(record, {});
    EXPECT_TRUE(saved.ok()) << saved.error().message;
    return saved.ok() ? *saved : 0;
  }

  TemporaryDirectory dir_{"cases"};
  std::unique_ptr<SqliteStore> store_;
};

TEST_F(CaseStoreTest, QueueIsNewestThenMostValuableAndPages) {
  std::int64_t older = Save(Case(kParcels[0], "2026-03-01T09:00:00Z", 900000));
  std::int64_t cheap = Save(Case(kParcels[1], "2026-03-02T09:00:00Z", 100000));
  std::int64_t dear = Save(Case(kParcels[2], "2026-03-02T09:00:00Z", 1500000));

  auto all = store_->ListCases(0, 10);
  ASSERT_TRUE(all.ok()) << all.error().message;
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].case_id, dear);
  EXPECT_EQ((*all)[1].case_id, cheap);
  EXPECT_EQ((*all)[2].case_id, older);

  auto first = store_->ListCases(0, 2);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->size(), 2u);
  auto rest = store_->ListCases(first->back().case_id, 2);
  ASSERT_TRUE(rest.ok());
  ASSERT_EQ(rest->size(), 1u);
  EXPECT_EQ(rest->front().case_id, older);
}

TEST_F(CaseStoreTest, StepsNameTheCaseAndRoundTrip) {
  CaseRecord record = Case(kParcels[0], "2026-03-01T09:00:00Z", 999000);
  record.lock = CaseLock::kAwaitingApproval;
  record.lock_since = At("2026-03-01T08:59:00Z");
  record.hold_reason = std::string(kHoldSecondOfficer);
  record.hold_rule = "manual";
  record.requested_by = "k-officer";
  record.guard_trip = 7;
  AuditEntry opened = Step("case_opened");
  auto saved = store_->SaveCase(record, std::span(&opened, 1));
  ASSERT_TRUE(saved.ok()) << saved.error().message;
  record.case_id = *saved;

  auto loaded = store_->LoadCase(*saved);
  ASSERT_TRUE(loaded.ok());
  ASSERT_TRUE(loaded->has_value());
  EXPECT_EQ(**loaded, record);
  auto by_parcel = store_->LoadParcelCase(kParcels[0]);
  ASSERT_TRUE(by_parcel.ok());
  ASSERT_TRUE(by_parcel->has_value());
  EXPECT_EQ((*by_parcel)->case_id, *saved);

  record.theft_confirmed = true;
  record.police_report = "5000-K123456-26";
  AuditEntry reported = Step("police_report_recorded");
  ASSERT_TRUE(store_->SaveCase(record, std::span(&reported, 1)).ok());
  auto steps = store_->LoadAudit("case:" + std::to_string(*saved), 10);
  ASSERT_TRUE(steps.ok());
  ASSERT_EQ(steps->size(), 2u);
  EXPECT_EQ((*steps)[0].action, "police_report_recorded");
  EXPECT_EQ((*steps)[1].action, "case_opened");
  EXPECT_EQ((**store_->LoadCase(*saved)).police_report, "5000-K123456-26");
}

TEST_F(CaseStoreTest, SecondCaseOfParcelRejected) {
  Save(Case(kParcels[0], "2026-03-01T09:00:00Z", 0));
  AuditEntry opened = Step("case_opened");
  auto again =
      store_->SaveCase(Case(kParcels[0], "2026-03-02T09:00:00Z", 0), std::span(&opened, 1));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().reason, "case_exists");
  auto audit = store_->LoadAudit("", 10);
  ASSERT_TRUE(audit.ok());
  EXPECT_TRUE(audit->empty());
}

TEST_F(CaseStoreTest, CaseSavedWithAssessmentInOneTransaction) {
  AssessmentChange change;
  change.parcel_id = std::string(kParcels[1]);
  change.assessment.verdict = Verdict::kLost;
  change.assessment.since = At("2026-03-01T09:00:00Z");
  change.at = change.assessment.since;
  change.case_record = Case(kParcels[1], "2026-03-01T09:00:00Z", 999000);
  change.case_audit.push_back(Step("case_opened"));
  // A new order naming a device that is not stored fails the change: neither verdict nor case.
  LockOrder order;
  order.device_id = 999;
  order.parcel_id = change.parcel_id;
  order.idempotency_key = "k";
  change.new_orders.push_back(order);
  ASSERT_FALSE(store_->SaveAssessment(change).ok());
  auto none = store_->LoadParcelCase(kParcels[1]);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());

  change.new_orders.clear();
  ASSERT_TRUE(store_->SaveAssessment(change).ok());
  auto stored = store_->LoadParcelCase(kParcels[1]);
  ASSERT_TRUE(stored.ok());
  ASSERT_TRUE(stored->has_value());
  auto steps = store_->LoadAudit("case:" + std::to_string((*stored)->case_id), 10);
  ASSERT_TRUE(steps.ok());
  ASSERT_EQ(steps->size(), 1u);
  EXPECT_EQ(steps->front().action, "case_opened");
}

TEST_F(CaseStoreTest, ActiveCasesOpenOrAwaiting) {
  std::int64_t open = Save(Case(kParcels[0], "2026-03-01T09:00:00Z", 0));
  Save(Case(kParcels[1], "2026-03-01T09:00:00Z", 0));
  CaseRecord waiting = Case(kParcels[2], "2026-03-01T09:00:00Z", 0);
  waiting.lock = CaseLock::kAwaitingApproval;
  std::int64_t awaiting = Save(waiting);
  for (std::string_view closed : {kParcels[1], kParcels[2]}) {
    AssessmentChange change;
    change.parcel_id = std::string(closed);
    change.assessment.verdict = Verdict::kDelivered;
    change.at = At("2026-03-03T09:00:00Z");
    ASSERT_TRUE(store_->SaveAssessment(change).ok());
  }
  auto active = store_->LoadActiveCases();
  ASSERT_TRUE(active.ok()) << active.error().message;
  ASSERT_EQ(active->size(), 2u);
  EXPECT_EQ((*active)[0].case_id, open);
  EXPECT_EQ((*active)[1].case_id, awaiting);
}

TEST_F(CaseStoreTest, MigrationOpensCasesOfLostParcels) {
  AssessmentChange change;
  change.parcel_id = std::string(kParcels[1]);
  change.assessment.verdict = Verdict::kLost;
  change.assessment.since = At("2026-03-02T10:00:00Z");
  change.at = change.assessment.since;
  ASSERT_TRUE(store_->SaveAssessment(change).ok());
  store_.reset();

  // Takes the file back to schema 4, so that opening it runs the cases migration again.
  std::string path = (dir_.path() / "store.db").string();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "DROP TABLE cases; DELETE FROM schema_migrations WHERE version = 5;",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);

  auto reopened = SqliteStore::Open(path);
  ASSERT_TRUE(reopened.ok()) << reopened.error().message;
  store_ = std::move(reopened).value();
  auto backfilled = store_->LoadParcelCase(kParcels[1]);
  ASSERT_TRUE(backfilled.ok());
  ASSERT_TRUE(backfilled->has_value());
  EXPECT_EQ((*backfilled)->opened_at, At("2026-03-02T10:00:00Z"));
  EXPECT_EQ((*backfilled)->value_ore, 999000);
  EXPECT_EQ((*backfilled)->lock, CaseLock::kAutomatic);
  auto in_flow = store_->LoadParcelCase(kParcels[0]);
  ASSERT_TRUE(in_flow.ok());
  EXPECT_FALSE(in_flow->has_value());
}

}  // namespace
}  // namespace imeiguard
