// Test support: checks HTTP responses against the OpenAPI description of the API.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.h"
#include "net/http.h"
#include "net/http_client.h"
#include "testing/json_schema.h"

namespace imeiguard::testing {

// An OpenAPI 3 description, with checks of a response against the operation it belongs to.
class OpenApiContract {
 public:
  // Parses a description. kInvalidInput when `text` is not a JSON object with "paths".
  static Result<OpenApiContract> Parse(std::string_view text);
  // Reads and parses a description file, such as src/api/openapi.json.
  static Result<OpenApiContract> Load(const std::string& path);

  // Every operation as its upper-case method and path template ("GET", "/v1/parcels/{parcel_id}").
  std::vector<std::pair<std::string, std::string>> Operations() const;

  // Returns the path template that matches `path` (no query) under `method`, or std::nullopt.
  // When several match, the one with more literal segments wins, as in the server's router.
  std::optional<std::string> MatchPath(std::string_view method, std::string_view path) const;

  // The operation object of a method and path template; nullptr when the description has none.
  const boost::json::object* Operation(std::string_view method,
                                       std::string_view path_template) const;

  // Returns a message for every way `response` to `method` on `target` departs from the
  // description: no operation for the path, a status the operation does not list, a media type
  // the status does not list, or a JSON body that does not match the schema of that media type.
  // Empty when the response conforms.
  std::vector<std::string> Check(std::string_view method, std::string_view target,
                                 const http::ClientResponse& response) const;

  const JsonSchemaValidator& validator() const { return validator_; }

 private:
  explicit OpenApiContract(boost::json::value document);
  // Follows a "$ref" of a response object, once.
  const boost::json::object* Dereference(const boost::json::value& value) const;

  boost::json::value document_;
  JsonSchemaValidator validator_;
};

// The response of a router called in process, in the form OpenApiContract::Check takes: header
// names lower-cased, as the HTTP client returns them.
http::ClientResponse ToClientResponse(const http::Response& response);

// Sends requests to a server on the loopback interface and checks every response against the
// contract. Not thread-safe: one client per thread.
// A response read as a JSON object: `body` is empty when the response was no JSON object, and
// `transport_error` says why no response came (status is 0 then).
struct JsonReply {
  int status = 0;
  boost::json::object body;
  std::string transport_error;
};

class ContractClient {
 public:
  // `contract` must outlive the client.
  ContractClient(const OpenApiContract& contract, std::uint16_t port)
      : contract_(contract), port_(port) {}

  // Sends `method` on `target` with an optional API key ("Authorization: Bearer <key>") and body.
  // Returns the response whatever its status, or the transport error of http::Send. Violations of
  // the contract are kept for violations().
  Result<http::ClientResponse> Send(std::string method, std::string target,
                                    std::string_view api_key = {}, std::string body = {});

  // Send, with the response's body read as a JSON object.
  JsonReply SendForJson(std::string method, std::string target, std::string_view api_key = {},
                        std::string body = {});

  // Each violation so far, prefixed with the request it came from ("GET /healthz: ...").
  const std::vector<std::string>& violations() const { return violations_; }
  void set_port(std::uint16_t port) { port_ = port; }

 private:
  const OpenApiContract& contract_;
  std::uint16_t port_;
  std::vector<std::string> violations_;
};

}  // namespace imeiguard::testing
