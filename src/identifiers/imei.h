// IMEI: the identity a phone is locked by.
//
// A device is identified by its 14-digit core (8-digit TAC + 6-digit serial). The 15-digit IMEI
// adds a Luhn check digit; the 16-digit IMEISV replaces it with a 2-digit software version;
// networks often send the core followed by a spare 0. Every spelling of one phone maps to the same
// core.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"

namespace imeiguard {

// Where an identifier came from. People type the printed 15-digit IMEI, so a check digit that fails
// Luhn is a typing mistake (kHuman). Networks send the core with a spare digit, so only the core
// counts (kNetwork).
enum class ImeiChannel { kHuman, kNetwork };

// Why a spelling was rejected. The reason codes (ImeiRejectionCode) are stable and appear in
// manifest reports and API errors.
enum class ImeiRejection {
  kEmpty,             // nothing but white space
  kLength,            // a digit count that no IMEI form has
  kLength14,          // 14 digits from a person: missing check digit or a lost leading zero
  kCheckDigit,        // 15 digits whose last digit fails Luhn
  kInvalidCharacter,  // a character that is neither a digit nor an accepted separator
  kExponentNotation,  // a spreadsheet number such as 3.58472E+14
  kMeid,              // a 14-hex-digit CDMA MEID
  kEsn,               // an 8-hex-digit CDMA ESN
  kPlaceholder,       // a value that identifies no device: all zeros, one repeated digit, "unknown"
};

// "empty", "length", "length_14", "check_digit", "invalid_character", "exponent_notation", "meid",
// "esn" or "placeholder".
std::string_view ImeiRejectionCode(ImeiRejection rejection);

// The 14-digit core of an IMEI. Cheap to copy; ordered and hashable by its numeric value.
class Imei {
 public:
  // Parses any accepted spelling: digits with spaces, dashes or slashes between groups, surrounded
  // by white space, optionally prefixed by "imei-", "imeisv-" or "urn:gsma:imei:". On failure
  // returns kInvalidInput whose `reason` is an ImeiRejectionCode and whose message says what to fix
  // (for a wrong check digit, which digit was expected).
  //
  // Prefixes are matched without regard to case. 16 digits are an IMEISV, whose core is its first
  // 14 digits. On kHuman, 15 digits must pass Luhn, except that the URN form may end in its spare
  // 0, and 14 digits are rejected. On kNetwork, 14 digits, or 15 with any last digit and an
  // optional trailing 'F' filler, are accepted. A letter is never read as a digit. A spelling of
  // 8 or 14 hexadecimal characters is an ESN or MEID only when it has a letter A to F, because
  // digits alone are an IMEI of the wrong length.
  static Result<Imei> Parse(std::string_view text, ImeiChannel channel);

  // Same as Parse, but also stores the rejection in `*rejection` on failure, for callers that
  // branch on it. `rejection` may be null.
  static Result<Imei> Parse(std::string_view text, ImeiChannel channel, ImeiRejection* rejection);

  // Builds an Imei from a numeric core below 10^14, as stored. The caller guarantees the range.
  static Imei FromCoreValue(std::uint64_t core) { return Imei(core); }

  // The 14 digits, with leading zeros.
  std::string Core() const;
  // The 15-digit IMEI: the core and its Luhn check digit.
  std::string WithCheckDigit() const;
  // The TAC (the model) followed by six asterisks in place of the serial, such as
  // "35847210******": the form for logs and for people who have not asked to see the IMEI.
  std::string Masked() const;
  // The core as a number, below 10^14: the key of stores and snapshots.
  std::uint64_t core_value() const { return core_; }

  friend bool operator==(Imei a, Imei b) { return a.core_ == b.core_; }
  friend auto operator<=>(Imei a, Imei b) { return a.core_ <=> b.core_; }

 private:
  explicit Imei(std::uint64_t core) : core_(core) {}
  std::uint64_t core_;
};

// Returns the IMEI that `text` is with a 0 in front, when `text` is rejected as 14 digits
// (kLength14) and those 15 digits pass Luhn. That is the mark of an IMEI from which a spreadsheet
// dropped the leading zero by storing it as a number. Returns std::nullopt for any other text.
// 14 digits typed without their check digit also fit by chance, 1 time in 10.
std::optional<Imei> ImeiWithLeadingZero(std::string_view text);

// Computes the Luhn check digit (0 to 9) of a 14-digit core given as 14 ASCII digits. Returns -1
// when `core14` is not exactly 14 ASCII digits.
int LuhnCheckDigit(std::string_view core14);

}  // namespace imeiguard

template <>
struct std::hash<imeiguard::Imei> {
  size_t operator()(imeiguard::Imei imei) const noexcept {
    return std::hash<std::uint64_t>{}(imei.core_value());
  }
};
