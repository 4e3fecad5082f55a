// A case: the record that security officers and the police keep about a parcel that became
// suspect or lost, with the state of the officers' decision on locking its devices.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/time.h"

namespace imeiguard {

// The officers' part in a case's lock. A lost verdict whose rule may lock on its own stays
// kAutomatic. One that needs an officer waits in kAwaitingApproval until it is approved or
// rejected. An officer's unlock moves an approved or automatic lock to kUnlocked, by way of
// kUnlockAwaitingApproval when a second officer must agree.
enum class CaseLock {
  kAutomatic,
  kAwaitingApproval,
  kApproved,
  kRejected,
  kUnlockAwaitingApproval,
  kUnlocked,
};

// "automatic", "awaiting_approval", "approved", "rejected", "unlock_awaiting_approval",
// "unlocked".
std::string_view CaseLockName(CaseLock lock);
std::optional<CaseLock> ParseCaseLock(std::string_view text);

// Reasons a lock waits for an officer, as CaseRecord::hold_reason stores them.
inline constexpr std::string_view kHoldRuleNeedsApproval = "rule_needs_approval";
inline constexpr std::string_view kHoldSecondOfficer = "second_officer_required";
inline constexpr std::string_view kHoldBlastRadiusGuard = "blast_radius_guard";

struct CaseRecord {
  std::int64_t case_id = 0;  // Assigned by the store.
  std::string parcel_id;
  std::string shipper_id;
  Timestamp opened_at;
  Timestamp updated_at;
  std::int64_t value_ore = 0;  // Sum of the devices' declared values when the case opened.
  CaseLock lock = CaseLock::kAutomatic;
  // The start of the lost verdict that `lock` decides. A later lost verdict (after the parcel was
  // seen again) is a new decision.
  std::optional<Timestamp> lock_since;
  std::string hold_reason;  // One of the kHold* names while the lock waits.
  std::string hold_rule;    // The rule whose lost verdict waits.
  // The officer's key whose declaration or unlock request waits for a second, different officer.
  std::string requested_by;
  std::string request_reason;
  std::int64_t guard_trip = 0;  // The blast-radius guard trip holding the lock, or 0.
  bool theft_confirmed = false;
  std::string police_report;

  friend bool operator==(const CaseRecord&, const CaseRecord&) = default;
};

}  // namespace imeiguard
