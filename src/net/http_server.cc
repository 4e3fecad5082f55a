#include "net/http_server.h"

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
#include <chrono>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

namespace imeiguard::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = boost::asio::ip::tcp;

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

}  // namespace

struct Server::Impl {
  Impl(ServerOptions server_options, const Router& server_router)
      : options(std::move(server_options)), router(server_router) {}

  void DoAccept();
  void Register(std::uint64_t id, const std::shared_ptr<Session>& session);
  void Unregister(std::uint64_t id);

  const ServerOptions options;
  const Router& router;
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

// One client connection. All of its members are used only on its strand, the executor of `stream_`.
class Server::Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, Server::Impl& server, std::uint64_t id)
      : stream_(std::move(socket)), server_(server), id_(id) {
    beast::error_code ec;
    auto endpoint = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_address_ = endpoint.address().to_string();
  }
  ~Session() { server_.Unregister(id_); }

  void Start() {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->ReadHeader(); });
  }

  // Closes the connection now unless a request is being handled or its response written. That
  // request finishes, and the connection closes after its response because `stopping` is set.
  void Shutdown() {
    asio::post(stream_.get_executor(), [self = shared_from_this()] {
      if (self->reading_ || self->lingering_) self->stream_.close();
    });
  }

 private:
  void ReadHeader() {
    if (server_.stopping) return stream_.close();
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(server_.options.max_header_bytes));
    parser_->body_limit(server_.options.max_body_bytes);
    reading_ = true;
    stream_.expires_after(std::chrono::seconds(server_.options.idle_timeout_seconds));
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             beast::bind_front_handler(&Session::OnHeader, shared_from_this()));
  }

  void OnHeader(beast::error_code ec, std::size_t) {
    if (ec) return OnReadError(ec);
    auto length = parser_->content_length();
    if (length && *length > server_.options.max_body_bytes) {
      reading_ = false;
      return WriteBodyTooLarge();
    }
    stream_.expires_after(std::chrono::seconds(server_.options.idle_timeout_seconds));
    bhttp::async_read(stream_, buffer_, *parser_,
                      beast::bind_front_handler(&Session::OnRequest, shared_from_this()));
  }

  void OnRequest(beast::error_code ec, std::size_t) {
    reading_ = false;
    if (ec) return OnReadError(ec);
    bhttp::request<bhttp::string_body> message = parser_->release();
    bool keep_alive = message.keep_alive() && !server_.stopping;
    Write(Handle(std::move(message)), keep_alive);
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
    stream_.close();
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

    stream_.expires_after(std::chrono::seconds(server_.options.idle_timeout_seconds));
    bhttp::async_write(
        stream_, response_,
        beast::bind_front_handler(&Session::OnWrite, shared_from_this(), keep_alive));
  }

  void OnWrite(bool keep_alive, beast::error_code ec, std::size_t) {
    if (ec) return stream_.close();
    if (keep_alive && !server_.stopping) return ReadHeader();

    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    lingering_ = true;
    stream_.expires_after(kLingerTimeout);
    Linger();
  }

  // Discards what the client still sends until it closes or the linger timeout passes.
  void Linger() {
    stream_.async_read_some(asio::buffer(linger_buffer_),
                            [self = shared_from_this()](beast::error_code ec, std::size_t) {
                              if (ec) return self->stream_.close();
                              self->Linger();
                            });
  }

  beast::tcp_stream stream_;
  Server::Impl& server_;
  const std::uint64_t id_;
  std::string remote_address_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  bhttp::response<bhttp::string_body> response_;
  std::array<char, 4096> linger_buffer_{};
  bool reading_ = false;    // Waiting for or reading a request: Shutdown may close at once.
  bool lingering_ = false;  // Sent "Connection: close" and waiting for the client to close.
};

void Server::Impl::DoAccept() {
  acceptor.async_accept(
      asio::make_strand(io_context), [this](beast::error_code ec, tcp::socket socket) {
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
        auto session = std::make_shared<Session>(std::move(socket), *this, id);
        Register(id, session);
        session->Start();
        DoAccept();
      });
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
