#include "core/time.h"

#include <charconv>
#include <cstdio>

namespace imeiguard {
namespace {

// Reads exactly `width` decimal digits at `pos`; returns -1 when any of them is not a digit.
int ReadDigits(std::string_view text, size_t pos, size_t width) {
  if (pos + width > text.size()) return -1;
  int value = 0;
  for (size_t i = pos; i < pos + width; ++i) {
    char c = text[i];
    if (c < '0' || c > '9') return -1;
    value = value * 10 + (c - '0');
  }
  return value;
}

Error TimeError(std::string_view text, std::string_view what) {
  std::string message = "invalid time '";
  message.append(text.substr(0, 64));
  message.append("': ");
  message.append(what);
  return Error::InvalidInput("time", std::move(message));
}

Result<std::chrono::sys_days> DaysOf(int year, int month, int day, std::string_view text) {
  using namespace std::chrono;
  year_month_day ymd{std::chrono::year(year), std::chrono::month(static_cast<unsigned>(month)),
                     std::chrono::day(static_cast<unsigned>(day))};
  if (!ymd.ok()) return TimeError(text, "no such calendar date");
  return sys_days(ymd);
}

}  // namespace

Result<std::chrono::sys_days> ParseIsoDate(std::string_view text) {
  int year = ReadDigits(text, 0, 4);
  int month = ReadDigits(text, 5, 2);
  int day = ReadDigits(text, 8, 2);
  if (text.size() != 10 || year < 0 || month < 0 || day < 0 || text[4] != '-' || text[7] != '-') {
    return TimeError(text, "expected a date as YYYY-MM-DD");
  }
  return DaysOf(year, month, day, text);
}

Result<Timestamp> ParseRfc3339(std::string_view text) {
  if (text.size() < 20)
    return TimeError(text, "expected YYYY-MM-DDThh:mm:ss followed by Z or an offset");
  auto days = ParseIsoDate(text.substr(0, 10));
  if (!days.ok()) return TimeError(text, "the date part is not a valid YYYY-MM-DD");
  char separator = text[10];
  if (separator != 'T' && separator != 't' && separator != ' ') {
    return TimeError(text, "expected 'T' between date and time");
  }
  int hour = ReadDigits(text, 11, 2);
  int minute = ReadDigits(text, 14, 2);
  int second = ReadDigits(text, 17, 2);
  if (hour < 0 || minute < 0 || second < 0 || text[13] != ':' || text[16] != ':') {
    return TimeError(text, "expected the time as hh:mm:ss");
  }
  // RFC 3339 allows second 60 for a leap second; it is folded into the next second.
  if (hour > 23 || minute > 59 || second > 60)
    return TimeError(text, "hour, minute or second out of range");

  size_t pos = 19;
  int millis = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    size_t first = pos;
    int scale = 100;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      millis += (text[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == first) return TimeError(text, "expected digits after the decimal point");
  }

  int offset_minutes = 0;
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
    ++pos;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    int sign = text[pos] == '+' ? 1 : -1;
    int offset_hour = ReadDigits(text, pos + 1, 2);
    int offset_minute = ReadDigits(text, pos + 4, 2);
    if (offset_hour < 0 || offset_minute < 0 || text[pos + 3] != ':' || offset_hour > 23 ||
        offset_minute > 59) {
      return TimeError(text, "expected the offset as +hh:mm or -hh:mm");
    }
    offset_minutes = sign * (offset_hour * 60 + offset_minute);
    pos += 6;
  } else {
    return TimeError(text, "missing time zone offset (Z or +hh:mm)");
  }
  if (pos != text.size()) return TimeError(text, "unexpected characters after the offset");

  using namespace std::chrono;
  Timestamp local = time_point_cast<milliseconds>(*days) + hours(hour) + minutes(minute) +
                    seconds(second) + milliseconds(millis);
  return local - minutes(offset_minutes);
}

std::string FormatRfc3339(Timestamp t) {
  using namespace std::chrono;
  sys_days day = floor<days>(t);
  year_month_day ymd(day);
  auto in_day = t - day;
  auto h = duration_cast<hours>(in_day);
  auto m = duration_cast<minutes>(in_day - h);
  auto s = duration_cast<seconds>(in_day - h - m);
  auto ms = duration_cast<milliseconds>(in_day - h - m - s);
  char buffer[40];
  int year = static_cast<int>(ymd.year());
  unsigned month = static_cast<unsigned>(ymd.month());
  unsigned d = static_cast<unsigned>(ymd.day());
  if (ms.count() != 0) {
    std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", year, month, d,
                  static_cast<int>(h.count()), static_cast<int>(m.count()),
                  static_cast<int>(s.count()), static_cast<int>(ms.count()));
  } else {
    std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02uT%02d:%02d:%02dZ", year, month, d,
                  static_cast<int>(h.count()), static_cast<int>(m.count()),
                  static_cast<int>(s.count()));
  }
  return buffer;
}

Timestamp SystemClock::Now() const {
  return std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now());
}

Timestamp ManualClock::Now() const { return FromMillis(now_ms_.load(std::memory_order_acquire)); }

void ManualClock::AdvanceTo(Timestamp t) {
  std::int64_t target = ToMillis(t);
  std::int64_t current = now_ms_.load(std::memory_order_relaxed);
  while (target > current &&
         !now_ms_.compare_exchange_weak(current, target, std::memory_order_acq_rel)) {
  }
}

}  // namespace imeiguard
