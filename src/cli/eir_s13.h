// The S13 listener of `imeiguard serve`: the Diameter server, replying from the device snapshot.
#pragma once

#include <cstdint>
#include <memory>

#include "core/error.h"
#include "core/time.h"
#include "diameter/s13.h"
#include "eir/equipment_snapshot.h"
#include "eir/sighting.h"
#include "service/config.h"

namespace imeiguard {

// Returns a source that reads Equipment-Status from the in-memory device snapshot, the one that
// N5g-eir and the public check read, so a device gets the same status on every interface. A
// device that the snapshot does not contain is std::nullopt (unknown).
diameter::EquipmentStatusSource EquipmentStatusFrom(const eir::EquipmentSnapshot& snapshot);

// Reports each S13 query to `recorder`, which keeps those that name a traced device.
diameter::S13QueryObserver SightingsTo(eir::SightingRecorder& recorder);

class S13Listener {
 public:
  // Starts listening on `config.listen`, replying from `source` and reporting each query to
  // `observer` (which may be empty). kInvalidInput when the listen address is malformed,
  // kUnavailable when it cannot be bound or the capture file cannot be created. `clock` must
  // outlive the listener.
  static Result<std::unique_ptr<S13Listener>> Start(const S13Config& config,
                                                    diameter::EquipmentStatusSource source,
                                                    diameter::S13QueryObserver observer,
                                                    const Clock& clock);
  ~S13Listener();
  // Disconnects the peers and stops. Idempotent.
  void Stop();
  std::uint16_t port() const;

 private:
  struct Parts;
  explicit S13Listener(std::unique_ptr<Parts> parts);
  std::unique_ptr<Parts> parts_;
};

// Starts the S13 listener when [eir] s13_listen is set, replying from `snapshot` and reporting
// queries to `recorder`; returns null when it is not set. Fails as S13Listener::Start does.
Result<std::unique_ptr<S13Listener>> StartConfiguredS13(const Config& config,
                                                        const eir::EquipmentSnapshot& snapshot,
                                                        eir::SightingRecorder& recorder,
                                                        const Clock& clock);

}  // namespace imeiguard
