#include "scoring/score_input.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <map>
#include <unordered_set>

#include "registry/csv_reader.h"

namespace imeiguard::scoring {
namespace {

// The replay report's lock states, as the engine names them.
constexpr std::array<std::string_view, 6> kLockStates = {
    "watched", "greylisted", "lock_pending", "locked", "unlock_pending", "released"};
constexpr std::array<std::string_view, 4> kOutcomes = {"delivered", "returned", "stolen",
                                                       "in_flow"};

// A CSV file read row by row, with each required column found by name in its header.
class CsvTable {
 public:
  CsvTable(std::string_view text, std::string_view origin) : reader_(text, ','), origin_(origin) {}

  // Reads the header and locates `columns`; returns kInvalidInput naming a missing one.
  Status ReadHeader(const std::vector<std::string_view>& columns) {
    CsvRecord header;
    if (!reader_.Next(header)) return Fail(1, "", "is empty; expected a header row");
    if (!header.fields.empty() && header.fields[0].starts_with("\xEF\xBB\xBF")) {
      header.fields[0].erase(0, 3);
    }
    for (std::string_view column : columns) {
      auto found = std::find(header.fields.begin(), header.fields.end(), column);
      if (found == header.fields.end()) {
        return Fail(header.line, column, "has no column '" + std::string(column) + "'");
      }
      index_[std::string(column)] = static_cast<std::size_t>(found - header.fields.begin());
    }
    return Status::Ok();
  }

  // Reads the next non-blank record; false at the end of the text.
  bool Next() {
    while (reader_.Next(record_)) {
      if (!IsBlankRecord(record_)) return true;
    }
    return false;
  }

  int line() const { return record_.line; }

  // The current record's field of a column located by ReadHeader; empty when the row is short.
  std::string_view Field(std::string_view column) const {
    const std::size_t index = index_.at(std::string(column));
    return index < record_.fields.size() ? std::string_view(record_.fields[index]) : "";
  }

  Error Fail(int line, std::string_view column, std::string_view problem) const {
    std::string message = std::string(origin_) + ":" + std::to_string(line) + ": ";
    if (!column.empty()) message += "column " + std::string(column) + ": ";
    return Error::InvalidInput(column.empty() ? "file" : std::string(column),
                               message + std::string(problem));
  }

  // The field of `column`, or kInvalidInput when it is empty.
  Result<std::string> Required(std::string_view column) const {
    std::string_view value = Field(column);
    if (value.empty()) return Fail(line(), column, "is empty");
    return std::string(value);
  }

  Result<std::optional<Timestamp>> OptionalTime(std::string_view column) const {
    std::string_view value = Field(column);
    if (value.empty()) return std::optional<Timestamp>();
    auto parsed = ParseRfc3339(value);
    if (!parsed.ok()) {
      return Fail(line(), column, "'" + std::string(value) + "' is not an RFC 3339 time");
    }
    return std::optional<Timestamp>(*parsed);
  }

  const std::string& quoting_error() const { return record_.quoting_error; }

 private:
  CsvReader reader_;
  std::string_view origin_;
  CsvRecord record_;
  std::map<std::string, std::size_t, std::less<>> index_;
};

template <std::size_t N>
bool IsOneOf(std::string_view value, const std::array<std::string_view, N>& names) {
  return std::find(names.begin(), names.end(), value) != names.end();
}

Result<DeviceLabel> ReadLabel(const CsvTable& table) {
  DeviceLabel label;
  auto imei = table.Required("imei");
  if (!imei.ok()) return imei.error();
  label.imei = std::move(*imei);
  auto scenario = table.Required("scenario");
  if (!scenario.ok()) return scenario.error();
  label.scenario = std::move(*scenario);

  const std::string_view stolen = table.Field("stolen");
  if (stolen != "0" && stolen != "1") {
    return table.Fail(table.line(), "stolen", "must be 0 or 1, not '" + std::string(stolen) + "'");
  }
  label.stolen = stolen == "1";
  label.outcome = std::string(table.Field("outcome"));
  if (!IsOneOf(label.outcome, kOutcomes)) {
    return table.Fail(table.line(), "outcome",
                      "'" + label.outcome + "' is not delivered, returned, stolen or in_flow");
  }

  auto theft_time = table.OptionalTime("theft_time");
  if (!theft_time.ok()) return theft_time.error();
  label.theft_time = *theft_time;
  if (label.stolen && !label.theft_time) {
    return table.Fail(table.line(), "theft_time", "is empty for a stolen phone");
  }
  auto delivered_time = table.OptionalTime("delivered_time");
  if (!delivered_time.ok()) return delivered_time.error();
  label.delivered_time = *delivered_time;
  auto closed_received = table.OptionalTime("closed_received");
  if (!closed_received.ok()) return closed_received.error();
  label.closed_received = *closed_received;
  return label;
}

Result<ReportRow> ReadReportRow(const CsvTable& table) {
  ReportRow row;
  auto imei = table.Required("imei");
  if (!imei.ok()) return imei.error();
  row.imei = std::move(*imei);
  row.verdict = std::string(table.Field("verdict"));
  row.state = std::string(table.Field("state"));
  if (!IsOneOf(row.state, kLockStates)) {
    return table.Fail(table.line(), "state", "'" + row.state + "' is not a lock state");
  }

  auto first_locked_at = table.OptionalTime("first_locked_at");
  if (!first_locked_at.ok()) return first_locked_at.error();
  row.first_locked_at = *first_locked_at;

  const std::string_view seconds = table.Field("locked_seconds");
  const char* end = seconds.data() + seconds.size();
  auto [parsed_end, error] = std::from_chars(seconds.data(), end, row.locked_seconds);
  if (seconds.empty() || error != std::errc() || parsed_end != end || row.locked_seconds < 0) {
    return table.Fail(table.line(), "locked_seconds",
                      "'" + std::string(seconds) + "' is not a whole number of seconds");
  }
  return row;
}

// Reads every row of a CSV file with `read_row`, rejecting bad quoting and repeated IMEIs.
template <typename Row, typename ReadRow>
Result<std::vector<Row>> ReadRows(std::string_view text, std::string_view origin,
                                  const std::vector<std::string_view>& columns, ReadRow read_row) {
  CsvTable table(text, origin);
  if (Status header = table.ReadHeader(columns); !header.ok()) return header.error();
  std::vector<Row> rows;
  std::unordered_set<std::string> imeis;
  while (table.Next()) {
    if (!table.quoting_error().empty()) {
      return table.Fail(table.line(), "", table.quoting_error());
    }
    auto row = read_row(table);
    if (!row.ok()) return row.error();
    if (!imeis.insert(row->imei).second) {
      return table.Fail(table.line(), "imei", "IMEI " + row->imei + " appears twice");
    }
    rows.push_back(std::move(*row));
  }
  return rows;
}

}  // namespace

Result<std::vector<DeviceLabel>> ParseLabelsCsv(std::string_view text, std::string_view origin) {
  return ReadRows<DeviceLabel>(
      text, origin,
      {"imei", "scenario", "stolen", "theft_time", "delivered_time", "closed_received", "outcome"},
      ReadLabel);
}

Result<std::vector<ReportRow>> ParseReportCsv(std::string_view text, std::string_view origin) {
  return ReadRows<ReportRow>(text, origin,
                             {"imei", "verdict", "state", "first_locked_at", "locked_seconds"},
                             ReadReportRow);
}

}  // namespace imeiguard::scoring
