// The web console's static files: read once from the folder that the front-end build wrote, and
// served under /console/ with content types, caching headers and a strict Content-Security-Policy.
#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>

#include "api/routes.h"
#include "core/error.h"
#include "net/http.h"

namespace imeiguard {

// The URL path under which the console's files are served.
inline constexpr std::string_view kConsoleMount = "/console";

// The policy sent with every console file: scripts, styles, images and API calls from this server
// only, no inline script or style, no plugins, and no framing by other sites.
inline constexpr std::string_view kConsoleContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'";

// One file as the server sends it.
struct SiteFile {
  std::string body;
  std::string content_type;
  std::string etag;  // A quoted hash of the body.
  // True for the build's content-hashed files under assets/, whose name changes with their
  // content, so browsers may keep them for a year without asking again.
  bool immutable = false;
};

// The files of a built site, keyed by URL path ("/console/assets/index-1a2b3c.js"). Requests are
// answered only for paths that are keys of this map, never by opening a path built from the
// request, so no request can reach a file outside the folder. Immutable after Load, so Find and
// Serve may be called from several threads.
class ConsoleSite {
 public:
  // The most bytes of all files together; a folder with more is rejected, because it would be
  // held in memory and is most likely the wrong folder.
  static constexpr std::size_t kMaxTotalBytes = 64u << 20;

  // Reads every regular file under `directory`. Skips symbolic links, hidden entries (a name that
  // starts with '.') and names with characters other than letters, digits, '.', '_' and '-'.
  // Returns kNotFound (reason "console_directory") when `directory` is not a folder, and
  // kInvalidInput (reason "console_directory") when it holds no index.html, a file cannot be
  // read, or the files exceed kMaxTotalBytes; each message names the folder or file.
  static Result<ConsoleSite> Load(const std::filesystem::path& directory);

  // The file served at `path`: a file's own path, or a folder's path with a trailing '/' for its
  // index.html. Null when there is none.
  const SiteFile* Find(std::string_view path) const;

  // The response for a GET of `request.path`: 200 with the file, 304 when If-None-Match names
  // its ETag, or 404 problem details.
  http::Response Serve(const http::Request& request) const;

  // The folders (URL paths without a trailing '/', such as "/console/check") that hold an
  // index.html.
  std::vector<std::string> IndexFolders() const;
  std::size_t file_count() const { return files_.size(); }
  const std::map<std::string, SiteFile, std::less<>>& files() const { return files_; }

 private:
  std::map<std::string, SiteFile, std::less<>> files_;
};

// The Content-Type of a file name by its extension, with a charset for text; unknown extensions
// get application/octet-stream.
std::string ContentTypeOf(std::string_view file_name);

// Adds a GET route for every file of `site` and for every folder with an index.html (with a
// trailing '/'; without one it redirects there), and redirects "/" to the public check page.
// `site` and `counters` must outlive the router.
void AddConsoleRoutes(http::Router& router, const ConsoleSite& site, RequestCounters& counters);

}  // namespace imeiguard
