#include "eir/n5g_eir_server.h"

#include <nghttp2/nghttp2.h>

#include <array>
#include <boost/asio.hpp>
#include <charconv>
#include <ctime>
#include <mutex>
#include <thread>
#include <vector>

#include "eir/n5g_eir_answer.h"

namespace imeiguard::eir {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using boost::system::error_code;

// The client connection preface of RFC 9113 section 3.4: a client with prior knowledge starts
// with it, and no HTTP/1.1 request line does.
constexpr std::string_view kHttp2Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
constexpr std::size_t kReadBufferBytes = 16 << 10;
constexpr std::size_t kMaxHttp1HeadBytes = 8 << 10;
constexpr std::size_t kMaxPathBytes = 2048;
constexpr std::size_t kMaxNetworkElementBytes = 64;

constexpr std::string_view kMalformedBody =
    R"({"title":"Bad Request","status":400,"detail":"malformed HTTP/1.1 request; send a GET )"
    R"(without a body"})";
constexpr std::string_view kHeadTooLargeBody =
    R"({"title":"Request Header Fields Too Large","status":431,)"
    R"("detail":"the request head is larger than 8 KiB"})";

std::string_view StatusLine(int status) {
  switch (status) {
    case 200:
      return "HTTP/1.1 200 OK\r\n";
    case 400:
      return "HTTP/1.1 400 Bad Request\r\n";
    case 404:
      return "HTTP/1.1 404 Not Found\r\n";
    case 405:
      return "HTTP/1.1 405 Method Not Allowed\r\n";
    default:
      return "HTTP/1.1 431 Request Header Fields Too Large\r\n";
  }
}

std::string_view StatusCode(int status) {
  switch (status) {
    case 200:
      return "200";
    case 400:
      return "400";
    case 404:
      return "404";
    case 405:
      return "405";
    default:
      return "431";
  }
}

// The current IMF-fixdate for the Date header, formatted once a second per thread.
std::string_view CurrentHttpDate() {
  thread_local std::time_t formatted_second = 0;
  thread_local std::array<char, 32> text{};
  thread_local std::size_t size = 0;
  std::time_t now = std::time(nullptr);
  if (now != formatted_second) {
    std::tm utc{};
    gmtime_r(&now, &utc);
    size = std::strftime(text.data(), text.size(), "%a, %d %b %Y %H:%M:%S GMT", &utc);
    formatted_second = now;
  }
  return {text.data(), size};
}

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] + 32) : a[i];
    char y = b[i] >= 'A' && b[i] <= 'Z' ? static_cast<char>(b[i] + 32) : b[i];
    if (x != y) return false;
  }
  return true;
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// A fixed buffer for one request field; longer values are cut and marked.
template <std::size_t N>
struct FieldText {
  std::array<char, N> bytes;
  std::size_t size = 0;
  bool truncated = false;

  void Assign(std::string_view text) {
    truncated = text.size() > N;
    size = std::min(text.size(), N);
    std::copy_n(text.data(), size, bytes.data());
  }
  std::string_view view() const { return {bytes.data(), size}; }
};

// The request and response of one HTTP/2 stream. Kept in a per-connection pool, so that a
// request needs no allocation of its own.
struct StreamState {
  bool in_use = false;
  FieldText<8> method;
  FieldText<kMaxPathBytes> path;
  FieldText<kMaxNetworkElementBytes> user_agent;
  std::string_view body;
  std::size_t body_sent = 0;
  std::array<char, 24> content_length{};
  std::size_t content_length_size = 0;
};

nghttp2_nv HeaderField(std::string_view name, std::string_view value) {
  nghttp2_nv field;
  field.name = reinterpret_cast<std::uint8_t*>(const_cast<char*>(name.data()));
  field.namelen = name.size();
  field.value = reinterpret_cast<std::uint8_t*>(const_cast<char*>(value.data()));
  field.valuelen = value.size();
  field.flags = NGHTTP2_NV_FLAG_NO_COPY_NAME | NGHTTP2_NV_FLAG_NO_COPY_VALUE;
  return field;
}

}  // namespace

