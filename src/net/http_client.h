// A blocking HTTP/1.1 client for calls to upstream platforms, with a deadline on every call.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/error.h"

namespace imeiguard::http {

struct ClientResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // Names lower-cased.
  std::string body;
  std::string Header(std::string_view name) const;
};

struct ClientRequest {
  std::string method = "GET";
  std::string host = "127.0.0.1";
  std::uint16_t port = 80;
  std::string target = "/";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::chrono::milliseconds timeout{5000};  // Covers connect, write and read together.
};

// Sends one request on a new connection. Returns the response whatever its status, or kUnavailable
// (reason "timeout", "connect" or "connection_lost") when no complete response arrived in time.
Result<ClientResponse> Send(const ClientRequest& request);

}  // namespace imeiguard::http
