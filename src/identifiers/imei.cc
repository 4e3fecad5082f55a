#include "identifiers/imei.h"

#include <array>
#include <cstddef>

#include "identifiers/text.h"

namespace imeiguard {
namespace {

constexpr std::size_t kCoreLength = 14;

// Digits kept for classifying a spelling, more than any IMEI form has. Digits past them are
// counted but not kept.
constexpr std::size_t kMaxKeptDigits = 20;

// Words that shippers' systems write where they have no IMEI. Compared without regard to case.
constexpr std::string_view kPlaceholderWords[] = {"unknown", "n/a", "na",  "none",
                                                  "null",    "nil", "tbd", "?"};

struct Prefix {
  std::string_view text;
  // RFC 7254 writes the 15th digit of an IMEI URN as a spare 0 in place of the check digit.
  bool allows_spare_zero;
};

constexpr Prefix kPrefixes[] = {
    {"urn:gsma:imei:", true},
    {"imeisv-", false},
    {"imei-", false},
};

constexpr std::size_t kNoPosition = static_cast<std::size_t>(-1);

// The significant characters of a spelling once the separators between groups are dropped.
struct Characters {
  std::array<char, kMaxKeptDigits> digits{};
  std::size_t digit_count = 0;
  std::size_t hex_letter_count = 0;           // a-f and A-F
  std::size_t first_non_digit = kNoPosition;  // byte offset in the scanned text
  bool only_hex_letters = true;               // every non-digit, non-separator is a hex letter
  bool only_zeros = true;                     // every digit is 0
  char last_significant = '\0';
};

bool IsSeparator(char c) { return c == ' ' || c == '-' || c == '/'; }

bool IsHexLetter(char c) { return (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

Characters ScanCharacters(std::string_view body) {
  Characters chars;
  for (std::size_t i = 0; i < body.size(); ++i) {
    char c = body[i];
    if (IsSeparator(c)) continue;
    chars.last_significant = c;
    if (IsAsciiDigit(c)) {
      if (chars.digit_count < kMaxKeptDigits) chars.digits[chars.digit_count] = c;
      ++chars.digit_count;
      chars.only_zeros = chars.only_zeros && c == '0';
      continue;
    }
    if (chars.first_non_digit == kNoPosition) chars.first_non_digit = i;
    if (IsHexLetter(c)) {
      ++chars.hex_letter_count;
    } else {
      chars.only_hex_letters = false;
    }
  }
  return chars;
}

// True for a whole spelling made of digits, an optional '.' or ',' fraction, and an exponent, as
// a spreadsheet writes a large number: "3.58472E+14", "3,58472E+14", "3.58472e14".
bool IsExponentNotation(std::string_view text) {
  std::size_t i = 0;
  auto skip_digits = [&] {
    std::size_t start = i;
    while (i < text.size() && IsAsciiDigit(text[i])) ++i;
    return i > start;
  };
  if (!skip_digits()) return false;
  if (i < text.size() && (text[i] == '.' || text[i] == ',')) {
    ++i;
    if (!skip_digits()) return false;
  }
  if (i >= text.size() || (text[i] != 'E' && text[i] != 'e')) return false;
  ++i;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
  if (!skip_digits()) return false;
  return i == text.size();
}

bool IsPlaceholderWord(std::string_view text) {
  for (std::string_view word : kPlaceholderWords) {
    if (EqualsIgnoringCase(text, word)) return true;
  }
  // "-", "--", "/" and the like: a cell filled with a dash to say "none".
  for (char c : text) {
    if (!IsSeparator(c)) return false;
  }
  return true;
}

bool AllSame(std::string_view digits) {
  for (char c : digits) {
    if (c != digits[0]) return false;
  }
  return true;
}

std::uint64_t CoreValueOf(std::string_view core14) {
  std::uint64_t value = 0;
  for (char c : core14) value = value * 10 + static_cast<std::uint64_t>(c - '0');
  return value;
}

Error Reject(ImeiRejection rejection, ImeiRejection* out, std::string message) {
  *out = rejection;
  return Error::InvalidInput(std::string(ImeiRejectionCode(rejection)), std::move(message));
}

std::string LengthMessage(std::string_view shown, std::size_t digit_count, ImeiChannel channel) {
  std::string message = QuoteForMessage(shown);
  message += " has " + std::to_string(digit_count) + (digit_count == 1 ? " digit" : " digits");
  if (channel == ImeiChannel::kHuman) {
    message += ", but an IMEI has 15 (16 for an IMEISV).";
  } else {
    message += ", but a network sends 14, 15 or 16.";
  }
  message += " Check that no digit is missing or repeated.";
  return message;
}

// Classifies a spelling that contains something other than digits and separators.
Result<Imei> RejectNonDigits(std::string_view shown, std::string_view body, const Characters& chars,
                             ImeiRejection* rejection) {
  std::size_t hex_length = chars.digit_count + chars.hex_letter_count;
  if (chars.only_hex_letters && hex_length == 14) {
    return Reject(ImeiRejection::kMeid, rejection,
                  QuoteForMessage(shown) +
                      " is a hexadecimal CDMA MEID, not an IMEI. Enter the device's 15-digit IMEI, "
                      "which is printed on its box or shown by dialling *#06#.");
  }
  if (chars.only_hex_letters && hex_length == 8) {
    return Reject(ImeiRejection::kEsn, rejection,
                  QuoteForMessage(shown) +
                      " is an 8-digit hexadecimal CDMA ESN, not an IMEI. Enter the device's "
                      "15-digit IMEI, which is printed on its box or shown by dialling *#06#.");
  }
  std::size_t offset = chars.first_non_digit + (shown.size() - body.size());
  return Reject(ImeiRejection::kInvalidCharacter, rejection,
                QuoteForMessage(shown) + " contains " + DescribeCharacterAt(shown, offset) +
                    " at position " + std::to_string(CharacterPosition(shown, offset)) +
                    ", which is not a digit. An IMEI is digits only, with spaces, dashes or "
                    "slashes between groups, so check for a letter typed in place of a digit (O "
                    "for 0, I or l for 1).");
}

Result<Imei> AcceptCore(std::string_view shown, std::string_view core14, ImeiRejection* rejection) {
  if (AllSame(core14)) {
    return Reject(ImeiRejection::kPlaceholder, rejection,
                  QuoteForMessage(shown) +
                      " is a placeholder that identifies no device. Enter the device's real IMEI.");
  }
  return Imei::FromCoreValue(CoreValueOf(core14));
}

Result<Imei> CheckFifteenDigits(std::string_view shown, std::string_view digits15,
                                bool allows_spare_zero, ImeiChannel channel,
                                ImeiRejection* rejection) {
  std::string_view core = digits15.substr(0, kCoreLength);
  // A repeated digit is a placeholder whatever its last digit, and a network's 15th digit is a
  // spare one, so neither is checked.
  if (AllSame(core) || channel == ImeiChannel::kNetwork) return AcceptCore(shown, core, rejection);

  int expected = LuhnCheckDigit(core);
  int given = digits15[kCoreLength] - '0';
  if (given == expected || (allows_spare_zero && given == 0)) {
    return AcceptCore(shown, core, rejection);
  }
  return Reject(ImeiRejection::kCheckDigit, rejection,
                "the check digit of " + QuoteForMessage(shown) + " is " + std::to_string(given) +
                    ", but its first 14 digits require " + std::to_string(expected) +
                    ". Check the IMEI for a typing mistake.");
}

}  // namespace

std::string_view ImeiRejectionCode(ImeiRejection rejection) {
  switch (rejection) {
    case ImeiRejection::kEmpty:
      return "empty";
    case ImeiRejection::kLength:
      return "length";
    case ImeiRejection::kLength14:
      return "length_14";
    case ImeiRejection::kCheckDigit:
      return "check_digit";
    case ImeiRejection::kInvalidCharacter:
      return "invalid_character";
    case ImeiRejection::kExponentNotation:
      return "exponent_notation";
    case ImeiRejection::kMeid:
      return "meid";
    case ImeiRejection::kEsn:
      return "esn";
    case ImeiRejection::kPlaceholder:
      return "placeholder";
  }
  return "invalid_character";
}

Result<Imei> Imei::Parse(std::string_view text, ImeiChannel channel) {
  ImeiRejection ignored;
  return Parse(text, channel, &ignored);
}

Result<Imei> Imei::Parse(std::string_view text, ImeiChannel channel, ImeiRejection* rejection) {
  ImeiRejection ignored;
  if (rejection == nullptr) rejection = &ignored;

  std::string_view shown = TrimAsciiSpace(text);
  if (shown.empty()) {
    return Reject(ImeiRejection::kEmpty, rejection,
                  "the IMEI is empty. Enter the 15 digits printed on the device or its box.");
  }
  if (IsPlaceholderWord(shown)) {
    return Reject(ImeiRejection::kPlaceholder, rejection,
                  QuoteForMessage(shown) +
                      " is a placeholder, not an IMEI. Enter the device's real 15-digit IMEI.");
  }

  std::string_view body = shown;
  bool allows_spare_zero = false;
  for (const Prefix& prefix : kPrefixes) {
    if (StartsWithIgnoringCase(body, prefix.text)) {
      body.remove_prefix(prefix.text.size());
      allows_spare_zero = prefix.allows_spare_zero;
      break;
    }
  }
  Characters chars = ScanCharacters(body);
  if (chars.digit_count == 0 && chars.first_non_digit == kNoPosition) {
    return Reject(ImeiRejection::kEmpty, rejection,
                  QuoteForMessage(shown) + " has a prefix but no digits. Write the IMEI after it.");
  }
  if (IsExponentNotation(body)) {
    return Reject(ImeiRejection::kExponentNotation, rejection,
                  QuoteForMessage(shown) +
                      " is a number in exponent notation, so a spreadsheet has turned the IMEI "
                      "into a number and lost its last digits. Re-export the column as text.");
  }

  std::string_view digits(chars.digits.data(), std::min(chars.digit_count, kMaxKeptDigits));
  bool network_filler = channel == ImeiChannel::kNetwork && chars.digit_count == 15 &&
                        chars.hex_letter_count == 1 && chars.only_hex_letters &&
                        (chars.last_significant == 'F' || chars.last_significant == 'f');
  if (chars.first_non_digit != kNoPosition && !network_filler) {
    return RejectNonDigits(shown, body, chars, rejection);
  }

  if (chars.only_zeros) {
    return Reject(ImeiRejection::kPlaceholder, rejection,
                  QuoteForMessage(shown) +
                      " is all zeros, a placeholder that identifies no device. Enter the device's "
                      "real IMEI.");
  }
  switch (chars.digit_count) {
    case 14:
      if (channel == ImeiChannel::kNetwork) return AcceptCore(shown, digits, rejection);
      return Reject(ImeiRejection::kLength14, rejection,
                    QuoteForMessage(shown) +
                        " has 14 digits, so its check digit is missing or a spreadsheet dropped a "
                        "leading zero. Enter all 15 digits as printed on the device.");
    case 15:
      return CheckFifteenDigits(shown, digits, allows_spare_zero, channel, rejection);
    case 16:
      // An IMEISV: the core followed by a 2-digit software version, with no check digit.
      return AcceptCore(shown, digits.substr(0, kCoreLength), rejection);
    default:
      return Reject(ImeiRejection::kLength, rejection,
                    LengthMessage(shown, chars.digit_count, channel));
  }
}

std::string Imei::Core() const {
  std::string core(kCoreLength, '0');
  std::uint64_t rest = core_;
  for (std::size_t i = kCoreLength; i > 0 && rest > 0; --i) {
    core[i - 1] = static_cast<char>('0' + rest % 10);
    rest /= 10;
  }
  return core;
}

std::string Imei::WithCheckDigit() const {
  std::string imei = Core();
  imei.push_back(static_cast<char>('0' + LuhnCheckDigit(imei)));
  return imei;
}

std::string Imei::Masked() const { return Core().substr(0, 8) + "******"; }

std::optional<Imei> ImeiWithLeadingZero(std::string_view text) {
  ImeiRejection rejection = ImeiRejection::kEmpty;
  if (Imei::Parse(text, ImeiChannel::kHuman, &rejection).ok()) return std::nullopt;
  if (rejection != ImeiRejection::kLength14) return std::nullopt;

  // A kLength14 text has exactly 14 digits; its other characters are separators and a prefix.
  std::string padded = "0";
  for (char c : text) {
    if (c >= '0' && c <= '9') padded.push_back(c);
  }
  if (padded.size() != kCoreLength + 1) return std::nullopt;
  Result<Imei> imei = Imei::Parse(padded, ImeiChannel::kHuman);
  if (!imei.ok()) return std::nullopt;
  return *imei;
}

int LuhnCheckDigit(std::string_view core14) {
  if (core14.size() != kCoreLength) return -1;
  int sum = 0;
  for (std::size_t i = 0; i < kCoreLength; ++i) {
    if (!IsAsciiDigit(core14[i])) return -1;
    int digit = core14[i] - '0';
    // Counted from the check digit's place, every second digit is doubled: here the odd indexes.
    if (i % 2 == 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return (10 - sum % 10) % 10;
}

}  // namespace imeiguard
