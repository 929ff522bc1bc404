#pragma once
// The human time strings used in the config, on the command line and in the
// protocol: durations ("30s", "45m", "1h30m"), clock times ("09:00") and
// weekdays ("mon"). Parsers return nullopt on anything they do not accept,
// so each caller can word its own error with the value and the fix.

#include <optional>
#include <string>
#include <string_view>

#include "core/time.hpp"

namespace stretch {

// "1h30m", "45m", "30s", "2h", "1h0m30s", "90s". Units h, m, s in that order,
// each at most once, at least one; no sign, no spaces, no fractions. The
// result is positive or zero ("0s"); values above 100 days are refused.
std::optional<Duration> parse_duration(std::string_view text);

// The shortest string parse_duration reads back to the same value, rounded
// down to whole seconds: "1h30m", "45s", "0s". For config values in
// messages; what a person reads about time passing uses the forms below.
std::string format_duration(Duration d);

// What every view shows (status, next, bars, bubbles, command replies): one
// style and one rounding rule, so that the same seconds always read the
// same. Seconds under a minute ("45s"), then whole minutes ("12m"), then
// hours and zero-padded minutes ("1h05m", "2h"). Each form is also a valid
// config duration.
//
// Time left rounds up to the unit shown, so "in 2m" means at most two
// minutes: 61 s left is "2m", 3599 s is "1h", 3601 s is "1h01m".
std::string format_left(Duration d);
// Time elapsed rounds down: 119 s sat is "1m", 3659 s is "1h".
std::string format_elapsed(Duration d);
// A configured length (a break's duration, a snooze, `every`), which is
// neither left nor elapsed, is shown exactly: "30s", "1m30s", "5m", "1h00m30s".
std::string format_length(Duration d);

// The old name of format_elapsed, for callers not yet moved to the forms above.
std::string format_duration_short(Duration d);

// "HH:MM" (00:00 .. 23:59), or "24:00" when allow_midnight_end is set.
// Returns seconds since midnight.
std::optional<int> parse_clock(std::string_view text, bool allow_midnight_end = false);
std::string format_clock(int seconds_of_day);

// "mon" ... "sun" -> 0 ... 6.
std::optional<int> parse_weekday(std::string_view text);
std::string_view weekday_name(int weekday);

}  // namespace stretch
