// The store's side of EPCIS capture: jobs, captured events, their query, and withdrawn events.
#include <gtest/gtest.h>

#include "store/sqlite_store.h"
#include "store/store_test_support.h"

namespace imeiguard {
namespace {

using testing_support::At;
using testing_support::EventBatch;
using testing_support::MakeDevice;
using testing_support::MakeParcel;

constexpr std::string_view kParcel = "373500000000001234";

class EpcisCaptureStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = SqliteStore::Open(":memory:");
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    store_ = std::move(*opened);
    std::vector<ManifestParcel> parcels = {
        MakeParcel(std::string(kParcel), {MakeDevice(49015420323751, 2)})};
    ASSERT_TRUE(store_->ImportManifest(parcels, At("2026-03-01T08:00:00Z")).ok());
  }

  std::int64_t InsertJob() {
    CaptureJob job;
    job.key_id = "igk_carrier";
    job.document = R"({"type": "EPCISDocument"})";
    job.created_at = At("2026-03-02T08:00:00Z");
    auto id = store_->InsertCaptureJob(job);
    EXPECT_TRUE(id.ok()) << id.error().message;
    return id.ok() ? *id : 0;
  }

  CaptureJob Finished(std::int64_t capture_id) {
    CaptureJob job;
    job.capture_id = capture_id;
    job.created_at = At("2026-03-02T08:00:00Z");
    job.finished_at = At("2026-03-02T08:00:01Z");
    return job;
  }

  static CapturedEvent Captured(std::string key, std::string type, std::string time,
                                std::vector<std::string> epcs) {
    return CapturedEvent{key,      "id-" + key,     std::move(type),
                         At(time), std::move(epcs), R"({"eventID": "id-)" + key + "\"}"};
  }

  std::unique_ptr<SqliteStore> store_;
};

TEST_F(EpcisCaptureStoreTest, JobRunsUntilFinished) {
  std::int64_t id = InsertJob();
  auto unfinished = store_->UnfinishedCaptureJobs();
  ASSERT_TRUE(unfinished.ok());
  EXPECT_EQ(*unfinished, std::vector<std::int64_t>{id});
  auto loaded = store_->LoadCaptureJob(id, true);
  ASSERT_TRUE(loaded.ok());
  ASSERT_TRUE(loaded->has_value());
  EXPECT_EQ((*loaded)->document, R"({"type": "EPCISDocument"})");
  EXPECT_FALSE((*loaded)->finished_at.has_value());

  ASSERT_TRUE(store_->FinishCaptureJob(Finished(id)).ok());
  auto finished = store_->LoadCaptureJob(id, true);
  ASSERT_TRUE(finished.ok());
  EXPECT_TRUE((*finished)->finished_at.has_value());
  EXPECT_EQ((*finished)->document, "");
  EXPECT_TRUE(store_->UnfinishedCaptureJobs()->empty());
}

TEST_F(EpcisCaptureStoreTest, SameEventStoredOnce) {
  std::int64_t first = InsertJob();
  std::int64_t second = InsertJob();
  std::vector<CapturedEvent> events = {Captured("a", "ObjectEvent", "2026-03-02T06:00:00Z", {})};
  auto captured = store_->StoreCapturedEvents(first, At("2026-03-02T08:00:01Z"), events, {});
  auto again = store_->StoreCapturedEvents(second, At("2026-03-02T08:00:02Z"), events, {});
  ASSERT_TRUE(captured.ok());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*captured, 1);
  EXPECT_EQ(*again, 0);
  EXPECT_EQ(store_->QueryCapturedEvents({})->size(), 1u);
  ASSERT_TRUE(store_->FinishCaptureJob(Finished(first)).ok());
  ASSERT_TRUE(store_->FinishCaptureJob(Finished(second)).ok());
  EXPECT_EQ((*store_->LoadCaptureJob(first, false))->events_captured, 1);
  EXPECT_EQ((*store_->LoadCaptureJob(second, false))->events_captured, 0);
}

