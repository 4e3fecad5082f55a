#include "locking/blocklist_file.h"

#include <charconv>
#include <chrono>
#include <cstdio>

namespace imeiguard {
namespace {

// Splits one CSV record that starts at `at`. Returns false when the text ends before the record's
// "\n" (outside quotes), which is an incomplete last line. Sets `error` for a quote in the middle
// of an unquoted field or text after a closing quote.
bool ReadRecord(std::string_view text, std::size_t& at, std::vector<std::string>& fields,
                std::string& error) {
  fields.assign(1, std::string());
  bool quoted = false;
  bool field_start = true;
  bool after_quote = false;
  for (std::size_t i = at; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c != '"') {
        fields.back().push_back(c);
      } else if (i + 1 < text.size() && text[i + 1] == '"') {
        fields.back().push_back('"');
        ++i;
      } else {
        quoted = false;
        after_quote = true;
      }
      continue;
    }
    if (c == '\n') {
      if (!fields.back().empty() && fields.back().back() == '\r' && !after_quote) {
        fields.back().pop_back();
      }
      at = i + 1;
      return true;
    }
    if (c == ',') {
      fields.emplace_back();
      field_start = true;
      after_quote = false;
      continue;
    }
    if (c == '"' && field_start) {
      quoted = true;
      field_start = false;
      continue;
    }
    if (after_quote && c != '\r') {
      if (error.empty()) error = "text after a closing quote";
    } else if (c == '"' && error.empty()) {
      error = "a quote inside an unquoted field";
    }
    field_start = false;
    fields.back().push_back(c);
  }
  return false;
}

Result<std::int64_t> ParseInteger(std::string_view text) {
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty() || value < 0) {
    return Error::InvalidInput("number", "not a non-negative whole number");
  }
  return value;
}

Result<Timestamp> ParseReportingDate(std::string_view text) {
  if (text.size() != 8) return Error::InvalidInput("date", "not a date YYYYMMDD");
  std::string iso = std::string(text.substr(0, 4)) + "-" + std::string(text.substr(4, 2)) + "-" +
                    std::string(text.substr(6, 2));
  auto days = ParseIsoDate(iso);
  if (!days.ok()) return days.error();
  return Timestamp(std::chrono::time_point_cast<Duration>(*days));
}

// Reads the fields of one data row into `row`; returns the name of the invalid column, or "".
std::string ReadRow(const std::vector<std::string>& fields, BlocklistFileKind kind,
                    BlocklistRow& row) {
  auto imei = Imei::Parse(fields[0], ImeiChannel::kHuman);
  if (!imei.ok()) return "imei";
  row.imei = *imei;
  auto reported = ParseReportingDate(fields[1]);
  if (!reported.ok()) return "reporting_date";
  row.reported_at = *reported;

  if (kind == BlocklistFileKind::kFull) {
    if (fields[2] != kBlockedStatus) return "status";
    row.action = LockAction::kLock;
    row.reason = fields[3];
    return "";
  }
  if (fields[3] == "add" && fields[2] == kBlockedStatus) {
    row.action = LockAction::kLock;
  } else if (fields[3] == "remove" && fields[2] == kUnblockedStatus) {
    row.action = LockAction::kUnlock;
  } else {
    return fields[3] == "add" || fields[3] == "remove" ? "status" : "change_type";
  }
  row.reason = fields[4];
  auto changed = ParseRfc3339(fields[5]);
  if (!changed.ok()) return "changed_at";
  row.changed_at = *changed;
  auto order_id = ParseInteger(fields[6]);
  if (!order_id.ok()) return "order_id";
  row.order_id = *order_id;
  return "";
}

Error InvalidLine(std::string_view origin, int line, std::string_view what) {
  return Error::InvalidInput("blocklist_file", std::string(origin) + ":" + std::to_string(line) +
                                                   ": " + std::string(what));
}

}  // namespace

std::vector<BlocklistRow> RowsOfOrder(const LockOrder& order, Timestamp changed_at) {
  std::vector<BlocklistRow> rows;
  BlocklistRow row;
  row.imei = order.imei;
  row.action = order.action;
  row.reason = order.reason;
  row.reported_at = order.created_at;
  row.changed_at = changed_at;
  row.order_id = order.order_id;
  rows.push_back(row);
  if (order.imei2 && *order.imei2 != order.imei) {
    row.imei = *order.imei2;
    rows.push_back(row);
  }
  return rows;
}

std::string CsvField(std::string_view field) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(field);
  std::string quoted = "\"";
  for (char c : field) {
    if (c == '"') quoted.push_back('"');
    quoted.push_back(c);
  }
  quoted.push_back('"');
  return quoted;
}

std::string ReportingDate(Timestamp t) {
  std::chrono::year_month_day date(std::chrono::floor<std::chrono::days>(t));
  char text[16];
  std::snprintf(text, sizeof text, "%04d%02u%02u", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
  return text;
}

std::string FormatFullRow(const BlocklistRow& row) {
  return row.imei.WithCheckDigit() + "," + ReportingDate(row.reported_at) + "," +
         std::string(kBlockedStatus) + "," + CsvField(row.reason) + "\n";
}

std::string FormatDeltaRow(const BlocklistRow& row) {
  bool lock = row.action == LockAction::kLock;
  return row.imei.WithCheckDigit() + "," + ReportingDate(row.reported_at) + "," +
         std::string(lock ? kBlockedStatus : kUnblockedStatus) + "," + (lock ? "add" : "remove") +
         "," + CsvField(row.reason) + "," + FormatRfc3339(row.changed_at) + "," +
         std::to_string(row.order_id) + "\n";
}

Result<ParsedBlocklistFile> ParseBlocklistFile(std::string_view text, std::string_view origin) {
  ParsedBlocklistFile parsed;
  std::size_t at = 0;
  std::vector<std::string> fields;
  std::string error;
  if (!ReadRecord(text, at, fields, error)) {
    return InvalidLine(origin, 1, "the header line is incomplete");
  }
  std::string header;
  for (const std::string& field : fields) header += (header.empty() ? "" : ",") + field;
  if (header == kBlocklistFullHeader) {
    parsed.kind = BlocklistFileKind::kFull;
  } else if (header == kBlocklistDeltaHeader) {
    parsed.kind = BlocklistFileKind::kDelta;
  } else {
    return InvalidLine(origin, 1,
                       "unknown header; expected \"" + std::string(kBlocklistFullHeader) +
                           "\" or \"" + std::string(kBlocklistDeltaHeader) + "\"");
  }
  std::size_t columns = parsed.kind == BlocklistFileKind::kFull ? 4 : 7;
  parsed.complete_bytes = at;

  int line = 2;
  while (at < text.size()) {
    error.clear();
    std::size_t start = at;
    if (!ReadRecord(text, at, fields, error)) break;
    if (!error.empty()) return InvalidLine(origin, line, error);
    if (fields.size() != columns) {
      return InvalidLine(
          origin, line,
          "has " + std::to_string(fields.size()) + " fields, expected " + std::to_string(columns));
    }
    BlocklistRow row;
    std::string invalid = ReadRow(fields, parsed.kind, row);
    if (!invalid.empty()) {
      return InvalidLine(origin, line, "invalid value in column " + invalid);
    }
    parsed.rows.push_back(std::move(row));
    parsed.complete_bytes = at;
    for (std::size_t i = start; i < at; ++i) line += text[i] == '\n' ? 1 : 0;
  }
  return parsed;
}

}  // namespace imeiguard
