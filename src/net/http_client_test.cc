#include "net/http_client.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "net/http_server.h"

namespace imeiguard::http {
namespace {

using namespace std::chrono_literals;

// A listening socket on 127.0.0.1 that replies to one connection with fixed bytes, then closes it.
class ScriptedPeer {
 public:
  explicit ScriptedPeer(std::string reply) {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    EXPECT_EQ(::listen(listener_, 1), 0);
    socklen_t length = sizeof address;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this, reply = std::move(reply)] {
      int connection = ::accept(listener_, nullptr, nullptr);
      if (connection < 0) return;
      char buffer[4096];
      ::recv(connection, buffer, sizeof buffer, 0);
      ::send(connection, reply.data(), reply.size(), MSG_NOSIGNAL);
      ::close(connection);
    });
  }
  ~ScriptedPeer() {
    thread_.join();
    ::close(listener_);
  }
  std::uint16_t port() const { return port_; }

 private:
  int listener_ = -1;
  std::uint16_t port_ = 0;
  std::thread thread_;
};

// A port on 127.0.0.1 where nothing listens: bound once by the kernel's choice, then released.
std::uint16_t UnusedPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

TEST(HttpClient, ReturnsNon2xxResponse) {
  ScriptedPeer peer(
      "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 30\r\nContent-Length: 2\r\n\r\nno");
  ClientRequest request;
  request.port = peer.port();
  auto response = Send(request);
  ASSERT_TRUE(response.ok()) << response.error().message;
  EXPECT_EQ(response->status, 429);
  EXPECT_EQ(response->Header("Retry-After"), "30");
  EXPECT_EQ(response->body, "no");
}

TEST(HttpClient, SlowServerTimesOut) {
  Router router;
  router.Add("GET", "/slow", [](const Request&) {
    std::this_thread::sleep_for(600ms);
    return Response::Text(200, "late");
  });
  Server server(ServerOptions{}, router);
  ASSERT_TRUE(server.Start().ok());
  ClientRequest request;
  request.port = server.port();
  request.target = "/slow?imei=1";
  request.timeout = 100ms;
  auto start = std::chrono::steady_clock::now();
  auto response = Send(request);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 500ms);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.error().kind, ErrorKind::kUnavailable);
  EXPECT_EQ(response.error().reason, "timeout");
  EXPECT_NE(response.error().message.find("timed out after 100 ms"), std::string::npos);
  EXPECT_EQ(response.error().message.find("imei=1"), std::string::npos);
}

TEST(HttpClient, RefusedConnectionIsConnectError) {
  ClientRequest request;
  request.port = UnusedPort();
  auto response = Send(request);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.error().kind, ErrorKind::kUnavailable);
  EXPECT_EQ(response.error().reason, "connect");
}

TEST(HttpClient, ClosedConnectionIsConnectionLost) {
  ScriptedPeer peer("");
  ClientRequest request;
  request.port = peer.port();
  auto response = Send(request);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.error().reason, "connection_lost");
}

TEST(HttpClient, TruncatedBodyIsConnectionLost) {
  ScriptedPeer peer("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort");
  ClientRequest request;
  request.port = peer.port();
  auto response = Send(request);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.error().reason, "connection_lost");
}

TEST(HttpClient, GarbageIsInvalidResponse) {
  ScriptedPeer peer("SSH-2.0-OpenSSH\r\n\r\n");
  ClientRequest request;
  request.port = peer.port();
  auto response = Send(request);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.error().kind, ErrorKind::kUnavailable);
  EXPECT_EQ(response.error().reason, "invalid_response");
}

TEST(HttpClient, OversizedBodyIsInvalidResponse) {
  ScriptedPeer peer("HTTP/1.1 200 OK\r\nContent-Length: 64\r\n\r\n" + std::string(64, 'x'));
  ClientRequest request;
  request.port = peer.port();
  request.max_response_body_bytes = 16;
  auto response = Send(request);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.error().reason, "invalid_response");
  EXPECT_NE(response.error().message.find("16 bytes"), std::string::npos);
}

}  // namespace
}  // namespace imeiguard::http
