// The Asio server on real sockets on 127.0.0.1: framing across TCP reads, the watchdog on a short
// Tw, the disconnect when the server stops, and the capture file.
#include "diameter/server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "diameter/pcap_capture.h"
#include "diameter/s13_request.h"

namespace imeiguard::diameter {
namespace {

using namespace std::chrono_literals;

// A blocking TCP client that reads whole Diameter messages.
class Client {
 public:
  explicit Client(std::uint16_t port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    timeval timeout{5, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  }
  ~Client() { ::close(fd_); }

  bool connected() const { return connected_; }

  bool Write(std::string_view bytes) {
    return ::write(fd_, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size());
  }

  // The next whole message, or std::nullopt when the server closed the connection or 5 s passed.
  std::optional<Message> Read() {
    char chunk[4096];
    while (true) {
      auto frame = ReadFrame(buffer_, 1 << 20);
      if (frame.ok() && frame->complete) {
        auto message = DecodeMessage(std::string_view(buffer_).substr(0, frame->length));
        buffer_.erase(0, frame->length);
        if (!message.ok()) return std::nullopt;
        return *message;
      }
      ssize_t got = ::read(fd_, chunk, sizeof chunk);
      if (got <= 0) return std::nullopt;
      buffer_.append(chunk, static_cast<std::size_t>(got));
    }
  }

 private:
  int fd_;
  bool connected_ = false;
  std::string buffer_;
};

std::string CapabilitiesRequest() {
  Message request;
  request.flags = kFlagRequest;
  request.command_code = kCommandCapabilitiesExchange;
  request.avps = {Avp::OctetString(kAvpOriginHost, "mme.test"),
                  Avp::OctetString(kAvpOriginRealm, "test"),
                  Avp::Address(kAvpHostIpAddress, std::string("\x7f\x00\x00\x01", 4)),
                  Avp::Unsigned32(kAvpVendorId, 0),
                  Avp::Utf8String(kAvpProductName, "test"),
                  Avp::Unsigned32(kAvpAuthApplicationId, kApplicationS13)};
  return EncodeMessage(request);
}

std::uint32_t ResultCodeOf(const Message& answer) {
  const Avp* result = answer.Find(kAvpResultCode);
  return result == nullptr ? 0 : ReadUnsigned32(*result).value();
}

std::string ReadWholeFile(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
}

// The number of whole records after the 24-byte header of a pcap file, or -1 when the records
// do not end where the file does.
int CountPackets(std::string_view bytes) {
  std::size_t at = 24;
  int packets = 0;
  while (at + 16 <= bytes.size()) {
    std::uint32_t length = static_cast<unsigned char>(bytes[at + 8]) |
                           static_cast<unsigned char>(bytes[at + 9]) << 8 |
                           static_cast<unsigned char>(bytes[at + 10]) << 16;
    at += 16 + length;
    ++packets;
  }
  return at == bytes.size() ? packets : -1;
}

class ServerTest : public ::testing::Test {
 protected:
  void Start(std::chrono::milliseconds watchdog_interval = 30s) {
    options_.port = 0;
    options_.peer.identity.origin_host = "eir.test";
    options_.peer.identity.origin_realm = "imeiguard.localdomain";
    options_.peer.watchdog_interval = watchdog_interval;
    server_ = std::make_unique<Server>(options_, handler_);
    Status started = server_->Start();
    ASSERT_TRUE(started.ok()) << started.error().message;
  }

  ServerOptions options_;
  RequestHandler handler_ = [](const Message& request) {
    Message answer = StartAnswer(request, {"eir.test", "imeiguard.localdomain"});
    AddResultCode(answer, kSuccess);
    return answer;
  };
  std::unique_ptr<Server> server_;
};

TEST_F(ServerTest, AnswersRequestsSplitAndBatched) {
  ASSERT_NO_FATAL_FAILURE(Start());
  Client client(server_->port());
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.Write(CapabilitiesRequest()));
  auto cea = client.Read();
  ASSERT_TRUE(cea.has_value());
  EXPECT_EQ(ResultCodeOf(*cea), kSuccess);

