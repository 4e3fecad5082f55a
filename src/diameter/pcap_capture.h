// A capture file of the Diameter server's connections in the classic pcap format, for Wireshark
// and tshark. The server sees only the TCP payload, so the Ethernet, IP and TCP headers around it
// are made up: a handshake when a connection opens, one segment per read or write, and a FIN when
// it closes, with sequence numbers that let a dissector reassemble the stream.
//
// The file holds IMEIs and IMSIs, which are personal data: it is a troubleshooting aid, off
// unless configured.
#pragma once

#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "core/error.h"
#include "diameter/server.h"

namespace imeiguard::diameter {

class PcapCapture {
 public:
  // Creates (or truncates) the file at `path` and writes the pcap header. kUnavailable (reason
  // "capture_file") when it cannot be opened.
  static Result<std::unique_ptr<PcapCapture>> Open(const std::string& path);
  ~PcapCapture();
  PcapCapture(const PcapCapture&) = delete;
  PcapCapture& operator=(const PcapCapture&) = delete;

  // Appends the packets for `event` and flushes them to the file. Thread-safe.
  void Record(const ConnectionEvent& event);

 private:
  struct Stream {
    std::uint32_t peer_sequence = 0;   // Next sequence number of the peer's bytes.
    std::uint32_t local_sequence = 0;  // Next sequence number of this node's bytes.
  };
  enum : std::uint8_t { kFin = 0x01, kSyn = 0x02, kPush = 0x08, kAck = 0x10 };

  explicit PcapCapture(std::FILE* file) : file_(file) {}
  void WritePacket(const ConnectionEvent& event, bool from_peer, std::uint8_t tcp_flags,
                   const Stream& stream, std::string_view payload);

  std::mutex mutex_;
  std::FILE* file_;                          // Guarded by mutex_.
  std::map<std::uint64_t, Stream> streams_;  // Guarded by mutex_; by connection id.
};

}  // namespace imeiguard::diameter
