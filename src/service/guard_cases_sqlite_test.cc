// Cases through the service on a real SQLite file: locks that wait for a security officer, four
// eyes on declarations and on unlocks of confirmed thefts, and the blast-radius guard.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <mutex>

#include "service/guard_service.h"
#include "store/sqlite_store.h"

namespace imeiguard {
namespace {

Timestamp At(std::string_view text) { return ParseRfc3339(text).value(); }

// A platform that applies every order at once and keeps each one it was sent.
class ApplyingPlatform final : public LockConnector {
 public:
  const std::string& name() const override { return name_; }
  ConnectorReply Submit(const LockOrder& order) override {
    std::lock_guard lock(mutex_);
    sent.push_back(order);
    return {ConnectorReply::Kind::kApplied, "p-" + std::to_string(order.order_id), std::nullopt,
            ""};
  }
  ConnectorReply Poll(const LockOrder& order) override { return Submit(order); }

  int Count(LockAction action) {
    std::lock_guard lock(mutex_);
    return static_cast<int>(std::count_if(
        sent.begin(), sent.end(), [action](const LockOrder& o) { return o.action == action; }));
  }

  std::vector<LockOrder> sent;

 private:
  std::string name_ = "dm";
  std::mutex mutex_;
};

// Parcel i of a test: an SSCC and one phone with a valid IMEI, worth 1 000 kr plus i öre.
std::string ParcelId(int i) {
  char id[19];
  std::snprintf(id, sizeof id, "3735%014d", 200000 + i);
  return id;
}

std::string Manifest(int parcels, std::string_view shipper = "telco-a", int first = 0) {
  std::string csv =
      "parcel_id,shipper_id,service,promised_by,destination_postcode,imei,value_sek\n";
  for (int i = first; i < first + parcels; ++i) {
    csv += ParcelId(i) + "," + std::string(shipper) + ",home,2026-04-30,41301," +
           Imei::FromCoreValue(35847212000000 + i).WithCheckDigit() + ",1000\n";
  }
  return csv;
}

std::string Scan(int parcel, std::string_view type, std::string_view time) {
  return R"({"event_id":"s-)" + std::to_string(parcel) + "-" + std::string(type) + "-" +
         std::string(time) + R"(","parcel_id":")" + ParcelId(parcel) + R"(","type":")" +
         std::string(type) + R"(","time":")" + std::string(time) + R"(","node":"SE-TERM-GBG"})" +
         "\n";
}

class GuardCasesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("imeiguard-cases-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    config_ = DefaultConfig();
    config_.default_policy.detection.overdue_grace = std::chrono::hours(24 * 30);
    // The tests' scans are all uploaded at once, so the feed counts as complete up to the clock
    // a second after the last upload.
    config_.feed.idle_after = std::chrono::seconds(1);
  }
  void TearDown() override {
    service_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  void Open() {
    service_.reset();
    store_.reset();
    auto store = SqliteStore::Open((dir_ / "store.db").string());
    ASSERT_TRUE(store.ok()) << store.error().message;
    store_ = std::move(*store);
    service_ = std::make_unique<GuardService>(config_, *store_, clock_,
                                              std::map<std::string, LockConnector*>{{"dm", &dm_}});
    ASSERT_TRUE(service_->Recover().ok());
  }

  void Import(const std::string& csv) {
    auto report = service_->ImportManifest(csv, "", ExportCheck::kEnforce);
    ASSERT_TRUE(report.ok()) << report.error().message;
    ASSERT_TRUE(report->errors.empty()) << report->errors[0].message;
  }

  void Ingest(const std::string& ndjson) {
    auto report = service_->IngestEvents(ndjson);
    ASSERT_TRUE(report.ok()) << report.error().message;
    ASSERT_TRUE(report->errors.empty()) << report->errors[0].message;
  }

  // Moves the clock, fires due deadlines and lets the outbox work.
  void RunUntil(std::string_view time) {
    clock_.AdvanceTo(At(time));
    ASSERT_TRUE(service_->RunDeadlines(clock_.Now()).ok());
    while (service_->RunOutboxOnce(clock_.Now()) > 0) {
    }
  }

  CaseRecord CaseOf(int parcel) {
    auto record = store_->LoadParcelCase(ParcelId(parcel));
    EXPECT_TRUE(record.ok()) << record.error().message;
    if (!record.ok()) return {};
    EXPECT_TRUE(record->has_value()) << "no case of parcel " << ParcelId(parcel);
    return record->value_or(CaseRecord{});
  }

  LockState StateOf(int parcel) {
    auto snapshot = service_->GetParcel(ParcelId(parcel));
    EXPECT_TRUE(snapshot.ok()) << snapshot.error().message;
    if (!snapshot.ok()) return LockState::kWatched;
    EXPECT_TRUE(snapshot->has_value()) << "no parcel " << ParcelId(parcel);
    if (!snapshot->has_value()) return LockState::kWatched;
    return (*snapshot)->devices.at(0).state;
  }

  std::vector<std::string> StepsOf(std::int64_t case_id) {
    auto detail = service_->GetCase(case_id);
    EXPECT_TRUE(detail.ok()) << detail.error().message;
    std::vector<std::string> actions;
    if (!detail.ok() || !detail->has_value()) return actions;
    for (const AuditEntry& step : (*detail)->steps) actions.push_back(step.action);
    return actions;
  }

  double Metric(std::string_view name) {
    for (const auto& [metric, value] : service_->Metrics()) {
      if (metric == name) return value;
    }
    ADD_FAILURE() << "no metric " << name;
    return -1;
  }

  // Parcels 0..n-1 arrive at 09:00 and fall silent; the silence rule fires 72 h later.
  void SilentParcels(int parcels) {
    Import(Manifest(parcels));
    std::string scans;
    for (int i = 0; i < parcels; ++i) scans += Scan(i, "arrived", "2026-03-01T09:00:00Z");
    Ingest(scans);
    RunUntil("2026-03-04T09:00:01Z");
  }

  void OnlyExceptionScansLockOnTheirOwn() {
    ShipperPolicy strict = config_.default_policy;
    strict.auto_lock_rules = std::vector<std::string>{"exception_scan"};
    config_.shippers["telco-a"] = strict;
  }

  std::filesystem::path dir_;
  Config config_;
  ManualClock clock_{At("2026-03-01T08:00:00Z")};
  ApplyingPlatform dm_;
  std::unique_ptr<SqliteStore> store_;
  std::unique_ptr<GuardService> service_;
};

