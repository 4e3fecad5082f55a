#include "api/sighting_routes.h"

#include <limits>

#include "api/route_support.h"
#include "eir/equipment_status.h"

namespace imeiguard {
namespace {

using http::Request;
using http::Response;

constexpr int kDefaultSightingPage = 100;
constexpr int kMaxSightingPage = 1000;
constexpr int kDefaultFenceCount = 100;
constexpr int kMaxFenceCount = 1000;

std::string ImeiText(std::uint64_t core, ImeiDisclosure disclosure) {
  Imei imei = Imei::FromCoreValue(core);
  return disclosure == ImeiDisclosure::kRevealed ? imei.WithCheckDigit() : imei.Masked();
}

boost::json::object SightingJson(const eir::Sighting& sighting, ImeiDisclosure disclosure) {
  return {{"sighting_id", sighting.sighting_id},
          {"imei", ImeiText(sighting.core, disclosure)},
          {"seen_at", FormatRfc3339(sighting.at)},
          {"interface", sighting.interface},
          {"network_element", sighting.network_element},
          {"imsi", sighting.imsi},
          {"gpsi", sighting.gpsi},
          {"lock_state", LockStateName(sighting.state)},
          {"equipment_status", eir::EquipmentStatusName(eir::EquipmentStatusOf(sighting.state))}};
}

// Reads ?after= and ?limit= into `filter`.
Status ReadPage(const Request& request, eir::SightingFilter& filter) {
  if (std::string_view text = request.Query("after"); !text.empty()) {
    auto value = QueryNumber("after", text, 0, std::numeric_limits<std::int64_t>::max());
    if (!value.ok()) return value.error();
    filter.after_id = *value;
  }
  filter.limit = kDefaultSightingPage;
  if (std::string_view text = request.Query("limit"); !text.empty()) {
    auto value = QueryNumber("limit", text, 1, kMaxSightingPage);
    if (!value.ok()) return value.error();
    filter.limit = static_cast<int>(*value);
  }
  return Status();
}

// A page of sightings under `member`, with next_after set when the page is full.
Response SightingPage(const eir::SightingFilter& filter, eir::SightingStore& sightings,
                      ImeiDisclosure disclosure, boost::json::object page) {
  auto listed = sightings.ListSightings(filter);
  if (!listed.ok()) return ErrorResponse(listed.error());
  boost::json::array items;
  for (const eir::Sighting& sighting : *listed) items.push_back(SightingJson(sighting, disclosure));
  boost::json::value next_after = nullptr;
  if (static_cast<int>(listed->size()) == filter.limit) next_after = listed->back().sighting_id;
  page["sightings"] = std::move(items);
  page["next_after"] = next_after;
  return JsonResponse(200, page);
}

void AddLeadsRoute(http::Router& router, ImeiguardService& service, Store& keys,
                   eir::SightingStore& sightings, RequestCounters& counters, const Clock& clock) {
  constexpr std::string_view kRoute = "/v1/cases/{case_id}/leads";
  router.Add(
      "GET", std::string(kRoute),
      Guard(keys, counters, std::string(kRoute), {Role::kSecurityOfficer, Role::kPolice},
            [&service, &keys, &sightings, &clock](const Request& request,
                                                  const Principal& principal) {
              auto case_id = PathNumber(request, "case_id");
              if (!case_id.ok()) return ErrorResponse(case_id.error());
              eir::SightingFilter filter;
              if (Status s = ReadPage(request, filter); !s.ok()) return ErrorResponse(s.error());
              auto detail = service.GetCase(*case_id);
              if (!detail.ok()) return ErrorResponse(detail.error());
              if (!detail->has_value()) {
                return Response::Problem(404, "case_not_found",
                                         "no case " + std::to_string(*case_id) + " is stored");
              }
              // Devices whose parcel link was purged after the retention period are gone from
              // the case, and so are their leads here; GET /v1/sightings?imei= still finds them.
              for (const DeviceRow& device : (*detail)->parcel.devices) {
                filter.cores.push_back(device.record.imei.core_value());
                if (device.record.imei2) filter.cores.push_back(device.record.imei2->core_value());
              }
              auto disclosure =
                  Disclosure(request, principal, keys, clock, "case:" + std::to_string(*case_id));
              if (!disclosure.ok()) return ErrorResponse(disclosure.error());
              if (filter.cores.empty()) {
                return JsonResponse(200, boost::json::object{{"case_id", *case_id},
                                                             {"sightings", boost::json::array()},
                                                             {"next_after", nullptr}});
              }
              return SightingPage(filter, sightings, *disclosure, {{"case_id", *case_id}});
            }));
}

void AddSightingsRoute(http::Router& router, Store& keys, eir::SightingStore& sightings,
                       RequestCounters& counters, const Clock& clock) {
  router.Add("GET", "/v1/sightings",
             Guard(keys, counters, "/v1/sightings", {Role::kSecurityOfficer, Role::kPolice},
                   [&keys, &sightings, &clock](const Request& request, const Principal& principal) {
                     eir::SightingFilter filter;
                     if (Status s = ReadPage(request, filter); !s.ok()) {
                       return ErrorResponse(s.error());
                     }
                     filter.imsi = std::string(eir::SubscriberKey(request.Query("imsi")));
                     if (std::string_view text = request.Query("imei"); !text.empty()) {
                       auto imei = Imei::Parse(text, ImeiChannel::kHuman);
                       if (!imei.ok()) return ErrorResponse(imei.error());
                       filter.cores.push_back(imei->core_value());
                     }
                     auto disclosure = Disclosure(request, principal, keys, clock, "sightings");
                     if (!disclosure.ok()) return ErrorResponse(disclosure.error());
                     return SightingPage(filter, sightings, *disclosure, {});
                   }));
}

void AddFencesRoute(http::Router& router, Store& keys, eir::SightingStore& sightings,
                    RequestCounters& counters, const Clock& clock) {
  router.Add(
      "GET", "/v1/fences",
      Guard(keys, counters, "/v1/fences", {Role::kSecurityOfficer, Role::kPolice},
            [&keys, &sightings, &clock](const Request& request, const Principal& principal) {
              int limit = kDefaultFenceCount;
              if (std::string_view text = request.Query("limit"); !text.empty()) {
                auto value = QueryNumber("limit", text, 1, kMaxFenceCount);
                if (!value.ok()) return ErrorResponse(value.error());
                limit = static_cast<int>(*value);
              }
              auto disclosure = Disclosure(request, principal, keys, clock, "fences");
              if (!disclosure.ok()) return ErrorResponse(disclosure.error());
              auto fences = sightings.ListFences(limit);
              if (!fences.ok()) return ErrorResponse(fences.error());
              boost::json::array items;
              for (const eir::Fence& fence : *fences) {
                boost::json::array imeis;
                for (std::uint64_t core : fence.cores)
                  imeis.push_back(boost::json::string(ImeiText(core, *disclosure)));
                items.push_back(boost::json::object{{"imsi", fence.imsi},
                                                    {"devices", fence.cores.size()},
                                                    {"imeis", std::move(imeis)},
                                                    {"first_seen", FormatRfc3339(fence.first_seen)},
                                                    {"last_seen", FormatRfc3339(fence.last_seen)}});
              }
              return JsonResponse(200, boost::json::object{{"fences", std::move(items)}});
            }));
}

}  // namespace

void AddSightingRoutes(http::Router& router, ImeiguardService& service, Store& keys,
                       eir::SightingStore& sightings, RequestCounters& counters,
                       const Clock& clock) {
  AddLeadsRoute(router, service, keys, sightings, counters, clock);
  AddSightingsRoute(router, keys, sightings, counters, clock);
  AddFencesRoute(router, keys, sightings, counters, clock);
}

}  // namespace imeiguard
