// Every example document of the GS1 EPCIS 2.0 JSON-LD examples is read by the capture parser.
//
// All of them are valid EPCIS 2.0, so the capture interface must accept every event: the EPCIS
// capture interface stores any valid event, whether or not the application reads it. Event types
// and business steps that the product does not follow (TransformationEvent, AssociationEvent,
// "commissioning", products by SGTIN) are accepted, kept for queries and give no scan.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "epcis/epcis_document.h"
#include "epcis/scan_mapping.h"

namespace imeiguard::epcis {
namespace {

namespace fs = std::filesystem;

// An unchanged copy of GS1's published EPCIS 2.0 JSON-LD examples (with GS1's LICENSE).
fs::path ExamplesDirectory() {
  return fs::path(IMEIGUARD_SOURCE_DIR) / "tests" / "epcis" / "gs1-examples";
}

std::vector<std::string> ExampleFiles() {
  std::vector<std::string> files;
  fs::path root = ExamplesDirectory();
  if (!fs::exists(root)) return files;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (entry.is_regular_file() && entry.path().extension() == ".jsonld") {
      files.push_back(fs::relative(entry.path(), root).string());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string ReadFile(const fs::path& path) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

class GsExampleTest : public ::testing::TestWithParam<std::string> {};

TEST_P(GsExampleTest, EveryEventAccepted) {
  std::string text = ReadFile(ExamplesDirectory() / GetParam());
  auto document = ParseDocument(text, DocumentLimits{});
  ASSERT_TRUE(document.ok()) << document.error().message;
  for (const EventError& error : document->errors) {
    ADD_FAILURE() << "event " << error.index << " " << error.field << ": " << error.message;
  }
  EXPECT_GT(document->event_count, 0);
  EXPECT_EQ(document->events.size(), static_cast<std::size_t>(document->event_count));
}

// The examples whose events name an SSCC parcel with a business step that maps to a scan: each
// receives the pallet 106141412345678908 ("receiving" is a delivery). The full-field example
// declares that event in error, so it withdraws the delivery instead of giving it.
struct ExpectedScans {
  std::size_t scans = 0;
  std::size_t withdrawals = 0;
};

ExpectedScans ExpectedFor(const std::string& file) {
  if (file == "Example_9.6.3-AggregationEvent.jsonld" ||
      file == "WithDigitalLinkID/Example_9.6.3-AggregationEventWithDigitalLink.jsonld") {
    return {1, 0};
  }
  if (file == "WithFullCombinationOfFields/aggregation_event_all_possible_fields.jsonld") {
    return {0, 1};
  }
  return {0, 0};
}

TEST_P(GsExampleTest, ScansOnlyForParcels) {
  auto document = ParseDocument(ReadFile(ExamplesDirectory() / GetParam()), DocumentLimits{});
  ASSERT_TRUE(document.ok()) << document.error().message;
  Mapped mapped;
  for (const Event& event : document->events) MapEvent(event, MappingRules{}, Timestamp{}, mapped);
  ExpectedScans expected = ExpectedFor(GetParam());
  EXPECT_EQ(mapped.scans.size(), expected.scans);
  EXPECT_EQ(mapped.withdrawals.size(), expected.withdrawals);
  for (const ScanEvent& scan : mapped.scans) {
    EXPECT_EQ(scan.parcel_id, "106141412345678908");
    EXPECT_EQ(scan.type, ScanType::kDelivered);
  }
}

// Names each case after its file, with the characters GoogleTest does not take replaced.
std::string CaseName(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = info.param;
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(Examples, GsExampleTest, ::testing::ValuesIn(ExampleFiles()), CaseName);

TEST(GsExamples, DirectoryHasExamples) { EXPECT_GE(ExampleFiles().size(), 40u); }

// The copy must stay equal to the reference set of the project's workplace, where there is one.
TEST(GsExamples, CopyMatchesReferenceSet) {
  fs::path reference = fs::path(IMEIGUARD_SOURCE_DIR) / "../shared/data/epcis-gs1/JSON";
  if (!fs::exists(reference)) GTEST_SKIP() << "no reference set at " << reference;
  for (const auto& entry : fs::recursive_directory_iterator(reference)) {
    if (!entry.is_regular_file()) continue;
    fs::path copy = ExamplesDirectory() / fs::relative(entry.path(), reference);
    EXPECT_EQ(ReadFile(copy), ReadFile(entry.path())) << "copy " << entry.path() << " to " << copy;
  }
}

}  // namespace
}  // namespace imeiguard::epcis
