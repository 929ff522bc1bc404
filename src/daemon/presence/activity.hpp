#pragma once
// Knowing whether the user is at the computer: one activity source at a
// time, the best that works here, and logind's lock and suspend signals
// whatever the source.
//
// Sources are probed best first (activity_source_names: GNOME, Wayland, X11,
// logind's IdleHint) at start; with none, sitting time runs on the clock
// alone. A source that dies is dropped for the next one. A better one that
// appears later is switched to: an X or Wayland socket being created, GNOME's
// idle monitor taking its bus name, the systemd user manager's environment
// changing, or a reload each start a short series of attempts (the display
// may be imported into the environment a moment after its socket appears).
// DISPLAY and WAYLAND_DISPLAY come from the systemd user manager when it has
// them, so a service started before the graphical session finds it.

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/config.hpp"
#include "daemon/presence/activity_source.hpp"
#include "daemon/plumbing/bus.hpp"
#include "daemon/plumbing/event_loop.hpp"
#include "daemon/presence/logind.hpp"
#include "shared/unique_fd.hpp"

namespace stretch {

class LogindIdle;

class Activity {
public:
    struct Listener {
        std::function<void(MonoTime since)> idle;
        std::function<void()> active;
        std::function<void(bool locked)> lock;
        std::function<void(bool sleeping)> sleep;
        std::function<void()> changed;  // the source changed: for STATUS= and status
    };

    // `config` is read at each use, so a reload takes effect.
    Activity(EventLoop& loop, const Config& config, Listener listener);
    ~Activity();

    // After a config reload: a new threshold, a new [tracking] source.
    void reload();

    // {"source", "detail"} for `status`.
    nlohmann::json status() const;
    // Everything `stretch doctor` shows: each probe, the environment,
    // logind, and the problems with their fixes.
    nlohmann::json doctor() const;

private:
    struct Result {
        Probe probe;
        bool tried = false;
    };

    std::vector<std::string_view> candidates() const;
    std::unique_ptr<ActivitySource> make(std::string_view name, unsigned id);
    void begin_round(std::size_t limit);
    void try_from(std::size_t index);
    void promote(std::unique_ptr<ActivitySource> source, std::size_t index, unsigned id, std::string detail);
    void drop_current();
    void on_ready(unsigned id, std::string detail);
    void on_lost(unsigned id, Probe why);
    void schedule_upgrade();
    void on_upgrade_timer();
    void later(std::function<void()> work);
    void session_bus_connected(sd_bus* bus);
    void fetch_manager_environment(std::function<void()> then);
    void watch_sockets();
    void on_socket_event(int fd);
    DisplayEnv effective_env() const;
    Duration threshold() const { return config_.shortest_natural_break(); }

    EventLoop& loop_;
    const Config& config_;
    Listener listener_;
    std::string setting_;  // [tracking] source the current probes were made for

    DisplayEnv own_env_;      // the daemon's own environment
    DisplayEnv manager_env_;  // the systemd user manager's, when known
    bool manager_env_known_ = false;

    std::unique_ptr<ActivitySource> current_;
    std::size_t current_index_ = 0;  // in candidates(); == size() when none
    unsigned current_id_ = 0;
    bool idle_reported_ = false;
    std::unique_ptr<ActivitySource> trial_;  // a pending probe
    std::size_t trial_index_ = 0;
    unsigned trial_id_ = 0;
    std::size_t round_limit_ = 0;
    bool in_round_ = false;
    unsigned round_ = 0;  // a round's late answers are ignored once another began
    unsigned next_id_ = 0;
    bool told_none_ = false;
    std::map<std::string, Result, std::less<>> results_;

    EventSource upgrade_timer_;
    std::size_t upgrade_step_ = 0;
    EventSource later_timer_;
    std::vector<std::function<void()>> later_;
    std::vector<std::unique_ptr<ActivitySource>> graveyard_;  // dropped from inside their own callbacks

    UniqueFd inotify_;
    EventSource inotify_source_;

    std::unique_ptr<Logind> logind_;
    BusLink session_bus_;  // last: its callbacks use everything above
};

}  // namespace stretch
