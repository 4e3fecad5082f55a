// Splits CSV text into records as RFC 4180 describes, as spreadsheets export it.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace imeiguard {

struct CsvRecord {
  int line = 0;  // 1-based line on which the record starts
  std::vector<std::string> fields;
  // Empty, or a sentence on malformed quoting in this record. The fields are then still filled as
  // far as they could be read.
  std::string quoting_error;
};

// Reads records one by one from `text`, which it does not own. Fields may be quoted with '"',
// and a quoted field may contain the separator, line breaks and doubled quotes. A record ends at
// LF, CRLF or a lone CR outside quotes. Line numbers count every such break, inside quotes too, so
// a record that spans lines does not shift the numbers of the records after it.
class CsvReader {
 public:
  CsvReader(std::string_view text, char separator, int first_line = 1)
      : text_(text), separator_(separator), line_(first_line) {}

  // Reads the next record into `record`, reusing its storage. Returns false at the end of the
  // text, with `record` unchanged.
  bool Next(CsvRecord& record);

 private:
  // Reads one field starting at position_ and appends it to `record`.
  void ReadField(CsvRecord& record);
  void ReadQuotedField(CsvRecord& record, std::string& field);
  // Moves past a line break at position_, if there is one, and counts it.
  bool SkipLineBreak();

  std::string_view text_;
  char separator_;
  int line_;
  std::size_t position_ = 0;
};

// True when every field of `record` is empty, as for a blank line or a spreadsheet's ",,,,," row.
bool IsBlankRecord(const CsvRecord& record);

}  // namespace imeiguard
