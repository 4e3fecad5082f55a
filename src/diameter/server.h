// The Diameter server: accepts TCP connections with Boost.Asio and runs a PeerConnection on each.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/error.h"
#include "diameter/peer.h"

namespace imeiguard::diameter {

// Something that happened on one connection, for a capture file (pcap_capture.h).
struct ConnectionEvent {
  enum class Kind { kOpened, kReceived, kSent, kClosed };
  Kind kind = Kind::kOpened;
  std::uint64_t connection_id = 0;
  std::string local_ip;  // 4 or 16 bytes in network order.
  std::uint16_t local_port = 0;
  std::string remote_ip;
  std::uint16_t remote_port = 0;
  std::string_view bytes;  // kReceived and kSent only; valid during the call.
};

struct ServerOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 3868;  // 0 picks a free port; Server::port() tells which.
  int threads = 2;
  PeerSettings peer;
  // Called on the connection's strand for every event, when set. Must be thread-safe.
  std::function<void(const ConnectionEvent& event)> on_connection_event;
};

// Listens and serves until Stop. A fault in one connection's bytes closes at most that connection.
class Server {
 public:
  // `handler` answers the S13 requests and must outlive the server.
  Server(ServerOptions options, RequestHandler handler);
  ~Server();  // Stops.
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and starts the threads. Returns kInvalidInput (reason "address") when the address is
  // not an IP address, and kUnavailable (reason "bind") when it cannot be bound.
  Status Start();
  // Sends Disconnect-Peer-Request to every open peer, waits up to two seconds for the
  // connections to close, then closes the rest and joins the threads. Idempotent.
  void Stop();
  // The bound port once Start succeeded; 0 before.
  std::uint16_t port() const;

 private:
  struct Impl;
  class Connection;
  std::unique_ptr<Impl> impl_;
};

}  // namespace imeiguard::diameter