struct N5gEirServer::Impl {
  Impl(N5gEirServerOptions options, const EquipmentSnapshot& snapshot, SightingRecorder* recorder,
       const Clock& clock)
      : options(std::move(options)), snapshot(snapshot), recorder(recorder), clock(clock) {}

  void Accept();
  EirResponse Answer(std::string_view method, std::string_view target,
                     std::string_view network_element) const {
    return AnswerEirRequest(method, target, snapshot, recorder, network_element, clock.Now());
  }

  const N5gEirServerOptions options;
  const EquipmentSnapshot& snapshot;
  SightingRecorder* const recorder;
  const Clock& clock;
  asio::io_context io;
  // On a strand of its own, so that Stop's close never runs beside an accept handler.
  tcp::acceptor acceptor{asio::make_strand(io)};
  std::vector<std::thread> threads;
  std::uint16_t port = 0;
  bool started = false;
  std::atomic<std::int64_t> http1_requests{0};
  std::atomic<std::int64_t> http2_requests{0};

  // Open connections, so that Stop can close them. Guarded by connections_mutex.
  std::mutex connections_mutex;
  std::vector<std::weak_ptr<Connection>> connections;
  bool stopping = false;  // Guarded by connections_mutex.
};

// One client connection. Its handlers run on its own strand, one at a time: a read, then the
// processing of what was read, then the write of every response it produced.
class N5gEirServer::Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(Impl& server, tcp::socket socket)
      : server_(server), socket_(std::move(socket)), idle_timer_(socket_.get_executor()) {
    error_code error;
    tcp::endpoint peer = socket_.remote_endpoint(error);
    if (!error) remote_address_.Assign(peer.address().to_string());
    socket_.set_option(tcp::no_delay(true), error);
    input_.reserve(kReadBufferBytes);
    output_.reserve(kReadBufferBytes);
  }
  ~Connection() {
    if (session_ != nullptr) nghttp2_session_del(session_);
  }

  void Start() { ReadMore(); }
  // Closes the socket. Call on the connection's strand (socket_executor()).
  void Close();
  tcp::socket::executor_type socket_executor() { return socket_.get_executor(); }

 private:
  enum class Protocol { kUndecided, kHttp1, kHttp2 };

  void ReadMore();
  void OnRead(std::size_t bytes);
  void WriteOutput();

  // Decides the protocol from the first bytes. False while they may still be the preface.
  bool DecideProtocol();
  // HTTP/1.1: responds to every complete request in input_, appending to output_.
  void ProcessHttp1();
  void AppendHttp1Response(const EirResponse& response, bool close);
  // HTTP/2: feeds `bytes` to the session and collects what it has to send in output_.
  bool StartHttp2();
  bool ReceiveHttp2(std::string_view bytes);
  bool CollectHttp2Output();
  void RespondHttp2(std::int32_t stream_id, StreamState& stream);

  static int OnBeginHeaders(nghttp2_session* session, const nghttp2_frame* frame, void* user);
  static int OnHeader(nghttp2_session* session, const nghttp2_frame* frame,
                      const std::uint8_t* name, std::size_t name_size, const std::uint8_t* value,
                      std::size_t value_size, std::uint8_t flags, void* user);
  static int OnFrameReceived(nghttp2_session* session, const nghttp2_frame* frame, void* user);
  static int OnStreamClose(nghttp2_session* session, std::int32_t stream_id,
                           std::uint32_t error_code, void* user);
  static ssize_t ReadBody(nghttp2_session* session, std::int32_t stream_id, std::uint8_t* buffer,
                          std::size_t length, std::uint32_t* data_flags,
                          nghttp2_data_source* source, void* user);

  Impl& server_;
  tcp::socket socket_;
  asio::steady_timer idle_timer_;
  FieldText<kMaxNetworkElementBytes> remote_address_;
  std::array<char, kReadBufferBytes> read_buffer_;
  std::string input_;   // Bytes read but not yet consumed (HTTP/1.1, or before the decision).
  std::string output_;  // Bytes to write next; reused, so its capacity stays.
  Protocol protocol_ = Protocol::kUndecided;
  bool close_after_write_ = false;
  bool closed_ = false;  // Set by Close: no further read or timer starts.
  nghttp2_session* session_ = nullptr;
  std::vector<StreamState> streams_;
};

