#include "diameter/pcap_capture.h"

#include <cerrno>
#include <chrono>
#include <cstring>

namespace imeiguard::diameter {
namespace {

constexpr std::uint32_t kLinkTypeEthernet = 1;
constexpr std::size_t kMaxSegmentPayload = 60000;  // Keeps each IP packet below 64 KiB.

void PutLittle32(std::uint32_t value, std::string& out) {
  for (int shift = 0; shift < 32; shift += 8) out.push_back(static_cast<char>(value >> shift));
}

void PutLittle16(std::uint16_t value, std::string& out) {
  out.push_back(static_cast<char>(value));
  out.push_back(static_cast<char>(value >> 8));
}

void PutBig16(std::uint16_t value, std::string& out) {
  out.push_back(static_cast<char>(value >> 8));
  out.push_back(static_cast<char>(value));
}

void PutBig32(std::uint32_t value, std::string& out) {
  PutBig16(static_cast<std::uint16_t>(value >> 16), out);
  PutBig16(static_cast<std::uint16_t>(value), out);
}

// The Internet checksum (RFC 1071) of an IPv4 header.
std::uint16_t Ipv4Checksum(std::string_view header) {
  std::uint32_t sum = 0;
  for (std::size_t i = 0; i + 1 < header.size(); i += 2) {
    sum += static_cast<std::uint32_t>(static_cast<unsigned char>(header[i])) << 8 |
           static_cast<unsigned char>(header[i + 1]);
  }
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum);
}

std::string IpHeader(const std::string& source, const std::string& destination,
                     std::size_t tcp_bytes) {
  std::string header;
  if (source.size() == 4) {
    header.push_back(0x45);  // IPv4, 20-byte header.
    header.push_back(0);
    PutBig16(static_cast<std::uint16_t>(20 + tcp_bytes), header);
    PutBig32(0x40000000, header);  // Identification 0, don't fragment.
    header.push_back(64);          // TTL
    header.push_back(6);           // TCP
    PutBig16(0, header);
    header += source;
    header += destination;
    std::uint16_t checksum = Ipv4Checksum(header);
    header[10] = static_cast<char>(checksum >> 8);
    header[11] = static_cast<char>(checksum);
    return header;
  }
  PutBig32(0x60000000, header);  // IPv6
  PutBig16(static_cast<std::uint16_t>(tcp_bytes), header);
  header.push_back(6);   // TCP
  header.push_back(64);  // hop limit
  header += source;
  header += destination;
  return header;
}

}  // namespace

Result<std::unique_ptr<PcapCapture>> PcapCapture::Open(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) {
    return Error::Unavailable("capture_file",
                              "cannot create capture file " + path + ": " + std::strerror(errno));
  }
  std::string header;
  PutLittle32(0xa1b2c3d4, header);  // Microsecond timestamps.
  PutLittle16(2, header);
  PutLittle16(4, header);
  PutLittle32(0, header);  // GMT offset
  PutLittle32(0, header);  // Timestamp accuracy
  PutLittle32(65535, header);
  PutLittle32(kLinkTypeEthernet, header);
  std::fwrite(header.data(), 1, header.size(), file);
  std::fflush(file);
  return std::unique_ptr<PcapCapture>(new PcapCapture(file));
}

PcapCapture::~PcapCapture() { std::fclose(file_); }

void PcapCapture::Record(const ConnectionEvent& event) {
  std::lock_guard lock(mutex_);
  switch (event.kind) {
    case ConnectionEvent::Kind::kOpened: {
      Stream stream{1000, 5000};
      WritePacket(event, true, kSyn, stream, {});
      stream.peer_sequence++;
      WritePacket(event, false, kSyn | kAck, stream, {});
      stream.local_sequence++;
      WritePacket(event, true, kAck, stream, {});
      streams_[event.connection_id] = stream;
      break;
    }
    case ConnectionEvent::Kind::kReceived:
    case ConnectionEvent::Kind::kSent: {
      auto it = streams_.find(event.connection_id);
      if (it == streams_.end()) return;
      bool from_peer = event.kind == ConnectionEvent::Kind::kReceived;
      std::string_view rest = event.bytes;
      while (!rest.empty()) {
        std::string_view segment = rest.substr(0, kMaxSegmentPayload);
        WritePacket(event, from_peer, kPush | kAck, it->second, segment);
        auto& sequence = from_peer ? it->second.peer_sequence : it->second.local_sequence;
        sequence += static_cast<std::uint32_t>(segment.size());
        rest.remove_prefix(segment.size());
      }
      break;
    }
    case ConnectionEvent::Kind::kClosed: {
      auto it = streams_.find(event.connection_id);
      if (it == streams_.end()) return;
      WritePacket(event, false, kFin | kAck, it->second, {});
      streams_.erase(it);
      break;
    }
  }
  std::fflush(file_);
}

void PcapCapture::WritePacket(const ConnectionEvent& event, bool from_peer, std::uint8_t tcp_flags,
                              const Stream& stream, std::string_view payload) {
  const std::string& source_ip = from_peer ? event.remote_ip : event.local_ip;
  const std::string& destination_ip = from_peer ? event.local_ip : event.remote_ip;
  std::uint16_t source_port = from_peer ? event.remote_port : event.local_port;
  std::uint16_t destination_port = from_peer ? event.local_port : event.remote_port;

  std::string tcp;
  PutBig16(source_port, tcp);
  PutBig16(destination_port, tcp);
  PutBig32(from_peer ? stream.peer_sequence : stream.local_sequence, tcp);
  bool acks = (tcp_flags & kAck) != 0;
  PutBig32(acks ? (from_peer ? stream.local_sequence : stream.peer_sequence) : 0, tcp);
  tcp.push_back(0x50);  // 20-byte header.
  tcp.push_back(static_cast<char>(tcp_flags));
  PutBig16(65535, tcp);  // Window
  PutBig16(0, tcp);      // Checksum: not computed; dissectors do not check it by default.
  PutBig16(0, tcp);      // Urgent pointer
  tcp.append(payload);

  std::string frame(12, '\0');  // Destination and source MAC addresses: zero.
  frame[5] = from_peer ? 1 : 2;
  frame[11] = from_peer ? 2 : 1;
  PutBig16(source_ip.size() == 4 ? 0x0800 : 0x86dd, frame);
  frame += IpHeader(source_ip, destination_ip, tcp.size());
  frame += tcp;

  auto now = std::chrono::system_clock::now().time_since_epoch();
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(now).count();
  std::string record;
  PutLittle32(static_cast<std::uint32_t>(micros / 1000000), record);
  PutLittle32(static_cast<std::uint32_t>(micros % 1000000), record);
  PutLittle32(static_cast<std::uint32_t>(frame.size()), record);
  PutLittle32(static_cast<std::uint32_t>(frame.size()), record);
  record += frame;
  std::fwrite(record.data(), 1, record.size(), file_);
}

}  // namespace imeiguard::diameter
