#pragma once
// Knowing whether the user is at the computer: one activity source at a
// time, the best that works here.
//
// Sources are probed best first (activity_source_table: GNOME, Wayland, X11,
// logind's IdleHint) at start; with none, sitting time runs on the clock
// alone. A source that dies is dropped for the next one. A better one that
// may have appeared (maybe_better(): a display socket, GNOME's idle monitor,
// the user manager's environment, a logind session) or a reload starts a
// short series of attempts: the display may be imported into the
// environment a moment after its socket appears.
//
// The sources come from a factory, so tests hand it fakes. Lock and suspend
// are not here: they are logind's (logind.hpp), whatever the source.
// Single-threaded, on the daemon's loop; nothing here throws.

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/activity_source_name.hpp"
#include "core/config.hpp"
#include "daemon/plumbing/event_loop.hpp"
#include "daemon/presence/activity_source.hpp"

namespace stretch {

// What `stretch doctor` shows about one source.
struct ActivityProbe {
    enum class State { active, probing, available, failed, not_used, skipped };
    ActivitySourceName source{};
    State state = State::skipped;
    std::string detail;
    std::string fix;  // failed and available only; empty if none
};

class Activity {
public:
    struct Listener {
        std::function<void(MonoTime since)> idle;
        std::function<void()> active;
        std::function<void()> changed;  // the source changed: for STATUS= and status
        // Called before each round of probes with what to do next, e.g. to
        // ask the user manager for the display first. Null: go on at once.
        std::function<void(std::function<void()> then)> before_round;
    };
    // Makes the source `name` reporting to `listener`; it is started by the caller.
    using SourceFactory =
        std::function<std::unique_ptr<ActivitySource>(ActivitySourceName name, ActivitySource::Listener listener)>;

    // The source in use (none: nullopt) and what it watches, or why none.
    struct Status {
        std::optional<ActivitySourceName> source;
        std::string detail;
    };
    // Everything `stretch doctor` shows of the selection.
    struct Report {
        std::string setting;  // [tracking] source
        Status active;
        std::vector<ActivityProbe> probes;  // every source, best first
    };

    // After maybe_better(): look again after each of these, then wait for
    // the next announcement. The display is often imported into the
    // environment a little after its socket appears.
    using Delays = std::vector<std::chrono::milliseconds>;
    static Delays default_retry_delays();

    // `config` is read at each use, so a reload takes effect. The first
    // round of probes starts from the loop, not inside the constructor.
    Activity(EventLoop& loop, const Config& config, SourceFactory factory, Listener listener,
             Delays retry_delays = default_retry_delays());
    ~Activity();

    // After a config reload: a new threshold, a new [tracking] source.
    void reload();
    // Something happened that may have made a better source available.
    void maybe_better();

    Status status() const;
    Report report() const;

private:
    struct Result {
        Probe probe;
        bool tried = false;
    };

    std::vector<ActivitySourceName> candidates() const;
    std::unique_ptr<ActivitySource> make(ActivitySourceName name, unsigned id);
    void begin_round(std::size_t limit);
    void try_from(std::size_t index);
    void promote(std::unique_ptr<ActivitySource> source, std::size_t index, unsigned id, std::string detail);
    void drop_current();
    void on_ready(unsigned id, std::string detail);
    void on_lost(unsigned id, Probe why);
    void on_upgrade_timer();
    void later(std::function<void()> work);
    Duration threshold() const { return config_.shortest_natural_break(); }

    EventLoop& loop_;
    const Config& config_;
    SourceFactory factory_;
    Listener listener_;
    Delays retry_delays_;
    std::string setting_;  // [tracking] source the current probes were made for

    std::unique_ptr<ActivitySource> current_;
    ActivitySourceName current_name_{};
    std::size_t current_index_ = 0;  // in candidates(); == size() when none
    unsigned current_id_ = 0;
    bool idle_reported_ = false;
    std::unique_ptr<ActivitySource> trial_;  // a pending probe
    ActivitySourceName trial_name_{};
    std::size_t trial_index_ = 0;
    unsigned trial_id_ = 0;
    std::size_t round_limit_ = 0;
    bool in_round_ = false;
    unsigned round_ = 0;  // a round's late answers are ignored once another began
    unsigned next_id_ = 0;
    bool told_none_ = false;
    std::map<ActivitySourceName, Result> results_;

    EventSource upgrade_timer_;
    std::size_t upgrade_step_ = 0;
    std::vector<std::function<void()>> later_;
    std::vector<std::unique_ptr<ActivitySource>> graveyard_;  // dropped from inside their own callbacks
    EventSource later_source_;                                // last: runs what later_ holds
};

}  // namespace stretch
