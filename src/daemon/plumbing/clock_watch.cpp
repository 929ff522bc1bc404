#include "daemon/plumbing/clock_watch.hpp"

#include <sys/timerfd.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>

#include <spdlog/spdlog.h>

#include "daemon/plumbing/calendar.hpp"

namespace stretch {
namespace {

// Two days ahead covers every deadline that follows the local clock (a
// pause --until is at most a day; schedule hours change at least daily).
// Past the horizon, the search runs again when the timer at its end fires.
constexpr std::int64_t offset_horizon_s = 2 * 24 * 60 * 60;

}  // namespace

std::string_view clock_change_name(ClockWatch::Change change) {
    switch (change) {
        case ClockWatch::Change::wall_clock_set: return "the wall clock changed";
        case ClockWatch::Change::time_zone: return "the time zone changed";
        case ClockWatch::Change::offset: return "daylight saving began or ended";
    }
    return "the clock changed";
}

ClockWatch::ClockWatch(EventLoop& loop, const Clock& clock, Handler on_change)
    : loop_(loop), clock_(clock), on_change_(std::move(on_change)) {
    timer_fd_.reset(timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK | TFD_CLOEXEC));
    if (timer_fd_) {
        wall_set_ = loop_.add_io(timer_fd_.get(), EPOLLIN, [this](std::uint32_t) { on_wall_clock_set(); });
        arm_wall_clock_watch();
    }
    // A new zone arrives as a new /etc/localtime (a symlink replaced, or a file rewritten).
    std::error_code error;
    zone_ = loop_.add_inotify(
        "/etc", IN_CREATE | IN_MOVED_TO | IN_CLOSE_WRITE | IN_DELETE,
        [this](const inotify_event& e) {
            if (e.len && std::strcmp(e.name, "localtime") == 0) changed(Change::time_zone);
        },
        error);
    if (error) spdlog::warn("cannot watch /etc for a new time zone ({}): a change is seen at the next event", error.message());
    offset_ = loop_.add_timer(CLOCK_REALTIME, [this] {
        // The end of the horizon, not a change: search on without telling anyone.
        if (next_offset_change_) changed(Change::offset);
        else search_offset_change();
    });
    search_offset_change();
}

void ClockWatch::arm_wall_clock_watch() {
    // Armed far in the future; only the cancellation on a clock change matters.
    itimerspec spec{};
    spec.it_value.tv_sec = INT_MAX;
    timerfd_settime(timer_fd_.get(), TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &spec, nullptr);
}

void ClockWatch::on_wall_clock_set() {
    std::uint64_t expirations = 0;
    bool set = ::read(timer_fd_.get(), &expirations, sizeof expirations) < 0 && errno == ECANCELED;
    arm_wall_clock_watch();
    if (set) changed(Change::wall_clock_set);
}

void ClockWatch::search_offset_change() {
    std::int64_t now = clock_.now().wall_s;
    next_offset_change_ = stretch::next_offset_change(now, offset_horizon_s);
    offset_.arm_at(std::chrono::seconds(next_offset_change_.value_or(now + offset_horizon_s)));
}

void ClockWatch::changed(Change change) {
    spdlog::info("{}: re-reading the schedule", clock_change_name(change));
    search_offset_change();
    on_change_(change);
}

}  // namespace stretch
