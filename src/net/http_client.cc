#include "net/http_client.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace imeiguard::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = boost::asio::ip::tcp;

enum class Stage { kConnect, kWrite, kRead, kDone };

std::string ToLower(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return lower;
}

// "127.0.0.1:8080" or "[::1]:8080", as the Host header writes it.
std::string HostAndPort(const ClientRequest& request) {
  bool ipv6 = request.host.find(':') != std::string::npos;
  std::string host = ipv6 ? "[" + request.host + "]" : request.host;
  return host + ":" + std::to_string(request.port);
}

// "POST 127.0.0.1:8080/v1/orders", without the query, for error messages.
std::string Describe(const ClientRequest& request) {
  std::string_view target = request.target;
  return request.method + " " + HostAndPort(request) +
         std::string(target.substr(0, target.find('?')));
}

bool IsParseError(const beast::error_code& ec) {
  return &ec.category() == &bhttp::make_error_code(bhttp::error::bad_method).category() &&
         ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message;
}

Error Failure(const ClientRequest& request, Stage stage, const beast::error_code& ec) {
  std::string what = Describe(request);
  if (ec == beast::error::timeout) {
    const char* during = stage == Stage::kConnect ? "connecting"
                         : stage == Stage::kWrite ? "sending the request"
                                                  : "waiting for the response";
    return Error::Unavailable("timeout", what + " timed out after " +
                                             std::to_string(request.timeout.count()) +
                                             " ms while " + during);
  }
  if (stage == Stage::kConnect) {
    return Error::Unavailable("connect", what + " failed to connect: " + ec.message());
  }
  if (IsParseError(ec)) {
    return Error::Unavailable("invalid_response",
                              what + " received an invalid HTTP response: " + ec.message());
  }
  return Error::Unavailable(
      "connection_lost",
      what + " lost the connection before the response was complete: " + ec.message());
}

Result<tcp::resolver::results_type> Resolve(const ClientRequest& request,
                                            asio::io_context& io_context) {
  tcp::resolver resolver(io_context);
  beast::error_code ec;
  auto flags = tcp::resolver::numeric_service;
  asio::ip::make_address(request.host, ec);
  if (!ec) flags |= tcp::resolver::numeric_host;
  auto results = resolver.resolve(request.host, std::to_string(request.port), flags, ec);
  if (ec) {
    return Error::Unavailable(
        "connect", Describe(request) + " failed to resolve the host name: " + ec.message());
  }
  return results;
}

bhttp::request<bhttp::string_body> BuildMessage(const ClientRequest& request) {
  bhttp::request<bhttp::string_body> message;
  message.version(11);
  bhttp::verb verb = bhttp::string_to_verb(request.method);
  if (verb == bhttp::verb::unknown) {
    message.method_string(request.method);
  } else {
    message.method(verb);
  }
  message.target(request.target);
  message.set(bhttp::field::host, HostAndPort(request));
  message.set(bhttp::field::user_agent, "imeiguard");
  for (const auto& [name, value] : request.headers) message.insert(name, value);
  message.body() = request.body;
  message.keep_alive(false);
  message.prepare_payload();
  return message;
}

}  // namespace

std::string ClientResponse::Header(std::string_view name) const {
  std::string lower = ToLower(name);
  for (const auto& [key, value] : headers) {
    if (ToLower(key) == lower) return value;
  }
  return {};
}

Result<ClientResponse> Send(const ClientRequest& request) {
  asio::io_context io_context;
  auto endpoints = Resolve(request, io_context);
  if (!endpoints.ok()) return endpoints.error();

  // One expiry on the stream covers the connect, the write and the read together.
  beast::tcp_stream stream(io_context);
  stream.expires_after(request.timeout);
  bhttp::request<bhttp::string_body> message = BuildMessage(request);
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(request.max_response_body_bytes);
  beast::flat_buffer buffer;
  Stage stage = Stage::kConnect;
  beast::error_code failure;

  stream.async_connect(*endpoints, [&](beast::error_code ec, const tcp::endpoint&) {
    if (ec) {
      failure = ec;
      return;
    }
    stage = Stage::kWrite;
    bhttp::async_write(stream, message, [&](beast::error_code ec, std::size_t) {
      if (ec) {
        failure = ec;
        return;
      }
      stage = Stage::kRead;
      bhttp::async_read(stream, buffer, parser, [&](beast::error_code ec, std::size_t) {
        failure = ec;
        if (!ec) stage = Stage::kDone;
      });
    });
  });
  io_context.run();

  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  if (stage != Stage::kDone) {
    if (failure == bhttp::error::body_limit) {
      return Error::Unavailable("invalid_response",
                                Describe(request) + " received a response body larger than " +
                                    std::to_string(request.max_response_body_bytes) + " bytes");
    }
    return Failure(request, stage, failure);
  }

  bhttp::response<bhttp::string_body> received = parser.release();
  ClientResponse response;
  response.status = static_cast<int>(received.result_int());
  for (const auto& field : received) {
    response.headers.emplace_back(ToLower(field.name_string()), std::string(field.value()));
  }
  response.body = std::move(received.body());
  return response;
}

}  // namespace imeiguard::http
