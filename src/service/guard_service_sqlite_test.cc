// The flows of the field cases, end to end through the service on a real SQLite file, with a
// platform that records what it is sent.
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <filesystem>
#include <mutex>
#include <random>

#include "service/guard_service.h"
#include "store/sqlite_store.h"

namespace imeiguard {
namespace {

using std::chrono::hours;

Timestamp At(std::string_view text) { return ParseRfc3339(text).value(); }

// A platform that applies every order at once and remembers each submission.
class RecordingPlatform final : public LockConnector {
 public:
  const std::string& name() const override { return name_; }
  ConnectorReply Submit(const LockOrder& order) override {
    std::lock_guard lock(mutex_);
    submissions.push_back(order);
    return {ConnectorReply::Kind::kApplied, "p-" + std::to_string(submissions.size()), std::nullopt,
            ""};
  }
  ConnectorReply Poll(const LockOrder& order) override { return Submit(order); }

  std::vector<LockOrder> submissions;

 private:
  std::string name_ = "dm";
  std::mutex mutex_;
};

// A platform that, until `busy_until` on the test's clock, responds to a share of calls with 429
// and Retry-After: 30 s, and applies every other call. It counts what it applied per device.
class RateLimitedPlatform final : public LockConnector {
 public:
  RateLimitedPlatform(const Clock& clock, Timestamp busy_until, double refused_share)
      : clock_(clock), busy_until_(busy_until), refused_share_(refused_share) {}

  const std::string& name() const override { return name_; }
  ConnectorReply Submit(const LockOrder& order) override {
    std::lock_guard lock(mutex_);
    ++calls;
    if (clock_.Now() < busy_until_ && draw_(random_) < refused_share_) {
      ++refused;
      return {ConnectorReply::Kind::kRetryLater, "", std::chrono::seconds(30), "429 Too Many"};
    }
    ++applied_per_device[order.device_id];
    return {ConnectorReply::Kind::kApplied, "p-" + std::to_string(order.order_id), std::nullopt,
            ""};
  }
  ConnectorReply Poll(const LockOrder& order) override { return Submit(order); }

  int calls = 0;
  int refused = 0;
  std::map<std::int64_t, int> applied_per_device;

