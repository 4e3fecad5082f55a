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

Duration FaultInjector::ResponseDelay() {
  if (plan_.response_jitter <= Duration::zero()) return plan_.response_delay;
  std::lock_guard lock(mutex_);
  std::uniform_int_distribution<Duration::rep> extra(0, plan_.response_jitter.count());
  return plan_.response_delay + Duration(extra(engine_));
}

ConnectionFault FaultInjector::BreakBeforeHandling() {
  std::lock_guard lock(mutex_);
  if (Draw(plan_.hang_rate)) return ConnectionFault::kHang;
  if (Draw(plan_.drop_rate)) return ConnectionFault::kDrop;
  return ConnectionFault::kNone;
}

bool FaultInjector::DropAfterApply() {
  std::lock_guard lock(mutex_);
  return Draw(plan_.drop_after_apply_rate);
}

bool FaultInjector::RejectOnApply() {
  std::lock_guard lock(mutex_);
  return Draw(plan_.reject_rate);
}

bool FaultInjector::OfflineWhenFirstNamed() {
  std::lock_guard lock(mutex_);
  return Draw(plan_.offline_rate);
}

bool FaultInjector::Unsupported(const std::string& imei) {
  if (plan_.unsupported_tacs.count(imei.substr(0, 8)) != 0) return true;
  std::lock_guard lock(mutex_);
  return Draw(plan_.unsupported_rate);
}

bool FaultInjector::DuplicateCallback() {
  std::lock_guard lock(mutex_);
  return Draw(plan_.duplicate_callback_rate);
}

}  // namespace imeiguard::dm_simulator
