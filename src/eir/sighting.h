// Sightings: EIR queries that name a watched, suspect or locked device, kept as leads for the
// police. Every EIR interface (N5g-eir, Diameter S13) reports its queries through SightingRecorder.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/time.h"
#include "locking/lock_state.h"

namespace imeiguard::eir {

// One EIR query as the interface received it. The views need only live for the Record call.
struct EquipmentQuery {
  std::uint64_t core = 0;            // The device's 14-digit IMEI core.
  std::string_view interface;        // "n5g-eir" or "s13".
  std::string_view network_element;  // The asking node: an NF instance, a Diameter Origin-Host.
  std::string_view supi_or_imsi;     // "imsi-240011234567890", a bare IMSI, or empty.
  std::string_view gpsi;             // "msisdn-46701234567", or empty.
  Timestamp at;
};

// Receives every EIR query. Implementations must be thread-safe and must not block the caller.
class SightingRecorder {
 public:
  virtual ~SightingRecorder() = default;
  virtual void Record(const EquipmentQuery& query) = 0;
};

// A stored sighting.
struct Sighting {
  std::int64_t sighting_id = 0;  // Assigned by the store.
  std::uint64_t core = 0;
  std::string interface;
  std::string network_element;
  // The IMSI digits when the query named an imsi- SUPI or an IMSI, so that N5g-eir and S13
  // sightings of one SIM match. Another SUPI (nai-...) is kept as given, and absent is empty.
  std::string imsi;
  std::string gpsi;
  Timestamp at;
  LockState state = LockState::kWatched;  // The device's state when it was seen.
};

// The subscriber key sightings are stored and searched by: "imsi-240011234567890" and
// "240011234567890" both give "240011234567890".
std::string_view SubscriberKey(std::string_view supi_or_imsi);

// A SIM seen in more than one stolen device: likely a fence testing or selling them.
struct Fence {
  std::string imsi;
  std::vector<std::uint64_t> cores;  // The stolen devices it was seen in, ascending.
  Timestamp first_seen;
  Timestamp last_seen;
};

// A selection of sightings: of any of `cores` (none: all devices) and of `imsi` (empty: any),
// with sighting_id above `after_id`, oldest first, at most `limit`.
struct SightingFilter {
  std::vector<std::uint64_t> cores;
  std::string imsi;
  std::int64_t after_id = 0;
  int limit = 100;
};

class SightingStore {
 public:
  virtual ~SightingStore() = default;
  // Stores the batch in one transaction; nothing of it on failure (kUnavailable).
  virtual Status AppendSightings(std::span<const Sighting> sightings) = 0;
  virtual Result<std::vector<Sighting>> ListSightings(const SightingFilter& filter) = 0;
  // SIMs seen in more than one device that was suspect or locked when seen, the most devices
  // first, at most `limit`.
  virtual Result<std::vector<Fence>> ListFences(int limit) = 0;
};

}  // namespace imeiguard::eir
