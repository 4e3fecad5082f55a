#include "api/console_site.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>

namespace imeiguard {
namespace {

namespace fs = std::filesystem;

// The public check needs no key, so it is where a visitor of the bare host name lands.
constexpr std::string_view kPublicCheckFolder = "/console/check";

bool IsServableName(std::string_view name) {
  if (name.empty() || name.front() == '.') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
  });
}

// FNV-1a: the ETag only has to change when the content does, not resist forgery.
std::string QuotedHash(std::string_view body) {
  std::uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : body) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  char text[24];
  std::snprintf(text, sizeof text, "\"%016llx\"", static_cast<unsigned long long>(hash));
  return text;
}

Result<std::string> ReadWholeFile(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in.is_open()) {
    return Error::InvalidInput("console_directory", "cannot open " + file.string());
  }
  std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return Error::InvalidInput("console_directory", "cannot read " + file.string());
  return body;
}

// The URL path of `relative` (a path inside the site folder), or "" when some part of it may not
// be served.
std::string UrlPathOf(const fs::path& relative) {
  std::string url(kConsoleMount);
  for (const fs::path& part : relative) {
    if (!IsServableName(part.string())) return "";
    url += "/" + part.string();
  }
  return url;
}

void SetSiteHeaders(http::Response& response) {
  response.SetHeader("Content-Security-Policy", std::string(kConsoleContentSecurityPolicy));
  response.SetHeader("X-Content-Type-Options", "nosniff");
  response.SetHeader("Referrer-Policy", "no-referrer");
  response.SetHeader("X-Frame-Options", "DENY");
}

http::Response Redirect(int status, std::string location) {
  http::Response response;
  response.status = status;
  response.SetHeader("Location", std::move(location));
  response.SetHeader("Cache-Control", "no-cache");
  return response;
}

}  // namespace

std::string ContentTypeOf(std::string_view file_name) {
  static const std::map<std::string_view, std::string_view> kTypes = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".map", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".webp", "image/webp"},
      {".woff2", "font/woff2"},
      {".txt", "text/plain; charset=utf-8"},
      {".webmanifest", "application/manifest+json"},
  };
  std::size_t dot = file_name.rfind('.');
  if (dot != std::string_view::npos) {
    auto found = kTypes.find(file_name.substr(dot));
    if (found != kTypes.end()) return std::string(found->second);
  }
  return "application/octet-stream";
}

Result<ConsoleSite> ConsoleSite::Load(const fs::path& directory) {
  std::error_code error;
  if (!fs::is_directory(directory, error)) {
    return Error::NotFound("console_directory",
                           "the console folder " + directory.string() + " does not exist");
  }
  ConsoleSite site;
  std::size_t total_bytes = 0;
  fs::recursive_directory_iterator it(directory, error), end;
  for (; !error && it != end; it.increment(error)) {
    const fs::directory_entry& entry = *it;
    std::string name = entry.path().filename().string();
    // Hidden folders and links are not walked into: a link could lead out of the folder.
    if (entry.is_symlink() || !IsServableName(name)) {
      if (entry.is_directory()) it.disable_recursion_pending();
      continue;
    }
    if (!entry.is_regular_file()) continue;
    std::string url = UrlPathOf(fs::relative(entry.path(), directory));
    if (url.empty()) continue;
    auto body = ReadWholeFile(entry.path());
    if (!body.ok()) return body.error();
    total_bytes += body->size();
    if (total_bytes > kMaxTotalBytes) {
      return Error::InvalidInput("console_directory",
                                 "the console folder " + directory.string() + " holds more than " +
                                     std::to_string(kMaxTotalBytes >> 20) +
                                     " MiB; is it the front-end build's output folder?");
    }
    SiteFile file;
    file.content_type = ContentTypeOf(name);
    file.etag = QuotedHash(*body);
    file.immutable = url.starts_with(std::string(kConsoleMount) + "/assets/");
    file.body = std::move(*body);
    site.files_.emplace(std::move(url), std::move(file));
  }
  if (error) {
    return Error::InvalidInput("console_directory",
                               "cannot list " + directory.string() + ": " + error.message());
  }
  if (!site.files_.contains(std::string(kConsoleMount) + "/index.html")) {
    return Error::InvalidInput("console_directory",
                               "the console folder " + directory.string() +
                                   " holds no index.html; build the console first");
  }
  return site;
}

const SiteFile* ConsoleSite::Find(std::string_view path) const {
  auto found =
      path.ends_with('/') ? files_.find(std::string(path) + "index.html") : files_.find(path);
  return found == files_.end() ? nullptr : &found->second;
}

http::Response ConsoleSite::Serve(const http::Request& request) const {
  const SiteFile* file = Find(request.path);
  if (file == nullptr) {
    return http::Response::Problem(404, "not_found", "no console file at " + request.path);
  }
  http::Response response;
  if (request.Header("if-none-match") == file->etag) {
    response.status = 304;
  } else {
    response = http::Response::Text(200, file->body, file->content_type);
  }
  response.SetHeader("ETag", file->etag);
  // Pages are checked on every load so that a new build shows at once; they name the hashed
  // assets, which never change under the same name.
  response.SetHeader("Cache-Control",
                     file->immutable ? "public, max-age=31536000, immutable" : "no-cache");
  SetSiteHeaders(response);
  return response;
}

std::vector<std::string> ConsoleSite::IndexFolders() const {
  std::vector<std::string> folders;
  constexpr std::string_view kIndex = "/index.html";
  for (const auto& [url, file] : files_) {
    if (url.ends_with(kIndex)) folders.push_back(url.substr(0, url.size() - kIndex.size()));
  }
  return folders;
}

void AddConsoleRoutes(http::Router& router, const ConsoleSite& site, RequestCounters& counters) {
  const std::string route(kConsoleMount);
  auto serve = [&site, &counters, route](const http::Request& request) {
    http::Response response = site.Serve(request);
    counters.Count(route, response.status);
    return response;
  };
  for (const auto& [url, file] : site.files()) router.Add("GET", url, serve);
  for (const std::string& folder : site.IndexFolders()) {
    router.Add("GET", folder + "/", serve);
    router.Add("GET", folder, [folder, &counters, route](const http::Request&) {
      counters.Count(route, 301);
      return Redirect(301, folder + "/");
    });
  }

  std::string landing = site.Find(std::string(kPublicCheckFolder) + "/") != nullptr
                            ? std::string(kPublicCheckFolder) + "/"
                            : route + "/";
  // Not permanent, so that browsers do not remember it past a change of the site.
  router.Add("GET", "/", [landing, &counters](const http::Request&) {
    counters.Count("/", 302);
    return Redirect(302, landing);
  });
}

}  // namespace imeiguard
