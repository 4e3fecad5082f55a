// JSON renderings of domain objects for API responses.
#pragma once

#include <boost/json.hpp>

#include "service/service.h"

namespace imeiguard {

boost::json::object ParcelJson(const ParcelSnapshot& parcel);
boost::json::object DeviceJson(const DeviceRow& device);
boost::json::object OrderJson(const LockOrder& order);
boost::json::object ManifestReportJson(const ManifestImportReport& report);
boost::json::object EventReportJson(const EventIngestReport& report);
boost::json::object LossDeclarationJson(std::string_view parcel_id,
                                        const LossDeclaration& declaration);

}  // namespace imeiguard