void N5gEirServer::Connection::ReadMore() {
  if (closed_) return;
  idle_timer_.expires_after(std::chrono::seconds(server_.options.idle_timeout_seconds));
  idle_timer_.async_wait([self = shared_from_this()](error_code error) {
    if (!error) self->Close();
  });
  socket_.async_read_some(asio::buffer(read_buffer_),
                          [self = shared_from_this()](error_code error, std::size_t bytes) {
                            if (error) return self->Close();
                            self->OnRead(bytes);
                          });
}

void N5gEirServer::Connection::OnRead(std::size_t bytes) {
  std::string_view received(read_buffer_.data(), bytes);
  bool ok = true;
  if (protocol_ == Protocol::kHttp2) {
    ok = ReceiveHttp2(received);
  } else {
    input_.append(received);
    if (protocol_ == Protocol::kUndecided && !DecideProtocol()) return ReadMore();
    if (protocol_ == Protocol::kHttp2) {
      ok = StartHttp2() && ReceiveHttp2(input_);
      input_.clear();
    } else {
      ProcessHttp1();
    }
  }
  if (!ok) return Close();
  if (!output_.empty()) return WriteOutput();
  if (close_after_write_) return Close();
  ReadMore();
}

bool N5gEirServer::Connection::DecideProtocol() {
  std::size_t compared = std::min(input_.size(), kHttp2Preface.size());
  if (std::string_view(input_).substr(0, compared) != kHttp2Preface.substr(0, compared)) {
    protocol_ = Protocol::kHttp1;
    return true;
  }
  if (compared < kHttp2Preface.size()) return false;
  protocol_ = Protocol::kHttp2;
  return true;
}

void N5gEirServer::Connection::WriteOutput() {
  asio::async_write(socket_, asio::buffer(output_),
                    [self = shared_from_this()](error_code error, std::size_t) {
                      self->output_.clear();
                      if (error || self->close_after_write_) return self->Close();
                      if (self->protocol_ == Protocol::kHttp2) {
                        if (!self->CollectHttp2Output()) return self->Close();
                        if (!self->output_.empty()) return self->WriteOutput();
                        if (nghttp2_session_want_read(self->session_) == 0) return self->Close();
                      }
                      self->ReadMore();
                    });
}

void N5gEirServer::Connection::Close() {
  closed_ = true;
  idle_timer_.cancel();
  error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
}

