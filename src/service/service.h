// What the outer adapters (HTTP API, CLI) ask of imeiguard. The API layer depends only on this
// interface, so its tests can run against a real service on a temporary store or a fake one.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.h"
#include "events/ndjson.h"
#include "identifiers/imei.h"
#include "locking/platform_order.h"
#include "registry/manifest.h"
#include "registry/manifest_export_check.h"
#include "store/store.h"

namespace imeiguard {

struct ManifestImportReport {
  int rows_read = 0;
  int parcels_new = 0;
  int parcels_unchanged = 0;
  int devices_new = 0;
  int devices_unchanged = 0;
  std::vector<RowError> errors;  // Parse errors and conflicts with stored data, by line.
  // Set when the whole file was rejected as wrongly exported; nothing of it was imported then,
  // and the counts other than rows_read are 0.
  std::optional<ManifestRejection> rejection;
};

// Whether ImportManifest rejects a whole manifest that CheckManifestExport finds wrongly exported
// (kEnforce), or imports its good rows anyway and reports the bad ones (kForce).
enum class ExportCheck { kEnforce, kForce };

struct EventIngestReport {
  int lines = 0;       // Non-blank lines read.
  int stored = 0;      // New events of phone parcels.
  int pending = 0;     // New events kept for a parcel no manifest has named yet.
  int duplicates = 0;  // Events already stored; acknowledged again so the sender stops.
  std::vector<EventError> errors;
};

// A lock order that serves a security officer's declaration of loss.
struct DeclaredLockOrder {
  LockOrder order;
  // True when the order was already live before the declaration (another trigger created it) and
  // the declaration attached to it instead of creating a second one.
  bool attached = false;
};

// The outcome of a declaration of loss: the parcel's verdict and the lock orders now live for it.
struct LossDeclaration {
  Verdict verdict = Verdict::kInFlow;
  std::string event_id;  // The declaration as it is stored in the parcel's history.
  std::vector<DeclaredLockOrder> orders;
  // The parcel's case. Its lock is kAwaitingApproval when the declaration found no live lock and
  // waits for a second security officer.
  std::optional<CaseRecord> case_record;
};

// A case in the queue, with its parcel's verdict.
struct CaseSummary {
  CaseRecord record;
  Verdict verdict = Verdict::kInFlow;
};

// A case with everything an officer reads about it.
struct CaseDetail {
  CaseRecord record;
  ParcelSnapshot parcel;
  std::vector<AuditEntry> steps;  // The case's audit entries, oldest first.
};

// The outcome of an officer's decision on a blast-radius guard trip: the cases it decided.
struct GuardTripDecision {
  std::int64_t trip_id = 0;
  bool approved = false;
  std::vector<CaseRecord> cases;
};

// Public check answer: only whether the IMEI is blocked, nothing about parcel or owner.
enum class CheckAnswer { kBlocked, kNotBlocked };

class ImeiguardService {
 public:
  virtual ~ImeiguardService() = default;

  // Parses and imports a manifest (CSV or JSON). When `required_shipper` is not empty, rows naming
  // another shipper are rejected (reason "shipper_scope"). Succeeds with per-row errors for bad
  // rows, or, with kEnforce, with a report whose `rejection` explains why the whole file looks
  // wrongly exported and was not imported. Fails with kUnavailable only when the store could not
  // commit, in which case nothing of the batch was imported.
  virtual Result<ManifestImportReport> ImportManifest(std::string_view text,
                                                      std::string_view required_shipper,
                                                      ExportCheck export_check) = 0;

  // Parses and stores a batch of NDJSON events, then re-assesses the parcels they touch. Returns
  // only after the accepted events are durable.
  virtual Result<EventIngestReport> IngestEvents(std::string_view ndjson) = 0;

  virtual Result<std::optional<ParcelSnapshot>> GetParcel(std::string_view parcel_id) = 0;
  virtual Result<std::vector<DeviceRow>> FindDevices(Imei imei) = 0;

