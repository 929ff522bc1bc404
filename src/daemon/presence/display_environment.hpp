#pragma once
// Where the graphical session is, for everything that talks to it (the X11
// and Wayland activity sources, the full-screen check): DISPLAY and
// WAYLAND_DISPLAY from the systemd user manager's environment when it has
// them, else from our own. A service started before the session learns the
// display this way, once the session runs `systemctl --user
// import-environment`.
//
// It also says when the session may have changed, so that its users look
// again: an X or Wayland socket appearing (/tmp/.X11-unix, $XDG_RUNTIME_DIR),
// the user manager's environment changing, GNOME's idle monitor taking its
// bus name. The user manager is asked again on each change; nothing polls.
// Single-threaded, on the daemon's loop; nothing here throws.

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "daemon/plumbing/bus.hpp"
#include "daemon/plumbing/event_loop.hpp"
#include "daemon/presence/activity_source.hpp"

namespace stretch {

class DisplayEnvironment {
public:
    using Watch = std::function<void()>;

    // A watch for as long as it lives; see watch().
    class Subscription {
    public:
        Subscription() = default;
        Subscription(Subscription&& other) noexcept;
        Subscription& operator=(Subscription&& other) noexcept;
        ~Subscription();

    private:
        friend class DisplayEnvironment;
        Subscription(DisplayEnvironment* owner, unsigned id) : owner_(owner), id_(id) {}
        DisplayEnvironment* owner_ = nullptr;
        unsigned id_ = 0;
    };

    // `own` is the daemon's own environment (from_process() in the daemon).
    DisplayEnvironment(EventLoop& loop, DisplayEnv own);
    DisplayEnvironment(const DisplayEnvironment&) = delete;
    DisplayEnvironment& operator=(const DisplayEnvironment&) = delete;

    static DisplayEnv from_process();

    // The display to use now: the user manager's where it has one.
    DisplayEnv current() const;
    // Whether the user manager answered (false: none, or not asked yet).
    bool user_manager_known() const { return manager_known_; }
    // Why the session bus is missing, for doctor; empty when connected.
    std::string bus_problem() const { return bus_ ? std::string() : bus_.problem(); }

    // Calls `watch` from the loop whenever the session may have changed (see
    // above), including when current() changed. Stops when the Subscription dies.
    [[nodiscard]] Subscription watch(Watch watch);
    // Asks the user manager again, then calls `then` (at once without a bus).
    void refresh(std::function<void()> then);

private:
    void connected(sd_bus* bus);
    void watch_sockets(const char* dir);
    void announce();

    EventLoop& loop_;
    DisplayEnv own_;
    DisplayEnv manager_;
    bool manager_known_ = false;
    std::map<unsigned, Watch> watches_;
    unsigned next_watch_ = 0;
    std::vector<EventSource> socket_dirs_;
    BusLink bus_;  // last: its callbacks use everything above
};

}  // namespace stretch
