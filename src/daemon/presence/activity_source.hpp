#pragma once
// The edge where the desktop tells us whether the user is at the computer.
// One interface, one implementation per way of knowing (Mutter's
// IdleMonitor, a Wayland idle protocol, X11's XSync IDLETIME counter,
// logind's IdleHint), and a recording fake in the unit tests
// (tests/fakes/fake_activity_source.hpp). Which source is which is the
// owner's business: it makes them by ActivitySourceName.
//
// A source reports two edges and nothing in between: `idle since t` once
// the user has been idle for the threshold, and `active` at the first input
// after that. It lives on the daemon's sd-event loop and never polls.

#include <functional>
#include <string>
#include <string_view>

#include "core/time.hpp"

namespace stretch {

class EventLoop;

// Where the graphical session is. From the daemon's own environment, or,
// for a service started before the session, the systemd user manager's.
struct DisplayEnv {
    std::string x11;          // DISPLAY, e.g. ":0"
    std::string wayland;      // WAYLAND_DISPLAY, e.g. "wayland-1" (relative to runtime_dir) or an absolute path
    std::string runtime_dir;  // XDG_RUNTIME_DIR
    friend bool operator==(const DisplayEnv&, const DisplayEnv&) = default;
};

// What start() found out.
struct Probe {
    enum class State { ready, pending, failed };
    State state = State::failed;
    // ready: what is being watched ("XSync IDLETIME on :1").
    // failed: why not, in words a user can act on ("DISPLAY is not set").
    std::string detail;
    // failed: what the user can do about it, if we can name it; else empty.
    std::string fix;

    static Probe ready(std::string detail) { return {State::ready, std::move(detail), {}}; }
    static Probe pending(std::string detail) { return {State::pending, std::move(detail), {}}; }
    static Probe failed(std::string detail, std::string fix = {}) { return {State::failed, std::move(detail), std::move(fix)}; }
};

class ActivitySource {
public:
    struct Listener {
        // The user has been idle since `since` (CLOCK_BOOTTIME, as Now::mono).
        std::function<void(MonoTime since)> idle;
        // Input again after idle().
        std::function<void()> active;
        // A pending start() worked out: `detail` as in Probe::ready.
        std::function<void(std::string detail)> ready;
        // The source stopped working, or a pending start() failed: the server
        // went away, the bus name was lost. The owner drops the source (from
        // the loop, not from inside this call) and tries the next one.
        std::function<void(Probe why)> lost;
    };

    virtual ~ActivitySource() = default;

    // Begins watching with `threshold` (the shortest natural break). Returns
    // ready or failed when that is known at once (a local X or Wayland
    // server answers in a round trip); pending when an answer must come over
    // D-Bus, followed later by listener.ready() or listener.lost(). Listener
    // calls never happen from inside start().
    virtual Probe start(Duration threshold) = 0;

    // A new threshold after a config reload; re-arms the watch.
    virtual void set_threshold(Duration threshold) = 0;
};

}  // namespace stretch
