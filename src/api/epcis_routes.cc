#include "api/epcis_routes.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <charconv>

#include "api/route_support.h"
#include "epcis/epcis_identifiers.h"

namespace imeiguard {
namespace {

namespace json = boost::json;
using http::Request;
using http::Response;

constexpr std::string_view kEpcisVersion = "2.0.0";
constexpr std::string_view kCbvVersion = "2.0.0";
constexpr std::string_view kEpcisContext =
    "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld";
constexpr int kDefaultPerPage = 100;
constexpr int kMaxPerPage = 1000;

// The headers by which the binding names the versions and extensions that a response follows.
// No EPCIS or CBV extension is supported, so GS1-Extensions is empty.
void SetVersionHeaders(Response& response) {
  response.SetHeader("GS1-EPCIS-Version", std::string(kEpcisVersion));
  response.SetHeader("GS1-CBV-Version", std::string(kCbvVersion));
  response.SetHeader("GS1-Extensions", "");
}

void SetLimitHeaders(Response& response, const EpcisRouteLimits& limits) {
  response.SetHeader("GS1-EPCIS-Capture-Limit", std::to_string(limits.capture_limit));
  response.SetHeader("GS1-EPCIS-Capture-File-Size-Limit",
                     std::to_string(limits.capture_file_size_limit));
}

// An RFC 9457 problem with the binding's exception type ("epcisException:ValidationException").
Response EpcisProblem(int status, std::string_view exception, std::string_view reason,
                      std::string_view detail) {
  json::object body{{"type", "epcisException:" + std::string(exception)},
                    {"title", http::StatusReasonPhrase(status)},
                    {"status", status},
                    {"detail", detail},
                    {"reason", reason}};
  Response response = Response::Text(status, json::serialize(body), "application/problem+json");
  SetVersionHeaders(response);
  return response;
}

// The major version of a "2.0.0" header, or -1 when it is not a version.
int MajorVersion(std::string_view text) {
  int major = -1;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), major);
  if (error != std::errc() || (end != text.data() + text.size() && *end != '.')) return -1;
  return major;
}

// Checks the version headers of a request against EPCIS 2: a GS1-EPCIS-Version or
// GS1-CBV-Version of another major version, or a GS1-EPCIS-Min above or GS1-EPCIS-Max below it,
// gets 406.
std::optional<Response> CheckVersions(const Request& request) {
  auto major_of = [&](std::string_view header) { return MajorVersion(request.Header(header)); };
  bool acceptable = true;
  for (std::string_view header : {"gs1-epcis-version", "gs1-cbv-version"}) {
    if (!request.Header(header).empty() && major_of(header) != 2) acceptable = false;
  }
  if (!request.Header("gs1-epcis-min").empty() && major_of("gs1-epcis-min") > 2) acceptable = false;
  if (!request.Header("gs1-epcis-max").empty() && major_of("gs1-epcis-max") < 2) acceptable = false;
  if (acceptable) return std::nullopt;
  return EpcisProblem(406, "NotAcceptable", "version_not_supported",
                      "this server speaks EPCIS 2.0.0 and CBV 2.0.0 only");
}

bool IsJsonMediaType(std::string_view content_type) {
  std::string_view type = content_type.substr(0, content_type.find(';'));
  while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
  return type == "application/json" || type == "application/ld+json";
}

Response CaptureDiscovery(const EpcisRouteLimits& limits) {
  Response response;
  response.status = 204;
  response.SetHeader("Allow", "OPTIONS, POST, GET");
  SetVersionHeaders(response);
  response.SetHeader("GS1-EPCIS-Min", std::string(kEpcisVersion));
  response.SetHeader("GS1-EPCIS-Max", std::string(kEpcisVersion));
  response.SetHeader("GS1-CBV-Min", std::string(kCbvVersion));
  response.SetHeader("GS1-CBV-Max", std::string(kCbvVersion));
  response.SetHeader("GS1-Capture-Error-Behaviour", "rollback, proceed");
  SetLimitHeaders(response, limits);
  return response;
}

Response TooLarge(const EpcisRouteLimits& limits, std::string_view detail) {
  Response response = EpcisProblem(413, "CaptureLimitExceededException", "capture_limit", detail);
  SetLimitHeaders(response, limits);
  return response;
}