 private:
  const Clock& clock_;
  Timestamp busy_until_;
  double refused_share_;
  std::mt19937_64 random_{8};
  std::uniform_real_distribution<double> draw_{0.0, 1.0};
  std::string name_ = "dm";
  std::mutex mutex_;
};

class GuardServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("imeiguard-service-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    config_ = DefaultConfig();
    config_.default_policy.detection.silence_limit = hours(72);
    config_.default_policy.detection.overdue_grace = hours(24 * 30);
    Open();
  }
  void TearDown() override {
    service_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  void Open(LockConnector* platform = nullptr) {
    service_.reset();
    store_.reset();
    auto store = SqliteStore::Open((dir_ / "store.db").string());
    ASSERT_TRUE(store.ok()) << store.error().message;
    store_ = std::move(*store);
    service_ = std::make_unique<GuardService>(
        config_, *store_, clock_,
        std::map<std::string, LockConnector*>{{"dm", platform != nullptr ? platform : &platform_}});
    ASSERT_TRUE(service_->Recover().ok());
  }

  void Import(std::string_view csv) {
    auto report = service_->ImportManifest(csv, "", ExportCheck::kEnforce);
    ASSERT_TRUE(report.ok()) << report.error().message;
    ASSERT_TRUE(report->errors.empty()) << report->errors[0].message;
  }

  EventIngestReport Ingest(std::string_view ndjson) {
    auto report = service_->IngestEvents(ndjson);
    EXPECT_TRUE(report.ok()) << report.error().message;
    return report.ok() ? *report : EventIngestReport{};
  }

  // Moves the clock, fires due deadlines and lets the outbox work.
  void RunUntil(std::string_view time) {
    clock_.AdvanceTo(At(time));
    ASSERT_TRUE(service_->RunDeadlines(clock_.Now()).ok());
    while (service_->RunOutboxOnce(clock_.Now()) > 0) {
    }
  }

  Verdict VerdictOf(std::string_view parcel_id) {
    auto parcel = service_->GetParcel(parcel_id);
    EXPECT_TRUE(parcel.ok() && parcel->has_value());
    return (*parcel)->parcel.assessment.verdict;
  }

  bool Blocked(std::string_view imei) {
    return service_->Check(Imei::Parse(imei, ImeiChannel::kHuman).value()) == CheckAnswer::kBlocked;
  }

  std::filesystem::path dir_;
  Config config_;
  ManualClock clock_{At("2026-03-01T00:00:00Z")};
  RecordingPlatform platform_;
  std::unique_ptr<SqliteStore> store_;
  std::unique_ptr<GuardService> service_;
};

constexpr std::string_view kManifest =
    "parcel_id,shipper_id,service,promised_by,destination_postcode,imei,imei2\n"
    "373500000000001234,telco-a,home,2026-03-20,41301,867315042291587,867315042291660\n"
    "373500000000005678,telco-a,locker,2026-03-20,41302,358472100042174,\n";

TEST_F(GuardServiceTest, DeliveryOlderThanLaterScanStaysDelivered) {
  // F1
  Import(kManifest);
  Ingest(
      R"({"event_id":"f1-a","parcel_id":"373500000000001234","type":"out_for_delivery","time":"2026-03-03T10:24:00+01:00"})"
      "\n"
      R"({"event_id":"f1-b","parcel_id":"373500000000001234","type":"delivered","time":"2026-03-03T10:19:00+01:00"})"
      "\n"
      R"({"event_id":"f1-c","parcel_id":"373500000000001234","type":"arrived","time":"2026-03-03T13:20:00+01:00","node":"SE-TERM-GBG"})"
      "\n");
  RunUntil("2026-03-30T00:00:00Z");
  EXPECT_EQ(VerdictOf("373500000000001234"), Verdict::kDelivered);
  EXPECT_TRUE(platform_.submissions.empty());
  auto parcel = service_->GetParcel("373500000000001234");
  EXPECT_EQ((*parcel)->events.size(), 3u);
  EXPECT_FALSE((*parcel)->parcel.assessment.next_deadline.has_value());
}

TEST_F(GuardServiceTest, RepeatedEventStoredOnce) {
  // F2: the same delivered event four times, the last with other key order and white space.
  Import(kManifest);
  std::string event =
      R"({"event_id":"f2-a","parcel_id":"373500000000005678","type":"delivered","time":"2026-03-02T12:00:00Z"})";
  EventIngestReport first = Ingest(event + "\n");
  EXPECT_EQ(first.stored, 1);
  clock_.AdvanceTo(At("2026-03-02T13:00:00Z"));
  EXPECT_EQ(Ingest(event + "\n").duplicates, 1);
  clock_.AdvanceTo(At("2026-03-03T17:00:00Z"));
  EXPECT_EQ(Ingest(event + "\n").duplicates, 1);
  EventIngestReport last = Ingest(
      R"({ "time" : "2026-03-02T12:00:00Z", "type":"delivered",  "parcel_id":"373500000000005678", "event_id":"f2-a" })"
      "\n");
  EXPECT_EQ(last.duplicates, 1);
  EXPECT_TRUE(last.errors.empty());
  auto parcel = service_->GetParcel("373500000000005678");
  EXPECT_EQ((*parcel)->events.size(), 1u);
  auto audit = store_->LoadAudit("parcel:373500000000005678", 100);
  ASSERT_TRUE(audit.ok());
  int verdicts = 0;
  for (const AuditEntry& entry : *audit) verdicts += entry.action == "verdict";
  EXPECT_EQ(verdicts, 1);
  EXPECT_TRUE(platform_.submissions.empty());
}

TEST_F(GuardServiceTest, LateDeliveryUnlocksLostPhone) {
  // F3: accepted day 0, arrived day 1, lost on day 8 (silence), delivery dated day 2 arrives day 9.
  Import(kManifest);
  Ingest(
      R"({"event_id":"f3-a","parcel_id":"373500000000005678","type":"accepted","time":"2026-03-01T09:00:00Z"})"
      "\n"
      R"({"event_id":"f3-b","parcel_id":"373500000000005678","type":"arrived","time":"2026-03-02T09:00:00Z"})"
      "\n");
  RunUntil("2026-03-09T09:00:00Z");
  EXPECT_EQ(VerdictOf("373500000000005678"), Verdict::kLost);
  ASSERT_EQ(platform_.submissions.size(), 1u);
  EXPECT_EQ(platform_.submissions[0].action, LockAction::kLock);
  EXPECT_TRUE(Blocked("358472100042174"));

  clock_.AdvanceTo(At("2026-03-10T09:00:00Z"));
  std::string late =
      R"({"event_id":"f3-c","parcel_id":"373500000000005678","type":"delivered","time":"2026-03-03T11:40:00Z"})";
  Ingest(late + "\n");
  EXPECT_EQ(VerdictOf("373500000000005678"), Verdict::kDelivered);
  EXPECT_FALSE(Blocked("358472100042174"));
  RunUntil("2026-03-10T09:00:01Z");
  ASSERT_EQ(platform_.submissions.size(), 2u);
  EXPECT_EQ(platform_.submissions[1].action, LockAction::kUnlock);

  auto devices = service_->FindDevices(Imei::Parse("358472100042174", ImeiChannel::kHuman).value());
  ASSERT_TRUE(devices.ok());
  EXPECT_EQ((*devices)[0].state, LockState::kReleased);

  // The same event once more changes nothing.
  EXPECT_EQ(Ingest(late + "\n").duplicates, 1);
  RunUntil("2026-03-10T10:00:00Z");
  EXPECT_EQ(platform_.submissions.size(), 2u);

  // The audit trail shows each step, oldest first.
  auto audit = store_->LoadAudit("", 1000);
  ASSERT_TRUE(audit.ok());
  std::vector<std::string> steps;
  for (auto entry = audit->rbegin(); entry != audit->rend(); ++entry) {
    if (entry->action == "verdict") {
      steps.push_back(entry->detail.find("\"to\":\"lost\"") != std::string::npos ? "lost"
                                                                                 : "delivered");
    } else if (entry->action == "lock_order_created" ||
               entry->action == "lock_order_acknowledged") {
      steps.push_back(entry->action);
    }
  }
  EXPECT_EQ(steps, (std::vector<std::string>{"lost", "lock_order_created",
                                             "lock_order_acknowledged", "delivered",
                                             "lock_order_created", "lock_order_acknowledged"}));
}

TEST_F(GuardServiceTest, WithdrawnLossCancelsUnsentLock) {
  // F3, second half: the delivery arrives before the outbox sent the lock.
  Import(kManifest);
  Ingest(
      R"({"event_id":"c-a","parcel_id":"373500000000005678","type":"exception_missing","time":"2026-03-01T09:00:00Z"})"
      "\n");
  EXPECT_EQ(VerdictOf("373500000000005678"), Verdict::kLost);
  Ingest(
      R"({"event_id":"c-b","parcel_id":"373500000000005678","type":"delivered","time":"2026-03-01T10:00:00Z"})"
      "\n");
  RunUntil("2026-03-01T11:00:00Z");
  EXPECT_TRUE(platform_.submissions.empty());
  auto parcel = service_->GetParcel("373500000000005678");
  ASSERT_EQ((*parcel)->orders.size(), 1u);
  EXPECT_EQ((*parcel)->orders[0].status, OrderStatus::kCancelled);
  EXPECT_EQ((*parcel)->devices[0].state, LockState::kReleased);
}

TEST_F(GuardServiceTest, EventBeforeManifestJoinsHistory) {
  // F4: a scan at 08:00:05, its manifest at 08:05.
  clock_.AdvanceTo(At("2026-03-01T08:00:05Z"));
  EventIngestReport early = Ingest(
      R"({"event_id":"f4-a","parcel_id":"373500000000001234","type":"accepted","time":"2026-03-01T08:00:00Z"})"
      "\n");
  EXPECT_EQ(early.pending, 1);
  clock_.AdvanceTo(At("2026-03-01T08:05:00Z"));
  Import(kManifest);
  auto parcel = service_->GetParcel("373500000000001234");
  ASSERT_EQ((*parcel)->events.size(), 1u);
  EXPECT_EQ((*parcel)->events[0].time, At("2026-03-01T08:00:00Z"));
  ASSERT_TRUE((*parcel)->parcel.assessment.next_deadline.has_value());
  EXPECT_EQ(*(*parcel)->parcel.assessment.next_deadline, At("2026-03-04T08:00:00Z"));
}

TEST_F(GuardServiceTest, DualSimPhoneGetsOneOrderBothBlocked) {
  // F5
  Import(kManifest);
  Ingest(
      R"({"event_id":"f5-a","parcel_id":"373500000000001234","type":"exception_opened","time":"2026-03-01T09:00:00Z"})"
      "\n");
  RunUntil("2026-03-01T09:00:01Z");
  ASSERT_EQ(platform_.submissions.size(), 1u);
  ASSERT_TRUE(platform_.submissions[0].imei2.has_value());
  EXPECT_TRUE(Blocked("867315042291587"));
  EXPECT_TRUE(Blocked("867315042291660"));
  EXPECT_FALSE(Blocked("358472100042174"));
}

TEST_F(GuardServiceTest, SecondTriggerAttachesToLiveLockOrder) {
  // A rule declares the parcel lost, and 40 s later a security officer does so by hand.
  Import(kManifest);
  Ingest(
      R"({"event_id":"f7-a","parcel_id":"373500000000005678","type":"exception_missing","time":"2026-03-01T09:00:00Z"})"
      "\n");
  RunUntil("2026-03-01T09:00:01Z");
  ASSERT_EQ(platform_.submissions.size(), 1u);
  std::int64_t rule_order = platform_.submissions[0].order_id;

  clock_.AdvanceTo(At("2026-03-01T09:00:40Z"));
  auto declared = service_->DeclareLost("373500000000005678", "k-officer", "CCTV shows theft");
  ASSERT_TRUE(declared.ok()) << declared.error().message;
  EXPECT_EQ(declared->verdict, Verdict::kLost);
  ASSERT_EQ(declared->orders.size(), 1u);
  EXPECT_EQ(declared->orders[0].order.order_id, rule_order);
  EXPECT_TRUE(declared->orders[0].attached);
  RunUntil("2026-03-01T09:05:00Z");
  EXPECT_EQ(platform_.submissions.size(), 1u);

  // The parcel turns up: the unlock targets the device of that one lock and is acknowledged.
  Ingest(
      R"({"event_id":"f7-b","parcel_id":"373500000000005678","type":"delivered","time":"2026-03-01T12:00:00Z"})"
      "\n");
  RunUntil("2026-03-01T12:00:01Z");
  ASSERT_EQ(platform_.submissions.size(), 2u);
  EXPECT_EQ(platform_.submissions[1].action, LockAction::kUnlock);
  EXPECT_EQ(platform_.submissions[1].device_id, platform_.submissions[0].device_id);
  EXPECT_EQ(platform_.submissions[1].connector, platform_.submissions[0].connector);
  auto parcel = service_->GetParcel("373500000000005678");
  ASSERT_TRUE(parcel.ok());
  ASSERT_TRUE(parcel->has_value());
  EXPECT_EQ((*parcel)->devices[0].state, LockState::kReleased);
  EXPECT_FALSE(Blocked("358472100042174"));
}

TEST_F(GuardServiceTest, DeclarationBeforeSendAttachesToPendingOrder) {
  Import(kManifest);
  Ingest(
      R"({"event_id":"d-a","parcel_id":"373500000000005678","type":"exception_missing","time":"2026-03-01T09:00:00Z"})"
      "\n");
  clock_.AdvanceTo(At("2026-03-01T09:00:40Z"));
  auto declared = service_->DeclareLost("373500000000005678", "k-officer", "seen on CCTV");
  ASSERT_TRUE(declared.ok()) << declared.error().message;
  ASSERT_EQ(declared->orders.size(), 1u);
  EXPECT_TRUE(declared->orders[0].attached);
  EXPECT_EQ(declared->orders[0].order.status, OrderStatus::kPending);
  RunUntil("2026-03-01T09:01:00Z");
  ASSERT_EQ(platform_.submissions.size(), 1u);
  EXPECT_EQ(platform_.submissions[0].order_id, declared->orders[0].order.order_id);
}

TEST_F(GuardServiceTest, DeclarationAloneWaitsForSecondOfficerAndIsAudited) {
  Import(kManifest);
  clock_.AdvanceTo(At("2026-03-01T10:00:00Z"));
  auto declared = service_->DeclareLost("373500000000005678", "k-officer", "driver confessed");
  ASSERT_TRUE(declared.ok()) << declared.error().message;
  EXPECT_EQ(declared->verdict, Verdict::kLost);
  EXPECT_TRUE(declared->orders.empty());
  ASSERT_TRUE(declared->case_record.has_value());
  EXPECT_EQ(declared->case_record->lock, CaseLock::kAwaitingApproval);
  EXPECT_EQ(declared->case_record->requested_by, "k-officer");
  RunUntil("2026-03-01T10:00:01Z");
  EXPECT_TRUE(platform_.submissions.empty());
  EXPECT_FALSE(Blocked("358472100042174"));

  auto audit = store_->LoadAudit("parcel:373500000000005678", 100);
  ASSERT_TRUE(audit.ok());
  bool found = false;
  for (const AuditEntry& entry : *audit) {
    if (entry.action != "declared_lost") continue;
    found = true;
    EXPECT_EQ(entry.actor, "k-officer");
    EXPECT_NE(entry.detail.find("driver confessed"), std::string::npos);
  }
  EXPECT_TRUE(found);

  // The wait survives a restart, and only a second officer ends it.
  Open();
  EXPECT_EQ(VerdictOf("373500000000005678"), Verdict::kLost);
  std::int64_t case_id = declared->case_record->case_id;
  auto same = service_->ApproveLock(case_id, "k-officer", "I am sure");
  ASSERT_FALSE(same.ok());
  EXPECT_EQ(same.error().reason, "second_officer_required");
  auto approved = service_->ApproveLock(case_id, "k-officer-2", "confession on file");
  ASSERT_TRUE(approved.ok()) << approved.error().message;
  RunUntil("2026-03-01T10:00:02Z");
  EXPECT_EQ(platform_.submissions.size(), 1u);
  EXPECT_TRUE(Blocked("358472100042174"));
  Open();
  EXPECT_TRUE(Blocked("358472100042174"));
}

TEST_F(GuardServiceTest, DeclarationRejectsUnknownClosedAndReasonless) {
  Import(kManifest);
  auto unknown = service_->DeclareLost("373500000000009999", "k-officer", "gone");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().kind, ErrorKind::kNotFound);

