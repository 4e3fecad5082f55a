// The query of an N5g-eir Equipment Identity Check (3GPP TS 29.511):
// GET /n5g-eir-eic/v1/equipment-status?pei=...&supi=...&gpsi=...
//
// Parsing copies nothing to the heap: decoded values live in fixed buffers inside the result.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace imeiguard::eir {

// The problem found in a query. Each maps to one response of the service (n5g_eir_answer.h).
enum class QueryProblem {
  kNone,
  kPeiMissing,      // No pei parameter, or an empty one.
  kPeiForm,         // pei is not imei-<15 digits>, imeisv-<16 digits>, mac-... or eui-...
  kPeiCheckDigit,   // imei-<15 digits> whose last digit is neither the Luhn digit nor a spare 0.
  kPeiNotImei,      // A MAC or EUI-64 based PEI, which identifies no IMEI device.
  kSupiIncorrect,   // supi is empty, too long or not printable, or a malformed imsi-.
  kGpsiIncorrect,   // gpsi is empty, too long or not printable, or a malformed msisdn-.
  kQueryIncorrect,  // A malformed %-escape or a parameter given twice.
};

// Longest SUPI and GPSI kept; a longer one is rejected as incorrect.
inline constexpr std::size_t kMaxSubscriberBytes = 128;

// A decoded text value of bounded length.
class BoundedText {
 public:
  std::string_view view() const { return {bytes_, size_}; }
  bool empty() const { return size_ == 0; }
  // Appends `c`; returns false, leaving the text as it was, when it is full.
  bool Append(char c) {
    if (size_ == sizeof(bytes_)) return false;
    bytes_[size_++] = c;
    return true;
  }
  void Clear() { size_ = 0; }

 private:
  char bytes_[kMaxSubscriberBytes];
  std::size_t size_ = 0;
};

struct EquipmentQueryText {
  QueryProblem problem = QueryProblem::kNone;
  std::uint64_t core = 0;  // The device's 14-digit core, when problem is kNone.
  BoundedText supi;        // Empty when absent.
  BoundedText gpsi;        // Empty when absent.
};

// Parses the query string after '?' (percent-encoded, '&'-separated). Parameters other than pei,
// supi and gpsi are ignored, as TS 29.500 lets a server ignore unknown query parameters.
void ParseEquipmentQuery(std::string_view query, EquipmentQueryText& result);

// Parses a PEI. Returns kNone and sets `core` for imei-<15 digits> (with a correct Luhn digit or a
// spare 0 in its place, as networks send it) and imeisv-<16 digits>; otherwise the problem.
QueryProblem ParsePei(std::string_view pei, std::uint64_t& core);

}  // namespace imeiguard::eir
