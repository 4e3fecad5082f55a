#include "net/http_server.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <array>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <exception>
#include <fstream>
#include <mutex>
#include <optional>
#include <thread>
#include <type_traits>
#include <unordered_map>
#include <vector>

namespace imeiguard::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = boost::asio::ip::tcp;
using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

// How long a connection that is being closed after a response keeps reading (and discarding) what
// the client still sends, so that the client reads the response instead of a connection reset.
constexpr std::chrono::seconds kLingerTimeout{1};

std::string ToLower(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return lower;
}

bool IsParseError(const beast::error_code& ec) {
  return &ec.category() == &bhttp::make_error_code(bhttp::error::bad_method).category() &&
         ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message;
}

Error TlsFileError(std::string_view what, const std::string& path, const std::string& cause) {
  return Error::InvalidInput("tls",
                             "cannot use " + std::string(what) + " '" + path + "': " + cause);
}

// Opens `path` for reading, so that a missing or unreadable file is reported as such and not as
// the parse error OpenSSL would give.
Status CheckReadable(std::string_view what, const std::string& path) {
  if (path.empty()) {
    return Error::InvalidInput("tls", "the " + std::string(what) + " file is not set");
  }
  std::ifstream file(path);
  if (!file) return TlsFileError(what, path, std::strerror(errno));
  return Status::Ok();
}

// Builds the server's TLS context: TLS 1.2 or later, the certificate chain and key, and client
// certificate verification when a client CA file is given. Error messages name the file and never
// contain key material.
Result<ssl::context> MakeTlsContext(const TlsOptions& tls) {
  ssl::context context(ssl::context::tls_server);
  SSL_CTX* native = context.native_handle();
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  context.set_options(ssl::context::default_workarounds | ssl::context::single_dh_use);
  // An encrypted key would otherwise make OpenSSL prompt for a passphrase on the terminal.
  context.set_password_callback([](std::size_t, ssl::context::password_purpose) { return ""; });

  beast::error_code ec;
  if (Status s = CheckReadable("TLS certificate", tls.certificate_file); !s.ok()) return s.error();
  context.use_certificate_chain_file(tls.certificate_file, ec);
  if (ec) return TlsFileError("TLS certificate", tls.certificate_file, ec.message());

  if (Status s = CheckReadable("TLS private key", tls.private_key_file); !s.ok()) return s.error();
  context.use_private_key_file(tls.private_key_file, ssl::context::pem, ec);
  // OpenSSL 3.0 (Debian 12) reports a key that does not match the loaded certificate here.
  // SSL_CTX_check_private_key below catches a mismatch that this call lets through.
  bool mismatched =
      ec && ERR_GET_REASON(static_cast<unsigned long>(ec.value())) == X509_R_KEY_VALUES_MISMATCH;
  if (ec && !mismatched) {
    return TlsFileError("TLS private key", tls.private_key_file,
                        ec.message() + "; the key must be PEM and unencrypted");
  }
  if (mismatched || SSL_CTX_check_private_key(native) != 1) {
    ERR_clear_error();
    return TlsFileError("TLS private key", tls.private_key_file,
                        "it does not match the certificate in '" + tls.certificate_file + "'");
  }

  if (tls.client_ca_file.empty()) return context;
  if (Status s = CheckReadable("TLS client CA", tls.client_ca_file); !s.ok()) return s.error();
  context.load_verify_file(tls.client_ca_file, ec);
  if (ec) return TlsFileError("TLS client CA", tls.client_ca_file, ec.message());
  // The CA names sent in the CertificateRequest, so that clients pick a matching certificate.
  STACK_OF(X509_NAME)* ca_names = SSL_load_client_CA_file(tls.client_ca_file.c_str());
  if (ca_names == nullptr) {
    ERR_clear_error();
    return TlsFileError("TLS client CA", tls.client_ca_file, "it contains no CA certificate");
  }
  SSL_CTX_set_client_CA_list(native, ca_names);
  // OpenSSL rejects resumed sessions of a verifying server that has no session id context.
  static constexpr unsigned char kSessionIdContext[] = "imeiguard";
  SSL_CTX_set_session_id_context(native, kSessionIdContext, sizeof kSessionIdContext - 1);

  ssl::verify_mode mode = ssl::verify_peer;
  if (tls.client_certificate_required) mode |= ssl::verify_fail_if_no_peer_cert;
  context.set_verify_mode(mode);
  return context;
}

}  // namespace

struct Server::Impl {
  Impl(ServerOptions server_options, const Router& server_router)
      : options(std::move(server_options)), router(server_router) {}

  void DoAccept();
  void StartSession(std::uint64_t id, const std::shared_ptr<Session>& session);
  void Register(std::uint64_t id, const std::shared_ptr<Session>& session);
  void Unregister(std::uint64_t id);

