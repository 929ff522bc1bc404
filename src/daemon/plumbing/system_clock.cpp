#include "daemon/plumbing/system_clock.hpp"

#include <ctime>

namespace stretch {
namespace {

Duration read(clockid_t clock) {
    timespec ts{};
    clock_gettime(clock, &ts);
    return std::chrono::seconds(ts.tv_sec) + std::chrono::duration_cast<Duration>(std::chrono::nanoseconds(ts.tv_nsec));
}

}  // namespace

Now read_now() {
    Now now;
    now.mono = MonoTime(read(CLOCK_BOOTTIME));
    timespec wall{};
    clock_gettime(CLOCK_REALTIME, &wall);
    now.wall_s = wall.tv_sec;
    tzset();
    tm local{};
    localtime_r(&wall.tv_sec, &local);
    now.local.weekday = (local.tm_wday + 6) % 7;  // tm counts from Sunday, we from Monday
    now.local.seconds_of_day = local.tm_hour * 3600 + local.tm_min * 60 + local.tm_sec;
    return now;
}

Duration time_suspended() { return read(CLOCK_BOOTTIME) - read(CLOCK_MONOTONIC); }

}  // namespace stretch
