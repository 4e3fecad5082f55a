// ParseManifestCsv: a CSV manifest, one row per device.
#include <array>
#include <exception>

#include "identifiers/text.h"
#include "registry/csv_reader.h"
#include "registry/manifest.h"
#include "registry/manifest_assembler.h"
#include "registry/manifest_fields.h"

namespace imeiguard {
namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";
constexpr int kNoColumn = -1;

struct Header {
  char separator = ',';
  std::array<int, kManifestFieldCount> column_of{};  // index of each field's column, or kNoColumn
  std::vector<std::string> names;                    // every column name, trimmed
  std::string quoting_error;
};

ManifestBatch FileError(std::string column, std::string reason, std::string message) {
  ManifestBatch batch;
  batch.errors.push_back({1, std::move(column), std::move(reason), std::move(message)});
  return batch;
}

// Reads the first record that is not blank, leaving `reader` after it. False when there is none.
bool ReadFirstRecord(CsvReader& reader, CsvRecord& record) {
  while (reader.Next(record)) {
    if (!IsBlankRecord(record)) return true;
  }
  return false;
}

Header HeaderOf(const CsvRecord& record, char separator) {
  Header header;
  header.separator = separator;
  header.column_of.fill(kNoColumn);
  header.quoting_error = record.quoting_error;
  for (std::size_t i = 0; i < record.fields.size(); ++i) {
    header.names.emplace_back(TrimAsciiSpace(record.fields[i]));
  }
  return header;
}

int CountKnownNames(const Header& header) {
  int known = 0;
  for (const std::string& name : header.names) {
    if (ManifestFieldNamed(name).has_value()) ++known;
  }
  return known;
}

// An Excel "sep=;" first line names the separator and is not the header row.
std::optional<char> ExcelSeparatorLine(std::string_view& text) {
  if (text.size() < 5 || text.substr(0, 4) != "sep=") return std::nullopt;
  std::string_view rest = text.substr(5);
  if (!rest.empty() && rest[0] != '\n' && rest[0] != '\r') return std::nullopt;
  char separator = text[4];
  text.remove_prefix(5);
  if (text.substr(0, 2) == "\r\n") {
    text.remove_prefix(2);
  } else if (!text.empty()) {
    text.remove_prefix(1);
  }
  return separator;
}

// Reads the header row and leaves `reader` after it. The separator is the one, ',' or ';', whose
// split of the header row names more manifest columns, or `forced` when an Excel separator line
// gave one. Returns std::nullopt when the text has no record that is not blank.
std::optional<Header> ReadHeader(std::string_view text, int first_line, std::optional<char> forced,
                                 CsvReader& reader) {
  std::array<char, 2> candidates = {',', ';'};
  std::size_t candidate_count = candidates.size();
  if (forced) {
    candidates[0] = *forced;
    candidate_count = 1;
  }

  std::optional<Header> best;
  int best_known = -1;
  for (std::size_t i = 0; i < candidate_count; ++i) {
    CsvReader candidate(text, candidates[i], first_line);
    CsvRecord record;
    if (!ReadFirstRecord(candidate, record)) return std::nullopt;
    Header header = HeaderOf(record, candidates[i]);
    int known = CountKnownNames(header);
    if (known > best_known) {
      best_known = known;
      best = std::move(header);
      reader = candidate;
    }
  }
  return best;
}

std::string RequiredColumnList() {
  std::string list;
  for (std::size_t i = 0; i < kManifestFieldCount; ++i) {
    auto field = static_cast<ManifestField>(i);
    if (!IsRequired(field)) continue;
    if (!list.empty()) list += ",";
    list += ManifestFieldName(field);
  }
  return list;
}

// Maps the manifest fields to columns. Returns the file-level error, if any.
std::optional<RowError> MapColumns(Header& header) {
  for (std::size_t i = 0; i < header.names.size(); ++i) {
    std::optional<ManifestField> field = ManifestFieldNamed(header.names[i]);
    if (!field) continue;
    int& column = header.column_of[static_cast<std::size_t>(*field)];
    if (column != kNoColumn) {
      return RowError{
          1, header.names[i], "duplicate_column",
          "the header row names column '" + header.names[i] + "' twice. Keep one of them."};
    }
    column = static_cast<int>(i);
  }

  std::vector<std::string_view> missing;
  for (std::size_t i = 0; i < kManifestFieldCount; ++i) {
    auto field = static_cast<ManifestField>(i);
    if (IsRequired(field) && header.column_of[i] == kNoColumn) {
      missing.push_back(ManifestFieldName(field));
    }
  }
  if (missing.empty()) return std::nullopt;

  std::string message = "the header row has no column '" + std::string(missing[0]) + "'";
  for (std::size_t i = 1; i < missing.size(); ++i) {
    message += (i + 1 == missing.size() ? " or '" : ", '") + std::string(missing[i]) + "'";
  }
  message += ".";
  for (const std::string& name : header.names) {
    for (std::string_view wanted : missing) {
      if (name != wanted && EqualsIgnoringCase(name, wanted)) {
        message += " Column names are case-sensitive: rename '" + name + "' to '" +
                   std::string(wanted) + "'.";
      }
    }
  }
  message += " The first row must name the columns, for example " + RequiredColumnList() + ".";
  return RowError{1, std::string(missing[0]), "missing_column", std::move(message)};
}

RawFields FieldsOf(const CsvRecord& record, const Header& header) {
  RawFields fields;
  for (std::size_t i = 0; i < kManifestFieldCount; ++i) {
    RawField& raw = fields[i];
    raw.line = record.line;
    raw.column = std::string(ManifestFieldName(static_cast<ManifestField>(i)));
    int column = header.column_of[i];
    if (column == kNoColumn || static_cast<std::size_t>(column) >= record.fields.size()) continue;
    std::string_view text = TrimAsciiSpace(record.fields[static_cast<std::size_t>(column)]);
    if (!text.empty()) raw.text = std::string(text);
  }
  return fields;
}

ManifestBatch ParseUnguarded(std::string_view text, const ManifestOptions& options) {
  if (text.size() > options.max_bytes) {
    return FileError("", "file_too_large",
                     "the manifest has " + std::to_string(text.size()) +
                         " bytes, more than the maximum of " + std::to_string(options.max_bytes) +
                         ". Split it into smaller files.");
  }
  if (text.substr(0, 2) == "\xFF\xFE" || text.substr(0, 2) == "\xFE\xFF") {
    return FileError("", "encoding",
                     "the manifest is UTF-16 text. Save it as CSV UTF-8 and send it again.");
  }
  if (text.substr(0, kUtf8Bom.size()) == kUtf8Bom) text.remove_prefix(kUtf8Bom.size());

  int first_line = 1;
  std::optional<char> forced_separator = ExcelSeparatorLine(text);
  if (forced_separator) ++first_line;

  CsvReader reader(text, ',', first_line);  // ReadHeader moves it past the header row
  std::optional<Header> header = ReadHeader(text, first_line, forced_separator, reader);
  if (!header) {
    return FileError("", "empty_file",
                     "the manifest is empty. Send a header row and one row per device.");
  }
  if (!header->quoting_error.empty()) {
    return FileError("", "quoting", "in the header row, " + header->quoting_error);
  }
  if (std::optional<RowError> error = MapColumns(*header)) {
    ManifestBatch batch;
    batch.errors.push_back(std::move(*error));
    return batch;
  }
  Result<const date::time_zone*> zone = LocateZone(options.destination_zone);
  if (!zone.ok()) return FileError("promised_by", zone.error().reason, zone.error().message);

  ManifestBatch batch;
  ManifestAssembler assembler(batch);
  CsvRecord record;
  while (reader.Next(record)) {
    if (IsBlankRecord(record)) continue;
    ++batch.rows_read;
    if (!record.quoting_error.empty()) {
      batch.errors.push_back({record.line, "", "quoting", record.quoting_error});
      continue;
    }
    RawFields fields = FieldsOf(record, *header);
    std::optional<ParcelRecord> parcel = CheckParcelFields(fields, **zone, batch.errors);
    std::optional<DeviceRecord> device =
        CheckDeviceFields(fields, batch.errors, batch.lines_missing_leading_zero);
    if (parcel && device) {
      assembler.Add(std::move(*parcel), std::move(*device), record.line, fields);
    }
  }
  return batch;
}

}  // namespace

ManifestBatch ParseManifestCsv(std::string_view text, const ManifestOptions& options) {
  try {
    return ParseUnguarded(text, options);
  } catch (const std::exception& e) {
    // Only an allocation failure can get here, on a file too large for the memory left.
    return FileError("", "internal",
                     std::string("the manifest could not be read: ") + e.what() +
                         ". Split it into smaller files.");
  }
}

}  // namespace imeiguard