void N5gEirServer::Connection::ProcessHttp1() {
  std::size_t consumed = 0;
  while (!close_after_write_) {
    std::string_view rest = std::string_view(input_).substr(consumed);
    std::size_t head_end = rest.find("\r\n\r\n");
    bool head_too_large = head_end == std::string_view::npos ? rest.size() > kMaxHttp1HeadBytes
                                                             : head_end > kMaxHttp1HeadBytes;
    if (head_too_large) {
      AppendHttp1Response({431, "application/problem+json", kHeadTooLargeBody}, true);
      break;
    }
    if (head_end == std::string_view::npos) break;
    std::string_view head = rest.substr(0, head_end);
    consumed += head_end + 4;

    std::size_t line_end = head.find("\r\n");
    std::string_view request_line = head.substr(0, line_end);
    std::size_t first_space = request_line.find(' ');
    std::size_t second_space = request_line.find(' ', first_space + 1);
    if (first_space == std::string_view::npos || second_space == std::string_view::npos) {
      AppendHttp1Response({400, "application/problem+json", kMalformedBody}, true);
      break;
    }
    std::string_view method = request_line.substr(0, first_space);
    std::string_view target = request_line.substr(first_space + 1, second_space - first_space - 1);
    std::string_view version = request_line.substr(second_space + 1);

    bool close = version != "HTTP/1.1";
    bool has_body = false;
    std::string_view user_agent;
    std::string_view headers =
        line_end == std::string_view::npos ? std::string_view() : head.substr(line_end + 2);
    while (!headers.empty()) {
      std::size_t end = headers.find("\r\n");
      std::string_view line = headers.substr(0, end);
      headers = end == std::string_view::npos ? std::string_view() : headers.substr(end + 2);
      std::size_t colon = line.find(':');
      if (colon == std::string_view::npos) continue;
      std::string_view name = line.substr(0, colon);
      std::string_view value = Trim(line.substr(colon + 1));
      if (EqualsIgnoringCase(name, "user-agent")) {
        user_agent = value;
      } else if (EqualsIgnoringCase(name, "content-length")) {
        has_body = has_body || value != "0";
      } else if (EqualsIgnoringCase(name, "transfer-encoding")) {
        has_body = true;
      } else if (EqualsIgnoringCase(name, "connection")) {
        if (EqualsIgnoringCase(value, "close")) close = true;
        if (EqualsIgnoringCase(value, "keep-alive")) close = false;
      }
    }
    if (version != "HTTP/1.1" && version != "HTTP/1.0") has_body = true;
    if (has_body) {
      AppendHttp1Response({400, "application/problem+json", kMalformedBody}, true);
      break;
    }

    server_.http1_requests.fetch_add(1, std::memory_order_relaxed);
    std::string_view network_element = user_agent.empty() ? remote_address_.view() : user_agent;
    network_element = network_element.substr(0, kMaxNetworkElementBytes);
    AppendHttp1Response(server_.Answer(method, target, network_element), close);
  }
  input_.erase(0, consumed);
}

void N5gEirServer::Connection::AppendHttp1Response(const EirResponse& response, bool close) {
  std::array<char, 24> length;
  auto length_end =
      std::to_chars(length.data(), length.data() + length.size(), response.body.size());
  output_.append(StatusLine(response.status));
  output_.append("Date: ").append(CurrentHttpDate()).append("\r\n");
  output_.append("Content-Type: ").append(response.content_type).append("\r\n");
  output_.append("Content-Length: ").append(length.data(), length_end.ptr).append("\r\n");
  if (response.allow_get_only) output_.append("Allow: GET\r\n");
  if (close) output_.append("Connection: close\r\n");
  output_.append("\r\n").append(response.body);
  if (close) close_after_write_ = true;
}

bool N5gEirServer::Connection::StartHttp2() {
  nghttp2_session_callbacks* callbacks = nullptr;
  if (nghttp2_session_callbacks_new(&callbacks) != 0) return false;
  nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks, &OnBeginHeaders);
  nghttp2_session_callbacks_set_on_header_callback(callbacks, &OnHeader);
  nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, &OnFrameReceived);
  nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, &OnStreamClose);
  int created = nghttp2_session_server_new(&session_, callbacks, this);
  nghttp2_session_callbacks_del(callbacks);
  if (created != 0) {
    session_ = nullptr;
    return false;
  }
  streams_.resize(static_cast<std::size_t>(server_.options.max_concurrent_streams));
  nghttp2_settings_entry settings[] = {
      {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS,
       static_cast<std::uint32_t>(server_.options.max_concurrent_streams)}};
  return nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, settings, 1) == 0;
}

