#include "registry/csv_reader.h"

namespace imeiguard {

bool CsvReader::Next(CsvRecord& record) {
  if (position_ >= text_.size()) return false;
  record.line = line_;
  record.fields.clear();
  record.quoting_error.clear();

  while (true) {
    ReadField(record);
    if (position_ < text_.size() && text_[position_] == separator_) {
      ++position_;
      continue;
    }
    // The field ended at a line break or at the end of the text, so the record ends too.
    SkipLineBreak();
    return true;
  }
}

void CsvReader::ReadField(CsvRecord& record) {
  std::string field;
  if (position_ < text_.size() && text_[position_] == '"') {
    ReadQuotedField(record, field);
  }
  // Text outside quotes, either the whole field or what follows a closing quote.
  std::size_t start = position_;
  while (position_ < text_.size()) {
    char c = text_[position_];
    if (c == separator_ || c == '\n' || c == '\r') break;
    ++position_;
  }
  field.append(text_.substr(start, position_ - start));
  record.fields.push_back(std::move(field));
}

void CsvReader::ReadQuotedField(CsvRecord& record, std::string& field) {
  int opening_line = line_;
  ++position_;
  while (true) {
    std::size_t quote = text_.find('"', position_);
    std::size_t end = quote == std::string_view::npos ? text_.size() : quote;
    for (std::size_t i = position_; i < end; ++i) {
      char c = text_[i];
      if (c == '\n' || (c == '\r' && (i + 1 >= text_.size() || text_[i + 1] != '\n'))) ++line_;
    }
    field.append(text_.substr(position_, end - position_));
    if (quote == std::string_view::npos) {
      position_ = text_.size();
      record.quoting_error = "a quoted field opened on line " + std::to_string(opening_line) +
                             " is never closed. Add the missing '\"'.";
      return;
    }
    position_ = quote + 1;
    if (position_ < text_.size() && text_[position_] == '"') {
      field.push_back('"');
      ++position_;
      continue;
    }
    break;
  }

  if (position_ < text_.size()) {
    char next = text_[position_];
    if (next != separator_ && next != '\n' && next != '\r' && record.quoting_error.empty()) {
      record.quoting_error = "a quoted field on line " + std::to_string(opening_line) +
                             " has text after its closing quote. Write a quote inside a quoted "
                             "field as '\"\"'.";
    }
  }
}

bool CsvReader::SkipLineBreak() {
  if (position_ >= text_.size()) return false;
  if (text_[position_] == '\r') {
    ++position_;
    if (position_ < text_.size() && text_[position_] == '\n') ++position_;
  } else if (text_[position_] == '\n') {
    ++position_;
  } else {
    return false;
  }
  ++line_;
  return true;
}

bool IsBlankRecord(const CsvRecord& record) {
  for (const std::string& field : record.fields) {
    for (char c : field) {
      if (c != ' ' && c != '\t') return false;
    }
  }
  return true;
}

}  // namespace imeiguard
