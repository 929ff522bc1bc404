#pragma once
// logind on the system bus, whatever the activity source: the machine going
// to sleep and waking (Manager.PrepareForSleep), the session being locked
// and unlocked (Session.Lock/Unlock and its LockedHint), and the session's
// IdleHint, which the logind activity source reports.
//
// Signals are sent on the session's real object path, never on
// .../session/auto, so the path is resolved once: XDG_SESSION_ID if we run
// inside the session, else the user's display session (User.Display), else
// the user's first session. It is resolved again when logind restarts or a
// session appears while we have none.

#include <functional>
#include <optional>
#include <string>

#include "core/time.hpp"
#include "daemon/plumbing/bus.hpp"
#include "daemon/plumbing/event_loop.hpp"

namespace stretch {

class Logind {
public:
    struct Listener {
        std::function<void(bool sleeping)> sleep;  // PrepareForSleep(true), then (false) on waking
        std::function<void(bool locked)> lock;     // Lock/Unlock, LockedHint
        std::function<void()> changed;             // the session was found or lost
    };
    // IdleHint, for the logind activity source: idle since a time, or active.
    using IdleWatch = std::function<void(bool idle, MonoTime since)>;

    Logind(EventLoop& loop, Listener listener);

    // What doctor shows, as plain data.
    struct Facts {
        std::string detail;  // describe()
        std::string fix;     // fix()
        bool session = false;
        bool resolving = false;
        bool idle_hint_seen = false;
    };
    Facts facts() const { return {describe(), fix(), session_.has_value(), resolving_, idle_hint_seen_}; }

    // The session path, once resolved.
    const std::optional<std::string>& session() const { return session_; }
    // Still asking logind (connecting, or resolving the session).
    bool resolving() const { return resolving_; }
    // One line for status and doctor: the session watched, or why none.
    std::string describe() const;
    // What the user can do when there is no session; empty if nothing.
    std::string fix() const;

    // The logind activity source's hooks; there is one such source at a
    // time, and `owner` (the source) keeps a dying one from removing a
    // newer one's. watch_idle() replaces the IdleHint watcher (null to
    // stop): called with the current hint once the session is known, then
    // on each change. watch_session() is called when the session is found
    // or lost (before Listener::changed).
    void watch_idle(const void* owner, IdleWatch watch);
    void watch_session(const void* owner, std::function<void()> changed);
    void unwatch(const void* owner);
    // Whether the desktop has set IdleHint at all since we started watching.
    bool idle_hint_seen() const { return idle_hint_seen_; }

private:
    void connected(sd_bus* bus);
    void lost();
    void resolve();
    void resolve_from_user();
    void use_session(std::string path, std::string how);
    void no_session(std::string why);
    void read_session_properties();
    void on_session_properties(sd_bus_message* m, bool initial);
    void set_idle(bool idle, std::uint64_t since_monotonic_us);
    void set_locked(bool locked);
    void session_changed();

    Listener listener_;
    const void* watcher_ = nullptr;
    IdleWatch idle_watch_;
    std::function<void()> session_watch_;
    std::optional<std::string> session_;
    std::string session_how_;  // how it was found, for describe()
    std::string problem_ = "connecting to the system bus";
    bool resolving_ = true;
    bool locked_ = false;
    std::optional<bool> idle_;
    MonoTime idle_since_{};
    std::uint64_t idle_since_us_ = 0;  // IdleSinceHintMonotonic, which may come apart from IdleHint
    bool idle_hint_seen_ = false;
    unsigned generation_ = 0;  // replies for an older resolution are ignored

    BusLink bus_;  // last: its callbacks use everything above
};

}  // namespace stretch
