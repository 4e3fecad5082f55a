// Checks of a parsed manifest as a whole, for the marks of a wrongly exported file. Such a mistake
// spoils many rows in the same way. Importing the good rows alone would then leave many phones
// unprotected without anyone noticing.
#pragma once

#include <optional>
#include <string>

#include "registry/manifest.h"

namespace imeiguard {

// The rejection of a whole manifest, with the members that the API's problem details show.
struct ManifestRejection {
  // "imeis_stripped_of_leading_zeros" or "rows_rejected_for_one_reason".
  std::string reason;
  // The sentence a person reads: the mistake, the number of rows, an example row and the fix.
  std::string message;
  std::string row_reason;  // The reason of the rows' own errors, such as "length_14".
  int rows_affected = 0;   // Rows that show the mistake.
  int rows_read = 0;       // Rows of the file, good and bad.
  int example_line = 0;    // The first row that shows it.
  std::string example_column;
};

// Minimum rows whose IMEI lost its leading zero before the file is rejected. One or two such rows
// can be typing mistakes that fit by chance, as CheckManifestExport explains.
inline constexpr int kMinRowsMissingLeadingZero = 3;
// Minimum rows of a file before one dominant row error rejects it. A shorter file's row report
// is short enough to read and fix by hand.
inline constexpr int kMinRowsForDominantReason = 10;

// Returns why `batch` looks wrongly exported, or std::nullopt when it does not. Two marks count:
//
// - IMEIs stripped of their leading zeros: at least kMinRowsMissingLeadingZero rows have a 14-digit
//   IMEI that a leading 0 makes valid, and they are more than half of the rows rejected as 14
//   digits. A spreadsheet that stores the IMEI column as numbers drops the zero of every IMEI that
//   starts with one. The share of the file that they make up then shows how many such phones the
//   shipper sends, not whether the file is broken, so no share of the file is required. 14 digits
//   that lack their check digit fit a leading zero by chance 1 time in 10, so when most 14-digit
//   rows fit, chance does not explain them.
// - One reason for most rows: the file has at least kMinRowsForDominantReason rows and more than
//   half of them are rejected for the same reason (every IMEI in exponent notation, a wrong date
//   format in every row, ...).
//
// The first mark wins when both apply. Only the parser's row errors count, not conflicts with
// stored data, which re-sending the file would not fix.
std::optional<ManifestRejection> CheckManifestExport(const ManifestBatch& batch);

}  // namespace imeiguard
