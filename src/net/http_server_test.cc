#include "net/http_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <future>
#include <stdexcept>
#include <thread>

#include "net/http_client.h"

namespace imeiguard::http {
namespace {

using namespace std::chrono_literals;

// A plain TCP connection to 127.0.0.1, so that tests control exactly what is sent and when.
class RawConnection {
 public:
  explicit RawConnection(std::uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    timeval timeout{5, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  }
  ~RawConnection() { ::close(fd_); }

  bool connected() const { return connected_; }

  void Write(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return;
      data.remove_prefix(static_cast<size_t>(n));
    }
  }

  // Reads one response with a Content-Length body; returns "" when the connection closed first.
  std::string ReadResponse() {
    size_t header_end;
    while ((header_end = pending_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill()) return {};
    }
    size_t body_length = 0;
    size_t length_at = pending_.find("Content-Length: ");
    if (length_at != std::string::npos && length_at < header_end) {
      body_length = std::stoul(pending_.substr(length_at + 16));
    }
    while (pending_.size() < header_end + 4 + body_length) {
      if (!Fill()) return {};
    }
    std::string response = pending_.substr(0, header_end + 4 + body_length);
    pending_.erase(0, response.size());
    return response;
  }

  // Returns true when the server closed the connection (or reset it) without sending anything.
  bool ClosedByServer() {
    char byte;
    return ::recv(fd_, &byte, 1, 0) <= 0;
  }

 private:
  bool Fill() {
    char buffer[4096];
    ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
    if (n <= 0) return false;
    pending_.append(buffer, static_cast<size_t>(n));
    return true;
  }

  int fd_ = -1;
  bool connected_ = false;
  std::string pending_;
};

std::string Get(std::string_view path) {
  return "GET " + std::string(path) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
}

class ServerTest : public ::testing::Test {
 protected:
  void StartServer() {
    server_ = std::make_unique<Server>(options_, router_);
    Status status = server_->Start();
    ASSERT_TRUE(status.ok()) << status.error().message;
    ASSERT_NE(server_->port(), 0);
  }

  ClientResponse Call(std::string method, std::string target, std::string body = "") {
    ClientRequest request;
    request.method = std::move(method);
    request.port = server_->port();
    request.target = std::move(target);
    request.body = std::move(body);
    auto response = Send(request);
    EXPECT_TRUE(response.ok()) << response.error().message;
    return response.ok() ? *response : ClientResponse{};
  }

