#include "cli/score_command.h"

#include <fstream>
#include <sstream>

#include "scoring/score_output.h"

namespace imeiguard {
namespace {

Result<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return Error::InvalidInput("file", "failed to open " + path);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

int Fail(const Error& error, std::ostream& err) {
  err << "imeiguard score: " << error.message << "\n";
  return 2;
}

}  // namespace

int RunScore(const ScoreCommandOptions& options, std::ostream& out, std::ostream& err) {
  const auto policy = scoring::ParseHoldPolicy(options.policy);
  if (!policy) {
    return Fail(Error::InvalidInput("policy", "--policy must be on-loss or transit-hold, not '" +
                                                  options.policy + "'"),
                err);
  }
  const auto format = scoring::ParseScoreFormat(options.format);
  if (!format) {
    return Fail(Error::InvalidInput(
                    "format", "--format must be table, csv or json, not '" + options.format + "'"),
                err);
  }

  std::optional<scoring::DetectionWindow> window;
  if (!options.until.empty()) {
    auto until = ParseRfc3339(options.until);
    if (!until.ok()) {
      return Fail(
          Error::InvalidInput("until", "--until '" + options.until + "' is not an RFC 3339 time"),
          err);
    }
    if (options.window_hours < 0) {
      return Fail(Error::InvalidInput("window-hours", "--window-hours must be 0 or more"), err);
    }
    window = scoring::DetectionWindow{*until, std::chrono::hours(options.window_hours)};
  }

  auto labels_text = ReadWholeFile(options.labels_path);
  if (!labels_text.ok()) return Fail(labels_text.error(), err);
  auto labels = scoring::ParseLabelsCsv(*labels_text, options.labels_path);
  if (!labels.ok()) return Fail(labels.error(), err);
  auto report_text = ReadWholeFile(options.report_path);
  if (!report_text.ok()) return Fail(report_text.error(), err);
  auto report = scoring::ParseReportCsv(*report_text, options.report_path);
  if (!report.ok()) return Fail(report.error(), err);

  scoring::WriteScorecard(scoring::Score(*labels, *report, *policy, window), *format, out);
  return 0;
}

}  // namespace imeiguard