  auto reasonless = service_->DeclareLost("373500000000005678", "k-officer", "");
  ASSERT_FALSE(reasonless.ok());
  EXPECT_EQ(reasonless.error().kind, ErrorKind::kInvalidInput);
  EXPECT_EQ(reasonless.error().reason, "invalid_reason");

  Ingest(
      R"({"event_id":"x-a","parcel_id":"373500000000005678","type":"delivered","time":"2026-03-01T09:00:00Z"})"
      "\n");
  auto closed = service_->DeclareLost("373500000000005678", "k-officer", "gone");
  ASSERT_FALSE(closed.ok());
  EXPECT_EQ(closed.error().kind, ErrorKind::kConflict);
  EXPECT_EQ(closed.error().reason, "parcel_closed");
  EXPECT_NE(closed.error().message.find("delivered"), std::string::npos);
}

TEST_F(GuardServiceTest, BurstIntoRateLimitLocksEachDeviceOnce) {
  // A trailer of 600 one-phone parcels is declared lost within one minute, and for the first two
  // minutes the platform responds to 40 % of calls with 429 and Retry-After: 30.
  RateLimitedPlatform platform(clock_, At("2026-03-01T09:02:00Z"), 0.4);
  Open(&platform);
  constexpr int kParcels = 600;
  std::string manifest = "parcel_id,shipper_id,service,promised_by,destination_postcode,imei\n";
  std::string events;
  for (int i = 0; i < kParcels; ++i) {
    char parcel[19];
    std::snprintf(parcel, sizeof parcel, "3735%014d", 100000 + i);
    Imei imei = Imei::FromCoreValue(35847211000000 + i);
    manifest +=
        std::string(parcel) + ",telco-a,home,2026-03-20,41301," + imei.WithCheckDigit() + "\n";
    events += R"({"event_id":"t-)" + std::to_string(i) + R"(","parcel_id":")" + parcel +
              R"(","type":"exception_missing","time":"2026-03-01T09:00:)" +
              (i % 60 < 10 ? "0" : "") + std::to_string(i % 60) + R"(Z"})" + "\n";
  }
  Import(manifest);
  clock_.AdvanceTo(At("2026-03-01T09:00:59Z"));
  EventIngestReport ingested = Ingest(events);
  ASSERT_EQ(ingested.stored, kParcels);

  // The outbox runs every second of clock time for an hour, as the server's loop would.
  for (int second = 60; second <= 3600; ++second) {
    clock_.AdvanceTo(At("2026-03-01T09:00:00Z") + std::chrono::seconds(second));
    while (service_->RunOutboxOnce(clock_.Now()) > 0) {
    }
  }

  EXPECT_GT(platform.refused, 0);
  ASSERT_EQ(platform.applied_per_device.size(), static_cast<std::size_t>(kParcels));
  for (const auto& [device, applied] : platform.applied_per_device) {
    EXPECT_EQ(applied, 1) << "device " << device;
  }
  auto counts = store_->Counts();
  ASSERT_TRUE(counts.ok());
  std::map<std::string, std::int64_t> by_name(counts->begin(), counts->end());
  EXPECT_EQ(by_name["orders_acknowledged"], kParcels);
  EXPECT_EQ(by_name["orders_pending"] + by_name["orders_sent"] + by_name["orders_failed"], 0);
}

