#include "net/http_date.h"

#include <array>
#include <charconv>
#include <cstdint>
#include <cstdio>

namespace imeiguard::http {
namespace {

constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
constexpr std::array<std::string_view, 7> kDays = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr std::array<std::string_view, 7> kLongDays = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                                       "Thursday", "Friday", "Saturday"};

// Reads a number of exactly `width` digits at `pos`, or returns -1. With `space_padded`, a leading
// space counts as a zero digit, because asctime writes the day of month as " 6".
int ReadNumber(std::string_view text, size_t pos, size_t width, bool space_padded = false) {
  if (pos + width > text.size()) return -1;
  int value = 0;
  for (size_t i = pos; i < pos + width; ++i) {
    char c = text[i];
    if (c == ' ' && space_padded && i == pos) continue;
    if (c < '0' || c > '9') return -1;
    value = value * 10 + (c - '0');
  }
  return value;
}

int ReadMonth(std::string_view text, size_t pos) {
  if (pos + 3 > text.size()) return -1;
  for (size_t i = 0; i < kMonths.size(); ++i) {
    if (text.substr(pos, 3) == kMonths[i]) return static_cast<int>(i) + 1;
  }
  return -1;
}

// Reads "hh:mm:ss" at `pos` into seconds of the day, or -1.
int ReadClock(std::string_view text, size_t pos) {
  int hour = ReadNumber(text, pos, 2);
  int minute = ReadNumber(text, pos + 3, 2);
  int second = ReadNumber(text, pos + 6, 2);
  if (hour < 0 || minute < 0 || second < 0 || text[pos + 2] != ':' || text[pos + 5] != ':') {
    return -1;
  }
  if (hour > 23 || minute > 59 || second > 60) return -1;
  return hour * 3600 + minute * 60 + second;
}

std::optional<Timestamp> Compose(int year, int month, int day, int seconds_of_day) {
  using namespace std::chrono;
  if (year < 0 || month < 1 || day < 1 || seconds_of_day < 0) return std::nullopt;
  year_month_day date{std::chrono::year(year), std::chrono::month(static_cast<unsigned>(month)),
                      std::chrono::day(static_cast<unsigned>(day))};
  if (!date.ok()) return std::nullopt;
  return time_point_cast<milliseconds>(sys_days(date)) + seconds(seconds_of_day);
}

// "Sun, 06 Nov 1994 08:49:37 GMT"
std::optional<Timestamp> ParseImfFixdate(std::string_view text) {
  if (text.size() != 29 || text.substr(3, 2) != ", " || text[7] != ' ' || text[11] != ' ' ||
      text[16] != ' ' || text.substr(25) != " GMT") {
    return std::nullopt;
  }
  return Compose(ReadNumber(text, 12, 4), ReadMonth(text, 8), ReadNumber(text, 5, 2),
                 ReadClock(text, 17));
}

// "Sunday, 06-Nov-94 08:49:37 GMT"
std::optional<Timestamp> ParseRfc850(std::string_view text, size_t comma) {
  std::string_view rest = text.substr(comma);
  if (rest.size() != 24 || rest.substr(0, 2) != ", " || rest[4] != '-' || rest[8] != '-' ||
      rest[11] != ' ' || rest.substr(20) != " GMT") {
    return std::nullopt;
  }
  int two_digit_year = ReadNumber(rest, 9, 2);
  if (two_digit_year < 0) return std::nullopt;
  int year = two_digit_year < 70 ? 2000 + two_digit_year : 1900 + two_digit_year;
  return Compose(year, ReadMonth(rest, 5), ReadNumber(rest, 2, 2), ReadClock(rest, 12));
}

// "Sun Nov  6 08:49:37 1994"
std::optional<Timestamp> ParseAsctime(std::string_view text) {
  if (text.size() != 24 || text[3] != ' ' || text[7] != ' ' || text[10] != ' ' || text[19] != ' ') {
    return std::nullopt;
  }
  return Compose(ReadNumber(text, 20, 4), ReadMonth(text, 4), ReadNumber(text, 8, 2, true),
                 ReadClock(text, 11));
}

template <size_t N>
bool IsOneOf(std::string_view word, const std::array<std::string_view, N>& names) {
  for (std::string_view name : names) {
    if (word == name) return true;
  }
  return false;
}

}  // namespace

std::optional<Timestamp> ParseHttpDate(std::string_view text) {
  if (text.size() < 4) return std::nullopt;
  if (text[3] == ',') {
    if (!IsOneOf(text.substr(0, 3), kDays)) return std::nullopt;
    return ParseImfFixdate(text);
  }
  if (text[3] == ' ') {
    if (!IsOneOf(text.substr(0, 3), kDays)) return std::nullopt;
    return ParseAsctime(text);
  }
  size_t comma = text.find(',');
  if (comma == std::string_view::npos || !IsOneOf(text.substr(0, comma), kLongDays)) {
    return std::nullopt;
  }
  return ParseRfc850(text, comma);
}

std::string FormatHttpDate(Timestamp t) {
  using namespace std::chrono;
  sys_days day = floor<days>(t);
  year_month_day date(day);
  weekday week_day(day);
  auto seconds_of_day = duration_cast<seconds>(t - day).count();
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%s, %02u %s %04d %02d:%02d:%02d GMT",
                kDays[week_day.c_encoding()].data(), static_cast<unsigned>(date.day()),
                kMonths[static_cast<unsigned>(date.month()) - 1].data(),
                static_cast<int>(date.year()), static_cast<int>(seconds_of_day / 3600),
                static_cast<int>(seconds_of_day / 60 % 60), static_cast<int>(seconds_of_day % 60));
  return buffer;
}

std::optional<Duration> ParseRetryAfter(std::string_view value, Timestamp now) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  if (value.empty()) return std::nullopt;

  if (value.front() >= '0' && value.front() <= '9') {
    std::int64_t seconds = 0;
    auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), seconds);
    if (error != std::errc() || end != value.data() + value.size()) return std::nullopt;
    // Clamp to about 31 years so that the conversion to milliseconds cannot overflow.
    if (seconds > (std::int64_t{1} << 30)) seconds = std::int64_t{1} << 30;
    return std::chrono::duration_cast<Duration>(std::chrono::seconds(seconds));
  }

  std::optional<Timestamp> date = ParseHttpDate(value);
  if (!date) return std::nullopt;
  if (*date <= now) return Duration::zero();
  return *date - now;
}

}  // namespace imeiguard::http
