#include "api/console_site.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

namespace imeiguard {
namespace {

namespace fs = std::filesystem;

// A built console in a temporary folder, with a secret next to it that no request may reach.
class ConsoleSiteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("imeiguard-console-site-" + std::to_string(::getpid()) +
                                         "-" + std::to_string(++counter_));
    fs::remove_all(root_);
    Write("site/index.html", "<!doctype html><title>console</title>");
    Write("site/check/index.html", "<!doctype html><title>check</title>");
    Write("site/assets/index-1a2b3c.js", "console.log(1)");
    Write("site/assets/index-1a2b3c.css", "body{}");
    Write("site/.hidden/key.txt", "hidden content");
    Write("secret.txt", "outside the site");
    fs::create_symlink(root_ / "secret.txt", root_ / "site" / "linked.txt");
    auto site = ConsoleSite::Load(root_ / "site");
    ASSERT_TRUE(site.ok()) << site.error().message;
    site_ = std::move(*site);
    AddConsoleRoutes(router_, site_, counters_);
  }
  void TearDown() override { fs::remove_all(root_); }

  void Write(const std::string& relative, std::string_view text) {
    fs::path file = root_ / relative;
    fs::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary) << text;
  }

  // Sends a GET of `target` through the router, as the server would after parsing it.
  http::Response Get(std::string target, std::string if_none_match = "") {
    http::Request request;
    request.method = "GET";
    request.target = std::move(target);
    if (!http::ParseTarget(request).ok()) return http::Response::Problem(400, "target", "");
    if (!if_none_match.empty()) request.headers.emplace_back("if-none-match", if_none_match);
    return router_.Dispatch(request);
  }

  static std::string Header(const http::Response& response, std::string_view name) {
    for (const auto& [key, value] : response.headers) {
      if (key == name) return value;
    }
    return "";
  }

  static inline int counter_ = 0;
  fs::path root_;
  ConsoleSite site_;
  http::Router router_;
  RequestCounters counters_;
};

TEST_F(ConsoleSiteTest, ServesIndexAtFolderPath) {
  http::Response response = Get("/console/");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "<!doctype html><title>console</title>");
  EXPECT_EQ(Header(response, "Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(Header(response, "Cache-Control"), "no-cache");
}

TEST_F(ConsoleSiteTest, SendsStrictContentSecurityPolicy) {
  http::Response response = Get("/console/");
  std::string policy = Header(response, "Content-Security-Policy");
  EXPECT_NE(policy.find("default-src 'self'"), std::string::npos);
  EXPECT_NE(policy.find("script-src 'self';"), std::string::npos);
  EXPECT_EQ(policy.find("unsafe-inline"), std::string::npos);
  EXPECT_EQ(Header(response, "X-Content-Type-Options"), "nosniff");
}

TEST_F(ConsoleSiteTest, HashedAssetsAreImmutable) {
  http::Response script = Get("/console/assets/index-1a2b3c.js");
  EXPECT_EQ(script.status, 200);
  EXPECT_EQ(Header(script, "Content-Type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(Header(script, "Cache-Control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(Header(Get("/console/assets/index-1a2b3c.css"), "Content-Type"),
            "text/css; charset=utf-8");
}

TEST_F(ConsoleSiteTest, MatchingEtagGetsNotModified) {
  std::string etag = Header(Get("/console/assets/index-1a2b3c.js"), "ETag");
  ASSERT_FALSE(etag.empty());
  http::Response again = Get("/console/assets/index-1a2b3c.js", etag);
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());
  EXPECT_EQ(Get("/console/assets/index-1a2b3c.js", "\"other\"").status, 200);
}

TEST_F(ConsoleSiteTest, FolderWithoutSlashRedirects) {
  http::Response response = Get("/console/check");
  EXPECT_EQ(response.status, 301);
  EXPECT_EQ(Header(response, "Location"), "/console/check/");
  EXPECT_EQ(Get("/console/check/").status, 200);
}

TEST_F(ConsoleSiteTest, RootRedirectsToPublicCheck) {
  http::Response response = Get("/");
  EXPECT_EQ(response.status, 302);
  EXPECT_EQ(Header(response, "Location"), "/console/check/");
}

TEST_F(ConsoleSiteTest, TraversalReachesNothingOutside) {
  for (std::string target :
       {"/console/../secret.txt", "/console/..%2fsecret.txt", "/console/%2e%2e/secret.txt",
        "/console/assets/..%2f..%2fsecret.txt", "/console/linked.txt", "/console/.hidden/key.txt",
        "/console//index.html", "/console/./index.html", "/console/%2e/index.html"}) {
    http::Response response = Get(target);
    EXPECT_EQ(response.status, 404) << target;
    EXPECT_EQ(response.body.find("outside the site"), std::string::npos) << target;
    EXPECT_EQ(response.body.find("hidden content"), std::string::npos) << target;
  }
}

TEST_F(ConsoleSiteTest, SkipsLinksAndHiddenFiles) {
  EXPECT_EQ(site_.Find("/console/linked.txt"), nullptr);
  EXPECT_EQ(site_.Find("/console/.hidden/key.txt"), nullptr);
  EXPECT_EQ(site_.file_count(), 4u);
}

TEST(ConsoleSiteLoad, MissingFolderIsNotFound) {
  auto site = ConsoleSite::Load("/nonexistent/imeiguard-console");
  ASSERT_FALSE(site.ok());
  EXPECT_EQ(site.error().kind, ErrorKind::kNotFound);
  EXPECT_EQ(site.error().message,
            "the console folder /nonexistent/imeiguard-console does not exist");
}

TEST(ConsoleSiteLoad, FolderWithoutIndexIsInvalid) {
  fs::path empty =
      fs::temp_directory_path() / ("imeiguard-console-empty-" + std::to_string(::getpid()));
  fs::create_directories(empty);
  auto site = ConsoleSite::Load(empty);
  fs::remove_all(empty);
  ASSERT_FALSE(site.ok());
  EXPECT_EQ(site.error().kind, ErrorKind::kInvalidInput);
  EXPECT_NE(site.error().message.find("holds no index.html"), std::string::npos);
}

TEST(ContentType, UnknownExtensionIsOctetStream) {
  EXPECT_EQ(ContentTypeOf("blob.xyz"), "application/octet-stream");
  EXPECT_EQ(ContentTypeOf("README"), "application/octet-stream");
  EXPECT_EQ(ContentTypeOf("logo.svg"), "image/svg+xml");
}

}  // namespace
}  // namespace imeiguard
