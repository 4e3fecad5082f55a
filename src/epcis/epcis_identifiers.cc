#include "epcis/epcis_identifiers.h"

#include <algorithm>
#include <array>
#include <vector>

#include "identifiers/text.h"

namespace imeiguard::epcis {
namespace {

constexpr std::string_view kCbvBase = "https://ref.gs1.org/cbv/";
constexpr std::string_view kDigitalLinkBase = "https://id.gs1.org";

struct VocabularySpelling {
  std::string_view web_prefix;  // After kCbvBase: "BizStep-".
  std::string_view urn_prefix;  // "urn:epcglobal:cbv:bizstep:".
};

VocabularySpelling SpellingOf(Vocabulary vocabulary) {
  switch (vocabulary) {
    case Vocabulary::kBizStep:
      return {"BizStep-", "urn:epcglobal:cbv:bizstep:"};
    case Vocabulary::kDisposition:
      return {"Disp-", "urn:epcglobal:cbv:disp:"};
    case Vocabulary::kBizTransactionType:
      return {"BTT-", "urn:epcglobal:cbv:btt:"};
    case Vocabulary::kSourceDestType:
      return {"SDT-", "urn:epcglobal:cbv:sdt:"};
    case Vocabulary::kErrorReason:
      return {"ER-", "urn:epcglobal:cbv:er:"};
  }
  return {"", ""};
}

bool AllDigits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), IsAsciiDigit);
}

// Splits "a.b.c" at its dots.
std::vector<std::string_view> SplitDots(std::string_view text) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    std::size_t dot = text.find('.', start);
    parts.push_back(text.substr(start, dot == std::string_view::npos ? dot : dot - start));
    if (dot == std::string_view::npos) return parts;
    start = dot + 1;
  }
}

std::string WithCheckDigit(std::string digits) {
  digits.push_back(Gs1CheckDigit(digits));
  return digits;
}

// The GTIN-14 of an SGTIN's company prefix and indicator-plus-item-reference, or "" when malformed.
std::string Gtin14(std::string_view company_prefix, std::string_view item_reference) {
  if (!AllDigits(company_prefix) || !AllDigits(item_reference)) return "";
  if (company_prefix.size() + item_reference.size() != 13) return "";
  std::string digits(1, item_reference[0]);
  digits.append(company_prefix);
  digits.append(item_reference.substr(1));
  return WithCheckDigit(std::move(digits));
}

// The Digital Link path ("/01/...") of an EPC URN body after its scheme, or "" when malformed.
std::string DigitalLinkPath(std::string_view scheme, std::string_view body) {
  std::vector<std::string_view> parts = SplitDots(body);
  if (scheme == "id:sgtin" && parts.size() == 3) {
    std::string gtin = Gtin14(parts[0], parts[1]);
    if (gtin.empty() || parts[2].empty()) return "";
    return "/01/" + gtin + "/21/" + std::string(parts[2]);
  }
  if (scheme == "idpat:sgtin" && parts.size() == 3 && parts[2] == "*") {
    std::string gtin = Gtin14(parts[0], parts[1]);
    return gtin.empty() ? "" : "/01/" + gtin;
  }
  if (scheme == "class:lgtin" && parts.size() == 3) {
    std::string gtin = Gtin14(parts[0], parts[1]);
    if (gtin.empty() || parts[2].empty()) return "";
    return "/01/" + gtin + "/10/" + std::string(parts[2]);
  }
  if (scheme == "id:sscc" && parts.size() == 2 && AllDigits(parts[0]) && AllDigits(parts[1]) &&
      parts[0].size() + parts[1].size() == 17) {
    std::string digits(1, parts[1][0]);
    digits.append(parts[0]);
    digits.append(parts[1].substr(1));
    return "/00/" + WithCheckDigit(std::move(digits));
  }
  if (scheme == "id:sgln" && parts.size() == 3 && AllDigits(parts[0]) && AllDigits(parts[1]) &&
      parts[0].size() + parts[1].size() == 12) {
    std::string path = "/414/" + WithCheckDigit(std::string(parts[0]) + std::string(parts[1]));
    if (!parts[2].empty() && parts[2] != "0") path += "/254/" + std::string(parts[2]);
    return path;
  }
  if (scheme == "id:grai" && parts.size() == 3 && AllDigits(parts[0]) && AllDigits(parts[1]) &&
      parts[0].size() + parts[1].size() == 12) {
    return "/8003/" + WithCheckDigit("0" + std::string(parts[0]) + std::string(parts[1])) +
           std::string(parts[2]);
  }
  if (scheme == "id:giai" && parts.size() == 2 && AllDigits(parts[0]) && !parts[1].empty()) {
    return "/8004/" + std::string(parts[0]) + std::string(parts[1]);
  }
  if (scheme == "id:gsrn" && parts.size() == 2 && AllDigits(parts[0]) && AllDigits(parts[1]) &&
      parts[0].size() + parts[1].size() == 17) {
    return "/8018/" + WithCheckDigit(std::string(parts[0]) + std::string(parts[1]));
  }
  if (scheme == "id:pgln" && parts.size() == 2 && AllDigits(parts[0]) && AllDigits(parts[1]) &&
      parts[0].size() + parts[1].size() == 12) {
    return "/417/" + WithCheckDigit(std::string(parts[0]) + std::string(parts[1]));
  }
  return "";
}