TEST_F(GuardServiceTest, EqualImeisInOneRowRejected) {
  auto report = service_->ImportManifest(
      "parcel_id,shipper_id,service,promised_by,destination_postcode,imei,imei2\n"
      "373500000000001234,telco-a,home,2026-03-20,41301,867315042291587,867315042291587\n",
      "", ExportCheck::kEnforce);
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->errors.size(), 1u);
  EXPECT_EQ(report->errors[0].line, 2);
  EXPECT_EQ(report->devices_new, 0);
}

TEST_F(GuardServiceTest, PlaceholderImeiCreatesNoDevice) {
  // F6
  auto report = service_->ImportManifest(
      "parcel_id,shipper_id,service,promised_by,destination_postcode,imei\n"
      "373500000000000011,telco-a,home,2026-03-20,41301,000000000000000\n"
      "373500000000000022,telco-a,home,2026-03-20,41301,000000000000000\n",
      "", ExportCheck::kEnforce);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->errors.size(), 2u);
  EXPECT_EQ(report->devices_new, 0);
  EXPECT_EQ(report->errors[0].reason, "placeholder");
  Ingest(
      R"({"event_id":"f6-a","parcel_id":"373500000000000011","type":"exception_missing","time":"2026-03-01T09:00:00Z"})"
      "\n");
  RunUntil("2026-03-01T10:00:00Z");
  EXPECT_TRUE(platform_.submissions.empty());
  auto parcel = service_->GetParcel("373500000000000011");
  ASSERT_TRUE(parcel.ok());
  EXPECT_FALSE(parcel->has_value());
  // Neither channel accepts the placeholder, so no check or network query can name it.
  EXPECT_FALSE(Imei::Parse("000000000000000", ImeiChannel::kHuman).ok());
  EXPECT_FALSE(Imei::Parse("000000000000000", ImeiChannel::kNetwork).ok());
}

