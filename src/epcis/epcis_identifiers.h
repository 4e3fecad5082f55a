// Identifiers and vocabulary as EPCIS 2.0 events write them: EPC URIs, GS1 Digital Link URIs, CBV
// terms and JSON-LD compact IRIs, each brought to one canonical spelling so that two spellings of
// the same thing compare equal.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace imeiguard::epcis {

// JSON-LD prefixes by name ("gs1" -> "https://gs1.org/voc/"). Starts with the prefixes of the
// standard EPCIS 2.0 context; a document's @context objects add to it.
class Prefixes {
 public:
  Prefixes();
  void Add(std::string prefix, std::string iri) { iris_[std::move(prefix)] = std::move(iri); }
  // Expands a compact IRI "prefix:rest" whose prefix is known; returns other text unchanged.
  std::string Expand(std::string_view text) const;

 private:
  std::map<std::string, std::string, std::less<>> iris_;
};

// The CBV vocabularies that JSON-LD writes as bare words ("shipping", "in_transit").
enum class Vocabulary {
  kBizStep,
  kDisposition,
  kBizTransactionType,
  kSourceDestType,
  kErrorReason
};

// The CBV 2.0 web URI of a vocabulary value: a bare word becomes
// "https://ref.gs1.org/cbv/BizStep-shipping", an "urn:epcglobal:cbv:bizstep:shipping" URN the same,
// a compact IRI is expanded and any other URI is kept.
std::string CanonicalVocabulary(Vocabulary vocabulary, std::string_view value,
                                const Prefixes& prefixes);

// The bare CBV word of a standard value in any spelling ("shipping" for the bare word, the URN or
// the web URI), or "" for a value outside the standard vocabulary.
std::string StandardTerm(Vocabulary vocabulary, std::string_view value, const Prefixes& prefixes);

// The constrained canonical GS1 Digital Link URI of an EPC: "urn:epc:id:sscc:0614141.1234567890"
// becomes "https://id.gs1.org/00/106141412345678908". Digital Link URIs on another domain move to
// id.gs1.org and lose their query string. Schemes without a Digital Link form, and malformed EPC
// URIs, are returned unchanged.
std::string CanonicalEpc(std::string_view epc);

// The 18-digit SSCC of a parcel written as an SSCC EPC URI or as a GS1 Digital Link with AI 00, or
// std::nullopt for any other identifier.
std::optional<std::string> SsccOf(std::string_view epc);

// The GS1 check digit of `digits` (a string of decimal digits), as a character.
char Gs1CheckDigit(std::string_view digits);

}  // namespace imeiguard::epcis