TEST_F(GuardCasesTest, RuleNeedingApprovalGreylistsUntilAnOfficerApproves) {
  OnlyExceptionScansLockOnTheirOwn();
  Open();
  // Another shipper, on the default policy, locks on silence by itself.
  Import(Manifest(1, "retail-b", 5));
  Ingest(Scan(5, "arrived", "2026-03-01T09:00:00Z"));
  SilentParcels(1);
  EXPECT_EQ(StateOf(5), LockState::kLocked);
  EXPECT_EQ(StateOf(0), LockState::kGreylisted);
  ASSERT_EQ(dm_.Count(LockAction::kLock), 1);
  EXPECT_EQ(dm_.sent[0].parcel_id, ParcelId(5));

  CaseRecord held = CaseOf(0);
  EXPECT_EQ(held.lock, CaseLock::kAwaitingApproval);
  EXPECT_EQ(held.hold_reason, kHoldRuleNeedsApproval);
  EXPECT_EQ(held.hold_rule, "silence");
  EXPECT_EQ(held.value_ore, 100000);
  EXPECT_EQ(Metric("imeiguard_locks_held_for_approval_total"), 1);

  // Nothing changes while the lock waits, restart included.
  Open();
  RunUntil("2026-03-05T09:00:00Z");
  EXPECT_EQ(dm_.Count(LockAction::kLock), 1);
  EXPECT_EQ(StateOf(0), LockState::kGreylisted);

  auto approved = service_->ApproveLock(held.case_id, "k-officer", "no scan for three days");
  ASSERT_TRUE(approved.ok()) << approved.error().message;
  EXPECT_EQ(approved->lock, CaseLock::kApproved);
  RunUntil("2026-03-05T09:00:01Z");
  ASSERT_EQ(dm_.Count(LockAction::kLock), 2);
  EXPECT_EQ(dm_.sent[1].parcel_id, ParcelId(0));
  EXPECT_EQ(StateOf(0), LockState::kLocked);
  EXPECT_EQ(StepsOf(held.case_id),
            (std::vector<std::string>{"case_opened", "lock_held", "lock_approved"}));
}

TEST_F(GuardCasesTest, RejectedLockKeepsDevicesGreylisted) {
  OnlyExceptionScansLockOnTheirOwn();
  Open();
  SilentParcels(1);
  std::int64_t case_id = CaseOf(0).case_id;
  auto rejected = service_->RejectLock(case_id, "k-officer", "sorter outage at GBG");
  ASSERT_TRUE(rejected.ok()) << rejected.error().message;
  EXPECT_EQ(rejected->lock, CaseLock::kRejected);
  RunUntil("2026-03-06T09:00:00Z");
  EXPECT_EQ(dm_.Count(LockAction::kLock), 0);
  EXPECT_EQ(StateOf(0), LockState::kGreylisted);
  auto again = service_->ApproveLock(case_id, "k-officer-2", "changed my mind");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().reason, "no_lock_awaiting");
}