bool N5gEirServer::Connection::ReceiveHttp2(std::string_view bytes) {
  ssize_t read = nghttp2_session_mem_recv(
      session_, reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
  if (read < 0) return false;
  return CollectHttp2Output();
}

bool N5gEirServer::Connection::CollectHttp2Output() {
  while (true) {
    const std::uint8_t* data = nullptr;
    ssize_t size = nghttp2_session_mem_send(session_, &data);
    if (size < 0) return false;
    if (size == 0) return true;
    output_.append(reinterpret_cast<const char*>(data), static_cast<std::size_t>(size));
  }
}

int N5gEirServer::Connection::OnBeginHeaders(nghttp2_session* session, const nghttp2_frame* frame,
                                             void* user) {
  if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST) return 0;
  auto& connection = *static_cast<Connection*>(user);
  for (StreamState& stream : connection.streams_) {
    if (stream.in_use) continue;
    stream = StreamState();
    stream.in_use = true;
    nghttp2_session_set_stream_user_data(session, frame->hd.stream_id, &stream);
    return 0;
  }
  // More streams than SETTINGS_MAX_CONCURRENT_STREAMS allows.
  nghttp2_submit_rst_stream(session, NGHTTP2_FLAG_NONE, frame->hd.stream_id,
                            NGHTTP2_REFUSED_STREAM);
  return 0;
}

int N5gEirServer::Connection::OnHeader(nghttp2_session* session, const nghttp2_frame* frame,
                                       const std::uint8_t* name, std::size_t name_size,
                                       const std::uint8_t* value, std::size_t value_size,
                                       std::uint8_t, void*) {
  auto* stream =
      static_cast<StreamState*>(nghttp2_session_get_stream_user_data(session, frame->hd.stream_id));
  if (stream == nullptr) return 0;
  std::string_view field(reinterpret_cast<const char*>(name), name_size);
  std::string_view text(reinterpret_cast<const char*>(value), value_size);
  if (field == ":method") {
    stream->method.Assign(text);
  } else if (field == ":path") {
    stream->path.Assign(text);
  } else if (field == "user-agent") {
    stream->user_agent.Assign(text);
  }
  return 0;
}

