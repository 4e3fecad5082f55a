#include "api/console_routes.h"

#include <algorithm>
#include <limits>
#include <map>

#include "api/console_views.h"
#include "api/route_support.h"

namespace imeiguard {
namespace {

using http::Request;
using http::Response;

// Audit entries read per order or device; an order's steps are a handful, and even an order
// retried to the outbox's limit of attempts stays far below it.
constexpr int kMaxStepsPerEntity = 1000;

constexpr int kDefaultHotspotPage = 100;
constexpr int kMaxHotspotPage = 1000;
constexpr Duration kDefaultHotspotWindow = std::chrono::hours(24 * 7);
constexpr Duration kMaxHotspotWindow = std::chrono::hours(24 * 92);

// The idempotency key that a "lock_order_created" entry's detail names, or "".
std::string CreatedOrderKey(const AuditEntry& entry) {
  boost::system::error_code error;
  boost::json::value detail = boost::json::parse(entry.detail, error);
  if (error || !detail.is_object()) return "";
  const boost::json::value* key = detail.as_object().if_contains("idempotency_key");
  return key != nullptr && key->is_string() ? std::string(key->get_string()) : "";
}

// The entity's audit entries, oldest first.
Result<std::vector<AuditEntry>> StepsOf(Store& store, const std::string& entity) {
  auto entries = store.LoadAudit(entity, kMaxStepsPerEntity);
  if (!entries.ok()) return entries.error();
  std::reverse(entries->begin(), entries->end());
  return entries;
}

// The device's orders by connector and then oldest first, each with its creation and the steps
// its own audit entries record.
Result<DeviceLockHistory> LoadLockHistory(Store& store, const DeviceRow& device) {
  DeviceLockHistory history{device, {}};
  auto parcel = store.LoadParcel(device.parcel_id);
  if (!parcel.ok()) return parcel.error();
  if (!parcel->has_value()) return history;

  auto device_steps = StepsOf(store, "device:" + std::to_string(device.device_id));
  if (!device_steps.ok()) return device_steps.error();
  std::map<std::string, const AuditEntry*> created_by_key;
  for (const AuditEntry& entry : *device_steps) {
    if (entry.action == "lock_order_created") created_by_key[CreatedOrderKey(entry)] = &entry;
  }

  for (const LockOrder& order : (*parcel)->orders) {
    if (order.device_id != device.device_id) continue;
    OrderHistory order_history{order, {}};
    if (auto created = created_by_key.find(order.idempotency_key);
        created != created_by_key.end()) {
      order_history.steps.push_back(*created->second);
    }
    auto steps = StepsOf(store, "order:" + std::to_string(order.order_id));
    if (!steps.ok()) return steps.error();
    order_history.steps.insert(order_history.steps.end(), steps->begin(), steps->end());
    history.orders.push_back(std::move(order_history));
  }
  std::sort(history.orders.begin(), history.orders.end(),
            [](const OrderHistory& a, const OrderHistory& b) {
              if (a.order.connector != b.order.connector) {
                return a.order.connector < b.order.connector;
              }
              return a.order.order_id < b.order.order_id;
            });
  return history;
}

// An RFC 3339 query parameter. A '+' of an offset must be sent as %2B, because a query decodes
// '+' as a space.
Result<std::optional<Timestamp>> QueryTime(const Request& request, std::string_view name) {
  std::string_view text = request.Query(name);
  if (text.empty()) return std::optional<Timestamp>();
  auto time = ParseRfc3339(text);
  if (!time.ok()) {
    return Error::InvalidInput("invalid_query",
                               "query parameter " + std::string(name) + "=" + std::string(text) +
                                   " is invalid; use an RFC 3339 date-time such as "
                                   "2026-03-02T00:00:00Z, with a '+' offset sent as %2B");
  }
  return std::optional<Timestamp>(*time);
}

// The query of GET /v1/hotspots.
struct HotspotQuery {
  HotspotDimension dimension = HotspotDimension::kTerminal;
  Timestamp from;
  Timestamp to;
  std::int64_t offset = 0;
  int limit = kDefaultHotspotPage;
};

Result<HotspotDimension> ReadDimension(const Request& request) {
  std::string_view text = request.Query("dimension");
  auto dimension = ParseHotspotDimension(text);
  if (!dimension) {
    std::string given = text.empty() ? " is missing" : "=" + std::string(text) + " is invalid";
    return Error::InvalidInput("invalid_query", "query parameter dimension" + given +
                                                    "; use terminal, route, shift or handler");
  }
  return *dimension;
}

Result<HotspotQuery> ReadHotspotQuery(const Request& request, const Clock& clock) {
  HotspotQuery query;
  auto dimension = ReadDimension(request);
  if (!dimension.ok()) return dimension.error();
  query.dimension = *dimension;

  auto to = QueryTime(request, "to");
  if (!to.ok()) return to.error();
  auto from = QueryTime(request, "from");
  if (!from.ok()) return from.error();
  query.to = to->value_or(clock.Now());
  query.from = from->value_or(query.to - kDefaultHotspotWindow);
  if (query.from >= query.to || query.to - query.from > kMaxHotspotWindow) {
    return Error::InvalidInput("invalid_query",
                               "the window from " + FormatRfc3339(query.from) + " to " +
                                   FormatRfc3339(query.to) +
                                   " is invalid; from must be before to, by at most 92 days");
  }

  if (std::string_view offset = request.Query("offset"); !offset.empty()) {
    auto value = QueryNumber("offset", offset, 0, std::numeric_limits<std::int64_t>::max());
    if (!value.ok()) return value.error();
    query.offset = *value;
  }
  if (std::string_view limit = request.Query("limit"); !limit.empty()) {
    auto value = QueryNumber("limit", limit, 1, kMaxHotspotPage);
    if (!value.ok()) return value.error();
    query.limit = static_cast<int>(*value);
  }
  return query;
}

Result<HotspotPage> LoadHotspots(Store& store, const HotspotQuery& query,
                                 const ShiftSchedule& shifts) {
  auto tallies = store.TallyLosses(query.dimension, query.from, query.to, shifts);
  if (!tallies.ok()) return tallies.error();
  std::vector<Hotspot> ranked = RankHotspots(query.dimension, *tallies, shifts);

  HotspotPage page;
  page.dimension = query.dimension;
  page.from = query.from;
  page.to = query.to;
  page.parcels = tallies->parcels;
  page.losses = tallies->losses;
  page.loss_rate = NetworkLossRate(*tallies);
  page.rows_total = static_cast<std::int64_t>(ranked.size());
  std::int64_t begin = std::min(query.offset, page.rows_total);
  std::int64_t end = std::min(begin + query.limit, page.rows_total);
  page.rows.assign(ranked.begin() + begin, ranked.begin() + end);
  if (end < page.rows_total) page.next_offset = end;
  return page;
}

}  // namespace

void AddConsoleRoutes(http::Router& router, Store& store, RequestCounters& counters,
                      const Clock& clock, const ConsoleConfig& console) {
  router.Add(
      "GET", "/v1/parcels/{parcel_id}/timeline",
      Guard(store, counters, "/v1/parcels/{parcel_id}/timeline",
            {Role::kSecurityOfficer, Role::kPolice},
            [&store, late_after = console.late_after](const Request& request, const Principal&) {
              const std::string& id = request.path_params.at("parcel_id");
              auto parcel = store.LoadParcel(id);
              if (!parcel.ok()) return ErrorResponse(parcel.error());
              if (!parcel->has_value()) {
                return Response::Problem(404, "parcel_not_found",
                                         "no parcel " + id + " is registered");
              }
              return JsonResponse(200, ParcelTimelineJson(**parcel, late_after));
            }));

  router.Add("GET", "/v1/devices/{imei}/orders",
             Guard(store, counters, "/v1/devices/{imei}/orders",
                   {Role::kShipper, Role::kSecurityOfficer, Role::kPolice},
                   [&store, &clock](const Request& request, const Principal& principal) {
                     auto found = FindReadableDevices(
                         request, principal, store, clock,
                         [&store](Imei imei) { return store.FindDevices(imei); });
                     if (!found.ok()) return ErrorResponse(found.error());
                     boost::json::array items;
                     for (const DeviceRow& device : found->devices) {
                       auto history = LoadLockHistory(store, device);
                       if (!history.ok()) return ErrorResponse(history.error());
                       items.push_back(DeviceLockHistoryJson(*history, found->disclosure));
                     }
                     return JsonResponse(200, boost::json::object{{"devices", std::move(items)}});
                   }));

  router.Add(
      "GET", "/v1/hotspots",
      Guard(store, counters, "/v1/hotspots", {Role::kSecurityOfficer, Role::kPolice},
            [&store, &clock, shifts = console.shifts](const Request& request, const Principal&) {
              auto query = ReadHotspotQuery(request, clock);
              if (!query.ok()) return ErrorResponse(query.error());
              auto page = LoadHotspots(store, *query, shifts);
              if (!page.ok()) return ErrorResponse(page.error());
              return JsonResponse(200, HotspotPageJson(*page, shifts));
            }));
}

}  // namespace imeiguard
