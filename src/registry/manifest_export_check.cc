#include "registry/manifest_export_check.h"

#include <map>
#include <set>
#include <string_view>

namespace imeiguard {
namespace {

constexpr std::string_view kForceHint =
    " Or send the file again with ?force=true to import the good rows and have the bad ones"
    " reported.";

// The first row error on `line` with `reason`, or nullptr.
const RowError* FindError(const ManifestBatch& batch, int line, std::string_view reason) {
  for (const RowError& error : batch.errors) {
    if (error.line == line && error.reason == reason) return &error;
  }
  return nullptr;
}

// The row an error belongs to. A CSV row is one line. A JSON device spans several lines, so its
// path ("parcels[2].devices[0]") names it, and a parcel-level error counts as one row.
std::string RowKey(const RowError& error) {
  std::string_view column = error.column;
  if (!column.starts_with("parcels[")) return std::to_string(error.line);
  std::size_t devices = column.find(".devices[");
  std::size_t end = column.find(']', devices == std::string_view::npos ? 0 : devices);
  return std::string(column.substr(0, end == std::string_view::npos ? column.size() : end + 1));
}

// The number of distinct rows that have an error with `reason`.
int RowsWithReason(const ManifestBatch& batch, std::string_view reason) {
  std::set<std::string> rows;
  for (const RowError& error : batch.errors) {
    if (error.reason == reason) rows.insert(RowKey(error));
  }
  return static_cast<int>(rows.size());
}

std::optional<ManifestRejection> CheckLeadingZeros(const ManifestBatch& batch) {
  int missing_zero = static_cast<int>(batch.lines_missing_leading_zero.size());
  if (missing_zero < kMinRowsMissingLeadingZero) return std::nullopt;
  if (missing_zero * 2 <= RowsWithReason(batch, "length_14")) return std::nullopt;

  ManifestRejection rejection;
  rejection.reason = "imeis_stripped_of_leading_zeros";
  rejection.row_reason = "length_14";
  rejection.rows_affected = missing_zero;
  rejection.rows_read = batch.rows_read;
  rejection.example_line = batch.lines_missing_leading_zero.front();
  const RowError* example = FindError(batch, rejection.example_line, "length_14");
  if (example != nullptr) rejection.example_column = example->column;
  rejection.message =
      std::to_string(missing_zero) + " of " + std::to_string(batch.rows_read) +
      " rows have a 14-digit IMEI that is valid with a leading 0, so the file was exported with"
      " the IMEI column stored as numbers, which drops leading zeros. Line " +
      std::to_string(rejection.example_line) + ": " +
      (example != nullptr ? example->message : std::string("14 digits")) +
      " No row was imported. Export the file again with the imei and imei2 columns formatted as"
      " text." +
      std::string(kForceHint);
  return rejection;
}

std::optional<ManifestRejection> CheckDominantReason(const ManifestBatch& batch) {
  if (batch.rows_read < kMinRowsForDominantReason) return std::nullopt;

  // Rows per reason, and the first error of each reason, in file order.
  std::map<std::string_view, std::set<std::string>> rows_by_reason;
  std::map<std::string_view, const RowError*> first_by_reason;
  for (const RowError& error : batch.errors) {
    rows_by_reason[error.reason].insert(RowKey(error));
    first_by_reason.try_emplace(error.reason, &error);
  }
  std::string_view dominant;
  int rows = 0;
  for (const auto& [reason, reason_rows] : rows_by_reason) {
    if (static_cast<int>(reason_rows.size()) > rows) {
      dominant = reason;
      rows = static_cast<int>(reason_rows.size());
    }
  }
  if (rows * 2 <= batch.rows_read) return std::nullopt;

  const RowError& example = *first_by_reason.at(dominant);
  ManifestRejection rejection;
  rejection.reason = "rows_rejected_for_one_reason";
  rejection.row_reason = std::string(dominant);
  rejection.rows_affected = rows;
  rejection.rows_read = batch.rows_read;
  rejection.example_line = example.line;
  rejection.example_column = example.column;
  rejection.message = std::to_string(rows) + " of " + std::to_string(batch.rows_read) +
                      " rows were rejected for the same reason, '" + std::string(dominant) +
                      "', so the file was probably exported wrongly. Line " +
                      std::to_string(example.line) + ": " + example.message +
                      " No row was imported. Fix the export and send the file again." +
                      std::string(kForceHint);
  return rejection;
}

}  // namespace

std::optional<ManifestRejection> CheckManifestExport(const ManifestBatch& batch) {
  if (auto rejection = CheckLeadingZeros(batch)) return rejection;
  return CheckDominantReason(batch);
}

}  // namespace imeiguard
