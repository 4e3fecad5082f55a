// A blocking HTTP/1.1 client for calls to upstream platforms, with a deadline on every call.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.h"

namespace imeiguard::http {

struct ClientResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // Names lower-cased.
  std::string body;
  // The first header of that name, compared case-insensitively, or "" when absent.
  std::string Header(std::string_view name) const;
};

struct ClientRequest {
  std::string method = "GET";
  std::string host = "127.0.0.1";  // An IP address, or a name resolved before the deadline starts.
  std::uint16_t port = 80;
  std::string target = "/";
  std::vector<std::pair<std::string, std::string>> headers;  // Host and Content-Length are set.
  std::string body;
  std::chrono::milliseconds timeout{5000};  // Covers connect, write and read together.
  std::size_t max_response_body_bytes = 8u << 20;
};

// Sends one request on a new connection and closes it. Returns the response whatever its status.
// Returns kUnavailable when no complete response arrived in time, with one of these reasons:
//   "timeout"          the deadline passed;
//   "connect"          name resolution or the connection failed;
//   "connection_lost"  the connection broke before the response was complete;
//   "invalid_response" the response is not HTTP, or its body exceeds max_response_body_bytes.
// Messages name the method, host, port and path, never the query, headers or body. Safe to call
// from several threads at once.
Result<ClientResponse> Send(const ClientRequest& request);

}  // namespace imeiguard::http
