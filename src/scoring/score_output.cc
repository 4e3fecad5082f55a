#include "scoring/score_output.h"

#include <boost/json.hpp>
#include <cstdio>
#include <string>
#include <vector>

#include "core/enum_names.h"

namespace imeiguard::scoring {
namespace {

// One output column: its name and how to get its value from a score.
struct Column {
  std::string_view name;
  enum class Kind { kCount, kShare, kHours } kind;
  std::optional<double> (*value)(const ScenarioScore&);
  bool transit_hold_only = false;
  bool window_only = false;  // Shown only when the scorecard has a detection window.
};

std::optional<double> Count(std::int64_t n) { return static_cast<double>(n); }

const std::vector<Column>& Columns() {
  using Kind = Column::Kind;
  static const std::vector<Column> columns = {
      {"devices", Kind::kCount, [](const ScenarioScore& s) { return Count(s.devices); }},
      {"stolen", Kind::kCount, [](const ScenarioScore& s) { return Count(s.stolen); }},
      {"stolen_locked", Kind::kCount,
       [](const ScenarioScore& s) { return Count(s.stolen_locked); }},
      {"recall", Kind::kShare, [](const ScenarioScore& s) { return s.Recall(); }},
      {"stolen_window_closed", Kind::kCount,
       [](const ScenarioScore& s) { return Count(s.stolen_window_closed); }, false, true},
      {"recall_window_closed", Kind::kShare,
       [](const ScenarioScore& s) { return s.RecallWindowClosed(); }, false, true},
      {"stolen_locked_at_end", Kind::kCount,
       [](const ScenarioScore& s) { return Count(s.stolen_locked_at_end); }},
      {"false_locks", Kind::kCount, [](const ScenarioScore& s) { return Count(s.false_locks); }},
      {"false_lock_rate", Kind::kShare, [](const ScenarioScore& s) { return s.FalseLockRate(); }},
      {"innocent_locked_at_end", Kind::kCount,
       [](const ScenarioScore& s) { return Count(s.innocent_locked_at_end); }},
      {"innocent_locked_hours", Kind::kHours,
       [](const ScenarioScore& s) { return std::optional<double>(s.innocent_locked_hours); }},
      {"theft_to_lock_median_h", Kind::kHours,
       [](const ScenarioScore& s) { return s.TheftToLockMedianHours(); }},
      {"theft_to_lock_p90_h", Kind::kHours,
       [](const ScenarioScore& s) { return s.TheftToLockP90Hours(); }},
      {"delivered", Kind::kCount, [](const ScenarioScore& s) { return Count(s.delivered); }, true},
      {"delivered_released", Kind::kCount,
       [](const ScenarioScore& s) { return Count(s.delivered_released); }, true},
      {"released_at_delivery", Kind::kCount,
       [](const ScenarioScore& s) { return Count(s.delivered_released_at_delivery); }, true},
      {"missing_from_report", Kind::kCount,
       [](const ScenarioScore& s) { return Count(s.missing_from_report); }},
  };
  return columns;
}

std::vector<const Column*> ColumnsFor(const Scorecard& card) {
  std::vector<const Column*> chosen;
  for (const Column& column : Columns()) {
    if (column.transit_hold_only && card.policy != HoldPolicy::kTransitHold) continue;
    if (column.window_only && !card.window) continue;
    chosen.push_back(&column);
  }
  return chosen;
}

std::vector<const ScenarioScore*> Rows(const Scorecard& card) {
  std::vector<const ScenarioScore*> rows;
  for (const ScenarioScore& score : card.scenarios) rows.push_back(&score);
  rows.push_back(&card.overall);
  return rows;
}

// Formats a value for CSV (`table` false) or the table.
std::string Format(const Column& column, std::optional<double> value, bool table) {
  if (!value) return table ? "-" : "";
  char text[32];
  switch (column.kind) {
    case Column::Kind::kCount:
      std::snprintf(text, sizeof text, "%.0f", *value);
      break;
    case Column::Kind::kShare:
      if (table) {
        std::snprintf(text, sizeof text, "%.2f%%", *value * 100.0);
      } else {
        std::snprintf(text, sizeof text, "%.6f", *value);
      }
      break;
    case Column::Kind::kHours:
      std::snprintf(text, sizeof text, table ? "%.1f" : "%.3f", *value);
      break;
  }
  return text;
}

void WriteTable(const Scorecard& card, std::ostream& out) {
  const std::vector<const Column*> columns = ColumnsFor(card);
  out << "policy " << HoldPolicyName(card.policy) << "; " << card.overall.devices
      << " labelled phones, " << card.overall.missing_from_report << " missing from the report, "
      << card.unlabelled_report_rows << " report rows without a label";
  if (card.window) {
    out << "; detection window " << card.window->window / std::chrono::hours(1)
        << " h before the flow's end at " << FormatRfc3339(card.window->flow_end);
  }
  out << '\n';
  std::vector<std::vector<std::string>> cells;
  cells.push_back({"scenario"});
  for (const Column* column : columns) cells.back().emplace_back(column->name);
  for (const ScenarioScore* score : Rows(card)) {
    cells.push_back({score->scenario});
    for (const Column* column : columns) {
      cells.back().push_back(Format(*column, column->value(*score), true));
    }
  }

  std::vector<std::size_t> widths(cells.front().size(), 0);
  for (const auto& row : cells) {
    for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  for (const auto& row : cells) {
    for (std::size_t i = 0; i < row.size(); ++i) {
      // The scenario column is left-aligned, the figures right-aligned.
      const std::string padding(widths[i] - row[i].size(), ' ');
      out << (i == 0 ? row[i] + padding : " " + padding + row[i]);
    }
    out << '\n';
  }
}

void WriteCsv(const Scorecard& card, std::ostream& out) {
  const std::vector<const Column*> columns = ColumnsFor(card);
  out << "scenario";
  for (const Column* column : columns) out << ',' << column->name;
  out << '\n';
  for (const ScenarioScore* score : Rows(card)) {
    out << score->scenario;
    for (const Column* column : columns) {
      out << ',' << Format(*column, column->value(*score), false);
    }
    out << '\n';
  }
}

void WriteJson(const Scorecard& card, std::ostream& out) {
  const std::vector<const Column*> columns = ColumnsFor(card);
  boost::json::array scenarios;
  for (const ScenarioScore* score : Rows(card)) {
    boost::json::object row;
    row["scenario"] = score->scenario;
    for (const Column* column : columns) {
      const std::optional<double> value = column->value(*score);
      if (!value) {
        row[column->name] = nullptr;
      } else if (column->kind == Column::Kind::kCount) {
        row[column->name] = static_cast<std::int64_t>(*value);
      } else {
        row[column->name] = *value;
      }
    }
    scenarios.push_back(std::move(row));
  }
  boost::json::object document;
  document["policy"] = HoldPolicyName(card.policy);
  document["unlabelled_report_rows"] = card.unlabelled_report_rows;
  if (card.window) {
    document["flow_end"] = FormatRfc3339(card.window->flow_end);
    document["detection_window_hours"] = card.window->window / std::chrono::hours(1);
  }
  document["scenarios"] = std::move(scenarios);
  out << boost::json::serialize(document) << '\n';
}

}  // namespace

std::optional<ScoreFormat> ParseScoreFormat(std::string_view text) {
  constexpr EnumNameTable<ScoreFormat, 3> kFormatNames = {{
      {ScoreFormat::kTable, "table"},
      {ScoreFormat::kCsv, "csv"},
      {ScoreFormat::kJson, "json"},
  }};
  return ValueOf(kFormatNames, text);
}

void WriteScorecard(const Scorecard& card, ScoreFormat format, std::ostream& out) {
  switch (format) {
    case ScoreFormat::kTable:
      WriteTable(card, out);
      break;
    case ScoreFormat::kCsv:
      WriteCsv(card, out);
      break;
    case ScoreFormat::kJson:
      WriteJson(card, out);
      break;
  }
}

}  // namespace imeiguard::scoring
