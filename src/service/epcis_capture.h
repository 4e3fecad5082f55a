// The capture jobs of the EPCIS 2.0 REST binding: a posted document is stored as a job before the
// 202 response, then a worker thread reads it, stores its events for queries, feeds the scans of
// parcels to the engine and applies its error declarations. A restart resumes the jobs that had
// not finished, so nothing answered with 202 is lost (kill -9 included).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

#include "epcis/epcis_document.h"
#include "service/config.h"
#include "service/guard_service.h"
#include "store/store.h"

namespace imeiguard {

class EpcisCapture {
 public:
  // `store`, `service` and `clock` must outlive the capture.
  EpcisCapture(const Config& config, Store& store, GuardService& service, const Clock& clock);
  ~EpcisCapture();
  EpcisCapture(const EpcisCapture&) = delete;
  EpcisCapture& operator=(const EpcisCapture&) = delete;

  // Applies the withdrawals and queues the jobs that an earlier run left unfinished, then starts
  // the worker. Call once, after GuardService::Recover.
  Status Start();
  // Lets the worker finish the job it is on and joins it. Queued jobs stay stored.
  void Stop();

  // Checks that `document` is an EPCIS document within the limits, stores it as a running job
  // and queues it. Returns the stored job. Errors: kInvalidInput from epcis::ParseDocument
  // ("json", "too_deep", "not_epcis_document", "schema_version", "capture_limit"), and the
  // store's errors. Thread-safe.
  Result<CaptureJob> Submit(std::string document, CaptureErrorBehaviour behaviour,
                            std::string key_id);

  // Runs the job to its end: under rollback a document with any invalid event stores nothing,
  // under proceed its valid events are stored and the invalid ones listed in the job's errors.
  // A job already finished is left alone. Returns the store's errors; the job then stays
  // unfinished. The worker calls it; tests may call it directly instead of Start.
  Status Process(std::int64_t capture_id);

  epcis::DocumentLimits limits() const { return limits_; }

 private:
  void WorkerLoop();

  const Config& config_;
  Store& store_;
  GuardService& service_;
  const Clock& clock_;
  const epcis::DocumentLimits limits_;

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::int64_t> queue_;  // Guarded by mutex_.
  bool stopping_ = false;           // Guarded by mutex_.
  std::thread worker_;
};

}  // namespace imeiguard