TEST_F(EpcisCaptureStoreTest, QueryFiltersAndPages) {
  std::vector<CapturedEvent> events = {
      Captured("a", "ObjectEvent", "2026-03-02T06:00:00Z", {"https://id.gs1.org/00/1"}),
      Captured("b", "AggregationEvent", "2026-03-02T07:00:00Z", {"https://id.gs1.org/00/2"}),
      Captured("c", "ObjectEvent", "2026-03-02T08:00:00Z", {"https://id.gs1.org/00/2"})};
  ASSERT_TRUE(
      store_->StoreCapturedEvents(InsertJob(), At("2026-03-02T09:00:00Z"), events, {}).ok());

  CapturedEventQuery by_type;
  by_type.event_types = {"ObjectEvent"};
  EXPECT_EQ(store_->QueryCapturedEvents(by_type)->size(), 2u);

  CapturedEventQuery by_time;
  by_time.event_time_from = At("2026-03-02T07:00:00Z");
  by_time.event_time_until = At("2026-03-02T08:00:00Z");
  auto timed = store_->QueryCapturedEvents(by_time);
  ASSERT_EQ(timed->size(), 1u);
  EXPECT_EQ((*timed)[0].body, R"({"eventID": "id-b"})");

  CapturedEventQuery by_epc;
  by_epc.epcs = {"https://id.gs1.org/00/2"};
  by_epc.limit = 1;
  auto page = store_->QueryCapturedEvents(by_epc);
  ASSERT_EQ(page->size(), 1u);
  by_epc.after_sequence = (*page)[0].sequence;
  auto next = store_->QueryCapturedEvents(by_epc);
  ASSERT_EQ(next->size(), 1u);
  EXPECT_EQ((*next)[0].body, R"({"eventID": "id-c"})");
}

TEST_F(EpcisCaptureStoreTest, WithdrawalDeletesEventAndBlocksCopy) {
  EventBatch batch;
  batch.Add("e-delivered", std::string(kParcel), ScanType::kDelivered, At("2026-03-02T10:00:00Z"));
  ASSERT_EQ(
      store_->AppendEvents(batch.Views(), At("2026-03-02T10:00:01Z"), At("2026-03-03T10:00:00Z"))
          ->stored,
      1);

  std::vector<EventWithdrawal> withdrawals = {
      {"e-delivered", std::string(kParcel), At("2026-03-02T11:00:00Z"), "incorrect_data"}};
  ASSERT_TRUE(
      store_->StoreCapturedEvents(InsertJob(), At("2026-03-02T11:00:01Z"), {}, withdrawals).ok());
  auto parcel = store_->LoadParcel(kParcel);
  ASSERT_TRUE(parcel.ok());
  EXPECT_TRUE((*parcel)->events.empty());

  auto again =
      store_->AppendEvents(batch.Views(), At("2026-03-02T12:00:00Z"), At("2026-03-03T12:00:00Z"));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->stored, 0);
  EXPECT_EQ(again->duplicates, 1);
}

TEST_F(EpcisCaptureStoreTest, WithdrawalStaysUnappliedUntilMarked) {
  std::vector<EventWithdrawal> withdrawals = {
      {"e-1", std::string(kParcel), At("2026-03-02T11:00:00Z"), ""}};
  ASSERT_TRUE(
      store_->StoreCapturedEvents(InsertJob(), At("2026-03-02T11:00:01Z"), {}, withdrawals).ok());
  EXPECT_EQ(store_->LoadUnappliedWithdrawals()->size(), 1u);
  ASSERT_TRUE(store_->MarkWithdrawalsApplied(withdrawals).ok());
  EXPECT_TRUE(store_->LoadUnappliedWithdrawals()->empty());
}

TEST_F(EpcisCaptureStoreTest, FinishingUnknownJobFails) {
  Status finished = store_->FinishCaptureJob(Finished(99));
  ASSERT_FALSE(finished.ok());
  EXPECT_EQ(finished.error().kind, ErrorKind::kNotFound);
}

}  // namespace
}  // namespace imeiguard