  ServerOptions options_;
  Router router_;
  std::unique_ptr<Server> server_;
};

TEST_F(ServerTest, RoutesWithParams) {
  router_.Add("GET", "/v1/devices/{imei}", [](const Request& request) {
    return Response::Text(
        200, request.path_params.at("imei") + " " + std::string(request.Query("view")));
  });
  StartServer();
  ClientResponse response = Call("GET", "/v1/devices/35847210004217?view=full");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "35847210004217 full");
  EXPECT_EQ(response.Header("Content-Type"), "text/plain");
}

TEST_F(ServerTest, PassesBodyHeadersAndRemoteAddress) {
  router_.Add("POST", "/echo", [](const Request& request) {
    return Response::Text(200, request.body + "|" + std::string(request.Header("X-Test")) + "|" +
                                   request.remote_address);
  });
  StartServer();
  ClientRequest request;
  request.method = "POST";
  request.port = server_->port();
  request.target = "/echo";
  request.headers = {{"X-Test", "yes"}};
  request.body = "payload";
  auto response = Send(request);
  ASSERT_TRUE(response.ok()) << response.error().message;
  EXPECT_EQ(response->body, "payload|yes|127.0.0.1");
}

TEST_F(ServerTest, UnknownPathIs404Problem) {
  StartServer();
  ClientResponse response = Call("GET", "/missing");
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(response.Header("content-type"), "application/problem+json");
}

TEST_F(ServerTest, WrongMethodIs405) {
  router_.Add("GET", "/v1/orders", [](const Request&) { return Response::Json(200, "[]"); });
  StartServer();
  ClientResponse response = Call("DELETE", "/v1/orders");
  EXPECT_EQ(response.status, 405);
  EXPECT_EQ(response.Header("allow"), "GET");
  EXPECT_EQ(response.Header("content-type"), "application/problem+json");
}

TEST_F(ServerTest, DeclaredBodyOverLimitIs413) {
  options_.max_body_bytes = 1024;
  router_.Add("POST", "/upload", [](const Request&) { return Response::Text(200, "stored"); });
  StartServer();
  RawConnection connection(server_->port());
  ASSERT_TRUE(connection.connected());
  connection.Write("POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000000\r\n\r\n");
  std::string response = connection.ReadResponse();
  EXPECT_EQ(response.substr(0, 12), "HTTP/1.1 413");
  EXPECT_NE(response.find("application/problem+json"), std::string::npos);
  EXPECT_NE(response.find("1024 bytes"), std::string::npos);
  EXPECT_NE(response.find("\"offset\":1024,\"limit\":1024"), std::string::npos) << response;
}

TEST_F(ServerTest, ChunkedBodyOverLimitIs413) {
  options_.max_body_bytes = 16;
  router_.Add("POST", "/upload", [](const Request&) { return Response::Text(200, "stored"); });
  StartServer();
  RawConnection connection(server_->port());
  connection.Write(
      "POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n"
      "20\r\n01234567890123456789012345678901\r\n0\r\n\r\n");
  EXPECT_EQ(connection.ReadResponse().substr(0, 12), "HTTP/1.1 413");
}

TEST_F(ServerTest, BodyAtLimitIsAccepted) {
  options_.max_body_bytes = 8;
  router_.Add("POST", "/upload", [](const Request& r) { return Response::Text(200, r.body); });
  StartServer();
  EXPECT_EQ(Call("POST", "/upload", "12345678").status, 200);
}

TEST_F(ServerTest, HeaderOverLimitIs431) {
  options_.max_header_bytes = 1024;
  StartServer();
  RawConnection connection(server_->port());
  connection.Write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + std::string(4000, 'a') +
                   "\r\n\r\n");
  EXPECT_EQ(connection.ReadResponse().substr(0, 12), "HTTP/1.1 431");
}

TEST_F(ServerTest, MalformedRequestIs400) {
  StartServer();
  RawConnection connection(server_->port());
  connection.Write("GET / HTTP/1.1\r\nHost 127.0.0.1\r\n\r\n");
  EXPECT_EQ(connection.ReadResponse().substr(0, 12), "HTTP/1.1 400");
}

TEST_F(ServerTest, KeepAliveServesTwoRequestsOnOneConnection) {
  std::atomic<int> calls{0};
  router_.Add("GET", "/count",
              [&calls](const Request&) { return Response::Text(200, std::to_string(++calls)); });
  StartServer();
  RawConnection connection(server_->port());
  connection.Write(Get("/count"));
  std::string first = connection.ReadResponse();
  connection.Write(Get("/count"));
  std::string second = connection.ReadResponse();
  EXPECT_EQ(first.substr(0, 12), "HTTP/1.1 200");
  EXPECT_EQ(first.substr(first.size() - 1), "1");
  EXPECT_EQ(second.substr(0, 12), "HTTP/1.1 200");
  EXPECT_EQ(second.substr(second.size() - 1), "2");
}

TEST_F(ServerTest, HandlerExceptionIs500AndServerGoesOn) {
  std::string reported;
  options_.on_handler_exception = [&reported](const Request&, std::string_view what) {
    reported = what;
  };
  router_.Add("GET", "/throw",
              [](const Request&) -> Response { throw std::runtime_error("store is gone"); });
  router_.Add("GET", "/ok", [](const Request&) { return Response::Text(200, "fine"); });
  StartServer();
  ClientResponse failed = Call("GET", "/throw");
  EXPECT_EQ(failed.status, 500);
  EXPECT_EQ(failed.Header("content-type"), "application/problem+json");
  EXPECT_EQ(failed.body.find("store is gone"), std::string::npos);
  EXPECT_EQ(reported, "store is gone");
  EXPECT_EQ(Call("GET", "/ok").body, "fine");
}

TEST_F(ServerTest, IdleConnectionIsClosed) {
  options_.idle_timeout_seconds = 1;
  StartServer();
  RawConnection connection(server_->port());
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(connection.ClosedByServer());
  EXPECT_LT(std::chrono::steady_clock::now() - start, 4s);
}

