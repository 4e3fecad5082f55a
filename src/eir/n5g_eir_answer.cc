#include "eir/n5g_eir_answer.h"

#include "eir/equipment_query.h"
#include "eir/equipment_status.h"

namespace imeiguard::eir {
namespace {

constexpr std::string_view kJson = "application/json";
constexpr std::string_view kProblemJson = "application/problem+json";

// Problem details of TS 29.500 (RFC 9457 with its cause and invalidParams members).
constexpr std::string_view kUnknownBody =
    R"({"title":"Not Found","status":404,"detail":"the equipment is not known to this EIR",)"
    R"("cause":"ERROR_EQUIPMENT_UNKNOWN"})";
constexpr std::string_view kPeiMissingBody =
    R"({"title":"Bad Request","status":400,"detail":"query parameter pei is missing",)"
    R"("cause":"MANDATORY_QUERY_PARAM_MISSING",)"
    R"("invalidParams":[{"param":"pei","reason":"missing"}]})";
constexpr std::string_view kPeiFormBody =
    R"({"title":"Bad Request","status":400,"detail":"query parameter pei is invalid; use )"
    R"(imei- and 15 digits or imeisv- and 16 digits","cause":"MANDATORY_QUERY_PARAM_INCORRECT",)"
    R"("invalidParams":[{"param":"pei","reason":"not imei-<15 digits> or imeisv-<16 digits>"}]})";
constexpr std::string_view kPeiCheckDigitBody =
    R"({"title":"Bad Request","status":400,"detail":"query parameter pei is invalid; the last )"
    R"(digit of an imei- PEI must be its Luhn check digit or a spare 0",)"
    R"("cause":"MANDATORY_QUERY_PARAM_INCORRECT",)"
    R"("invalidParams":[{"param":"pei","reason":"wrong check digit"}]})";
constexpr std::string_view kSupiBody =
    R"({"title":"Bad Request","status":400,"detail":"query parameter supi is invalid; use )"
    R"(imsi- and 5 to 15 digits, or another SUPI of printable characters",)"
    R"("cause":"OPTIONAL_QUERY_PARAM_INCORRECT",)"
    R"("invalidParams":[{"param":"supi","reason":"not a SUPI"}]})";
constexpr std::string_view kGpsiBody =
    R"({"title":"Bad Request","status":400,"detail":"query parameter gpsi is invalid; use )"
    R"(msisdn- and 5 to 15 digits, or another GPSI of printable characters",)"
    R"("cause":"OPTIONAL_QUERY_PARAM_INCORRECT",)"
    R"("invalidParams":[{"param":"gpsi","reason":"not a GPSI"}]})";
constexpr std::string_view kQueryBody =
    R"({"title":"Bad Request","status":400,"detail":"the query repeats a parameter or has a )"
    R"(malformed %-escape","cause":"INVALID_QUERY_PARAM"})";
constexpr std::string_view kNoResourceBody =
    R"({"title":"Not Found","status":404,"detail":"no such resource; the service has )"
    R"(GET /n5g-eir-eic/v1/equipment-status","cause":"RESOURCE_URI_STRUCTURE_NOT_FOUND"})";
constexpr std::string_view kMethodBody =
    R"({"title":"Method Not Allowed","status":405,"detail":"equipment-status allows GET only"})";

constexpr std::string_view kWhitelistedBody = R"({"status":"WHITELISTED"})";
constexpr std::string_view kGreylistedBody = R"({"status":"GREYLISTED"})";
constexpr std::string_view kBlacklistedBody = R"({"status":"BLACKLISTED"})";

EirResponse Problem(int status, std::string_view body) { return {status, kProblemJson, body}; }

EirResponse ProblemOf(QueryProblem problem) {
  switch (problem) {
    case QueryProblem::kPeiMissing:
      return Problem(400, kPeiMissingBody);
    case QueryProblem::kPeiForm:
      return Problem(400, kPeiFormBody);
    case QueryProblem::kPeiCheckDigit:
      return Problem(400, kPeiCheckDigitBody);
    case QueryProblem::kPeiNotImei:
      return Problem(404, kUnknownBody);
    case QueryProblem::kSupiIncorrect:
      return Problem(400, kSupiBody);
    case QueryProblem::kGpsiIncorrect:
      return Problem(400, kGpsiBody);
    case QueryProblem::kQueryIncorrect:
    case QueryProblem::kNone:
      break;
  }
  return Problem(400, kQueryBody);
}

std::string_view StatusBody(EquipmentStatus status) {
  switch (status) {
    case EquipmentStatus::kWhitelisted:
      return kWhitelistedBody;
    case EquipmentStatus::kGreylisted:
      return kGreylistedBody;
    case EquipmentStatus::kBlacklisted:
      return kBlacklistedBody;
  }
  return kWhitelistedBody;
}

}  // namespace

EirResponse AnswerEirRequest(std::string_view method, std::string_view target,
                             const EquipmentSnapshot& snapshot, SightingRecorder* recorder,
                             std::string_view network_element, Timestamp now) {
  std::size_t question = target.find('?');
  std::string_view path = target.substr(0, question);
  std::string_view query =
      question == std::string_view::npos ? std::string_view() : target.substr(question + 1);
  if (path != kEquipmentStatusPath) return Problem(404, kNoResourceBody);
  if (method != "GET") {
    EirResponse response = Problem(405, kMethodBody);
    response.allow_get_only = true;
    return response;
  }

  EquipmentQueryText parsed;
  ParseEquipmentQuery(query, parsed);
  if (parsed.problem != QueryProblem::kNone) return ProblemOf(parsed.problem);

  if (recorder != nullptr) {
    EquipmentQuery sighting;
    sighting.core = parsed.core;
    sighting.interface = "n5g-eir";
    sighting.network_element = network_element;
    sighting.supi_or_imsi = parsed.supi.view();
    sighting.gpsi = parsed.gpsi.view();
    sighting.at = now;
    recorder->Record(sighting);
  }
  std::optional<LockState> state = snapshot.Lookup(parsed.core);
  if (!state) return Problem(404, kUnknownBody);
  return {200, kJson, StatusBody(EquipmentStatusOf(*state))};
}

}  // namespace imeiguard::eir