TEST_F(GuardServiceTest, ReimportChangesNothing) {
  Import(kManifest);
  auto again = service_->ImportManifest(kManifest, "", ExportCheck::kEnforce);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->parcels_new, 0);
  EXPECT_EQ(again->devices_new, 0);
  EXPECT_EQ(again->parcels_unchanged, 2);
}

TEST_F(GuardServiceTest, ShipperScopeRejectsOtherShippersRows) {
  auto report = service_->ImportManifest(kManifest, "retail-b", ExportCheck::kEnforce);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->parcels_new, 0);
  ASSERT_EQ(report->errors.size(), 2u);
  EXPECT_EQ(report->errors[0].reason, "shipper_scope");
}

TEST_F(GuardServiceTest, RestartKeepsLockedState) {
  Import(kManifest);
  Ingest(
      R"({"event_id":"r-a","parcel_id":"373500000000005678","type":"exception_missing","time":"2026-03-01T09:00:00Z"})"
      "\n");
  RunUntil("2026-03-01T09:00:01Z");
  ASSERT_TRUE(Blocked("358472100042174"));
  Open();
  EXPECT_TRUE(Blocked("358472100042174"));
  RunUntil("2026-03-01T10:00:00Z");
  EXPECT_EQ(platform_.submissions.size(), 1u);
}