TEST_F(ServerTest, StopLetsRequestInFlightFinish) {
  std::promise<void> entered;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  router_.Add("GET", "/slow", [&entered, released](const Request&) {
    entered.set_value();
    released.wait();
    return Response::Text(200, "finished");
  });
  StartServer();
  std::uint16_t port = server_->port();

  auto in_flight = std::async(std::launch::async, [this] { return Call("GET", "/slow"); });
  entered.get_future().wait();
  auto stopping = std::async(std::launch::async, [this] { server_->Stop(); });
  EXPECT_EQ(stopping.wait_for(200ms), std::future_status::timeout);
  release.set_value();
  stopping.wait();

  ClientResponse response = in_flight.get();
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "finished");
  EXPECT_EQ(response.Header("connection"), "close");
  EXPECT_FALSE(RawConnection(port).connected());
}

TEST_F(ServerTest, StopClosesIdleKeepAliveConnection) {
  router_.Add("GET", "/", [](const Request&) { return Response::Text(200, "hi"); });
  StartServer();
  RawConnection connection(server_->port());
  connection.Write(Get("/"));
  ASSERT_FALSE(connection.ReadResponse().empty());
  auto start = std::chrono::steady_clock::now();
  server_->Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  EXPECT_TRUE(connection.ClosedByServer());
}

// A handler may break the connection instead of responding, so that a test platform can fail the
// way a crashed or hung one does.
TEST_F(ServerTest, CloseDeliveryEndsTheStreamWithoutResponse) {
  router_.Add("GET", "/drop", [](const Request&) {
    Response response;
    response.delivery = Delivery::kClose;
    return response;
  });
  StartServer();
  ClientRequest request;
  request.port = server_->port();
  request.target = "/drop";
  auto response = Send(request);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.error().reason, "connection_lost") << response.error().message;
}

TEST_F(ServerTest, ResetDeliveryResetsTheConnection) {
  router_.Add("GET", "/reset", [](const Request&) {
    Response response;
    response.delivery = Delivery::kReset;
    return response;
  });
  StartServer();
  ClientRequest request;
  request.port = server_->port();
  request.target = "/reset";
  auto response = Send(request);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.error().reason, "connection_lost");
  EXPECT_NE(response.error().message.find("reset"), std::string::npos) << response.error().message;
}

TEST_F(ServerTest, HoldDeliveryKeepsTheClientWaitingUntilItsTimeout) {
  router_.Add("GET", "/hang", [](const Request&) {
    Response response;
    response.delivery = Delivery::kHold;
    return response;
  });
  StartServer();
  ClientRequest request;
  request.port = server_->port();
  request.target = "/hang";
  request.timeout = 300ms;
  auto response = Send(request);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.error().reason, "timeout") << response.error().message;
  // The held connection does not keep the server from serving others, nor from stopping.
  EXPECT_EQ(Call("GET", "/unknown").status, 404);
  server_->Stop();
}

TEST_F(ServerTest, StopIsIdempotent) {
  StartServer();
  server_->Stop();
  server_->Stop();
  Status again = server_->Start();
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().kind, ErrorKind::kInternal);
}

TEST_F(ServerTest, BusyPortIsUnavailable) {
  StartServer();
  ServerOptions options;
  options.port = server_->port();
  Server second(options, router_);
  Status status = second.Start();
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().kind, ErrorKind::kUnavailable);
  EXPECT_EQ(status.error().reason, "bind");
}

TEST_F(ServerTest, InvalidAddressRejected) {
  options_.address = "localhost:80";
  Server server(options_, router_);
  Status status = server.Start();
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().kind, ErrorKind::kInvalidInput);
  EXPECT_EQ(status.error().reason, "address");
}

TEST_F(ServerTest, ListensOnIpv6Loopback) {
  options_.address = "::1";
  router_.Add("GET", "/", [](const Request&) { return Response::Text(200, "v6"); });
  server_ = std::make_unique<Server>(options_, router_);
  Status status = server_->Start();
  if (!status.ok()) GTEST_SKIP() << "no IPv6 loopback here: " << status.error().message;
  ClientRequest request;
  request.host = "::1";
  request.port = server_->port();
  auto response = Send(request);
  ASSERT_TRUE(response.ok()) << response.error().message;
  EXPECT_EQ(response->body, "v6");
}

}  // namespace
}  // namespace imeiguard::http
