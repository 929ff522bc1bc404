#pragma once
// Tells when the local clock moved under the schedule's feet, so the daemon
// can ask the engine again: the wall clock set (by hand, NTP, on resume), a
// new time zone (/etc/localtime replaced), and daylight saving beginning or
// ending (a timer at the next change of the UTC offset, searched again only
// when one of these happens, not at every event). Nothing polls.

#include <functional>
#include <optional>
#include <string_view>

#include "daemon/plumbing/event_loop.hpp"
#include "daemon/plumbing/system_clock.hpp"
#include "shared/unique_fd.hpp"

namespace stretch {

class ClockWatch {
public:
    enum class Change { wall_clock_set, time_zone, offset };
    using Handler = std::function<void(Change)>;

    ClockWatch(EventLoop& loop, const Clock& clock, Handler on_change);

    // When the next offset-change timer fires, in Unix seconds; nullopt when
    // the offset does not change within the search horizon.
    std::optional<std::int64_t> next_offset_change() const { return next_offset_change_; }

private:
    void arm_wall_clock_watch();
    void on_wall_clock_set();
    void search_offset_change();
    void changed(Change change);

    EventLoop& loop_;
    const Clock& clock_;
    Handler on_change_;
    UniqueFd timer_fd_;
    EventSource wall_set_;
    EventSource zone_;
    EventSource offset_;
    std::optional<std::int64_t> next_offset_change_;
};

std::string_view clock_change_name(ClockWatch::Change change);

}  // namespace stretch
