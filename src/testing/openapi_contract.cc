#include "testing/openapi_contract.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

namespace imeiguard::testing {
namespace json = boost::json;
namespace {

std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> segments;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  while (true) {
    std::size_t slash = path.find('/');
    segments.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) return segments;
    path.remove_prefix(slash + 1);
  }
}

bool IsTemplateSegment(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

// The number of literal segments of `path_template` when it matches `path`, or -1.
int MatchLiterals(std::string_view path_template, std::string_view path) {
  std::vector<std::string_view> pattern = SplitPath(path_template);
  std::vector<std::string_view> actual = SplitPath(path);
  if (pattern.size() != actual.size()) return -1;
  int literals = 0;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (IsTemplateSegment(pattern[i])) {
      if (actual[i].empty()) return -1;
    } else if (pattern[i] == actual[i]) {
      ++literals;
    } else {
      return -1;
    }
  }
  return literals;
}

std::string LowerCase(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return lower;
}

// "application/json; charset=utf-8" -> "application/json".
std::string MediaType(std::string_view content_type) {
  std::string_view type = content_type.substr(0, content_type.find(';'));
  while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
  return LowerCase(type);
}

bool IsJsonMediaType(std::string_view media_type) {
  return media_type == "application/json" || media_type.ends_with("+json");
}

}  // namespace

OpenApiContract::OpenApiContract(json::value document)
    : document_(document), validator_(std::move(document)) {}

Result<OpenApiContract> OpenApiContract::Parse(std::string_view text) {
  json::error_code error;
  json::value document = json::parse(text, error);
  if (error) {
    return Error::InvalidInput("openapi", "the description is not valid JSON: " + error.message());
  }
  if (!document.is_object() || !document.as_object().contains("paths")) {
    return Error::InvalidInput("openapi", "the description is not an object with \"paths\"");
  }
  return OpenApiContract(std::move(document));
}

Result<OpenApiContract> OpenApiContract::Load(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return Error::InvalidInput("openapi", "cannot open the description " + path);
  std::ostringstream text;
  text << file.rdbuf();
  return Parse(text.str());
}

std::vector<std::pair<std::string, std::string>> OpenApiContract::Operations() const {
  std::vector<std::pair<std::string, std::string>> operations;
  for (const auto& [path, item] : document_.at("paths").as_object()) {
    if (!item.is_object()) continue;
    for (const auto& [method, operation] : item.as_object()) {
      std::string upper(method);
      std::transform(upper.begin(), upper.end(), upper.begin(),
                     [](char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c; });
      operations.emplace_back(std::move(upper), std::string(path));
    }
  }
  return operations;
}

std::optional<std::string> OpenApiContract::MatchPath(std::string_view method,
                                                      std::string_view path) const {
  std::optional<std::string> best;
  int best_literals = -1;
  for (const auto& [operation_method, path_template] : Operations()) {
    if (operation_method != method) continue;
    int literals = MatchLiterals(path_template, path);
    if (literals > best_literals) {
      best_literals = literals;
      best = path_template;
    }
  }
  return best;
}

const json::object* OpenApiContract::Operation(std::string_view method,
                                               std::string_view path_template) const {
  const json::value* item = document_.at("paths").as_object().if_contains(path_template);
  if (item == nullptr || !item->is_object()) return nullptr;
  const json::value* operation = item->as_object().if_contains(LowerCase(method));
  return operation == nullptr ? nullptr : operation->if_object();
}

const json::object* OpenApiContract::Dereference(const json::value& value) const {
  const json::object* object = value.if_object();
  if (object == nullptr) return nullptr;
  const json::value* reference = object->if_contains("$ref");
  if (reference == nullptr) return object;
  const json::value* target =
      reference->is_string() ? validator_.Resolve(reference->get_string()) : nullptr;
  return target == nullptr ? nullptr : target->if_object();
}

std::vector<std::string> OpenApiContract::Check(std::string_view method, std::string_view target,
                                                const http::ClientResponse& response) const {
  std::string_view path = target.substr(0, target.find('?'));
  std::optional<std::string> path_template = MatchPath(method, path);
  if (!path_template) return {"no operation of the description matches the request"};
  const json::object* operation = Operation(method, *path_template);

  std::string status = std::to_string(response.status);
  const json::value* responses = operation->if_contains("responses");
  const json::value* documented = nullptr;
  if (responses != nullptr && responses->is_object()) {
    documented = responses->as_object().if_contains(status);
    if (documented == nullptr) documented = responses->as_object().if_contains("default");
  }
  if (documented == nullptr) {
    return {"status " + status + " is not documented for " + std::string(method) + " " +
            *path_template};
  }
  const json::object* documented_response = Dereference(*documented);
  if (documented_response == nullptr) {
    return {"the response of status " + status + " has a $ref that names nothing"};
  }

  const json::value* content = documented_response->if_contains("content");
  std::string media_type = MediaType(response.Header("content-type"));
  if (content == nullptr || !content->is_object()) {
    if (response.body.empty()) return {};
    return {"status " + status + " documents no body, but the response has one"};
  }
  const json::value* media = content->as_object().if_contains(media_type);
  if (media == nullptr || !media->is_object()) {
    return {"status " + status + " documents no media type '" + media_type + "'"};
  }
  const json::value* schema = media->as_object().if_contains("schema");
  if (schema == nullptr || !IsJsonMediaType(media_type)) return {};

  json::error_code error;
  json::value body = json::parse(response.body, error);
  if (error) return {"the " + media_type + " body is not valid JSON: " + error.message()};
  std::vector<std::string> violations = validator_.Validate(*schema, body);
  for (std::string& violation : violations) {
    violation = "status " + status + ", " + media_type + ": " + violation;
  }
  return violations;
}

Result<http::ClientResponse> ContractClient::Send(std::string method, std::string target,
                                                  std::string_view api_key, std::string body) {
  http::ClientRequest request;
  request.method = std::move(method);
  request.port = port_;
  request.target = std::move(target);
  request.body = std::move(body);
  if (!api_key.empty()) {
    request.headers.emplace_back("Authorization", "Bearer " + std::string(api_key));
  }
  request.timeout = std::chrono::seconds(30);
  request.max_response_body_bytes = std::size_t{64} << 20;

  Result<http::ClientResponse> response = http::Send(request);
  if (!response.ok()) return response;
  for (const std::string& violation : contract_.Check(request.method, request.target, *response)) {
    violations_.push_back(request.method + " " + request.target + " (" +
                          std::to_string(response->status) + "): " + violation);
  }
  return response;
}

http::ClientResponse ToClientResponse(const http::Response& response) {
  http::ClientResponse received;
  received.status = response.status;
  received.body = response.body;
  for (const auto& [name, value] : response.headers) {
    std::string lower = name;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    received.headers.emplace_back(std::move(lower), value);
  }
  return received;
}

JsonReply ContractClient::SendForJson(std::string method, std::string target,
                                      std::string_view api_key, std::string body) {
  auto response = Send(std::move(method), std::move(target), api_key, std::move(body));
  JsonReply reply;
  if (!response.ok()) {
    reply.transport_error = response.error().message;
    return reply;
  }
  reply.status = response->status;
  boost::system::error_code error;
  boost::json::value parsed = boost::json::parse(response->body, error);
  if (!error && parsed.is_object()) reply.body = std::move(parsed.as_object());
  return reply;
}

}  // namespace imeiguard::testing