Response Capture(const Request& request, const Principal& principal, EpcisCapture& capture,
                 const EpcisRouteLimits& limits) {
  if (auto refused = CheckVersions(request)) return *refused;
  // A request without Content-Type is read as JSON; one that names another type is refused.
  std::string_view content_type = request.Header("content-type");
  if (!content_type.empty() && !IsJsonMediaType(content_type)) {
    return EpcisProblem(415, "UnsupportedMediaType", "unsupported_media_type",
                        "send the document as application/json or application/ld+json");
  }
  std::string_view behaviour_text = request.Header("gs1-capture-error-behaviour");
  std::optional<CaptureErrorBehaviour> behaviour = behaviour_text.empty()
                                                       ? CaptureErrorBehaviour::kRollback
                                                       : ParseCaptureErrorBehaviour(behaviour_text);
  if (!behaviour) {
    return EpcisProblem(400, "ValidationException", "invalid_header",
                        "GS1-Capture-Error-Behaviour must be rollback or proceed");
  }
  if (request.body.size() > limits.capture_file_size_limit) {
    return TooLarge(limits, "the document has " + std::to_string(request.body.size()) +
                                " bytes; send at most " +
                                std::to_string(limits.capture_file_size_limit));
  }

  auto job = capture.Submit(request.body, *behaviour, principal.key_id);
  if (!job.ok()) {
    const Error& error = job.error();
    if (error.reason == "capture_limit") return TooLarge(limits, error.message);
    if (error.kind == ErrorKind::kInvalidInput) {
      return EpcisProblem(400, "ValidationException", error.reason, error.message);
    }
    return ErrorResponse(error);
  }
  Response response;
  response.status = 202;
  response.SetHeader("Location", "/capture/" + std::to_string(job->capture_id));
  SetVersionHeaders(response);
  return response;
}

json::object JobJson(const CaptureJob& job) {
  json::object object{{"captureID", std::to_string(job.capture_id)},
                      {"createdAt", FormatRfc3339(job.created_at)},
                      {"running", !job.finished_at.has_value()},
                      {"success", job.success},
                      {"captureErrorBehaviour", CaptureErrorBehaviourName(job.error_behaviour)},
                      {"errors", json::parse(job.errors)},
                      {"eventsCaptured", job.events_captured}};
  if (job.finished_at) object["finishedAt"] = FormatRfc3339(*job.finished_at);
  return object;
}

// A non-negative whole number from a query parameter or path segment, or std::nullopt.
std::optional<std::int64_t> WholeNumber(std::string_view text) {
  std::int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() || value < 0) {
    return std::nullopt;
  }
  return value;
}

struct Page {
  std::int64_t after = 0;
  int per_page = kDefaultPerPage;
};

Result<Page> ReadPage(const Request& request) {
  Page page;
  if (std::string_view token = request.Query("nextPageToken"); !token.empty()) {
    auto after = WholeNumber(token);
    if (!after) {
      return Error::InvalidInput("invalid_query", "nextPageToken " + std::string(token) +
                                                      " is not a token this server gave");
    }
    page.after = *after;
  }
  if (std::string_view per_page = request.Query("perPage"); !per_page.empty()) {
    auto count = WholeNumber(per_page);
    if (!count || *count < 1 || *count > kMaxPerPage) {
      return Error::InvalidInput("invalid_query", "perPage must be a whole number from 1 to " +
                                                      std::to_string(kMaxPerPage));
    }
    page.per_page = static_cast<int>(*count);
  }
  return page;
}

void SetNextPage(Response& response, std::string_view path, int per_page, std::int64_t last) {
  response.SetHeader("Link", "<" + std::string(path) + "?perPage=" + std::to_string(per_page) +
                                 "&nextPageToken=" + std::to_string(last) + ">; rel=\"next\"");
}

Response ListJobs(const Request& request, Store& store) {
  if (auto refused = CheckVersions(request)) return *refused;
  auto page = ReadPage(request);
  if (!page.ok())
    return EpcisProblem(400, "QueryParameterException", "invalid_query", page.error().message);
  auto jobs = store.ListCaptureJobs(page->after, page->per_page);
  if (!jobs.ok()) return ErrorResponse(jobs.error());
  json::array list;
  for (const CaptureJob& job : *jobs) list.push_back(JobJson(job));
  Response response = JsonResponse(200, list);
  SetVersionHeaders(response);
  if (static_cast<int>(jobs->size()) == page->per_page) {
    SetNextPage(response, "/capture", page->per_page, jobs->back().capture_id);
  }
  return response;
}

Response GetJob(const Request& request, Store& store) {
  if (auto refused = CheckVersions(request)) return *refused;
  const std::string& id = request.path_params.at("captureID");
  std::optional<std::int64_t> capture_id = WholeNumber(id);
  auto job = capture_id ? store.LoadCaptureJob(*capture_id, false)
                        : Result<std::optional<CaptureJob>>(std::optional<CaptureJob>());
  if (!job.ok()) return ErrorResponse(job.error());
  if (!job->has_value()) {
    return EpcisProblem(404, "NoSuchResourceException", "capture_job_not_found",
                        "no capture job " + id);
  }
  Response response = JsonResponse(200, JobJson(**job));
  SetVersionHeaders(response);
  return response;
}

// Every value of query parameter `name`, each split at `separators` (the binding writes lists
// pipe-delimited, clients also repeat the parameter).
std::vector<std::string> ListParameter(const Request& request, std::string_view name,
                                       std::string_view separators) {
  std::vector<std::string> values;
  for (const auto& [key, value] : request.query) {
    if (key != name) continue;
    std::size_t start = 0;
    while (start <= value.size()) {
      std::size_t end = value.find_first_of(separators, start);
      if (end == std::string::npos) end = value.size();
      if (end > start) values.push_back(value.substr(start, end - start));
      start = end + 1;
    }
  }
  return values;
}

