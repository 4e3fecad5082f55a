// HTTP request and response as the application sees them, independent of the library that carries
// them on the wire (Boost.Beast), so that handlers are tested without sockets.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace imeiguard::http {

struct Request {
  std::string method;  // "GET", "POST", ... upper case.
  std::string target;  // Path and query as received: "/v1/check/35847210004217?x=1".
  std::string path;    // Decoded path without the query: "/v1/check/35847210004217".
  std::vector<std::pair<std::string, std::string>> query;  // Decoded query parameters in order.
  std::vector<std::pair<std::string, std::string>> headers;  // Names lower-cased.
  std::string body;
  std::string remote_address;  // Peer IP address, for rate limits and logs.
  std::map<std::string, std::string> path_params;  // Filled by the router: "{imei}" -> value.

  // The first header or query parameter of that name, or "" when absent.
  std::string_view Header(std::string_view name) const;
  std::string_view Query(std::string_view name) const;
};

struct Response {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  void SetHeader(std::string name, std::string value);
  static Response Json(int status, std::string body);
  static Response Text(int status, std::string body, std::string content_type = "text/plain");
};

using Handler = std::function<Response(const Request&)>;

// Maps method and path pattern to a handler. Patterns are literal segments and "{name}" segments,
// such as "/v1/parcels/{parcel_id}". Register all routes before the server starts; Dispatch is then
// safe to call from several threads.
class Router {
 public:
  void Add(std::string method, std::string pattern, Handler handler);
  // Calls the matching handler. Returns 404 problem details when no pattern matches and 405 when the
  // path matches under another method.
  Response Dispatch(Request& request) const;

 private:
  struct Route {
    std::string method;
    std::vector<std::string> segments;
    Handler handler;
  };
  std::vector<Route> routes_;
};

}  // namespace imeiguard::http