  const ServerOptions options;
  const Router& router;
  std::optional<ssl::context> tls_context;  // Set once by Start when options.tls is set.
  std::atomic<bool> stopping{false};
  std::atomic<std::uint16_t> port{0};

  std::mutex lifecycle_mutex;
  bool started = false;  // Guarded by lifecycle_mutex.
  bool stopped = false;  // Guarded by lifecycle_mutex.

  // Declared before the io_context so that sessions destroyed with it can still unregister.
  std::mutex sessions_mutex;
  std::unordered_map<std::uint64_t, std::weak_ptr<Session>> sessions;  // Guarded by sessions_mutex.
  std::uint64_t next_session_id = 0;                                   // Guarded by sessions_mutex.

  asio::io_context io_context;
  tcp::acceptor acceptor{asio::make_strand(io_context)};
  asio::steady_timer accept_retry_timer{acceptor.get_executor()};
  std::vector<std::thread> threads;
};

// A client connection as Server::Stop handles it, whatever its stream.
class Server::Session {
 public:
  virtual ~Session() = default;
  // Begins the TLS handshake or reads the first request.
  virtual void Start() = 0;
  // Closes the connection now unless a request is being handled or its response written. That
  // request finishes, and the connection closes after its response because `stopping` is set.
  virtual void Shutdown() = 0;
};

