// HTTP-date and the Retry-After header that carries one.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/time.h"

namespace imeiguard::http {

// Parses an HTTP-date in the three forms that recipients must accept (RFC 2068 section 3.3.1,
// kept by RFC 9110): IMF-fixdate "Sun, 06 Nov 1994 08:49:37 GMT", the obsolete RFC 850 form
// "Sunday, 06-Nov-94 08:49:37 GMT" and asctime "Sun Nov  6 08:49:37 1994". A two-digit year is read
// in the fixed window 1970-2069. The weekday is checked for form only, not against the date.
// Returns nullopt for anything else.
std::optional<Timestamp> ParseHttpDate(std::string_view text);

// Formats `t` as an IMF-fixdate, truncated to whole seconds.
std::string FormatHttpDate(Timestamp t);

// Parses a Retry-After value: a non-negative number of seconds, or an HTTP-date that is turned into
// the time left after `now` (zero when the date has passed). Returns nullopt when the value is
// neither.
std::optional<Duration> ParseRetryAfter(std::string_view value, Timestamp now);

}  // namespace imeiguard::http
