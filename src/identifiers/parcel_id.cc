#include "identifiers/parcel_id.h"

#include "identifiers/text.h"

namespace imeiguard {
namespace {

constexpr std::size_t kSsccLength = 18;
constexpr std::size_t kS10Length = 13;

// UPU S10 weights for the eight serial digits.
constexpr int kS10Weights[8] = {8, 6, 4, 2, 3, 5, 9, 7};

bool AllDigits(std::string_view text) {
  for (char c : text) {
    if (!IsAsciiDigit(c)) return false;
  }
  return !text.empty();
}

bool HasS10Shape(std::string_view text) {
  return text.size() == kS10Length && IsAsciiLetter(text[0]) && IsAsciiLetter(text[1]) &&
         AllDigits(text.substr(2, 9)) && IsAsciiLetter(text[11]) && IsAsciiLetter(text[12]);
}

// The S10 check digit of the 8-digit serial: 11 minus the weighted sum modulo 11, where 10 is
// written as 0 and 11 as 5.
int S10CheckDigit(std::string_view serial8) {
  int sum = 0;
  for (std::size_t i = 0; i < 8; ++i) sum += (serial8[i] - '0') * kS10Weights[i];
  int check = 11 - sum % 11;
  if (check == 10) return 0;
  if (check == 11) return 5;
  return check;
}

Error ParcelIdError(std::string message) {
  return Error::InvalidInput("parcel_id", std::move(message));
}

Error ShapeError(std::string_view text) {
  if (text.empty()) {
    return ParcelIdError(
        "the parcel id is empty. Enter an 18-digit SSCC or a UPU S10 id such as RR123456785SE.");
  }
  std::string message = QuoteForMessage(text);
  if (AllDigits(text)) {
    message += " has " + std::to_string(text.size()) + " digits, but an SSCC has 18.";
  } else {
    message +=
        " is neither an 18-digit SSCC nor a UPU S10 id (two letters, nine digits, two "
        "letters, such as RR123456785SE).";
  }
  return ParcelIdError(message + " Check the tracking id on the label.");
}

}  // namespace

Result<std::string_view> NormalizeParcelId(std::string_view text, ParcelIdBuffer& buffer) {
  if (text.size() == kSsccLength && AllDigits(text)) {
    // The GS1 check digit is not checked, because carriers issue test and legacy ranges that fail.
    return text;
  }
  if (!HasS10Shape(text)) return ShapeError(text);

  int expected = S10CheckDigit(text.substr(2, 8));
  int given = text[10] - '0';
  if (given != expected) {
    return ParcelIdError("the S10 check digit of " + QuoteForMessage(text) + " is " +
                         std::to_string(given) + ", but its serial " +
                         std::string(text.substr(2, 8)) + " requires " + std::to_string(expected) +
                         ". Check the tracking id for a typing mistake.");
  }
  bool upper_case = true;
  for (char c : text) upper_case = upper_case && ToAsciiUpper(c) == c;
  if (upper_case) return text;
  for (std::size_t i = 0; i < kS10Length; ++i) buffer[i] = ToAsciiUpper(text[i]);
  return std::string_view(buffer.data(), kS10Length);
}

Result<std::string> NormalizeParcelId(std::string_view text) {
  ParcelIdBuffer buffer;
  Result<std::string_view> normalized = NormalizeParcelId(text, buffer);
  if (!normalized.ok()) return normalized.error();
  return std::string(*normalized);
}

}  // namespace imeiguard
