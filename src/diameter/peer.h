// One Diameter peer connection as a state machine without I/O: bytes in, bytes out, and a timer.
// It runs the base protocol of RFC 6733 for a node that accepts connections: the capabilities
// exchange, the device watchdog of RFC 3539 and the disconnect, answers protocol errors, and hands
// requests of the served application to a handler. The Boost.Asio server (server.h) feeds it.
//
// Not thread-safe: one connection is driven by one strand at a time.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "diameter/answer.h"
#include "diameter/message.h"

namespace imeiguard::diameter {

// The identity that this node advertises in the capabilities exchange and puts in every message.
struct LocalIdentity {
  std::string origin_host;
  std::string origin_realm;
  std::string product_name = "imeiguard";
  std::uint32_t vendor_id = 0;  // No IANA enterprise number of its own.
  std::uint32_t firmware_revision = 1;
  // Changes at every start, so that peers see a restart (RFC 6733 section 8.16).
  std::uint32_t origin_state_id = 0;
};

struct PeerSettings {
  LocalIdentity identity;
  // Tw of RFC 3539: after this long without a message from the peer a Device-Watchdog-Request is
  // sent, and the connection is closed when no answer comes within as long again. It also bounds
  // the wait for the peer's Capabilities-Exchange-Request and for its Disconnect-Peer-Answer.
  std::chrono::milliseconds watchdog_interval{30'000};
  // A message larger than this is answered with DIAMETER_INVALID_MESSAGE_LENGTH and the connection
  // is closed, so that a peer cannot make the node buffer without bound.
  std::size_t max_message_bytes = 65536;
};

// Answers one request of the served application (S13). Called on the connection's strand; must be
// thread-safe when the server runs connections on several threads.
using RequestHandler = std::function<Message(const Message& request)>;

class PeerConnection {
 public:
  using SteadyTime = std::chrono::steady_clock::time_point;
  enum class State { kWaitCer, kOpen, kDisconnecting, kClosed };

  // `local_ip` is the connection's local address (4 or 16 bytes) for Host-IP-Address.
  // `settings` and `handler` must outlive the connection.
  PeerConnection(const PeerSettings& settings, std::string local_ip, const RequestHandler& handler,
                 SteadyTime now);

  // Consumes bytes received from the peer: any number of whole or partial messages. Answers are
  // appended to the output. A fault that loses the framing, or a failed capabilities exchange,
  // moves the connection to kClosed after its last answer.
  void Receive(std::string_view bytes, SteadyTime now);
  // Runs the watchdog and the other deadlines; call it at next_deadline() or later.
  void OnTimer(SteadyTime now);
  // Starts a graceful close: sends Disconnect-Peer-Request on an open connection and closes when
  // the answer arrives or a watchdog interval has passed. Closes at once in any other state.
  void Disconnect(SteadyTime now);

  SteadyTime next_deadline() const { return deadline_; }
  // Takes the bytes to send, in order.
  std::string TakeOutput();
  State state() const { return state_; }
  // Why the connection closed, for the log; empty while it is not kClosed.
  const std::string& close_reason() const { return close_reason_; }
  // The peer's Origin-Host once the capabilities exchange succeeded.
  const std::string& peer_host() const { return peer_host_; }

 private:
  void HandleMessage(const Message& message, SteadyTime now);
  void HandleCapabilitiesExchange(const Message& request);
  void HandleOpenRequest(const Message& request);
  void HandleAnswer(const Message& answer);
  void HandleUndecodable(std::string_view bytes, const Error& error, const AvpFault& fault);
  // Answers a request whose framing cannot be trusted, when a header is there, and closes.
  void RejectStream(std::string_view buffered, const Error& error);
  Message StartRequest(std::uint32_t command_code);
  void Send(const Message& message);
  void Close(std::string reason);
  Origin origin() const;

  const PeerSettings& settings_;
  const std::string local_ip_;
  const RequestHandler& handler_;
  State state_ = State::kWaitCer;
  std::string input_;
  std::string output_;
  std::string close_reason_;
  std::string peer_host_;
  SteadyTime last_received_;
  SteadyTime deadline_;
  bool watchdog_pending_ = false;  // A DWR is out and its answer has not arrived.
  std::uint32_t watchdog_hop_by_hop_ = 0;
  std::uint32_t next_hop_by_hop_;
  std::uint32_t next_end_to_end_;
};

}  // namespace imeiguard::diameter
