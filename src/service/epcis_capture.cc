#include "service/epcis_capture.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json.hpp>
#include <set>

#include "epcis/scan_mapping.h"

namespace imeiguard {
namespace {

namespace json = boost::json;

// Nesting that EPCIS documents need: sensor reports sit eight levels deep, extensions deeper.
constexpr int kMaxDocumentDepth = 32;

// A job that failed on the store is tried again after this delay times its attempts so far, and
// left for the next start after kMaxAttempts.
constexpr Duration kRetryDelay = std::chrono::seconds(1);
constexpr int kMaxAttempts = 8;

std::string ErrorsJson(const std::vector<epcis::EventError>& errors) {
  json::array problems;
  for (const epcis::EventError& error : errors) {
    json::object problem{{"type", "epcisException:ValidationException"},
                         {"title", "Invalid EPCIS event"},
                         {"status", 400},
                         {"detail", error.message},
                         {"reason", error.reason},
                         {"eventIndex", error.index}};
    if (!error.event_id.empty()) problem["eventID"] = error.event_id;
    if (!error.field.empty()) problem["field"] = error.field;
    problems.push_back(std::move(problem));
  }
  return json::serialize(problems);
}

// The event as the query serves it: with an eventID (its hash when it had none, as the binding
// recommends), the capture's recordTime and the document's @context.
std::string ServedBody(const epcis::Event& event, const json::array& context,
                       Timestamp record_time) {
  json::object body = event.body;
  if (event.event_id.empty()) body["eventID"] = event.event_hash;
  body["recordTime"] = FormatRfc3339(record_time);
  if (!context.empty() && !body.contains("@context")) body["@context"] = context;
  return json::serialize(body);
}

CapturedEvent Captured(const epcis::Event& event, const json::array& context,
                       Timestamp record_time) {
  CapturedEvent captured;
  captured.archive_key = event.ArchiveKey();
  captured.event_id = event.Identity();
  captured.event_type = std::string(epcis::EventTypeName(event.type));
  captured.event_time = event.event_time;
  for (const auto* list : {&event.epc_list, &event.child_epcs}) {
    for (const std::string& epc : *list) captured.epcs.push_back(epcis::CanonicalEpc(epc));
  }
  std::sort(captured.epcs.begin(), captured.epcs.end());
  captured.epcs.erase(std::unique(captured.epcs.begin(), captured.epcs.end()), captured.epcs.end());
  captured.body = ServedBody(event, context, record_time);
  return captured;
}

}  // namespace

EpcisCapture::EpcisCapture(const Config& config, Store& store, GuardService& service,
                           const Clock& clock)
    : config_(config),
      store_(store),
      service_(service),
      clock_(clock),
      limits_{static_cast<std::size_t>(config.epcis.capture_limit), kMaxDocumentDepth,
              config.ingest.max_field_bytes} {}

EpcisCapture::~EpcisCapture() { Stop(); }

Status EpcisCapture::Start() {
  if (Status s = service_.ResumeWithdrawals(); !s.ok()) return s;
  auto unfinished = store_.UnfinishedCaptureJobs();
  if (!unfinished.ok()) return unfinished.error();
  if (!unfinished->empty()) {
    spdlog::info("resuming {} unfinished EPCIS capture jobs", unfinished->size());
  }
  {
    std::lock_guard lock(mutex_);
    queue_.insert(queue_.end(), unfinished->begin(), unfinished->end());
  }
  worker_ = std::thread([this] { WorkerLoop(); });
  return Status::Ok();
}

void EpcisCapture::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (worker_.joinable()) worker_.join();
}

