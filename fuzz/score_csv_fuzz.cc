// Fuzzes the scorer's readers, ParseLabelsCsv and ParseReportCsv, and the scoring of what they
// accept: nothing may crash or throw, and the figures must be consistent. Input up to the first NUL
// byte is read as labels and the rest as a report; input without one is read as both.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.h"
#include "scoring/scorecard.h"

namespace {

void CheckScore(const imeiguard::scoring::ScenarioScore& score) {
  IG_FUZZ_CHECK(score.stolen + score.innocent == score.devices);
  IG_FUZZ_CHECK(score.stolen_locked <= score.stolen);
  IG_FUZZ_CHECK(score.stolen_locked_at_end <= score.stolen);
  IG_FUZZ_CHECK(score.false_locks <= score.innocent);
  IG_FUZZ_CHECK(score.innocent_locked_at_end <= score.innocent);
  IG_FUZZ_CHECK(score.delivered_released_at_delivery <= score.delivered_released);
  IG_FUZZ_CHECK(score.delivered_released <= score.delivered);
  IG_FUZZ_CHECK(score.innocent_locked_hours >= 0.0);
  IG_FUZZ_CHECK(static_cast<std::int64_t>(score.theft_to_lock_hours.size()) == score.stolen_locked);
  if (auto median = score.TheftToLockMedianHours()) {
    IG_FUZZ_CHECK(*median >= 0.0);
    IG_FUZZ_CHECK(*score.TheftToLockP90Hours() >= *median);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace imeiguard::scoring;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t split = input.find('\0');
  const std::string_view labels_text = input.substr(0, split);
  const std::string_view report_text =
      split == std::string_view::npos ? input : input.substr(split + 1);

  auto labels = ParseLabelsCsv(labels_text, "labels.csv");
  auto report = ParseReportCsv(report_text, "report.csv");
  if (labels.ok()) {
    for (const DeviceLabel& label : *labels) {
      IG_FUZZ_CHECK(!label.imei.empty());
      IG_FUZZ_CHECK(!label.stolen || label.theft_time.has_value());
    }
  } else {
    IG_FUZZ_CHECK(labels.error().message.starts_with("labels.csv:"));
  }
  if (report.ok()) {
    for (const ReportRow& row : *report) IG_FUZZ_CHECK(row.locked_seconds >= 0);
  } else {
    IG_FUZZ_CHECK(report.error().message.starts_with("report.csv:"));
  }
  if (!labels.ok() || !report.ok()) return 0;

  const Scorecard card = Score(*labels, *report, HoldPolicy::kTransitHold);
  IG_FUZZ_CHECK(card.overall.devices == static_cast<std::int64_t>(labels->size()));
  IG_FUZZ_CHECK(card.unlabelled_report_rows >= 0);
  CheckScore(card.overall);
  std::int64_t devices = 0;
  for (const ScenarioScore& score : card.scenarios) {
    CheckScore(score);
    devices += score.devices;
  }
  IG_FUZZ_CHECK(devices == card.overall.devices);
  return 0;
}