TEST_F(GuardCasesTest, ParcelSeenAgainWithdrawsWaitingLock) {
  OnlyExceptionScansLockOnTheirOwn();
  Open();
  SilentParcels(1);
  std::int64_t case_id = CaseOf(0).case_id;
  Ingest(Scan(0, "sorted", "2026-03-04T10:00:00Z"));
  EXPECT_EQ(CaseOf(0).lock, CaseLock::kAutomatic);
  EXPECT_EQ(StateOf(0), LockState::kWatched);
  EXPECT_EQ(StepsOf(case_id),
            (std::vector<std::string>{"case_opened", "lock_held", "lock_withdrawn"}));
  auto late = service_->ApproveLock(case_id, "k-officer", "too late");
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().reason, "no_lock_awaiting");
}

TEST_F(GuardCasesTest, UnlockOfConfirmedTheftNeedsSecondOfficer) {
  Open();
  Import(Manifest(1));
  Ingest(Scan(0, "exception_missing", "2026-03-01T09:00:00Z"));
  RunUntil("2026-03-01T09:00:01Z");
  ASSERT_EQ(StateOf(0), LockState::kLocked);
  std::int64_t case_id = CaseOf(0).case_id;

  auto reported = service_->RecordPoliceReport(case_id, "k-police", "5000-K123456-26");
  ASSERT_TRUE(reported.ok()) << reported.error().message;
  EXPECT_TRUE(reported->theft_confirmed);

  auto requested = service_->OrderUnlock(case_id, "k-officer", "owner has the phone");
  ASSERT_TRUE(requested.ok()) << requested.error().message;
  EXPECT_EQ(requested->lock, CaseLock::kUnlockAwaitingApproval);
  RunUntil("2026-03-01T09:01:00Z");
  EXPECT_EQ(dm_.Count(LockAction::kUnlock), 0);
  EXPECT_EQ(StateOf(0), LockState::kLocked);

  auto twice = service_->OrderUnlock(case_id, "k-officer", "really");
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error().reason, "second_officer_required");
  EXPECT_NE(twice.error().message.find("k-officer"), std::string::npos);

  auto approved = service_->OrderUnlock(case_id, "k-officer-2", "receipt checked");
  ASSERT_TRUE(approved.ok()) << approved.error().message;
  EXPECT_EQ(approved->lock, CaseLock::kUnlocked);
  RunUntil("2026-03-01T09:02:00Z");
  EXPECT_EQ(dm_.Count(LockAction::kUnlock), 1);
  EXPECT_EQ(StateOf(0), LockState::kWatched);
  EXPECT_EQ(StepsOf(case_id), (std::vector<std::string>{"case_opened", "police_report_recorded",
                                                        "unlock_requested", "unlock_approved"}));
}

TEST_F(GuardCasesTest, UnlockWithoutConfirmedTheftNeedsOneOfficer) {
  Open();
  Import(Manifest(1));
  Ingest(Scan(0, "exception_opened", "2026-03-01T09:00:00Z"));
  RunUntil("2026-03-01T09:00:01Z");
  std::int64_t case_id = CaseOf(0).case_id;
  auto unlocked = service_->OrderUnlock(case_id, "k-officer", "opened by customs");
  ASSERT_TRUE(unlocked.ok()) << unlocked.error().message;
  EXPECT_EQ(unlocked->lock, CaseLock::kUnlocked);
  RunUntil("2026-03-01T09:00:02Z");
  EXPECT_EQ(dm_.Count(LockAction::kUnlock), 1);
  auto again = service_->OrderUnlock(case_id, "k-officer", "again");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().reason, "not_locked");
}

TEST_F(GuardCasesTest, DeclarationOnWaitingRuleLockNeedsAnotherOfficer) {
  OnlyExceptionScansLockOnTheirOwn();
  Open();
  SilentParcels(1);
  auto declared = service_->DeclareLost(ParcelId(0), "k-officer", "driver confessed");
  ASSERT_TRUE(declared.ok()) << declared.error().message;
  ASSERT_TRUE(declared->case_record.has_value());
  EXPECT_EQ(declared->case_record->lock, CaseLock::kAwaitingApproval);
  EXPECT_EQ(declared->case_record->requested_by, "k-officer");
  auto own = service_->ApproveLock(declared->case_record->case_id, "k-officer", "sure");
  ASSERT_FALSE(own.ok());
  EXPECT_EQ(own.error().reason, "second_officer_required");
  ASSERT_TRUE(service_->ApproveLock(declared->case_record->case_id, "k-officer-2", "agreed").ok());
  RunUntil("2026-03-04T09:00:02Z");
  EXPECT_EQ(dm_.Count(LockAction::kLock), 1);
}

