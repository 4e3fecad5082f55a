// The N5g-eir listener's HTTP/1.1 framing over real sockets on 127.0.0.1: pipelining, closing, and
// requests it rejects. HTTP/2 is tested with real clients in src/cli/n5g_eir_server_test.cc.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <string>

#include "eir/n5g_eir_server.h"

namespace imeiguard::eir {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using ::testing::HasSubstr;
using ::testing::Not;
using namespace std::chrono_literals;

constexpr std::string_view kGetLocked =
    "GET /n5g-eir-eic/v1/equipment-status?pei=imei-358472100042174 HTTP/1.1\r\n"
    "Host: eir\r\nUser-Agent: AMF-1\r\n\r\n";

class N5gEirSocketTest : public ::testing::Test {
 protected:
  N5gEirSocketTest() : snapshot_(EquipmentSnapshotOptions{0ms, 1 << 16}) {
    snapshot_.Set(35847210004217, LockState::kLocked);
    snapshot_.PublishPending();
  }
  void SetUp() override {
    N5gEirServerOptions options;
    options.idle_timeout_seconds = 5;
    server_ = std::make_unique<N5gEirServer>(options, snapshot_, nullptr, clock_);
    Status started = server_->Start();
    ASSERT_TRUE(started.ok()) << started.error().message;
  }

  // Sends `request` on a new connection, half-closes it, and returns everything the server sends
  // until it closes the connection.
  std::string Exchange(std::string_view request) {
    asio::io_context io;
    tcp::socket socket(io);
    socket.connect({asio::ip::make_address("127.0.0.1"), server_->port()});
    asio::write(socket, asio::buffer(request));
    socket.shutdown(tcp::socket::shutdown_send);
    std::string received;
    boost::system::error_code error;
    char buffer[4096];
    while (!error) {
      std::size_t read = socket.read_some(asio::buffer(buffer), error);
      received.append(buffer, read);
    }
    return received;
  }

  static int CountOf(std::string_view text, std::string_view part) {
    int count = 0;
    for (std::size_t at = text.find(part); at != std::string_view::npos;
         at = text.find(part, at + 1)) {
      ++count;
    }
    return count;
  }

  EquipmentSnapshot snapshot_;
  ManualClock clock_;
  std::unique_ptr<N5gEirServer> server_;
};

TEST_F(N5gEirSocketTest, AnswersOneRequest) {
  std::string response = Exchange(kGetLocked);
  EXPECT_THAT(response, ::testing::StartsWith("HTTP/1.1 200 OK\r\n"));
  EXPECT_THAT(response, HasSubstr("Content-Type: application/json\r\n"));
  EXPECT_THAT(response, HasSubstr("Content-Length: 24\r\n"));
  EXPECT_THAT(response, HasSubstr("Date: "));
  EXPECT_THAT(response, ::testing::EndsWith("\r\n\r\n{\"status\":\"BLACKLISTED\"}"));
  EXPECT_EQ(server_->counters().http1_requests, 1);
}

TEST_F(N5gEirSocketTest, PipelinedRequestsAnsweredInOrder) {
  std::string unknown =
      "GET /n5g-eir-eic/v1/equipment-status?pei=imei-356938035643809 HTTP/1.1\r\nHost: eir\r\n\r\n";
  std::string response = Exchange(std::string(kGetLocked) + unknown + std::string(kGetLocked));
  EXPECT_EQ(CountOf(response, "HTTP/1.1 200 OK"), 2);
  EXPECT_EQ(CountOf(response, "HTTP/1.1 404 Not Found"), 1);
  EXPECT_LT(response.find("BLACKLISTED"), response.find("ERROR_EQUIPMENT_UNKNOWN"));
  EXPECT_THAT(response, Not(HasSubstr("Connection: close")));
}

TEST_F(N5gEirSocketTest, ConnectionCloseHonoured) {
  std::string request =
      "GET /n5g-eir-eic/v1/equipment-status?pei=imei-358472100042174 HTTP/1.1\r\n"
      "Connection: close\r\n\r\n";
  std::string response = Exchange(request + std::string(kGetLocked));
  EXPECT_EQ(CountOf(response, "HTTP/1.1 200 OK"), 1);
  EXPECT_THAT(response, HasSubstr("Connection: close\r\n"));
}

TEST_F(N5gEirSocketTest, Http10ClosesAfterResponse) {
  std::string response =
      Exchange("GET /n5g-eir-eic/v1/equipment-status?pei=imei-358472100042174 HTTP/1.0\r\n\r\n");
  EXPECT_THAT(response, ::testing::StartsWith("HTTP/1.1 200 OK\r\n"));
  EXPECT_THAT(response, HasSubstr("Connection: close\r\n"));
}

TEST_F(N5gEirSocketTest, RequestWithBodyRejected) {
  std::string response =
      Exchange("POST /n5g-eir-eic/v1/equipment-status HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello");
  EXPECT_THAT(response, ::testing::StartsWith("HTTP/1.1 400 Bad Request\r\n"));
  EXPECT_THAT(response, HasSubstr("Connection: close\r\n"));
}

TEST_F(N5gEirSocketTest, MalformedRequestLineRejected) {
  std::string response = Exchange("hello\r\n\r\n");
  EXPECT_THAT(response, ::testing::StartsWith("HTTP/1.1 400 Bad Request\r\n"));
  // The listener goes on serving other connections.
  EXPECT_THAT(Exchange(kGetLocked), ::testing::StartsWith("HTTP/1.1 200 OK\r\n"));
}

TEST_F(N5gEirSocketTest, OversizedHeadRejectedWith431) {
  std::string request =
      "GET /n5g-eir-eic/v1/equipment-status?pei=imei-358472100042174 HTTP/1.1\r\n"
      "X-Filler: " +
      std::string(10000, 'a') + "\r\n\r\n";
  std::string response = Exchange(request);
  EXPECT_THAT(response, ::testing::StartsWith("HTTP/1.1 431 Request Header Fields Too Large\r\n"));
}

TEST_F(N5gEirSocketTest, OtherMethodGets405WithAllow) {
  std::string response =
      Exchange("DELETE /n5g-eir-eic/v1/equipment-status?pei=imei-358472100042174 HTTP/1.1\r\n\r\n");
  EXPECT_THAT(response, ::testing::StartsWith("HTTP/1.1 405 Method Not Allowed\r\n"));
  EXPECT_THAT(response, HasSubstr("Allow: GET\r\n"));
}

TEST_F(N5gEirSocketTest, StopClosesOpenConnections) {
  asio::io_context io;
  tcp::socket socket(io);
  socket.connect({asio::ip::make_address("127.0.0.1"), server_->port()});
  server_->Stop();
  char byte = 0;
  boost::system::error_code error;
  socket.read_some(asio::buffer(&byte, 1), error);
  EXPECT_TRUE(error) << "the connection stayed open after Stop";
}

}  // namespace
}  // namespace imeiguard::eir