// One client connection over PlainStream or TlsStream. All of its members are used only on its
// strand, the executor of `stream_`.
template <class Stream>
class Server::StreamSession : public Server::Session,
                              public std::enable_shared_from_this<StreamSession<Stream>> {
 public:
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

  // `tls_context` is the server's ssl::context for a TlsStream, and absent for a PlainStream.
  template <class... TlsContext>
  StreamSession(tcp::socket socket, Server::Impl& server, std::uint64_t id,
                TlsContext&... tls_context)
      : stream_(std::move(socket), tls_context...), server_(server), id_(id) {
    beast::error_code ec;
    auto endpoint = Lowest().socket().remote_endpoint(ec);
    if (!ec) remote_address_ = endpoint.address().to_string();
  }
  ~StreamSession() override { server_.Unregister(id_); }

  void Start() override {
    asio::dispatch(stream_.get_executor(), [self = this->shared_from_this()] {
      if constexpr (kTls) {
        self->Handshake();
      } else {
        self->ReadHeader();
      }
    });
  }

  void Shutdown() override {
    asio::post(stream_.get_executor(), [self = this->shared_from_this()] {
      if (self->reading_ || self->lingering_) self->Lowest().close();
    });
  }

 private:
  beast::tcp_stream& Lowest() { return beast::get_lowest_layer(stream_); }

  // The TLS handshake counts as reading, so that Shutdown closes a connection stuck in it.
  void Handshake() {
    if (server_.stopping) return Lowest().close();
    reading_ = true;
    Lowest().expires_after(std::chrono::seconds(server_.options.idle_timeout_seconds));
    stream_.async_handshake(
        ssl::stream_base::server,
        beast::bind_front_handler(&StreamSession::OnHandshake, this->shared_from_this()));
  }

  void OnHandshake(beast::error_code ec) {
    if (!ec) return ReadHeader();
    reading_ = false;
    if (server_.options.on_tls_handshake_failure) {
      server_.options.on_tls_handshake_failure(remote_address_, ec.message());
    }
    Lowest().close();
  }

  void ReadHeader() {
    if (server_.stopping) return Lowest().close();
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(server_.options.max_header_bytes));
    parser_->body_limit(server_.options.max_body_bytes);
    reading_ = true;
    Lowest().expires_after(std::chrono::seconds(server_.options.idle_timeout_seconds));
    bhttp::async_read_header(
        stream_, buffer_, *parser_,
        beast::bind_front_handler(&StreamSession::OnHeader, this->shared_from_this()));
  }

  void OnHeader(beast::error_code ec, std::size_t) {
    if (ec) return OnReadError(ec);
    // The length comes from the header field, which the parser has already validated, and not
    // from parser_->content_length(): with the sanitizers, GCC 12 warns, wrongly, that the
    // boost::optional that returns may be read uninitialized.
    std::uint64_t length = 0;
    std::string_view declared = parser_->get()[bhttp::field::content_length];
    std::from_chars(declared.data(), declared.data() + declared.size(), length);
    if (length > server_.options.max_body_bytes) {
      reading_ = false;
      return WriteBodyTooLarge();
    }
    Lowest().expires_after(std::chrono::seconds(server_.options.idle_timeout_seconds));
    bhttp::async_read(
        stream_, buffer_, *parser_,
        beast::bind_front_handler(&StreamSession::OnRequest, this->shared_from_this()));
  }

  void OnRequest(beast::error_code ec, std::size_t) {
    reading_ = false;
    if (ec) return OnReadError(ec);
    bhttp::request<bhttp::string_body> message = parser_->release();
    bool keep_alive = message.keep_alive() && !server_.stopping;
    Response response = Handle(std::move(message));
    if (response.delivery != Delivery::kSend) return Withhold(response.delivery);
    Write(std::move(response), keep_alive);
  }

  // Breaks the connection instead of responding, as the handler asked.
  void Withhold(Delivery delivery) {
    if (delivery == Delivery::kHold) {
      // Lingering lets Shutdown close the connection, so a held request never delays Stop.
      lingering_ = true;
      Lowest().expires_after(std::chrono::seconds(server_.options.idle_timeout_seconds));
      return Linger();
    }
    beast::error_code ignored;
    if (delivery == Delivery::kReset) {
      // A zero linger time makes close() send RST instead of FIN.
      Lowest().socket().set_option(tcp::socket::linger(true, 0), ignored);
    }
    Lowest().close();
  }

  void OnReadError(beast::error_code ec) {
    reading_ = false;
    if (ec == bhttp::error::body_limit) return WriteBodyTooLarge();
    if (ec == bhttp::error::header_limit) {
      return WriteProblem(431, "header_too_large",
                          "the request header is larger than " +
                              std::to_string(server_.options.max_header_bytes) + " bytes");
    }
    if (IsParseError(ec)) {
      return WriteProblem(400, "malformed_request", "malformed HTTP request: " + ec.message());
    }
    // End of stream, idle timeout, reset or Shutdown: no client is waiting for a response.
    Lowest().close();
  }

  // The body breaks the limit at the byte offset equal to the limit, whether Content-Length
  // declared it or a chunked body ran past it.
  void WriteBodyTooLarge() {
    auto limit = static_cast<std::int64_t>(server_.options.max_body_bytes);
    Write(Response::Problem(413, "body_too_large",
                            "the request body is larger than the limit of " +
                                std::to_string(limit) + " bytes; nothing of it was read",
                            {{"offset", limit}, {"limit", limit}}),
          false);
  }

  Response Handle(bhttp::request<bhttp::string_body> message) {
    Request request;
    request.method = std::string(message.method_string());
    request.target = std::string(message.target());
    for (const auto& field : message) {
      request.headers.emplace_back(ToLower(field.name_string()), std::string(field.value()));
    }
    request.body = std::move(message.body());
    request.remote_address = remote_address_;
    Status target = ParseTarget(request);
    if (!target.ok()) return Response::Problem(400, target.error().reason, target.error().message);

    try {
      return server_.router.Dispatch(request);
    } catch (const std::exception& e) {
      return HandlerFailed(request, e.what());
    } catch (...) {
      return HandlerFailed(request, "an exception not derived from std::exception");
    }
  }

  Response HandlerFailed(const Request& request, std::string_view what) {
    Response response =
        Response::Problem(500, "internal_error",
                          "the server failed while handling " + request.method + " " +
                              request.path + "; the failure is in the server log");
    if (server_.options.on_handler_exception) server_.options.on_handler_exception(request, what);
    return response;
  }

  void WriteProblem(int status, std::string_view reason, const std::string& detail) {
    Write(Response::Problem(status, reason, detail), false);
  }

  void Write(Response response, bool keep_alive) {
    if (response.status < 100 || response.status > 599) {
      response = Response::Problem(
          500, "internal_error",
          "the handler returned the invalid status " + std::to_string(response.status));
    }
    response_ = {};
    response_.version(11);
    response_.result(static_cast<unsigned>(response.status));
    for (auto& [name, value] : response.headers) response_.insert(name, value);
    response_.set(bhttp::field::server, "imeiguard");
    response_.body() = std::move(response.body);
    response_.keep_alive(keep_alive);
    response_.prepare_payload();

    Lowest().expires_after(std::chrono::seconds(server_.options.idle_timeout_seconds));
    bhttp::async_write(
        stream_, response_,
        beast::bind_front_handler(&StreamSession::OnWrite, this->shared_from_this(), keep_alive));
  }

  void OnWrite(bool keep_alive, beast::error_code ec, std::size_t) {
    if (ec) return Lowest().close();
    if (keep_alive && !server_.stopping) return ReadHeader();

    lingering_ = true;
    Lowest().expires_after(kLingerTimeout);
    if constexpr (kTls) {
      // Sends close_notify and waits for the client's, so that the client sees the end of the
      // TLS stream rather than a truncated one.
      // NOTE: unlike plain HTTP, request data the client is still sending (after a 413, say) is
      // not drained first, so such a client may see a reset before it reads the response.
      stream_.async_shutdown(
          [self = this->shared_from_this()](beast::error_code) { self->Lowest().close(); });
    } else {
      beast::error_code ignored;
      Lowest().socket().shutdown(tcp::socket::shutdown_send, ignored);
      Linger();
    }
  }

  // Discards what the client still sends until it closes or the linger timeout passes.
  void Linger() {
    stream_.async_read_some(asio::buffer(linger_buffer_),
                            [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                              if (ec) return self->Lowest().close();
                              self->Linger();
                            });
  }

  Stream stream_;
  Server::Impl& server_;
  const std::uint64_t id_;
  std::string remote_address_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  bhttp::response<bhttp::string_body> response_;
  std::array<char, 4096> linger_buffer_{};
  bool reading_ = false;    // In the handshake, or waiting for or reading a request: Shutdown may
                            // close at once.
  bool lingering_ = false;  // Sent "Connection: close" and waiting for the client to close.
};

