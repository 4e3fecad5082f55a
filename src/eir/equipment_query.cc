#include "eir/equipment_query.h"

#include "identifiers/imei.h"

namespace imeiguard::eir {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool AllDigits(std::string_view text) {
  for (char c : text) {
    if (!IsDigit(c)) return false;
  }
  return true;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::uint64_t CoreValue(std::string_view digits14) {
  std::uint64_t core = 0;
  for (char c : digits14) core = core * 10 + static_cast<std::uint64_t>(c - '0');
  return core;
}

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

// Percent-decodes `encoded` into `out` ('+' is a space). False on a malformed escape or when the
// value does not fit.
bool Decode(std::string_view encoded, BoundedText& out) {
  out.Clear();
  for (std::size_t i = 0; i < encoded.size(); ++i) {
    char c = encoded[i];
    if (c == '+') {
      c = ' ';
    } else if (c == '%') {
      if (i + 2 >= encoded.size()) return false;
      int high = HexValue(encoded[i + 1]);
      int low = HexValue(encoded[i + 2]);
      if (high < 0 || low < 0) return false;
      c = static_cast<char>(high * 16 + low);
      i += 2;
    }
    if (!out.Append(c)) return false;
  }
  return true;
}

// Whether `text` is printable ASCII without spaces. After `digits_prefix` ("imsi-", "msisdn-"),
// the rest must be 5 to 15 digits, as TS 29.571 defines SUPI and GPSI.
bool ValidSubscriber(std::string_view text, std::string_view digits_prefix) {
  if (text.empty()) return false;
  for (char c : text) {
    if (c <= ' ' || c > '~') return false;
  }
  if (!StartsWith(text, digits_prefix)) return true;
  std::string_view digits = text.substr(digits_prefix.size());
  return digits.size() >= 5 && digits.size() <= 15 && AllDigits(digits);
}

}  // namespace

QueryProblem ParsePei(std::string_view pei, std::uint64_t& core) {
  if (pei.empty()) return QueryProblem::kPeiMissing;
  if (StartsWith(pei, "imeisv-")) {
    std::string_view digits = pei.substr(7);
    if (digits.size() != 16 || !AllDigits(digits)) return QueryProblem::kPeiForm;
    core = CoreValue(digits.substr(0, 14));
    return QueryProblem::kNone;
  }
  if (StartsWith(pei, "imei-")) {
    std::string_view digits = pei.substr(5);
    if (digits.size() != 15 || !AllDigits(digits)) return QueryProblem::kPeiForm;
    int last = digits[14] - '0';
    if (last != 0 && last != LuhnCheckDigit(digits.substr(0, 14)))
      return QueryProblem::kPeiCheckDigit;
    core = CoreValue(digits.substr(0, 14));
    return QueryProblem::kNone;
  }
  if (StartsWith(pei, "mac-") || StartsWith(pei, "eui-")) return QueryProblem::kPeiNotImei;
  return QueryProblem::kPeiForm;
}

void ParseEquipmentQuery(std::string_view query, EquipmentQueryText& result) {
  result = EquipmentQueryText();
  BoundedText pei;
  bool seen_pei = false;
  bool seen_supi = false;
  bool seen_gpsi = false;
  auto fail = [&result](QueryProblem problem) { result.problem = problem; };

  while (!query.empty()) {
    std::size_t end = query.find('&');
    std::string_view pair = query.substr(0, end);
    query = end == std::string_view::npos ? std::string_view() : query.substr(end + 1);
    std::size_t equals = pair.find('=');
    std::string_view name = pair.substr(0, equals);
    std::string_view value =
        equals == std::string_view::npos ? std::string_view() : pair.substr(equals + 1);

    BoundedText* target = nullptr;
    bool* seen = nullptr;
    if (name == "pei") {
      target = &pei;
      seen = &seen_pei;
    } else if (name == "supi") {
      target = &result.supi;
      seen = &seen_supi;
    } else if (name == "gpsi") {
      target = &result.gpsi;
      seen = &seen_gpsi;
    } else {
      continue;
    }
    if (*seen) return fail(QueryProblem::kQueryIncorrect);
    *seen = true;
    if (!Decode(value, *target)) {
      if (target == &pei) return fail(QueryProblem::kPeiForm);
      return fail(target == &result.supi ? QueryProblem::kSupiIncorrect
                                         : QueryProblem::kGpsiIncorrect);
    }
  }

  result.problem = ParsePei(pei.view(), result.core);
  if (result.problem != QueryProblem::kNone) return;
  if (seen_supi && !ValidSubscriber(result.supi.view(), "imsi-")) {
    return fail(QueryProblem::kSupiIncorrect);
  }
  if (seen_gpsi && !ValidSubscriber(result.gpsi.view(), "msisdn-")) {
    return fail(QueryProblem::kGpsiIncorrect);
  }
}

}  // namespace imeiguard::eir
