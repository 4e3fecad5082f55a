#include "net/http.h"

#include <algorithm>
#include <cstdio>

namespace imeiguard::http {
namespace {

char ToLowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (ToLowerAscii(a[i]) != ToLowerAscii(b[i])) return false;
  }
  return true;
}

// Splits "/a/b/c" into {"a", "b", "c"}; "/" gives no segments and "/a/" gives {"a", ""}.
std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> segments;
  if (path.empty() || path == "/") return segments;
  size_t start = path.front() == '/' ? 1 : 0;
  while (true) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) {
      segments.push_back(path.substr(start));
      return segments;
    }
    segments.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
}

bool IsParamSegment(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decodes `text` into `out`; returns false on a malformed escape.
bool PercentDecode(std::string_view text, bool plus_is_space, std::string* out) {
  out->clear();
  out->reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '+' && plus_is_space) {
      out->push_back(' ');
    } else if (c == '%') {
      int high = i + 2 < text.size() ? HexValue(text[i + 1]) : -1;
      int low = i + 2 < text.size() ? HexValue(text[i + 2]) : -1;
      if (high < 0 || low < 0) return false;
      out->push_back(static_cast<char>(high * 16 + low));
      i += 2;
    } else {
      out->push_back(c);
    }
  }
  return true;
}

Error TargetError(std::string_view target, std::string_view what) {
  std::string message = "invalid request target '";
  message.append(target.substr(0, 200));
  message.append("': ");
  message.append(what);
  return Error::InvalidInput("target", std::move(message));
}

}  // namespace

std::string_view Request::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return value;
  }
  return {};
}

std::string_view Request::Query(std::string_view name) const {
  for (const auto& [key, value] : query) {
    if (key == name) return value;
  }
  return {};
}

void Response::SetHeader(std::string name, std::string value) {
  for (auto& [key, existing] : headers) {
    if (EqualsIgnoreCase(key, name)) {
      existing = std::move(value);
      return;
    }
  }
  headers.emplace_back(std::move(name), std::move(value));
}

Response Response::Json(int status, std::string body) {
  return Text(status, std::move(body), "application/json");
}

Response Response::Text(int status, std::string body, std::string content_type) {
  Response response;
  response.status = status;
  response.body = std::move(body);
  response.headers.emplace_back("Content-Type", std::move(content_type));
  return response;
}

Response Response::Problem(int status, std::string_view reason, std::string_view detail,
                           const ProblemMembers& members) {
  std::string body = "{\"type\":\"about:blank\",\"title\":";
  body += JsonQuote(StatusReasonPhrase(status));
  body += ",\"status\":";
  body += std::to_string(status);
  body += ",\"detail\":";
  body += JsonQuote(detail);
  if (!reason.empty()) {
    body += ",\"reason\":";
    body += JsonQuote(reason);
  }
  for (const auto& [name, value] : members) {
    body += ",\"" + name + "\":";
    if (const auto* number = std::get_if<std::int64_t>(&value)) {
      body += std::to_string(*number);
    } else {
      body += JsonQuote(std::get<std::string>(value));
    }
  }
  body += "}";
  return Text(status, std::move(body), "application/problem+json");
}

std::string_view StatusReasonPhrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 301:
      return "Moved Permanently";
    case 304:
      return "Not Modified";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 410:
      return "Gone";
    case 413:
      return "Content Too Large";
    case 415:
      return "Unsupported Media Type";
    case 422:
      return "Unprocessable Content";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "Unknown Status";
  }
}

Status ParseTarget(Request& request) {
  std::string_view target = request.target;
  if (target.empty() || target.front() != '/') {
    return TargetError(target, "expected a path starting with '/'");
  }
  size_t question = target.find('?');
  if (!PercentDecode(target.substr(0, question), false, &request.path)) {
    return TargetError(target, "malformed %-escape in the path");
  }

  request.query.clear();
  if (question == std::string_view::npos) return Status::Ok();
  std::string_view rest = target.substr(question + 1);
  while (!rest.empty()) {
    size_t amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
    if (pair.empty()) continue;

    size_t equals = pair.find('=');
    std::string key;
    std::string value;
    bool key_ok = PercentDecode(pair.substr(0, equals), true, &key);
    bool value_ok =
        equals == std::string_view::npos || PercentDecode(pair.substr(equals + 1), true, &value);
    if (!key_ok || !value_ok) return TargetError(target, "malformed %-escape in the query");
    request.query.emplace_back(std::move(key), std::move(value));
  }
  return Status::Ok();
}

std::string JsonQuote(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out.push_back('"');
  for (char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char escape[8];
          std::snprintf(escape, sizeof escape, "\\u%04x", static_cast<unsigned>(c));
          out += escape;
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
  return out;
}

void Router::Add(std::string method, std::string pattern, Handler handler) {
  Route route;
  route.method = std::move(method);
  for (std::string_view segment : SplitPath(pattern)) {
    if (!IsParamSegment(segment)) ++route.literal_segments;
    route.segments.emplace_back(segment);
  }
  route.handler = std::move(handler);
  routes_.push_back(std::move(route));
}

bool Router::Match(const Route& route, const std::vector<std::string_view>& path_segments,
                   std::map<std::string, std::string>* params) {
  if (route.segments.size() != path_segments.size()) return false;
  params->clear();
  for (size_t i = 0; i < path_segments.size(); ++i) {
    const std::string& pattern = route.segments[i];
    if (IsParamSegment(pattern)) {
      if (path_segments[i].empty()) return false;
      (*params)[pattern.substr(1, pattern.size() - 2)] = std::string(path_segments[i]);
    } else if (pattern != path_segments[i]) {
      return false;
    }
  }
  return true;
}

Response Router::Dispatch(Request& request) const {
  std::vector<std::string_view> path_segments = SplitPath(request.path);
  const Route* best = nullptr;
  std::map<std::string, std::string> best_params;
  std::vector<std::string> allowed_methods;

  std::map<std::string, std::string> params;
  for (const Route& route : routes_) {
    if (!Match(route, path_segments, &params)) continue;
    if (route.method != request.method) {
      if (std::find(allowed_methods.begin(), allowed_methods.end(), route.method) ==
          allowed_methods.end()) {
        allowed_methods.push_back(route.method);
      }
      continue;
    }
    if (best == nullptr || route.literal_segments > best->literal_segments) {
      best = &route;
      best_params = params;
    }
  }

  if (best != nullptr) {
    request.path_params = std::move(best_params);
    return best->handler(request);
  }
  if (allowed_methods.empty()) {
    return Response::Problem(404, "no_route", "no resource at " + request.path);
  }

  std::string allow;
  for (const std::string& method : allowed_methods) {
    if (!allow.empty()) allow += ", ";
    allow += method;
  }
  Response response = Response::Problem(
      405, "method_not_allowed",
      request.method + " is not allowed on " + request.path + "; allowed: " + allow);
  response.SetHeader("Allow", allow);
  return response;
}

}  // namespace imeiguard::http
