#pragma once
// Time as the pure core sees it. Nothing in src/core reads a clock: the
// caller passes a Now into every call, so tests can simply pass numbers.

#include <chrono>
#include <compare>
#include <cstdint>

namespace stretch {

using Duration = std::chrono::milliseconds;

// The clock sitting time is measured on. In the daemon it is CLOCK_BOOTTIME,
// which keeps counting while the machine is suspended, so a suspend shows up
// as time away. It has no now(): only the caller knows the time.
struct MonoClock {
    using duration = Duration;
    using rep = duration::rep;
    using period = duration::period;
    using time_point = std::chrono::time_point<MonoClock, Duration>;
    static constexpr bool is_steady = true;
};
using MonoTime = MonoClock::time_point;

// Local wall-clock time broken down the way the schedule needs it.
struct LocalTime {
    int weekday = 0;         // 0 = Monday ... 6 = Sunday
    int seconds_of_day = 0;  // 0 ... 86399
    friend bool operator==(const LocalTime&, const LocalTime&) = default;
};

// One instant, seen on both clocks the engine cares about.
struct Now {
    MonoTime mono{};
    std::int64_t wall_s = 0;  // Unix time, for records and persistence
    LocalTime local{};
    friend bool operator==(const Now&, const Now&) = default;
};

inline constexpr int seconds_per_day = 24 * 60 * 60;

// Seconds since 1970-01-01 00:00 as the local clock counts them: Unix time
// plus the UTC offset, worked out from `now` itself. A clock set by hand, a
// new time zone and daylight saving all move it; only the first moves
// Unix time. UTC offsets lie within a day, so the local weekday tells
// which calendar day the local time of day belongs to.
inline std::int64_t local_seconds(const Now& now) {
    std::int64_t utc_day = now.wall_s >= 0 ? now.wall_s / seconds_per_day : (now.wall_s - seconds_per_day + 1) / seconds_per_day;
    // 1970-01-01 was a Thursday: weekday 3 with Monday = 0.
    auto weekday = [](std::int64_t day) { return static_cast<int>(((day + 3) % 7 + 7) % 7); };
    std::int64_t local_day = utc_day;
    if (weekday(utc_day + 1) == now.local.weekday) local_day = utc_day + 1;
    else if (weekday(utc_day - 1) == now.local.weekday) local_day = utc_day - 1;
    return local_day * seconds_per_day + now.local.seconds_of_day;
}

// Seconds from `from` forward to the next moment the local clock shows
// `seconds_of_day` (strictly later; a full day when it is that moment now).
// Daylight-saving jumps are the caller's to handle by re-evaluating when the
// wall clock or time zone changes.
inline int seconds_until_clock(LocalTime from, int seconds_of_day) {
    int delta = seconds_of_day - from.seconds_of_day;
    return delta > 0 ? delta : delta + seconds_per_day;
}

}  // namespace stretch
