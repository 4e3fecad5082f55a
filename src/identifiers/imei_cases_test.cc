// Runs every case of testdata/imei.tsv, a copy of the field cases that the project must pass.
// Columns: input exactly as received, channel, expected 14-digit core or reject:<reason>, why.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "identifiers/imei.h"

namespace imeiguard {
namespace {

struct ImeiCase {
  int line = 0;
  std::size_t column_count = 0;
  std::string input;
  std::string channel;
  std::string expected;
  std::string why;
};

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

std::vector<std::string> SplitTabs(const std::string& line) {
  std::vector<std::string> columns;
  std::size_t start = 0;
  while (true) {
    std::size_t tab = line.find('\t', start);
    columns.push_back(line.substr(start, tab - start));
    if (tab == std::string::npos) break;
    start = tab + 1;
  }
  return columns;
}

std::vector<ImeiCase> ReadCases(const std::filesystem::path& path) {
  std::vector<ImeiCase> cases;
  std::istringstream lines(ReadFile(path));
  std::string line;
  int number = 0;
  while (std::getline(lines, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> columns = SplitTabs(line);
    std::size_t column_count = columns.size();
    columns.resize(4);
    cases.push_back({number, column_count, columns[0], columns[1], columns[2], columns[3]});
  }
  return cases;
}

const std::filesystem::path kCasesPath =
    std::filesystem::path(IMEIGUARD_SOURCE_DIR) / "src/identifiers/testdata/imei.tsv";

// Each row is its own test, named after its line in imei.tsv.
class ImeiCaseTest : public ::testing::TestWithParam<ImeiCase> {};

TEST_P(ImeiCaseTest, Holds) {
  const ImeiCase& c = GetParam();
  SCOPED_TRACE("imei.tsv line " + std::to_string(c.line) + ": '" + c.input + "' (" + c.why + ")");
  ASSERT_EQ(c.column_count, 4u);
  ASSERT_TRUE(c.channel == "human" || c.channel == "network") << c.channel;
  ImeiChannel channel = c.channel == "human" ? ImeiChannel::kHuman : ImeiChannel::kNetwork;
  Result<Imei> imei = Imei::Parse(c.input, channel);

  if (c.expected.rfind("reject:", 0) == 0) {
    ASSERT_FALSE(imei.ok()) << "accepted as " << imei->Core();
    EXPECT_EQ(imei.error().kind, ErrorKind::kInvalidInput);
    EXPECT_EQ(imei.error().reason, c.expected.substr(7)) << imei.error().message;
    EXPECT_FALSE(imei.error().message.empty());
  } else {
    ASSERT_TRUE(imei.ok()) << imei.error().reason << ": " << imei.error().message;
    EXPECT_EQ(imei->Core(), c.expected);
  }
}

INSTANTIATE_TEST_SUITE_P(ImeiTsv, ImeiCaseTest, ::testing::ValuesIn(ReadCases(kCasesPath)),
                         [](const ::testing::TestParamInfo<ImeiCase>& info) {
                           return "line" + std::to_string(info.param.line);
                         });

TEST(ImeiCases, FileRead) { EXPECT_GE(ReadCases(kCasesPath).size(), 30u) << kCasesPath; }

// The copy must not drift from the cases kept beside the repository, when they are there.
TEST(ImeiCases, CopyMatchesSharedCases) {
  std::filesystem::path shared =
      std::filesystem::path(IMEIGUARD_SOURCE_DIR) / "../shared/cases/imei.tsv";
  if (!std::filesystem::exists(shared)) GTEST_SKIP() << "no " << shared;
  EXPECT_EQ(ReadFile(kCasesPath), ReadFile(shared))
      << "copy " << shared << " to src/identifiers/testdata/imei.tsv";
}

}  // namespace
}  // namespace imeiguard