Result<CaptureJob> EpcisCapture::Submit(std::string document, CaptureErrorBehaviour behaviour,
                                        std::string key_id) {
  auto parsed = epcis::ParseDocument(document, limits_);
  if (!parsed.ok()) return parsed.error();

  CaptureJob job;
  job.key_id = std::move(key_id);
  job.error_behaviour = behaviour;
  job.document = std::move(document);
  job.created_at = clock_.Now();
  auto capture_id = store_.InsertCaptureJob(job);
  if (!capture_id.ok()) return capture_id.error();
  job.capture_id = *capture_id;
  job.document.clear();
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(job.capture_id);
  }
  wake_.notify_all();
  return job;
}

Status EpcisCapture::Process(std::int64_t capture_id) {
  auto loaded = store_.LoadCaptureJob(capture_id, true);
  if (!loaded.ok()) return loaded.error();
  if (!loaded->has_value() || (*loaded)->finished_at) return Status::Ok();
  CaptureJob job = std::move(**loaded);
  Timestamp now = clock_.Now();
  job.finished_at = now;

  auto document = epcis::ParseDocument(job.document, limits_);
  if (!document.ok()) {
    // Submit checked the document, so only a change of limits between runs gets here.
    job.success = false;
    job.errors = ErrorsJson({{0, "", "", document.error().reason, document.error().message}});
    return store_.FinishCaptureJob(job);
  }
  job.success = document->errors.empty();
  job.errors = ErrorsJson(document->errors);
  if (!job.success && job.error_behaviour == CaptureErrorBehaviour::kRollback) {
    return store_.FinishCaptureJob(job);
  }

  epcis::Mapped mapped;
  std::vector<CapturedEvent> captured;
  captured.reserve(document->events.size());
  for (const epcis::Event& event : document->events) {
    epcis::MapEvent(event, config_.epcis.mapping, now, mapped);
    captured.push_back(Captured(event, document->context, now));
  }
  // A scan that the same document declares in error never reaches the engine, so that no lock
  // is planned for it in between.
  std::set<std::string> withdrawn;
  for (const EventWithdrawal& withdrawal : mapped.withdrawals)
    withdrawn.insert(withdrawal.event_id);
  std::vector<ScanEventView> views;
  for (const ScanEvent& scan : mapped.scans) {
    if (!withdrawn.contains(scan.event_id)) views.push_back(scan.View());
  }

  // Scans first: if the job is cut short after them, its next run finds them stored already.
  if (!views.empty()) {
    auto ingested = service_.IngestViews(views, now);
    if (!ingested.ok()) return ingested.error();
  }
  auto stored = store_.StoreCapturedEvents(capture_id, now, captured, mapped.withdrawals);
  if (!stored.ok()) return stored.error();
  // The job finishes only after the engine has taken the withdrawals, so that a client that saw
  // it finish reads verdicts without the withdrawn events.
  if (Status s = service_.ApplyWithdrawals(mapped.withdrawals); !s.ok()) return s;
  if (Status s = store_.FinishCaptureJob(job); !s.ok()) return s;
  spdlog::info("EPCIS capture job {}: {} events, {} new, {} scans, {} withdrawals, {} rejected",
               capture_id, document->event_count, *stored, views.size(), mapped.withdrawals.size(),
               document->errors.size());
  return Status::Ok();
}

void EpcisCapture::WorkerLoop() {
  int attempts = 0;
  while (true) {
    std::int64_t capture_id = 0;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      capture_id = queue_.front();
    }
    Status processed = Process(capture_id);
    if (processed.ok() || ++attempts >= kMaxAttempts) {
      if (!processed.ok()) {
        spdlog::error("EPCIS capture job {} failed {} times and waits for the next start: {}",
                      capture_id, attempts, processed.error().message);
      }
      attempts = 0;
      std::lock_guard lock(mutex_);
      queue_.pop_front();
      continue;
    }
    spdlog::warn("EPCIS capture job {} failed (attempt {}), retrying: {}", capture_id, attempts,
                 processed.error().message);
    std::unique_lock lock(mutex_);
    wake_.wait_for(lock, kRetryDelay * attempts, [this] { return stopping_; });
  }
}

}  // namespace imeiguard
