// The listener of the N5g-eir service: HTTP/2 with prior knowledge (h2c, through libnghttp2) and
// HTTP/1.1 on one port, distinguished by the HTTP/2 client preface. It serves only
// /n5g-eir-eic/v1/equipment-status, looked up in an EquipmentSnapshot.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "core/error.h"
#include "core/time.h"
#include "eir/equipment_snapshot.h"
#include "eir/sighting.h"

namespace imeiguard::eir {

struct N5gEirServerOptions {
  std::string address = "127.0.0.1";  // An IP address; bind it to the signalling network only.
  std::uint16_t port = 0;             // 0 picks a free port, which port() returns.
  int threads = 2;
  int idle_timeout_seconds = 60;     // A connection silent this long is closed.
  int max_concurrent_streams = 128;  // Per HTTP/2 connection.
};

class N5gEirServer {
 public:
  // `snapshot`, `recorder` (may be null) and `clock` outlive the server.
  N5gEirServer(N5gEirServerOptions options, const EquipmentSnapshot& snapshot,
               SightingRecorder* recorder, const Clock& clock);
  ~N5gEirServer();  // Stops.
  N5gEirServer(const N5gEirServer&) = delete;
  N5gEirServer& operator=(const N5gEirServer&) = delete;

  // Binds and starts the threads. kInvalidInput (reason "address") when the address is not an IP
  // address, kUnavailable (reason "bind") when it cannot be bound.
  Status Start();
  // Closes the listener and every connection and joins the threads. Idempotent.
  void Stop();
  std::uint16_t port() const;

  struct Counters {
    std::int64_t http1_requests = 0;
    std::int64_t http2_requests = 0;
  };
  Counters counters() const;

 private:
  struct Impl;
  class Connection;
  std::unique_ptr<Impl> impl_;
};

}  // namespace imeiguard::eir