TEST_F(GuardServiceTest, BadLinesReportedGoodLinesKept) {
  Import(kManifest);
  EventIngestReport report = Ingest(
      R"({"event_id":"b-a","parcel_id":"373500000000005678","type":"arrived","time":"2026-03-01T09:00:00Z"})"
      "\n"
      R"({"event_id":"b-b","parcel_id":"373500000000005678","type":"teleported","time":"2026-03-01T09:00:00Z"})"
      "\n"
      "not json\n");
  EXPECT_EQ(report.lines, 3);
  EXPECT_EQ(report.stored, 1);
  ASSERT_EQ(report.errors.size(), 2u);
  EXPECT_EQ(report.errors[0].line, 2);
  EXPECT_EQ(report.errors[1].line, 3);
}

// A manifest of 5 rows whose last 3 IMEIs (012456000000018, ...26, ...34) lost their leading 0.
constexpr std::string_view kStrippedManifest =
    "parcel_id,shipper_id,service,promised_by,destination_postcode,imei\n"
    "373500000000000011,telco-a,home,2026-03-20,41301,358472100042174\n"
    "373500000000000022,telco-a,home,2026-03-20,41301,490154203237518\n"
    "373500000000000033,telco-a,home,2026-03-20,41301,12456000000018\n"
    "373500000000000044,telco-a,home,2026-03-20,41301,12456000000026\n"
    "373500000000000055,telco-a,home,2026-03-20,41301,12456000000034\n";