// The primary GS1 keys a Digital Link path starts with.
constexpr std::array<std::string_view, 14> kPrimaryKeys = {
    "/00/",  "/01/",   "/253/",  "/255/",  "/401/",  "/402/",  "/414/",
    "/417/", "/8003/", "/8004/", "/8006/", "/8010/", "/8017/", "/8018/"};

// A Digital Link URI on any domain, moved to id.gs1.org without its query string and fragment.
std::optional<std::string> ConstrainDigitalLink(std::string_view uri) {
  std::size_t scheme_end = uri.find("://");
  if (scheme_end == std::string_view::npos) return std::nullopt;
  std::string_view scheme = uri.substr(0, scheme_end);
  if (scheme != "https" && scheme != "http") return std::nullopt;
  std::size_t path_start = uri.find('/', scheme_end + 3);
  if (path_start == std::string_view::npos) return std::nullopt;
  std::string_view path = uri.substr(path_start);
  path = path.substr(0, std::min(path.find('?'), path.find('#')));
  std::size_t key_start = std::string_view::npos;
  for (std::string_view key : kPrimaryKeys) key_start = std::min(key_start, path.find(key));
  if (key_start == std::string_view::npos) return std::nullopt;
  return std::string(kDigitalLinkBase) + std::string(path.substr(key_start));
}

}  // namespace

Prefixes::Prefixes() {
  iris_["gs1"] = "https://gs1.org/voc/";
  iris_["cbv"] = "https://ref.gs1.org/cbv/";
  iris_["epcis"] = "https://ref.gs1.org/epcis/";
}

std::string Prefixes::Expand(std::string_view text) const {
  std::size_t colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0) return std::string(text);
  std::string_view rest = text.substr(colon + 1);
  if (rest.starts_with("//")) return std::string(text);  // Already an absolute IRI.
  auto it = iris_.find(text.substr(0, colon));
  if (it == iris_.end()) return std::string(text);
  return it->second + std::string(rest);
}

char Gs1CheckDigit(std::string_view digits) {
  int sum = 0;
  int weight = 3;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    sum += (*it - '0') * weight;
    weight = weight == 3 ? 1 : 3;
  }
  return static_cast<char>('0' + (10 - sum % 10) % 10);
}

std::string CanonicalVocabulary(Vocabulary vocabulary, std::string_view value,
                                const Prefixes& prefixes) {
  value = TrimAsciiSpace(value);
  VocabularySpelling spelling = SpellingOf(vocabulary);
  if (value.starts_with(spelling.urn_prefix)) {
    return std::string(kCbvBase) + std::string(spelling.web_prefix) +
           std::string(value.substr(spelling.urn_prefix.size()));
  }
  if (value.find(':') == std::string_view::npos) {
    return std::string(kCbvBase) + std::string(spelling.web_prefix) + std::string(value);
  }
  return prefixes.Expand(value);
}

std::string StandardTerm(Vocabulary vocabulary, std::string_view value, const Prefixes& prefixes) {
  std::string canonical = CanonicalVocabulary(vocabulary, value, prefixes);
  std::string prefix = std::string(kCbvBase) + std::string(SpellingOf(vocabulary).web_prefix);
  if (!canonical.starts_with(prefix)) return "";
  return canonical.substr(prefix.size());
}

std::string CanonicalEpc(std::string_view epc) {
  epc = TrimAsciiSpace(epc);
  if (epc.starts_with("urn:epc:")) {
    std::string_view rest = epc.substr(8);
    std::size_t second_colon = rest.find(':', rest.find(':') + 1);
    if (second_colon != std::string_view::npos) {
      std::string path =
          DigitalLinkPath(rest.substr(0, second_colon), rest.substr(second_colon + 1));
      if (!path.empty()) return std::string(kDigitalLinkBase) + path;
    }
    return std::string(epc);
  }
  if (std::optional<std::string> link = ConstrainDigitalLink(epc)) return *link;
  return std::string(epc);
}

std::optional<std::string> SsccOf(std::string_view epc) {
  std::string canonical = CanonicalEpc(epc);
  constexpr std::string_view kSsccPrefix = "https://id.gs1.org/00/";
  if (!canonical.starts_with(kSsccPrefix)) return std::nullopt;
  std::string digits = canonical.substr(kSsccPrefix.size());
  if (digits.size() != 18 || !AllDigits(digits)) return std::nullopt;
  return digits;
}

}  // namespace imeiguard::epcis