int N5gEirServer::Connection::OnFrameReceived(nghttp2_session* session, const nghttp2_frame* frame,
                                              void* user) {
  bool request_complete = (frame->hd.type == NGHTTP2_HEADERS || frame->hd.type == NGHTTP2_DATA) &&
                          (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0;
  if (!request_complete) return 0;
  auto* stream =
      static_cast<StreamState*>(nghttp2_session_get_stream_user_data(session, frame->hd.stream_id));
  if (stream == nullptr) return 0;
  static_cast<Connection*>(user)->RespondHttp2(frame->hd.stream_id, *stream);
  return 0;
}

void N5gEirServer::Connection::RespondHttp2(std::int32_t stream_id, StreamState& stream) {
  server_.http2_requests.fetch_add(1, std::memory_order_relaxed);
  std::string_view network_element =
      stream.user_agent.size > 0 ? stream.user_agent.view() : remote_address_.view();
  // A path cut to fit the buffer would be read as another path, so it names no resource.
  std::string_view target = stream.path.truncated ? std::string_view() : stream.path.view();
  EirResponse response = server_.Answer(stream.method.view(), target, network_element);

  stream.body = response.body;
  auto end = std::to_chars(stream.content_length.data(),
                           stream.content_length.data() + stream.content_length.size(),
                           response.body.size());
  stream.content_length_size = static_cast<std::size_t>(end.ptr - stream.content_length.data());
  std::array<nghttp2_nv, 4> headers = {
      HeaderField(":status", StatusCode(response.status)),
      HeaderField("content-type", response.content_type),
      HeaderField("content-length",
                  std::string_view(stream.content_length.data(), stream.content_length_size)),
      HeaderField("allow", "GET")};
  std::size_t header_count = response.allow_get_only ? 4 : 3;

  nghttp2_data_provider body;
  body.source.ptr = &stream;
  body.read_callback = &ReadBody;
  nghttp2_submit_response(session_, stream_id, headers.data(), header_count, &body);
}

ssize_t N5gEirServer::Connection::ReadBody(nghttp2_session*, std::int32_t, std::uint8_t* buffer,
                                           std::size_t length, std::uint32_t* data_flags,
                                           nghttp2_data_source* source, void*) {
  auto& stream = *static_cast<StreamState*>(source->ptr);
  std::size_t size = std::min(length, stream.body.size() - stream.body_sent);
  std::copy_n(stream.body.data() + stream.body_sent, size, buffer);
  stream.body_sent += size;
  if (stream.body_sent == stream.body.size()) *data_flags |= NGHTTP2_DATA_FLAG_EOF;
  return static_cast<ssize_t>(size);
}

int N5gEirServer::Connection::OnStreamClose(nghttp2_session* session, std::int32_t stream_id,
                                            std::uint32_t, void*) {
  auto* stream =
      static_cast<StreamState*>(nghttp2_session_get_stream_user_data(session, stream_id));
  if (stream != nullptr) stream->in_use = false;
  return 0;
}

void N5gEirServer::Impl::Accept() {
  acceptor.async_accept(asio::make_strand(io), [this](error_code error, tcp::socket socket) {
    if (!acceptor.is_open()) return;
    if (!error) {
      auto connection = std::make_shared<Connection>(*this, std::move(socket));
      std::lock_guard lock(connections_mutex);
      if (stopping) return;  // Its socket closes with it.
      std::erase_if(connections, [](const std::weak_ptr<Connection>& c) { return c.expired(); });
      connections.push_back(connection);
      asio::post(connection->socket_executor(), [connection] { connection->Start(); });
    }
    Accept();
  });
}

N5gEirServer::N5gEirServer(N5gEirServerOptions options, const EquipmentSnapshot& snapshot,
                           SightingRecorder* recorder, const Clock& clock)
    : impl_(std::make_unique<Impl>(std::move(options), snapshot, recorder, clock)) {}

N5gEirServer::~N5gEirServer() { Stop(); }

Status N5gEirServer::Start() {
  Impl& impl = *impl_;
  error_code error;
  asio::ip::address address = asio::ip::make_address(impl.options.address, error);
  if (error) {
    return Error::InvalidInput(
        "address", "the N5g-eir listen address " + impl.options.address + " is not an IP address");
  }
  tcp::endpoint endpoint(address, impl.options.port);
  impl.acceptor.open(endpoint.protocol(), error);
  if (!error) impl.acceptor.set_option(tcp::acceptor::reuse_address(true), error);
  if (!error) impl.acceptor.bind(endpoint, error);
  if (!error) impl.acceptor.listen(asio::socket_base::max_listen_connections, error);
  if (error) {
    return Error::Unavailable("bind", "cannot listen for N5g-eir on " + impl.options.address + ":" +
                                          std::to_string(impl.options.port) + ": " +
                                          error.message());
  }
  impl.port = impl.acceptor.local_endpoint().port();
  impl.started = true;
  impl.Accept();
  for (int i = 0; i < std::max(1, impl.options.threads); ++i) {
    impl.threads.emplace_back([&impl] { impl.io.run(); });
  }
  return Status();
}

void N5gEirServer::Stop() {
  Impl& impl = *impl_;
  if (!impl.started) return;
  impl.started = false;

  // Closing the listener and every connection leaves the threads without work, so run() returns.
  {
    std::lock_guard lock(impl.connections_mutex);
    impl.stopping = true;
    for (const std::weak_ptr<Connection>& weak : impl.connections) {
      if (std::shared_ptr<Connection> connection = weak.lock()) {
        asio::post(connection->socket_executor(), [connection] { connection->Close(); });
      }
    }
    impl.connections.clear();
  }
  asio::post(impl.acceptor.get_executor(), [&impl] {
    error_code ignored;
    impl.acceptor.close(ignored);
  });
  for (std::thread& thread : impl.threads) thread.join();
  impl.threads.clear();
}

std::uint16_t N5gEirServer::port() const { return impl_->port; }

N5gEirServer::Counters N5gEirServer::counters() const {
  return {impl_->http1_requests.load(), impl_->http2_requests.load()};
}

}  // namespace imeiguard::eir
