// The network EIR part of `imeiguard serve`: the sighting queue that every EIR interface reports
// to, and the N5g-eir listener when [eir] n5g_listen is set.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/time.h"
#include "eir/n5g_eir_server.h"
#include "eir/sighting_queue.h"
#include "service/config.h"

namespace imeiguard {

class EirServing {
 public:
  // Starts the sighting queue's writer thread. Everything passed outlives this object.
  EirServing(const EirConfig& config, const eir::EquipmentSnapshot& snapshot,
             eir::SightingStore& sightings, const Clock& clock);
  ~EirServing();  // Stops.

  // Starts the N5g-eir listener when one is configured; its errors name the address.
  Status Start();
  // Stops the listener, then writes the queued sightings. Idempotent.
  void Stop();

  // Counters of the sighting queue and the N5g-eir listener, for /metrics. Thread-safe.
  std::vector<std::pair<std::string, double>> Metrics() const;

  // Where EIR interfaces (N5g-eir, Diameter S13) report their queries.
  eir::SightingRecorder& recorder() { return queue_; }

 private:
  const EirConfig& config_;
  eir::SightingQueue queue_;
  std::unique_ptr<eir::N5gEirServer> n5g_server_;
};

}  // namespace imeiguard
