#include "diameter/server.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio.hpp>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace imeiguard::diameter {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

// Output that waits for a slow peer beyond this stops the reading of its requests until it drains.
constexpr std::size_t kMaxPendingOutput = std::size_t{1} << 20;

std::string AddressBytes(const asio::ip::address& address) {
  if (address.is_v4()) {
    auto bytes = address.to_v4().to_bytes();
    return std::string(bytes.begin(), bytes.end());
  }
  auto bytes = address.to_v6().to_bytes();
  return std::string(bytes.begin(), bytes.end());
}

}  // namespace

struct Server::Impl {
  ServerOptions options;
  RequestHandler handler;
  asio::io_context io;
  tcp::acceptor acceptor{io};
  std::vector<std::thread> threads;
  std::atomic<std::uint16_t> port{0};
  std::atomic<std::uint64_t> next_connection_id{1};
  std::mutex mutex;
  std::set<std::shared_ptr<Connection>> connections;  // Guarded by mutex.
  bool started = false;                               // Guarded by mutex.
  bool stopped = false;                               // Guarded by mutex.

  void Accept();
};

class Server::Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(Impl& server, tcp::socket socket)
      : server_(server),
        socket_(std::move(socket)),
        timer_(socket_.get_executor()),
        id_(server.next_connection_id++) {}

  // Starts serving on the connection's strand.
  void Begin() {
    asio::dispatch(socket_.get_executor(), [self = shared_from_this()] { self->Start(); });
  }

  // Starts a graceful close; runs on the connection's strand.
  void Disconnect() {
    asio::dispatch(socket_.get_executor(), [self = shared_from_this()] {
      if (!self->peer_ || self->finished_) return;
      self->peer_->Disconnect(std::chrono::steady_clock::now());
      self->Flush();
      self->ArmTimer();
    });
  }

  // Closes at once; runs on the connection's strand.
  void Abort() {
    asio::dispatch(socket_.get_executor(),
                   [self = shared_from_this()] { self->Finish("the server stopped"); });
  }

 private:
  void Start() {
    boost::system::error_code error;
    tcp::endpoint local = socket_.local_endpoint(error);
    tcp::endpoint remote = socket_.remote_endpoint(error);
    if (error) {
      Finish("the connection closed before it was served");
      return;
    }
    event_.connection_id = id_;
    event_.local_ip = AddressBytes(local.address());
    event_.local_port = local.port();
    event_.remote_ip = AddressBytes(remote.address());
    event_.remote_port = remote.port();
    remote_ = remote.address().to_string() + ":" + std::to_string(remote.port());
    // Answers are small and each one is awaited, so Nagle's algorithm would only delay them.
    socket_.set_option(tcp::no_delay(true), error);
    peer_.emplace(server_.options.peer, event_.local_ip, server_.handler,
                  std::chrono::steady_clock::now());
    Report(ConnectionEvent::Kind::kOpened, {});
    spdlog::info("Diameter connection {} from {} accepted", id_, remote_);
    ArmTimer();
    Read();
  }

  void Read() {
    if (reading_ || finished_) return;
    reading_ = true;
    socket_.async_read_some(
        asio::buffer(buffer_),
        [self = shared_from_this()](boost::system::error_code error, std::size_t size) {
          self->reading_ = false;
          self->OnRead(error, size);
        });
  }

  void OnRead(boost::system::error_code error, std::size_t size) {
    if (finished_) return;
    if (error) {
      Finish(error == asio::error::eof ? "the peer closed the connection" : error.message());
      return;
    }
    std::string_view bytes(buffer_.data(), size);
    Report(ConnectionEvent::Kind::kReceived, bytes);
    peer_->Receive(bytes, std::chrono::steady_clock::now());
    Flush();
    ArmTimer();
    if (pending_.size() < kMaxPendingOutput) Read();
  }

  void Flush() {
    pending_ += peer_->TakeOutput();
    if (writing_) return;
    if (pending_.empty()) {
      if (peer_->state() == PeerConnection::State::kClosed) Finish(peer_->close_reason());
      return;
    }
    writing_ = true;
    in_flight_ = std::move(pending_);
    pending_.clear();
    Report(ConnectionEvent::Kind::kSent, in_flight_);
    asio::async_write(socket_, asio::buffer(in_flight_),
                      [self = shared_from_this()](boost::system::error_code error, std::size_t) {
                        self->writing_ = false;
                        if (error) {
                          self->Finish("sending failed: " + error.message());
                          return;
                        }
                        self->Flush();
                        if (self->pending_.size() < kMaxPendingOutput) self->Read();
                      });
  }

  void ArmTimer() {
    if (finished_) return;
    timer_.expires_at(peer_->next_deadline());
    timer_.async_wait([self = shared_from_this()](boost::system::error_code error) {
      if (error || self->finished_) return;
      self->peer_->OnTimer(std::chrono::steady_clock::now());
      self->Flush();
      self->ArmTimer();
    });
  }

  void Finish(const std::string& reason) {
    if (finished_) return;
    finished_ = true;
    boost::system::error_code ignored;
    timer_.cancel();
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
    Report(ConnectionEvent::Kind::kClosed, {});
    std::string peer_host = peer_ ? peer_->peer_host() : std::string();
    spdlog::info("Diameter connection {} from {} ({}) closed: {}", id_, remote_,
                 peer_host.empty() ? "no capabilities exchange" : peer_host, reason);
    std::lock_guard lock(server_.mutex);
    server_.connections.erase(shared_from_this());
  }

  void Report(ConnectionEvent::Kind kind, std::string_view bytes) {
    if (!server_.options.on_connection_event) return;
    event_.kind = kind;
    event_.bytes = bytes;
    server_.options.on_connection_event(event_);
  }

  Impl& server_;
  tcp::socket socket_;
  asio::steady_timer timer_;
  const std::uint64_t id_;
  std::optional<PeerConnection> peer_;
  ConnectionEvent event_;
  std::string remote_;
  std::array<char, 16384> buffer_{};
  std::string pending_;    // Output not yet handed to the socket.
  std::string in_flight_;  // Output the socket is sending.
  bool reading_ = false;
  bool writing_ = false;
  bool finished_ = false;
};