// A time parameter. A '+' of an offset that the client did not percent-encode arrives as a
// space, so a space is read as '+'.
Result<std::optional<Timestamp>> TimeParameter(const Request& request, std::string_view name) {
  std::string text(request.Query(name));
  if (text.empty()) return std::optional<Timestamp>();
  std::replace(text.begin(), text.end(), ' ', '+');
  auto time = ParseRfc3339(text);
  if (!time.ok()) {
    return Error::InvalidInput("invalid_query", std::string(name) + " " + time.error().message);
  }
  return std::optional<Timestamp>(*time);
}

constexpr std::string_view kQueryParameters[] = {"eventType", "GE_eventTime", "LT_eventTime",
                                                 "MATCH_epc", "perPage",      "nextPageToken"};

Result<CapturedEventQuery> ReadEventQuery(const Request& request) {
  for (const auto& [key, value] : request.query) {
    if (std::find(std::begin(kQueryParameters), std::end(kQueryParameters), key) ==
        std::end(kQueryParameters)) {
      return Error::InvalidInput(
          "unsupported_query_parameter",
          "query parameter " + key +
              " is not supported; use eventType, GE_eventTime, LT_eventTime, MATCH_epc, perPage "
              "and nextPageToken");
    }
  }

  auto page = ReadPage(request);
  if (!page.ok()) return page.error();
  CapturedEventQuery query;
  query.after_sequence = page->after;
  query.limit = page->per_page;
  query.event_types = ListParameter(request, "eventType", "|,");
  for (const std::string& type : query.event_types) {
    if (!epcis::ParseEventType(type)) {
      return Error::InvalidInput("invalid_query", "eventType " + type + " is not an event type");
    }
  }

  for (std::string& epc : ListParameter(request, "MATCH_epc", "|")) {
    // A bare 18-digit SSCC is a parcel id, as the rest of the API writes it.
    if (epc.size() == 18 &&
        std::all_of(epc.begin(), epc.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      epc = "https://id.gs1.org/00/" + epc;
    }
    query.epcs.push_back(epcis::CanonicalEpc(epc));
  }

  auto from = TimeParameter(request, "GE_eventTime");
  if (!from.ok()) return from.error();
  auto until = TimeParameter(request, "LT_eventTime");
  if (!until.ok()) return until.error();
  query.event_time_from = *from;
  query.event_time_until = *until;
  return query;
}

Response QueryEvents(const Request& request, Store& store, const Clock& clock) {
  if (auto refused = CheckVersions(request)) return *refused;
  auto query = ReadEventQuery(request);
  if (!query.ok()) {
    return EpcisProblem(400, "QueryParameterException", query.error().reason,
                        query.error().message);
  }
  auto rows = store.QueryCapturedEvents(*query);
  if (!rows.ok()) return ErrorResponse(rows.error());

  json::array events;
  for (const CapturedEventRow& row : *rows) events.push_back(json::parse(row.body));
  json::object document{{"@context", json::array{kEpcisContext}},
                        {"type", "EPCISQueryDocument"},
                        {"schemaVersion", "2.0"},
                        {"creationDate", FormatRfc3339(clock.Now())},
                        {"epcisBody",
                         {{"queryResults",
                           {{"queryName", "SimpleEventQuery"},
                            {"resultsBody", {{"eventList", std::move(events)}}}}}}}};
  Response response = JsonResponse(200, document);
  SetVersionHeaders(response);
  if (static_cast<int>(rows->size()) == query->limit) {
    SetNextPage(response, "/events", query->limit, rows->back().sequence);
  }
  return response;
}

}  // namespace

void AddEpcisRoutes(http::Router& router, EpcisCapture& capture, Store& store,
                    RequestCounters& counters, const EpcisRouteLimits& limits) {
  static const SystemClock system_clock;
  router.Add(
      "OPTIONS", "/capture",
      Guard(store, counters, "/capture", {Role::kCarrier},
            [limits](const Request&, const Principal&) { return CaptureDiscovery(limits); }));
  router.Add("POST", "/capture",
             Guard(store, counters, "/capture", {Role::kCarrier},
                   [&capture, limits](const Request& request, const Principal& principal) {
                     return Capture(request, principal, capture, limits);
                   }));
  router.Add("GET", "/capture",
             Guard(store, counters, "/capture", {Role::kCarrier},
                   [&store](const Request& request, const Principal&) {
                     return ListJobs(request, store);
                   }));
  router.Add(
      "GET", "/capture/{captureID}",
      Guard(store, counters, "/capture/{captureID}", {Role::kCarrier},
            [&store](const Request& request, const Principal&) { return GetJob(request, store); }));
  router.Add("GET", "/events",
             Guard(store, counters, "/events", {Role::kCarrier},
                   [&store](const Request& request, const Principal&) {
                     return QueryEvents(request, store, system_clock);
                   }));
}

}  // namespace imeiguard
