#pragma once
// stretchd itself: owns the engine, the socket server and the timers, all
// on one sd-event loop. Every event (a request, a timer, a signal) goes the
// same way: enter() reads the clock once (and notices a sleep nobody told us
// of), the engine is called with that time, apply() carries out its effects
// and re-arms the one deadline timer at the engine's next_deadline(). The
// status is worked out once per event and shared by every view of it.

#include <filesystem>
#include <optional>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "core/engine.hpp"
#include "daemon/presence/activity.hpp"
#include "daemon/presence/call/call_detectors.hpp"
#include "daemon/presence/display_environment.hpp"
#include "daemon/presence/logind.hpp"
#include "daemon/delivery/delivery.hpp"
#include "daemon/plumbing/clock_watch.hpp"
#include "daemon/plumbing/event_loop.hpp"
#include "daemon/plumbing/system_clock.hpp"
#include "daemon/server/server.hpp"
#include "daemon/storage/store.hpp"
#include "shared/unique_fd.hpp"

namespace stretch {

class Daemon {
public:
    struct Options {
        std::filesystem::path socket;
        std::optional<std::filesystem::path> config;  // --config; unset: the user's file or built-in
        bool builtin_config = false;                   // --default-config: ignore the user's file
        std::chrono::milliseconds client_timeout = std::chrono::seconds(10);
        std::uint64_t seed = 0;
        std::filesystem::path store;  // the history database; empty: Store::default_path()
    };

    // Loads the config (throws ConfigError) and takes the socket (throws
    // std::runtime_error); reports READY=1 to systemd when done. Every time
    // it uses comes from `clock`.
    Daemon(EventLoop& loop, Options options, const Clock& clock);

    // For the command handlers.
    Engine& engine() { return engine_; }
    // Where an event enters: reads the clock once and, if the machine slept
    // without logind saying so, tells the engine first. The time to hand on.
    Now enter();
    // Carries out the engine's effects at `now` (the time they were made at).
    void apply(Effects effects, Now now);
    // The engine's status at `now`, worked out once until the engine changes.
    const EngineStatus& status(Now now);
    // Why a due reminder is held back (away, off_hours, grace; do_not_disturb,
    // fullscreen), or null.
    nlohmann::json held(Now now);
    // Re-reads the config; on failure keeps the running one and returns why.
    std::optional<std::string> reload();
    void subscribe(Connection& connection, bool rings_bell);
    const std::string& config_source() const { return config_source_; }
    const Server& server() const { return server_; }
    Store& store() { return *store_; }
    // Records a daemon event (start, stop) that is not the engine's.
    void record(RecordKind kind);
    void settle_restored_absence();
    void arm_tick(Now n);
    // The status as clients see it: the engine's, plus what only the daemon
    // knows (a reminder held for do-not-disturb, how reminders are sent).
    nlohmann::json status_view(Now now);
    // For `doctor`: how activity is tracked, and what could be better.
    nlohmann::json doctor_view();
    // The capture devices in use now (camera, microphone), unfiltered, as
    // the call detectors last said; sorted.
    const std::vector<Capture>& captures() const { return captures_; }

private:
    void on_request(Connection& connection, std::string_view line);
    void on_deadline();
    void stop();
    void on_clock_changed();
    void check_sleep(Now now);
    void rearm(Now now);
    void notify_status(Now now);
    void status_changed();
    void delivery_changed();
    void prune_history();
    void broadcast_tick();
    void on_action(ReminderAction action);
    void calls_changed();
    void tell_engine_of_calls();

    EventLoop& loop_;
    Options options_;
    const Clock& clock_;
    std::string config_source_;
    std::string boot_id_;
    std::unique_ptr<Store> store_;  // before the engine: the engine starts from what it saved
    Duration downtime_{};
    Engine engine_;
    Server server_;
    EventSource deadline_;
    EventSource tick_;
    EventSource sigterm_, sigint_, sighup_;
    // After stop(): the loop ends once delivery has settled, or at this timer.
    bool stopping_ = false;
    EventSource stop_timer_;
    std::optional<ClockWatch> clock_watch_;
    Duration suspended_seen_{};
    // The status at one moment, kept until the engine is next called.
    std::optional<std::pair<Now, EngineStatus>> status_;
    bool applying_ = false;

    std::unique_ptr<DisplayEnvironment> display_;  // where the graphical session is
    std::unique_ptr<Logind> logind_;               // lock and suspend
    std::unique_ptr<Delivery> delivery_;           // reminders to the desktop (or a command, or a bell)
    FullscreenProbe* fullscreen_ = nullptr;        // delivery's, for doctor
    std::unique_ptr<Activity> activity_;           // idle and active
    DisplayEnvironment::Subscription display_watch_;  // a new display may offer a better activity source
    std::unique_ptr<CallDetectors> calls_;  // camera and microphone in use
    std::vector<Capture> captures_;         // what calls_ said last
    EventSource prune_timer_;
    EventSource bell_came_;       // a terminal that rings subscribed: offer it the reminder up
    EventSource settle_absence_;  // ends an absence restored at start that no source confirmed
    std::string last_status_;
};

}  // namespace stretch