TEST_F(GuardCasesTest, SorterBreakdownTripsGuardBatchApproved) {
  config_.auto_lock_limit = {3, std::chrono::hours(1)};
  Open();
  SilentParcels(10);
  EXPECT_EQ(dm_.Count(LockAction::kLock), 3);
  std::int64_t trip = 0;
  int held = 0;
  for (int i = 0; i < 10; ++i) {
    CaseRecord record = CaseOf(i);
    if (record.lock != CaseLock::kAwaitingApproval) continue;
    ++held;
    EXPECT_EQ(record.hold_reason, kHoldBlastRadiusGuard);
    EXPECT_EQ(StateOf(i), LockState::kGreylisted);
    if (trip == 0) trip = record.guard_trip;
    EXPECT_EQ(record.guard_trip, trip);
  }
  EXPECT_EQ(held, 7);
  ASSERT_NE(trip, 0);
  EXPECT_EQ(Metric("imeiguard_blast_radius_guard_trips_total"), 1);
  auto audit = store_->LoadAudit("guard_trip:" + std::to_string(trip), 10);
  ASSERT_TRUE(audit.ok());
  ASSERT_EQ(audit->size(), 1u);
  EXPECT_EQ(audit->front().action, "blast_radius_guard");
  EXPECT_NE(audit->front().detail.find(R"("rule":"silence")"), std::string::npos);
  EXPECT_NE(audit->front().detail.find(R"("count":3)"), std::string::npos);
  EXPECT_NE(audit->front().detail.find(R"("window_seconds":3600)"), std::string::npos);

  auto decided = service_->DecideGuardTrip(trip, true, "k-officer", "real theft at GBG");
  ASSERT_TRUE(decided.ok()) << decided.error().message;
  EXPECT_EQ(decided->cases.size(), 7u);
  RunUntil("2026-03-04T09:00:02Z");
  EXPECT_EQ(dm_.Count(LockAction::kLock), 10);
  auto gone = service_->DecideGuardTrip(trip, true, "k-officer", "again");
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.error().reason, "guard_trip_not_found");
}

TEST_F(GuardCasesTest, RejectedGuardTripKeepsItsLocksOff) {
  ShipperPolicy limited = config_.default_policy;
  limited.auto_lock_limit = {2, std::chrono::minutes(30)};
  config_.shippers["telco-a"] = limited;
  Open();
  SilentParcels(4);
  EXPECT_EQ(dm_.Count(LockAction::kLock), 2);
  std::int64_t trip = 0;
  for (int i = 0; i < 4; ++i) trip = std::max(trip, CaseOf(i).guard_trip);
  auto audit = store_->LoadAudit("guard_trip:" + std::to_string(trip), 10);
  ASSERT_TRUE(audit.ok());
  ASSERT_EQ(audit->size(), 1u);
  EXPECT_NE(audit->front().detail.find(R"("scope":"shipper:telco-a")"), std::string::npos);
  auto decided = service_->DecideGuardTrip(trip, false, "k-officer", "sorter outage");
  ASSERT_TRUE(decided.ok()) << decided.error().message;
  EXPECT_EQ(decided->cases.size(), 2u);
  RunUntil("2026-03-05T09:00:00Z");
  EXPECT_EQ(dm_.Count(LockAction::kLock), 2);
}

TEST_F(GuardCasesTest, BelowTheLimitNothingIsHeld) {
  config_.auto_lock_limit = {10, std::chrono::hours(1)};
  Open();
  SilentParcels(10);
  EXPECT_EQ(dm_.Count(LockAction::kLock), 10);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(CaseOf(i).lock, CaseLock::kAutomatic);
  EXPECT_EQ(Metric("imeiguard_blast_radius_guard_trips_total"), 0);
  EXPECT_EQ(Metric("imeiguard_locks_held_for_approval_total"), 0);
}

TEST_F(GuardCasesTest, ClaimAfterDeliveryReopensSameCase) {
  Open();
  Import(Manifest(1));
  Ingest(Scan(0, "exception_missing", "2026-03-01T09:00:00Z"));
  std::int64_t case_id = CaseOf(0).case_id;
  ASSERT_NE(case_id, 0);
  // A doorstep delivery closes the parcel, and the recipient's claim makes it suspect again.
  Ingest(Scan(0, "delivered", "2026-03-01T12:00:00Z"));
  Ingest(Scan(0, "claim_not_received", "2026-03-01T18:00:00Z"));
  EXPECT_EQ(CaseOf(0).case_id, case_id);
  std::vector<std::string> steps = StepsOf(case_id);
  ASSERT_FALSE(steps.empty());
  EXPECT_EQ(steps.front(), "case_opened");
  EXPECT_EQ(steps.back(), "case_reopened");
}

}  // namespace
}  // namespace imeiguard
