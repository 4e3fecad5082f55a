#include "registry/csv_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

namespace imeiguard {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<CsvRecord> ReadAll(std::string_view text, char separator = ',') {
  CsvReader reader(text, separator);
  std::vector<CsvRecord> records;
  CsvRecord record;
  while (reader.Next(record)) records.push_back(record);
  return records;
}

TEST(CsvReader, SplitsFieldsAndRecords) {
  std::vector<CsvRecord> records = ReadAll("a,b,c\n1,2,3\n");
  ASSERT_EQ(records.size(), 2u);
  EXPECT_THAT(records[0].fields, ElementsAre("a", "b", "c"));
  EXPECT_THAT(records[1].fields, ElementsAre("1", "2", "3"));
  EXPECT_EQ(records[1].line, 2);
}

TEST(CsvReader, LastRecordWithoutLineBreak) {
  std::vector<CsvRecord> records = ReadAll("a,b\n1,2");
  ASSERT_EQ(records.size(), 2u);
  EXPECT_THAT(records[1].fields, ElementsAre("1", "2"));
}

TEST(CsvReader, EmptyTextHasNoRecord) { EXPECT_TRUE(ReadAll("").empty()); }

TEST(CsvReader, CrlfAndLoneCrEndRecords) {
  std::vector<CsvRecord> records = ReadAll("a\r\nb\rc\n");
  ASSERT_EQ(records.size(), 3u);
  EXPECT_THAT(records[1].fields, ElementsAre("b"));
  EXPECT_EQ(records[2].line, 3);
}

TEST(CsvReader, SemicolonSeparator) {
  std::vector<CsvRecord> records = ReadAll("a;b,c", ';');
  ASSERT_EQ(records.size(), 1u);
  EXPECT_THAT(records[0].fields, ElementsAre("a", "b,c"));
}

TEST(CsvReader, TrailingSeparatorGivesEmptyField) {
  std::vector<CsvRecord> records = ReadAll("a,\n");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_THAT(records[0].fields, ElementsAre("a", ""));
}

TEST(CsvReader, QuotedSeparatorAndDoubledQuote) {
  std::vector<CsvRecord> records = ReadAll("\"a,b\",\"say \"\"hi\"\"\",\"\"\n");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_THAT(records[0].fields, ElementsAre("a,b", "say \"hi\"", ""));
  EXPECT_TRUE(records[0].quoting_error.empty());
}

TEST(CsvReader, LineBreaksInQuotesCountLines) {
  std::vector<CsvRecord> records = ReadAll("h\n\"one\ntwo\r\nthree\"\nnext\n");
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[1].fields[0], "one\ntwo\r\nthree");
  EXPECT_EQ(records[1].line, 2);
  EXPECT_EQ(records[2].line, 5);
}

TEST(CsvReader, UnterminatedQuoteReported) {
  std::vector<CsvRecord> records = ReadAll("a\n\"open,\nrest\n");
  ASSERT_EQ(records.size(), 2u);
  EXPECT_THAT(records[1].quoting_error, HasSubstr("opened on line 2 is never closed"));
}

TEST(CsvReader, TextAfterClosingQuoteReported) {
  std::vector<CsvRecord> records = ReadAll("\"ab\"c,d\nnext\n");
  ASSERT_EQ(records.size(), 2u);
  EXPECT_THAT(records[0].quoting_error, HasSubstr("text after its closing quote"));
  EXPECT_THAT(records[0].fields, ElementsAre("abc", "d"));
  EXPECT_TRUE(records[1].quoting_error.empty());
}

TEST(CsvReader, QuoteInsideUnquotedFieldKept) {
  std::vector<CsvRecord> records = ReadAll("5\" phone,x\n");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_THAT(records[0].fields, ElementsAre("5\" phone", "x"));
}

TEST(IsBlankRecord, SpacesAndEmptyFields) {
  std::vector<CsvRecord> records = ReadAll("\n,,\n \t, \nx,\n");
  ASSERT_EQ(records.size(), 4u);
  EXPECT_TRUE(IsBlankRecord(records[0]));
  EXPECT_TRUE(IsBlankRecord(records[1]));
  EXPECT_TRUE(IsBlankRecord(records[2]));
  EXPECT_FALSE(IsBlankRecord(records[3]));
}

}  // namespace
}  // namespace imeiguard