  MeIdentityCheck check;
  check.imei = "35847210123456";
  std::string bytes;
  for (std::uint32_t i = 1; i <= 3; ++i) {
    check.hop_by_hop = i;
    AppendMessage(BuildMeIdentityCheckRequest(check), bytes);
  }
  // The first request in two writes with a pause between, then the rest in one write.
  std::size_t first = EncodeMessage(BuildMeIdentityCheckRequest(check)).size();
  ASSERT_TRUE(client.Write(std::string_view(bytes).substr(0, 10)));
  std::this_thread::sleep_for(50ms);
  ASSERT_TRUE(client.Write(std::string_view(bytes).substr(10)));
  for (std::uint32_t i = 1; i <= 3; ++i) {
    auto answer = client.Read();
    ASSERT_TRUE(answer.has_value()) << "answer " << i << " of 3, first request " << first;
    EXPECT_EQ(answer->hop_by_hop, i);
  }
}

TEST_F(ServerTest, ClosesPeerThatIgnoresWatchdog) {
  ASSERT_NO_FATAL_FAILURE(Start(200ms));
  Client client(server_->port());
  ASSERT_TRUE(client.Write(CapabilitiesRequest()));
  ASSERT_TRUE(client.Read().has_value());
  auto watchdog = client.Read();
  ASSERT_TRUE(watchdog.has_value());
  EXPECT_TRUE(watchdog->is_request());
  EXPECT_EQ(watchdog->command_code, kCommandDeviceWatchdog);
  // No answer: the server closes the connection one interval later.
  EXPECT_FALSE(client.Read().has_value());
}

TEST_F(ServerTest, StopSendsDisconnectPeer) {
  ASSERT_NO_FATAL_FAILURE(Start());
  Client client(server_->port());
  ASSERT_TRUE(client.Write(CapabilitiesRequest()));
  ASSERT_TRUE(client.Read().has_value());
  std::thread stopper([this] { server_->Stop(); });
  auto request = client.Read();
  ASSERT_TRUE(request.has_value());
  EXPECT_EQ(request->command_code, kCommandDisconnectPeer);
  Message answer = StartAnswer(*request, {"mme.test", "test"});
  AddResultCode(answer, kSuccess);
  EXPECT_TRUE(client.Write(EncodeMessage(answer)));
  stopper.join();
  EXPECT_FALSE(client.Read().has_value());
}

TEST_F(ServerTest, CaptureFileHasEverySegment) {
  auto path = std::filesystem::temp_directory_path() /
              ("imeiguard-s13-capture-" + std::to_string(getpid()) + ".pcap");
  auto capture = PcapCapture::Open(path.string());
  ASSERT_TRUE(capture.ok()) << capture.error().message;
  options_.on_connection_event = [&](const ConnectionEvent& event) { (*capture)->Record(event); };
  ASSERT_NO_FATAL_FAILURE(Start());
  {
    Client client(server_->port());
    ASSERT_TRUE(client.Write(CapabilitiesRequest()));
    ASSERT_TRUE(client.Read().has_value());
  }
  // The FIN is written when the server sees the client's close, shortly after.
  int packets = 0;
  std::string bytes;
  for (int attempt = 0; attempt < 100 && packets < 6; ++attempt) {
    std::this_thread::sleep_for(20ms);
    bytes = ReadWholeFile(path);
    packets = CountPackets(bytes);
  }
  // Stopped before `capture` goes, because the server reports to it until then.
  server_->Stop();
  std::filesystem::remove(path);
  // The global header, then SYN, SYN-ACK, ACK, the request, the answer and a FIN.
  ASSERT_GE(bytes.size(), 24u);
  EXPECT_EQ(bytes.substr(0, 4), std::string("\xd4\xc3\xb2\xa1", 4));
  EXPECT_EQ(packets, 6);
}

}  // namespace
}  // namespace imeiguard::diameter
