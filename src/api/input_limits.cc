#include "api/input_limits.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <vector>

#include "identifiers/text.h"
#include "registry/csv_reader.h"
#include "registry/manifest_fields.h"

namespace imeiguard {
namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

// The event fields that imeiguard stores. With the manifest fields, these are the fields whose
// values are bounded. Other fields are ignored, as the input formats promise, so they are bounded
// only by the line and body size.
constexpr std::array<std::string_view, 11> kEventFields = {
    "event_id",  "parcel_id", "type",     "time",      "received", "node",
    "node_type", "handler",   "weight_g", "next_node", "detail"};

bool IsStoredField(std::string_view name) {
  return ManifestFieldNamed(name).has_value() ||
         std::find(kEventFields.begin(), kEventFields.end(), name) != kEventFields.end();
}

bool IsFreeTextField(std::string_view name) { return name == "detail" || name == "model"; }

// The maximum length of a value of field `name`, or std::nullopt for a field that is not stored.
std::optional<std::size_t> FieldLimit(const InputLimits& limits, std::string_view name) {
  if (!IsStoredField(name)) return std::nullopt;
  return IsFreeTextField(name) ? limits.max_text_field_bytes : limits.max_field_bytes;
}

InputViolation FieldTooLong(std::string_view field, std::size_t size, std::size_t limit, int line,
                            std::optional<std::size_t> offset) {
  return {413,
          "field_too_long",
          "field '" + std::string(field) + "' on line " + std::to_string(line) + " has " +
              std::to_string(size) + " bytes, more than the maximum of " + std::to_string(limit) +
              ". Nothing of the request was stored.",
          line,
          std::string(field),
          offset,
          limit};
}

InputViolation BatchTooLong(std::string_view what, std::string_view field, int limit, int line,
                            std::optional<std::size_t> offset) {
  return {413,
          "batch_too_long",
          "the request has more than " + std::to_string(limit) + " " + std::string(what) +
              ", and the first one past the maximum is on line " + std::to_string(line) +
              ". Split it into requests of at most " + std::to_string(limit) +
              ". Nothing of the request was stored.",
          line,
          std::string(field),
          offset,
          static_cast<std::size_t>(limit)};
}

// Decodes the escapes of a JSON member name as the parser does, so that "ser\u0069al" is bounded
// as "serial". A non-ASCII \u escape becomes '?', because no bounded name contains one.
std::string DecodeKey(std::string_view raw) {
  if (raw.find('\\') == std::string_view::npos) return std::string(raw);
  std::string key;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '\\' || i + 1 == raw.size()) {
      key.push_back(raw[i]);
      continue;
    }
    char escape = raw[++i];
    if (escape == 'u' && i + 4 < raw.size()) {
      unsigned code = 0;
      std::from_chars(raw.data() + i + 1, raw.data() + i + 5, code, 16);
      key.push_back(code < 0x80 ? static_cast<char>(code) : '?');
      i += 4;
    } else {
      key.push_back(escape);
    }
  }
  return key;
}

// Scans JSON text for the bounds without building a value: nesting, the length of each stored
// field, and the number of objects in the "parcels" and "devices" arrays. Text that is not valid
// JSON is scanned as far as it goes and left to the parser to report.
class JsonBoundsScanner {
 public:
  JsonBoundsScanner(const InputLimits& limits, std::string_view text, std::size_t base_offset,
                    int first_line)
      : limits_(limits), text_(text), base_offset_(base_offset), line_(first_line) {}

  std::optional<InputViolation> Scan() {
    for (std::size_t position = 0; position < text_.size(); ++position) {
      char c = text_[position];
      std::optional<InputViolation> violation;
      if (c == '\n') {
        ++line_;
      } else if (c == '"') {
        std::size_t end = StringEnd(position);
        if (end == std::string_view::npos) return std::nullopt;
        violation = OnString(position, end);
        position = end;
      } else if (c == '{' || c == '[') {
        violation = OnOpen(c, position);
      } else if ((c == '}' || c == ']') && !stack_.empty()) {
        stack_.pop_back();
      }
      if (violation) return violation;
    }
    return std::nullopt;
  }

 private:
  struct Container {
    bool is_array = false;
    std::string key;       // The member name under which the container is a value.
    std::string last_key;  // For an object, the name of the member being read.
  };

  // The index of the quote that closes the string opening at `open`, or npos.
  std::size_t StringEnd(std::size_t open) const {
    for (std::size_t i = open + 1; i < text_.size(); ++i) {
      if (text_[i] == '\\') {
        ++i;
      } else if (text_[i] == '"') {
        return i;
      }
    }
    return std::string_view::npos;
  }

  bool FollowedByColon(std::size_t end) const {
    for (std::size_t i = end + 1; i < text_.size(); ++i) {
      if (!IsAsciiSpace(text_[i])) return text_[i] == ':';
    }
    return false;
  }

  // The member name that a value at the current position belongs to.
  std::string_view CurrentField() const {
    if (stack_.empty()) return {};
    return stack_.back().is_array ? stack_.back().key : stack_.back().last_key;
  }

  std::optional<InputViolation> OnString(std::size_t open, std::size_t end) {
    std::string_view content = text_.substr(open + 1, end - open - 1);
    int line = line_;
    for (char c : content) {
      if (c == '\n') ++line_;
    }
    if (!stack_.empty() && !stack_.back().is_array && FollowedByColon(end)) {
      stack_.back().last_key = DecodeKey(content);
      return std::nullopt;
    }
    std::string_view field = CurrentField();
    std::optional<std::size_t> limit = FieldLimit(limits_, field);
    if (!limit || content.size() <= *limit) return std::nullopt;
    return FieldTooLong(field, content.size(), *limit, line, base_offset_ + open);
  }

