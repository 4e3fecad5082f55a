#include "api/openapi.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <sstream>

namespace imeiguard {
namespace {

TEST(OpenApiDocument, EmbedsTheRepositoryFile) {
  std::ifstream file(std::string(IMEIGUARD_SOURCE_DIR) + "/src/api/openapi.json", std::ios::binary);
  ASSERT_TRUE(file);
  std::ostringstream text;
  text << file.rdbuf();
  EXPECT_EQ(OpenApiDocument(), text.str());
}

TEST(OpenApiDocument, IsOpenApi3) {
  boost::json::value document = boost::json::parse(OpenApiDocument());
  EXPECT_EQ(document.at("openapi").as_string().subview().substr(0, 2), "3.");
}

}  // namespace
}  // namespace imeiguard