void Server::Impl::Accept() {
  acceptor.async_accept(
      asio::make_strand(io), [this](boost::system::error_code error, tcp::socket socket) {
        if (error == asio::error::operation_aborted) return;
        if (!error) {
          auto connection = std::make_shared<Connection>(*this, std::move(socket));
          {
            std::lock_guard lock(mutex);
            if (stopped) return;
            connections.insert(connection);
          }
          connection->Begin();
        } else {
          spdlog::warn("accepting a Diameter connection failed: {}", error.message());
        }
        Accept();
      });
}

Server::Server(ServerOptions options, RequestHandler handler) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->handler = std::move(handler);
}

Server::~Server() { Stop(); }

Status Server::Start() {
  boost::system::error_code error;
  auto address = asio::ip::make_address(impl_->options.address, error);
  if (error) {
    return Error::InvalidInput(
        "address", "'" + impl_->options.address + "' is not an IP address to listen on");
  }
  tcp::endpoint endpoint(address, impl_->options.port);
  auto& acceptor = impl_->acceptor;
  acceptor.open(endpoint.protocol(), error);
  if (!error) acceptor.set_option(asio::socket_base::reuse_address(true), error);
  if (!error) acceptor.bind(endpoint, error);
  if (!error) acceptor.listen(asio::socket_base::max_listen_connections, error);
  if (error) {
    return Error::Unavailable("bind", "cannot listen on " + impl_->options.address + ":" +
                                          std::to_string(impl_->options.port) + ": " +
                                          error.message());
  }
  impl_->port = acceptor.local_endpoint().port();
  {
    std::lock_guard lock(impl_->mutex);
    impl_->started = true;
  }
  impl_->Accept();
  for (int i = 0; i < std::max(1, impl_->options.threads); ++i) {
    impl_->threads.emplace_back([this] { impl_->io.run(); });
  }
  return Status::Ok();
}

void Server::Stop() {
  std::vector<std::shared_ptr<Connection>> open;
  {
    std::lock_guard lock(impl_->mutex);
    if (impl_->stopped || !impl_->started) {
      impl_->stopped = true;
      return;
    }
    impl_->stopped = true;
    open.assign(impl_->connections.begin(), impl_->connections.end());
  }
  asio::post(impl_->io, [this] {
    boost::system::error_code ignored;
    impl_->acceptor.close(ignored);
  });
  for (auto& connection : open) connection->Disconnect();

  // Peers get a moment to answer the Disconnect-Peer-Request, as RFC 6733 section 5.4 expects.
  auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (std::chrono::steady_clock::now() < give_up) {
    {
      std::lock_guard lock(impl_->mutex);
      if (impl_->connections.empty()) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  for (auto& connection : open) connection->Abort();
  open.clear();
  impl_->io.stop();
  for (std::thread& thread : impl_->threads) thread.join();
  impl_->threads.clear();
  std::lock_guard lock(impl_->mutex);
  impl_->connections.clear();
}

std::uint16_t Server::port() const { return impl_->port; }

}  // namespace imeiguard::diameter
