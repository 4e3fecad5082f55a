// An HTTP/1.1 server on Boost.Beast that hands each request to a Router.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "core/error.h"
#include "net/http.h"

namespace imeiguard::http {

struct ServerOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 0;  // 0 picks a free port; Server::port() tells which.
  int threads = 2;
  std::size_t max_body_bytes = 16u << 20;   // Larger bodies get 413 before they are read.
  std::size_t max_header_bytes = 16u << 10;
  int idle_timeout_seconds = 30;            // A connection silent this long is closed.
};

// Listens and serves until Stop. Handlers run on the server's threads and must be thread-safe.
class Server {
 public:
  Server(ServerOptions options, const Router& router);
  ~Server();  // Stops and joins the threads.
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and starts the threads. kUnavailable when the address cannot be bound.
  Status Start();
  // Stops accepting, lets requests in progress finish, and joins the threads. Idempotent.
  void Stop();
  std::uint16_t port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace imeiguard::http
