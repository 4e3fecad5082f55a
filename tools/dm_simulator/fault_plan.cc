#include "fault_plan.h"

namespace imeiguard::dm_simulator {

FaultInjector::FaultInjector(FaultPlan plan) : plan_(std::move(plan)), engine_(plan_.seed) {}

bool FaultInjector::Draw(double rate) {
  if (rate <= 0) return false;
  if (rate >= 1) return true;
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  return unit(engine_) < rate;
}

std::optional<InjectedFailure> FaultInjector::FailRequest() {
  std::lock_guard lock(mutex_);
  if (plan_.fail_statuses.empty() || !Draw(plan_.fail_rate)) return std::nullopt;
  InjectedFailure failure;
  failure.status = plan_.fail_statuses[next_status_++ % plan_.fail_statuses.size()];
  failure.retry_after_seconds = plan_.retry_after_seconds;
  return failure;
}

bool FaultInjector::RejectOnApply() {
  std::lock_guard lock(mutex_);
  return Draw(plan_.reject_rate);
}

}  // namespace imeiguard::dm_simulator