void Server::Impl::DoAccept() {
  acceptor.async_accept(asio::make_strand(io_context), [this](beast::error_code ec,
                                                              tcp::socket socket) {
    if (stopping || !acceptor.is_open()) return;
    if (ec) {
      // Running out of file descriptors fails every accept at once; wait instead of spinning.
      accept_retry_timer.expires_after(std::chrono::milliseconds(50));
      accept_retry_timer.async_wait([this](beast::error_code) { DoAccept(); });
      return;
    }

    std::uint64_t id;
    {
      std::lock_guard lock(sessions_mutex);
      id = next_session_id++;
    }
    if (tls_context) {
      StartSession(id, std::make_shared<StreamSession<TlsStream>>(std::move(socket), *this, id,
                                                                  *tls_context));
    } else {
      StartSession(id, std::make_shared<StreamSession<PlainStream>>(std::move(socket), *this, id));
    }
    DoAccept();
  });
}

void Server::Impl::StartSession(std::uint64_t id, const std::shared_ptr<Session>& session) {
  Register(id, session);
  session->Start();
}

void Server::Impl::Register(std::uint64_t id, const std::shared_ptr<Session>& session) {
  std::lock_guard lock(sessions_mutex);
  sessions.emplace(id, session);
}

void Server::Impl::Unregister(std::uint64_t id) {
  std::lock_guard lock(sessions_mutex);
  sessions.erase(id);
}

Server::Server(ServerOptions options, const Router& router)
    : impl_(std::make_unique<Impl>(std::move(options), router)) {}

Server::~Server() { Stop(); }

Status Server::Start() {
  std::lock_guard lifecycle(impl_->lifecycle_mutex);
  if (impl_->started) {
    return Error::Internal("server_state", "the HTTP server was already started once");
  }
  const ServerOptions& options = impl_->options;
  std::string where = options.address + ":" + std::to_string(options.port);
  if (options.tls) {
    Result<ssl::context> context = MakeTlsContext(*options.tls);
    if (!context.ok()) return context.error();
    impl_->tls_context.emplace(std::move(*context));
  }

  beast::error_code ec;
  asio::ip::address address = asio::ip::make_address(options.address, ec);
  if (ec) {
    return Error::InvalidInput("address", "invalid listen address '" + options.address +
                                              "': expected an IPv4 or IPv6 address");
  }
  tcp::endpoint endpoint(address, options.port);
  tcp::acceptor& acceptor = impl_->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    beast::error_code ignored;
    acceptor.close(ignored);
    return Error::Unavailable("bind", "cannot listen on " + where + ": " + ec.message() +
                                          "; choose another address or port");
  }
  impl_->port = acceptor.local_endpoint(ec).port();

  impl_->started = true;
  impl_->DoAccept();
  int threads = options.threads < 1 ? 1 : options.threads;
  for (int i = 0; i < threads; ++i) {
    impl_->threads.emplace_back([impl = impl_.get()] { impl->io_context.run(); });
  }
  return Status::Ok();
}

void Server::Stop() {
  std::lock_guard lifecycle(impl_->lifecycle_mutex);
  if (!impl_->started || impl_->stopped) return;
  impl_->stopped = true;
  impl_->stopping = true;

  asio::post(impl_->acceptor.get_executor(), [impl = impl_.get()] {
    beast::error_code ignored;
    impl->acceptor.close(ignored);
    impl->accept_retry_timer.cancel();
  });

  // Collect the live sessions first: shutting one down may destroy it, and its destructor takes
  // sessions_mutex.
  std::vector<std::shared_ptr<Session>> live;
  {
    std::lock_guard lock(impl_->sessions_mutex);
    for (auto& [id, weak] : impl_->sessions) {
      if (auto session = weak.lock()) live.push_back(std::move(session));
    }
  }
  for (auto& session : live) session->Shutdown();
  live.clear();

  for (std::thread& thread : impl_->threads) thread.join();
  impl_->threads.clear();
}

std::uint16_t Server::port() const { return impl_->port; }

}  // namespace imeiguard::http