TEST_F(GuardServiceTest, StrippedZerosRejectManifest) {
  auto report = service_->ImportManifest(kStrippedManifest, "", ExportCheck::kEnforce);

  ASSERT_TRUE(report.ok()) << report.error().message;
  ASSERT_TRUE(report->rejection.has_value());
  EXPECT_EQ(report->rejection->reason, "imeis_stripped_of_leading_zeros");
  EXPECT_EQ(report->rejection->rows_affected, 3);
  EXPECT_EQ(report->rejection->example_line, 4);
  EXPECT_EQ(report->rows_read, 5);
  EXPECT_EQ(report->parcels_new, 0);
  EXPECT_EQ(report->devices_new, 0);
  auto parcel = service_->GetParcel("373500000000000011");
  ASSERT_TRUE(parcel.ok());
  EXPECT_FALSE(parcel->has_value());
  EXPECT_FALSE(service_->Tracks("373500000000000011"));
}

TEST_F(GuardServiceTest, ForcedManifestImportsGoodRows) {
  auto report = service_->ImportManifest(kStrippedManifest, "", ExportCheck::kForce);

  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_FALSE(report->rejection.has_value());
  EXPECT_EQ(report->devices_new, 2);
  ASSERT_EQ(report->errors.size(), 3u);
  EXPECT_EQ(report->errors[0].line, 4);
  EXPECT_EQ(report->errors[0].reason, "length_14");
  EXPECT_TRUE(service_->Tracks("373500000000000011"));
}

TEST_F(GuardServiceTest, RetentionPurgeRemovesImeisOfDeliveredParcel) {
  Import(kManifest);
  Ingest(
      R"({"event_id":"p-a","parcel_id":"373500000000001234","type":"delivered","time":"2026-03-02T12:00:00Z"})"
      "\n");
  ASSERT_EQ(VerdictOf("373500000000001234"), Verdict::kDelivered);
  ASSERT_TRUE(service_->Tracks("373500000000001234"));

  clock_.AdvanceTo(At("2026-03-02T12:00:00Z") + config_.privacy.retention + hours(1));
  auto purged = service_->PurgeRetention(clock_.Now());

  ASSERT_TRUE(purged.ok()) << purged.error().message;
  EXPECT_EQ(*purged, 1);
  EXPECT_FALSE(service_->Tracks("373500000000001234"));
  auto parcel = service_->GetParcel("373500000000001234");
  ASSERT_TRUE(parcel.ok());
  ASSERT_TRUE(parcel->has_value());
  EXPECT_TRUE((*parcel)->devices.empty());
  EXPECT_EQ((*parcel)->events.size(), 1u);
  auto devices = service_->FindDevices(Imei::Parse("867315042291587", ImeiChannel::kHuman).value());
  ASSERT_TRUE(devices.ok());
  EXPECT_TRUE(devices->empty());
  // The open parcel keeps its device.
  auto open = service_->GetParcel("373500000000005678");
  ASSERT_TRUE(open.ok());
  ASSERT_TRUE(open->has_value());
  EXPECT_EQ((*open)->devices.size(), 1u);
}