  std::optional<InputViolation> OnOpen(char c, std::size_t position) {
    std::size_t offset = base_offset_ + position;
    if (stack_.size() >= static_cast<std::size_t>(limits_.max_json_depth)) {
      return InputViolation{400,
                            "too_deep",
                            "the JSON on line " + std::to_string(line_) +
                                " nests deeper than the maximum of " +
                                std::to_string(limits_.max_json_depth) + " levels at byte offset " +
                                std::to_string(offset) + ". Nothing of the request was stored.",
                            line_,
                            std::string(CurrentField()),
                            offset,
                            static_cast<std::size_t>(limits_.max_json_depth)};
    }
    std::string key(CurrentField());
    if (c == '{' && !stack_.empty() && stack_.back().is_array) {
      if (key == "parcels" && ++parcels_ > limits_.max_manifest_rows) {
        return BatchTooLong("parcels", key, limits_.max_manifest_rows, line_, offset);
      }
      if (key == "devices" && ++devices_ > limits_.max_manifest_rows) {
        return BatchTooLong("devices", key, limits_.max_manifest_rows, line_, offset);
      }
    }
    stack_.push_back({c == '[', std::move(key), {}});
    return std::nullopt;
  }

  const InputLimits& limits_;
  std::string_view text_;
  std::size_t base_offset_;
  int line_;
  std::vector<Container> stack_;  // At most max_json_depth entries.
  int parcels_ = 0;
  int devices_ = 0;
};

// Picks the CSV separator as the manifest parser does when no "sep=" line names one: the one of
// ',' and ';' whose split of the first record names more manifest columns, ',' on a tie.
char DetectSeparator(std::string_view text, int first_line) {
  int best_known = -1;
  char best = ',';
  for (char candidate : {',', ';'}) {
    CsvReader reader(text, candidate, first_line);
    CsvRecord record;
    while (reader.Next(record) && IsBlankRecord(record)) {
    }
    int known = 0;
    for (const std::string& name : record.fields) {
      if (ManifestFieldNamed(TrimAsciiSpace(name))) ++known;
    }
    if (known > best_known) {
      best_known = known;
      best = candidate;
    }
  }
  return best;
}

std::optional<InputViolation> CheckCsvManifest(std::string_view text, const InputLimits& limits) {
  int first_line = 1;
  std::optional<char> separator;
  if (text.size() >= 5 && text.substr(0, 4) == "sep=" &&
      (text.size() == 5 || text[5] == '\n' || text[5] == '\r')) {
    separator = text[4];
    std::size_t line_end = text.find('\n');
    text.remove_prefix(line_end == std::string_view::npos ? text.size() : line_end + 1);
    ++first_line;
  }
  CsvReader reader(text, separator ? *separator : DetectSeparator(text, first_line), first_line);

  std::vector<std::string> header;
  int rows = 0;
  CsvRecord record;
  while (reader.Next(record)) {
    if (IsBlankRecord(record)) continue;
    for (std::size_t i = 0; i < record.fields.size() && i < header.size(); ++i) {
      std::optional<std::size_t> limit = FieldLimit(limits, header[i]);
      if (limit && record.fields[i].size() > *limit) {
        return FieldTooLong(header[i], record.fields[i].size(), *limit, record.line, std::nullopt);
      }
    }
    if (header.empty()) {
      for (const std::string& name : record.fields) {
        header.emplace_back(TrimAsciiSpace(name));
      }
    } else if (++rows > limits.max_manifest_rows) {
      return BatchTooLong("rows", "", limits.max_manifest_rows, record.line, std::nullopt);
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<InputViolation> CheckEventBatch(std::string_view ndjson, const InputLimits& limits) {
  int lines = 0;
  int line_number = 0;
  std::size_t start = 0;
  while (start < ndjson.size()) {
    ++line_number;
    std::size_t end = ndjson.find('\n', start);
    if (end == std::string_view::npos) end = ndjson.size();
    std::string_view line = ndjson.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    std::size_t line_start = start;
    start = end + 1;
    if (TrimAsciiSpace(line).empty()) continue;

    if (++lines > limits.max_batch_lines) {
      return BatchTooLong("lines", "", limits.max_batch_lines, line_number, line_start);
    }
    if (line.size() > limits.max_line_bytes) {
      return InputViolation{413,
                            "line_too_long",
                            "line " + std::to_string(line_number) + " has " +
                                std::to_string(line.size()) + " bytes, more than the maximum of " +
                                std::to_string(limits.max_line_bytes) +
                                ". Write one event a line. Nothing of the request was stored.",
                            line_number,
                            "",
                            line_start,
                            limits.max_line_bytes};
    }
    JsonBoundsScanner scanner(limits, line, line_start, line_number);
    if (std::optional<InputViolation> violation = scanner.Scan()) return violation;
  }
  return std::nullopt;
}

std::optional<InputViolation> CheckManifest(std::string_view text, const InputLimits& limits) {
  std::size_t bom = text.substr(0, kUtf8Bom.size()) == kUtf8Bom ? kUtf8Bom.size() : 0;
  std::string_view rest = TrimAsciiSpace(text.substr(bom));
  if (!rest.empty() && (rest.front() == '{' || rest.front() == '[')) {
    JsonBoundsScanner scanner(limits, text.substr(bom), bom, 1);
    return scanner.Scan();
  }
  return CheckCsvManifest(text.substr(bom), limits);
}

}  // namespace imeiguard
