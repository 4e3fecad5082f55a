// JSON renderings of domain objects for API responses.
#pragma once

#include <boost/json.hpp>

#include "service/service.h"

namespace imeiguard {

// Whether a response shows IMEIs whole, or masked as Imei::Masked does.
enum class ImeiDisclosure { kMasked, kRevealed };

boost::json::object ParcelJson(const ParcelSnapshot& parcel, ImeiDisclosure disclosure);
boost::json::object DeviceJson(const DeviceRow& device, ImeiDisclosure disclosure);
boost::json::object OrderJson(const LockOrder& order);
boost::json::object ManifestReportJson(const ManifestImportReport& report);
boost::json::object EventReportJson(const EventIngestReport& report);
boost::json::object LossDeclarationJson(std::string_view parcel_id,
                                        const LossDeclaration& declaration);
boost::json::object CaseJson(const CaseRecord& record);
boost::json::object CaseSummaryJson(const CaseSummary& summary);
// A case with its parcel (IMEIs masked or whole by `disclosure`), orders and steps, and the
// evidence of its verdict with the scans that fired each rule (late by `late_after`).
boost::json::object CaseDetailJson(const CaseDetail& detail, ImeiDisclosure disclosure,
                                   Duration late_after);
boost::json::object GuardTripDecisionJson(const GuardTripDecision& decision);

}  // namespace imeiguard