  // Records a security officer's declaration that the parcel is lost, by `actor` (an API key id)
  // for `reason`, at the current time. A device that already has a live lock order keeps it, and
  // the declaration attaches to it. Without a live lock, the lock waits in the parcel's case for a
  // second, different officer to approve it (ApproveLock). Fails with kNotFound
  // for an unknown parcel, kConflict for a delivered or returned one, and kInvalidInput for an
  // empty or over-long reason.
  virtual Result<LossDeclaration> DeclareLost(std::string_view parcel_id, std::string_view actor,
                                              std::string_view reason) = 0;

  // Cases. Officer steps fail with kNotFound "case_not_found" for an unknown case, kConflict when
  // the case is not in a state that allows the step (the error's reason names it), and kConflict
  // "second_officer_required" when the same key would be both pairs of eyes. `reason` must be 1
  // to 500 bytes. Each step appends an audit entry naming `actor` and the case.

  // A page of the case queue, as Store::ListCases orders it.
  virtual Result<std::vector<CaseSummary>> ListCases(std::int64_t after_case_id, int limit) = 0;
  virtual Result<std::optional<CaseDetail>> GetCase(std::int64_t case_id) = 0;
  // Approves a lock that waits for an officer; its orders are made as an automatic lock's are.
  virtual Result<CaseRecord> ApproveLock(std::int64_t case_id, std::string_view actor,
                                         std::string_view reason) = 0;
  // Rejects a lock that waits for an officer; the devices stay greylisted.
  virtual Result<CaseRecord> RejectLock(std::int64_t case_id, std::string_view actor,
                                        std::string_view reason) = 0;
  // Orders the unlock of a case's devices. On a case whose theft is confirmed the first call
  // waits for a second, different officer, whose call orders it.
  virtual Result<CaseRecord> OrderUnlock(std::int64_t case_id, std::string_view actor,
                                         std::string_view reason) = 0;
  // Records a police report number (1 to 64 bytes), which confirms the theft.
  virtual Result<CaseRecord> RecordPoliceReport(std::int64_t case_id, std::string_view actor,
                                                std::string_view report_number) = 0;
  // An officer's confirmation of the theft.
  virtual Result<CaseRecord> ConfirmTheft(std::int64_t case_id, std::string_view actor,
                                          std::string_view reason) = 0;
  // Approves or rejects every lock that a blast-radius guard trip keeps waiting. kNotFound
  // "guard_trip_not_found" when no lock of the trip waits.
  virtual Result<GuardTripDecision> DecideGuardTrip(std::int64_t trip_id, bool approve,
                                                    std::string_view actor,
                                                    std::string_view reason) = 0;

  // A page of lock orders, as Store::ListOrders returns it.
  virtual Result<std::vector<LockOrder>> ListOrders(std::optional<OrderStatus> status,
                                                    std::string_view shipper_id,
                                                    std::int64_t after_order_id, int limit) = 0;

  // Applies a platform's report of one of its orders (a callback through `connector`) to the lock
  // order it names by idempotency key, and returns that order as it is now. Status changes only
  // move forward: a report about a final order, or a "pending" after the platform's order id is
  // known, changes nothing. Fails with kNotFound when `connector` has no order with that key and
  // kConflict when the report's action differs from the order's.
  virtual Result<LockOrder> ReceivePlatformReport(std::string_view connector,
                                                  const PlatformOrder& report) = 0;

  // Answers from the in-memory snapshot; never touches the store.
  virtual CheckAnswer Check(Imei imei) const = 0;

  // True once start-up recovery has finished and the store answers.
  virtual bool Ready() const = 0;

  // Name and value pairs for Prometheus: counters end in "_total".
  virtual std::vector<std::pair<std::string, double>> Metrics() const = 0;
};

}  // namespace imeiguard
