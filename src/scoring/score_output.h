// Writes a scorecard as an aligned table, as CSV or as JSON.
#pragma once

#include <optional>
#include <ostream>
#include <string_view>

#include "scoring/scorecard.h"

namespace imeiguard::scoring {

enum class ScoreFormat { kTable, kCsv, kJson };
std::optional<ScoreFormat> ParseScoreFormat(std::string_view text);  // "table", "csv", "json"

// Writes one row per scenario and a last row "all". Shares are fractions in CSV and JSON and
// percentages in the table. A figure without a value, such as the recall of a scenario without
// thefts, is empty in CSV, null in JSON and "-" in the table. The columns of delivered phones'
// release are written under the transit-hold policy only.
void WriteScorecard(const Scorecard& card, ScoreFormat format, std::ostream& out);

}  // namespace imeiguard::scoring
