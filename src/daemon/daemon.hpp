#pragma once
// stretchd itself: owns the engine, the socket server and the timers, all
// on one sd-event loop. Every event (a request, a timer, a signal) ends the
// same way: call the engine, carry out its effects, re-arm the one deadline
// timer at the engine's next_deadline().

#include <filesystem>
#include <optional>
#include <string>

#include "core/engine.hpp"
#include "daemon/event_loop.hpp"
#include "daemon/server.hpp"
#include "ipc/unique_fd.hpp"

namespace stretch {

class Daemon {
public:
    struct Options {
        std::filesystem::path socket;
        std::optional<std::filesystem::path> config;  // --config; unset: the user's file or built-in
        bool builtin_config = false;                   // --default-config: ignore the user's file
        std::chrono::milliseconds client_timeout = std::chrono::seconds(10);
        std::uint64_t seed = 0;
    };

    // Loads the config (throws ConfigError) and takes the socket (throws
    // std::runtime_error); reports READY=1 to systemd when done.
    Daemon(EventLoop& loop, Options options);

    // For the command handlers.
    Engine& engine() { return engine_; }
    Now now();
    void apply(Effects effects);
    // Re-reads the config; on failure keeps the running one and returns why.
    std::optional<std::string> reload();
    void subscribe(Connection& connection);
    const std::string& config_source() const { return config_source_; }
    const Server& server() const { return server_; }

private:
    void on_request(Connection& connection, std::string_view line);
    void on_deadline();
    void on_clock_changed();
    void on_timezone_changed();
    void check_sleep(Now now);
    void rearm();
    void rearm_wall_clock_watch();
    void notify_status();
    void broadcast_tick();

    EventLoop& loop_;
    Options options_;
    std::string config_source_;
    Engine engine_;
    Server server_;
    EventSource deadline_;
    EventSource tick_;
    EventSource sigterm_, sigint_, sighup_;
    UniqueFd clock_fd_;
    EventSource clock_source_;
    UniqueFd tz_fd_;
    EventSource tz_source_;
    Duration suspended_seen_{};
    std::string last_status_;
};

}  // namespace stretch
