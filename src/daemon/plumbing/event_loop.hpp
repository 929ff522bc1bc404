#pragma once
// RAII over sd-event: the daemon's one loop. Every fd, timer and signal of
// the daemon is a source here; nothing blocks and there are no threads.
// Sources are owned by the object that needs the event (a connection owns its
// io source, the daemon its timers) and disappear with it.

#include <systemd/sd-event.h>

#include <sys/inotify.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <system_error>

namespace stretch {

// Owns one sd_event_source and the callback it calls.
class EventSource {
public:
    EventSource() = default;
    EventSource(EventSource&&) noexcept = default;
    EventSource& operator=(EventSource&&) noexcept = default;
    ~EventSource() = default;

    explicit operator bool() const { return source_ != nullptr; }
    sd_event_source* get() const { return source_.get(); }
    void reset() { source_.reset(); }

    // For io sources: which of EPOLLIN/EPOLLOUT to wait for.
    void set_io_events(std::uint32_t events);
    void disable();
    // For time sources: fire once at `usec` on the source's clock; 0 disables.
    void set_time(std::uint64_t usec);
    // For time sources: fire once `after` from the loop's now on the source's
    // clock (at once for zero or less).
    void arm_in(std::chrono::microseconds after);
    // For time sources: fire once at `at` since the source clock's epoch.
    void arm_at(std::chrono::microseconds at);
    // For time sources: do not fire.
    void disarm() { set_time(0); }
    bool armed() const;

private:
    friend class EventLoop;
    struct Unref {
        void operator()(sd_event_source* s) const { sd_event_source_disable_unref(s); }
    };
    std::unique_ptr<sd_event_source, Unref> source_;
};

class EventLoop {
public:
    using IoHandler = std::function<void(std::uint32_t revents)>;
    using Handler = std::function<void()>;
    using ChildHandler = std::function<void(const siginfo_t&)>;
    using InotifyHandler = std::function<void(const inotify_event&)>;

    // Throws std::system_error if sd-event cannot be set up.
    EventLoop();
    sd_event* get() const { return event_.get(); }

    EventSource add_io(int fd, std::uint32_t events, IoHandler handler);
    // A one-shot timer on `clock`, armed at `usec` (0 leaves it disabled).
    EventSource add_timer(clockid_t clock, std::uint64_t usec, Handler handler);
    // A one-shot timer on `clock`, not armed: arm it with arm_in() or arm_at().
    EventSource add_timer(clockid_t clock, Handler handler) { return add_timer(clock, 0, std::move(handler)); }
    // Calls `handler` once, on a later iteration, after the sources that are
    // already waiting have had their turn. Take a new one for each call:
    // sd-event keeps a deferred source queued at the age it was created, so
    // one re-enabled forever would always go first.
    EventSource add_defer(Handler handler);
    // Calls `handler` for each inotify event on `path` (a file or a
    // directory) matching `mask`. On failure (the path does not exist, no
    // watches left) returns an empty source and sets `error`.
    EventSource add_inotify(const char* path, std::uint32_t mask, InotifyHandler handler, std::error_code& error);
    // Blocks the signal for the process and delivers it here instead.
    EventSource add_signal(int signal, Handler handler);

    // Calls `handler` when the child exits. SIGCHLD must be blocked (see
    // block_child_signal()) before the child is started.
    EventSource add_child(pid_t pid, ChildHandler handler);
    static void block_child_signal();

    // Runs until exit() is called; returns the exit code.
    int run();
    // Runs one iteration: waits at most `timeout_usec` for an event and
    // dispatches one source. For tests that step the loop.
    void run_once(std::uint64_t timeout_usec);
    void exit(int code);
    std::uint64_t now(clockid_t clock) const;

private:
    template <typename F>
    static EventSource adopt(int r, sd_event_source* s, std::unique_ptr<F> callback, const char* what);

    struct Unref {
        void operator()(sd_event* e) const { sd_event_unref(e); }
    };
    std::unique_ptr<sd_event, Unref> event_;
};

}  // namespace stretch
