// The S13 listener of `imeiguard serve`: the Diameter server, answering from the service's state.
#pragma once

#include <cstdint>
#include <memory>

#include "core/error.h"
#include "core/time.h"
#include "diameter/s13.h"
#include "service/config.h"
#include "service/service.h"

namespace imeiguard {

// Looks up a device's Equipment-Status in the service. A device that the check snapshot blocks is
// BLACKLISTED, and one with a greylisted stored device is GREYLISTED. Any other device with a
// record is WHITELISTED, and one without is std::nullopt (unknown).
// NOTE: only BLACKLISTED comes from the in-memory snapshot; the rest reads the store.
diameter::EquipmentStatusSource EquipmentStatusFrom(ImeiguardService& service);

class S13Listener {
 public:
  // Starts listening on `config.listen`, answering from `source` and reporting each query to
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

// Starts the S13 listener when [eir] s13_listen is set, answering from `service`; returns null
// when it is not. Fails as S13Listener::Start does.
Result<std::unique_ptr<S13Listener>> StartConfiguredS13(const Config& config,
                                                        ImeiguardService& service,
                                                        const Clock& clock);

}  // namespace imeiguard
