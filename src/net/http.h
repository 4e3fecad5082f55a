// HTTP request and response as the application sees them, independent of the library that carries
// them on the wire (Boost.Beast), so that handlers are tested without sockets.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "core/error.h"

namespace imeiguard::http {

struct Request {
  std::string method;  // "GET", "POST", ... upper case.
  std::string target;  // Path and query as received: "/v1/check/35847210004217?x=1".
  std::string path;    // Decoded path without the query: "/v1/check/35847210004217".
  std::vector<std::pair<std::string, std::string>> query;    // Decoded query parameters in order.
  std::vector<std::pair<std::string, std::string>> headers;  // Names lower-cased.
  std::string body;
  std::string remote_address;                      // Peer IP address, for rate limits and logs.
  std::map<std::string, std::string> path_params;  // Filled by the router: "{imei}" -> value.

  // The first header or query parameter of that name, or "" when absent.
  std::string_view Header(std::string_view name) const;
  std::string_view Query(std::string_view name) const;
};

// Extension members of problem details, such as the line or byte offset where input went wrong.
using ProblemMembers = std::vector<std::pair<std::string, std::variant<std::int64_t, std::string>>>;

// The server's treatment of the connection in place of writing a response. Everything but kSend
// exists for a platform that misbehaves on purpose (the device-management simulator), so that
// clients can be tested against connections that break.
enum class Delivery {
  kSend,   // Write the response.
  kClose,  // Close the connection without a response (the client reads end of stream).
  kReset,  // Reset the connection without a response (the client reads a reset, TCP RST).
  kHold,   // Send nothing and keep the connection open until the client closes it or the idle
           // timeout passes, as a platform that accepted the request and hangs.
};

struct Response {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  Delivery delivery = Delivery::kSend;

  // Replaces any header of that name (compared case-insensitively), or adds it.
  void SetHeader(std::string name, std::string value);
  static Response Json(int status, std::string body);
  static Response Text(int status, std::string body, std::string content_type = "text/plain");
  // An RFC 9457 problem details body, application/problem+json: {"type":"about:blank", "title":
  // the status's reason phrase, "status", "detail", "reason" when `reason` is not empty, and then
  // `members` in order}. The member names must not need JSON escaping.
  static Response Problem(int status, std::string_view reason, std::string_view detail,
                          const ProblemMembers& members = {});
};

// The standard reason phrase of an HTTP status code ("Not Found"), or "Unknown Status".
std::string_view StatusReasonPhrase(int status);

// Fills `path` and `query` of `request` from its `target`, percent-decoding both ('+' means a
// space in the query only). Returns kInvalidInput with reason "target" when the target does not
// start with '/' or has a malformed %-escape.
Status ParseTarget(Request& request);

// Writes `text` as a JSON string literal with quotes, escaping what RFC 8259 requires.
std::string JsonQuote(std::string_view text);

using Handler = std::function<Response(const Request&)>;

// Maps method and path pattern to a handler. Patterns are literal segments and "{name}" segments,
// such as "/v1/parcels/{parcel_id}"; a "{name}" segment matches one non-empty path segment. When
// several patterns match a path, the one with more literal segments wins, then the one added first.
// Register all routes before the server starts; Dispatch is then safe to call from several threads.
class Router {
 public:
  void Add(std::string method, std::string pattern, Handler handler);
  // Calls the matching handler after filling `request.path_params`. Returns 404 problem details
  // when no pattern matches and 405 with an Allow header when the path matches only under other
  // methods. Exceptions thrown by the handler propagate to the caller.
  Response Dispatch(Request& request) const;

 private:
  struct Route {
    std::string method;
    std::vector<std::string> segments;
    int literal_segments = 0;
    Handler handler;
  };
  // Returns whether `route` matches `path_segments`, and fills `params` when it does.
  static bool Match(const Route& route, const std::vector<std::string_view>& path_segments,
                    std::map<std::string, std::string>* params);
  std::vector<Route> routes_;
};

}  // namespace imeiguard::http
