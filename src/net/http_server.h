// An HTTP/1.1 server on Boost.Beast that hands each request to a Router.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"
#include "net/http.h"

namespace imeiguard::http {

// HTTPS settings. Files are PEM, and relative paths are relative to the working directory.
struct TlsOptions {
  std::string certificate_file;  // The server certificate, then any intermediate CA certificates.
  std::string private_key_file;  // The certificate's private key, unencrypted.
  // CA certificates that sign client certificates. Empty: no client certificate is requested.
  // Otherwise a client certificate that does not verify against them fails the handshake.
  std::string client_ca_file;
  // With client_ca_file: true fails a handshake without a client certificate, false accepts it.
  bool client_certificate_required = true;
};

struct ServerOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 0;  // 0 picks a free port; Server::port() tells which.
  int threads = 2;
  std::size_t max_body_bytes = 16u << 20;    // Larger bodies get 413 before they are read.
  std::size_t max_header_bytes = 16u << 10;  // Larger request headers get 431.
  int idle_timeout_seconds = 30;             // A connection silent this long is closed.
  // Called on the server thread, after the 500 response is built, when a handler throws; the
  // argument is the exception's what(). The library does not log, so this is where the
  // application can. May be empty.
  std::function<void(const Request& request, std::string_view what)> on_handler_exception;
  // Set: the port speaks HTTPS only, and a connection that fails the TLS handshake is closed.
  std::optional<TlsOptions> tls;
  // Called on the server thread when a TLS handshake fails, with the client's IP address and
  // OpenSSL's reason. May be empty.
  std::function<void(std::string_view remote_address, std::string_view what)>
      on_tls_handshake_failure;
};

// Listens and serves until Stop. Handlers run on the server's threads and must be thread-safe; a
// handler blocks its thread while it runs, so `threads` bounds the requests handled at once.
// A handler that throws makes the server send 500 problem details, and the server goes on.
// Malformed requests get 400, and the connection is closed after 400, 413 and 431 responses.
class Server {
 public:
  // `router` is not copied and must outlive the server.
  Server(ServerOptions options, const Router& router);
  ~Server();  // Stops and joins the threads.
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Loads the TLS files, binds and starts the threads. Returns kInvalidInput (reason "tls", with
  // the message naming the file) when a TLS file is missing, unreadable or invalid, or when the key
  // does not match the certificate. Returns kInvalidInput (reason "address") when the address is
  // not an IP address, kUnavailable (reason "bind") when it cannot be bound, and kInternal (reason
  // "server_state") when it has started before. A stopped server cannot be started again.
  Status Start();
  // Stops accepting, closes idle connections, lets requests that were fully received finish (their
  // responses carry "Connection: close"), and joins the threads. Idempotent. Must not be called
  // from a handler, because it waits for the handlers.
  void Stop();
  // The bound port once Start succeeded; 0 before.
  std::uint16_t port() const;

 private:
  struct Impl;
  class Session;
  template <class Stream>
  class StreamSession;
  std::unique_ptr<Impl> impl_;
};

}  // namespace imeiguard::http