TEST_F(GuardServiceTest, RetentionPurgeAuditsCountsWithoutImeis) {
  Import(kManifest);
  Ingest(
      R"({"event_id":"p-a","parcel_id":"373500000000001234","type":"delivered","time":"2026-03-02T12:00:00Z"})"
      "\n");
  clock_.AdvanceTo(At("2026-03-02T12:00:00Z") + config_.privacy.retention + hours(1));
  ASSERT_TRUE(service_->PurgeRetention(clock_.Now()).ok());

  auto audit = store_->LoadAudit("retention", 10);

  ASSERT_TRUE(audit.ok());
  ASSERT_EQ(audit->size(), 1u);
  const AuditEntry& entry = (*audit)[0];
  EXPECT_EQ(entry.actor, "retention");
  EXPECT_EQ(entry.action, "devices_purged");
  EXPECT_EQ(entry.at, clock_.Now());
  boost::json::object detail = boost::json::parse(entry.detail).as_object();
  EXPECT_EQ(detail.at("parcels"), 1);
  EXPECT_EQ(detail.at("devices"), 1);
  EXPECT_EQ(detail.at("retention_days"), 90);
  EXPECT_EQ(entry.detail.find("86731504229"), std::string::npos) << entry.detail;
  EXPECT_EQ(entry.detail.find("373500000000001234"), std::string::npos) << entry.detail;
}

TEST_F(GuardServiceTest, RetentionPurgeWithNothingDueWritesNoAudit) {
  Import(kManifest);
  Ingest(
      R"({"event_id":"p-a","parcel_id":"373500000000001234","type":"delivered","time":"2026-03-02T12:00:00Z"})"
      "\n");
  clock_.AdvanceTo(At("2026-03-02T12:00:00Z") + config_.privacy.retention - hours(1));

  auto purged = service_->PurgeRetention(clock_.Now());

  ASSERT_TRUE(purged.ok());
  EXPECT_EQ(*purged, 0);
  auto audit = store_->LoadAudit("retention", 10);
  ASSERT_TRUE(audit.ok());
  EXPECT_TRUE(audit->empty());
}

TEST_F(GuardServiceTest, RetentionPurgeKeepsParcelThatWasLost) {
  Import(kManifest);
  Ingest(
      R"({"event_id":"p-a","parcel_id":"373500000000005678","type":"exception_missing","time":"2026-03-01T09:00:00Z"})"
      "\n");
  RunUntil("2026-03-01T09:00:01Z");
  ASSERT_EQ(VerdictOf("373500000000005678"), Verdict::kLost);
  clock_.AdvanceTo(At("2026-03-02T12:00:00Z"));
  Ingest(
      R"({"event_id":"p-b","parcel_id":"373500000000005678","type":"delivered","time":"2026-03-02T12:00:00Z"})"
      "\n");
  RunUntil("2026-03-02T12:00:01Z");
  ASSERT_EQ(VerdictOf("373500000000005678"), Verdict::kDelivered);

  clock_.AdvanceTo(At("2026-03-02T12:00:00Z") + config_.privacy.retention * 2);
  auto purged = service_->PurgeRetention(clock_.Now());

  ASSERT_TRUE(purged.ok());
  EXPECT_EQ(*purged, 0);
  auto parcel = service_->GetParcel("373500000000005678");
  ASSERT_TRUE(parcel.ok());
  ASSERT_TRUE(parcel->has_value());
  EXPECT_EQ((*parcel)->devices.size(), 1u);
}

TEST_F(GuardServiceTest, RetentionPurgeRunsInBatches) {
  config_.privacy.purge_batch_parcels = 1;
  Import(kManifest);
  Ingest(
      R"({"event_id":"p-a","parcel_id":"373500000000001234","type":"delivered","time":"2026-03-02T12:00:00Z"})"
      "\n"
      R"({"event_id":"p-b","parcel_id":"373500000000005678","type":"delivered","time":"2026-03-02T13:00:00Z"})"
      "\n");
  clock_.AdvanceTo(At("2026-03-02T13:00:00Z") + config_.privacy.retention + hours(1));

  auto purged = service_->PurgeRetention(clock_.Now());

  ASSERT_TRUE(purged.ok());
  EXPECT_EQ(*purged, 2);
  auto audit = store_->LoadAudit("retention", 10);
  ASSERT_TRUE(audit.ok());
  ASSERT_EQ(audit->size(), 1u);
  EXPECT_EQ(boost::json::parse((*audit)[0].detail).at("devices"), 2);
}

}  // namespace
}  // namespace imeiguard
