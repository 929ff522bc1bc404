#pragma once
// Local calendar days as ranges of Unix seconds, by the C library's time
// zone rules (TZ, /etc/localtime), so a daylight-saving day is 23 or 25
// hours long. Reads the time zone, never the clock: the time is passed in.

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "core/stats.hpp"

namespace stretch {

// The `count` local days ending with the one `now` falls in, oldest first.
std::vector<LocalDay> last_days(std::int64_t now, int count);

// The local day a "YYYY-MM-DD" date names, or nullopt if it is not a date.
std::optional<LocalDay> local_day(std::string_view date);

// The first Unix second in (from, from + horizon] at which the local UTC
// offset differs from the one at `from` (daylight saving beginning or
// ending), or nullopt if it stays the same throughout.
std::optional<std::int64_t> next_offset_change(std::int64_t from, std::int64_t horizon);

}  // namespace stretch
