#include "daemon/plumbing/event_loop.hpp"

#include <cerrno>
#include <csignal>
#include <sys/wait.h>

#include <algorithm>
#include <system_error>

namespace stretch {
namespace {

void check(int r, const char* what) {
    if (r < 0) throw std::system_error(-r, std::generic_category(), what);
}

// The callbacks are heap-allocated and owned by the source through its
// destroy callback, so they live exactly as long as the source.
template <typename F>
void attach(sd_event_source* source, F* callback) {
    sd_event_source_set_userdata(source, callback);
    sd_event_source_set_destroy_callback(source, [](void* p) { delete static_cast<F*>(p); });
}

}  // namespace

// A short slack lets the kernel batch our rare wake-ups with others'; breaks
// do not need more precision than this.
constexpr std::uint64_t timer_accuracy_usec = 50'000;

void EventSource::set_io_events(std::uint32_t events) { sd_event_source_set_io_events(source_.get(), events); }

void EventSource::disable() {
    if (source_) sd_event_source_set_enabled(source_.get(), SD_EVENT_OFF);
}

void EventSource::set_time(std::uint64_t usec) {
    if (usec == 0) {
        sd_event_source_set_enabled(source_.get(), SD_EVENT_OFF);
        return;
    }
    sd_event_source_set_time(source_.get(), usec);
    sd_event_source_set_enabled(source_.get(), SD_EVENT_ONESHOT);
}

void EventSource::arm_in(std::chrono::microseconds after) {
    clockid_t clock{};
    std::uint64_t now = 0;
    sd_event_source_get_time_clock(source_.get(), &clock);
    sd_event_now(sd_event_source_get_event(source_.get()), clock, &now);
    // 1, not 0: 0 would disarm, and a time in the past fires at once.
    arm_at(std::chrono::microseconds(std::max<std::int64_t>(1, static_cast<std::int64_t>(now) + after.count())));
}

void EventSource::arm_at(std::chrono::microseconds at) { set_time(static_cast<std::uint64_t>(std::max<std::int64_t>(1, at.count()))); }

bool EventSource::armed() const {
    int enabled = SD_EVENT_OFF;
    return source_ && sd_event_source_get_enabled(source_.get(), &enabled) >= 0 && enabled != SD_EVENT_OFF;
}

EventLoop::EventLoop() {
    sd_event* e = nullptr;
    check(sd_event_new(&e), "sd_event_new");
    event_.reset(e);
    // Sends WATCHDOG=1 keep-alives by itself when systemd set WATCHDOG_USEC.
    check(sd_event_set_watchdog(e, true), "sd_event_set_watchdog");
}

// Hands `callback` to the source, which frees it when it goes, and wraps
// the source for its owner.
template <typename F>
EventSource EventLoop::adopt(int r, sd_event_source* s, std::unique_ptr<F> callback, const char* what) {
    check(r, what);
    attach(s, callback.release());
    EventSource source;
    source.source_.reset(s);
    return source;
}

namespace {

void block(int signal) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, signal);
    if (sigprocmask(SIG_BLOCK, &set, nullptr) < 0) throw std::system_error(errno, std::generic_category(), "sigprocmask");
}

}  // namespace

EventSource EventLoop::add_io(int fd, std::uint32_t events, IoHandler handler) {
    sd_event_source* s = nullptr;
    auto cb = std::make_unique<IoHandler>(std::move(handler));
    int r = sd_event_add_io(event_.get(), &s, fd, events,
                            [](sd_event_source*, int, std::uint32_t revents, void* p) {
                                (*static_cast<IoHandler*>(p))(revents);
                                return 0;
                            },
                            nullptr);
    return adopt(r, s, std::move(cb), "sd_event_add_io");
}

EventSource EventLoop::add_timer(clockid_t clock, std::uint64_t usec, Handler handler) {
    sd_event_source* s = nullptr;
    auto cb = std::make_unique<Handler>(std::move(handler));
    int r = sd_event_add_time(event_.get(), &s, clock, usec == 0 ? UINT64_MAX : usec, timer_accuracy_usec,
                              [](sd_event_source*, std::uint64_t, void* p) {
                                  (*static_cast<Handler*>(p))();
                                  return 0;
                              },
                              nullptr);
    auto source = adopt(r, s, std::move(cb), "sd_event_add_time");
    source.set_time(usec);
    return source;
}

EventSource EventLoop::add_defer(Handler handler) {
    sd_event_source* s = nullptr;
    auto cb = std::make_unique<Handler>(std::move(handler));
    int r = sd_event_add_defer(event_.get(), &s,
                               [](sd_event_source*, void* p) {
                                   (*static_cast<Handler*>(p))();
                                   return 0;
                               },
                               nullptr);
    auto source = adopt(r, s, std::move(cb), "sd_event_add_defer");
    sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
    return source;
}

EventSource EventLoop::add_inotify(const char* path, std::uint32_t mask, InotifyHandler handler, std::error_code& error) {
    sd_event_source* s = nullptr;
    auto cb = std::make_unique<InotifyHandler>(std::move(handler));
    int r = sd_event_add_inotify(event_.get(), &s, path, mask,
                                 [](sd_event_source*, const inotify_event* event, void* p) {
                                     (*static_cast<InotifyHandler*>(p))(*event);
                                     return 0;
                                 },
                                 nullptr);
    if (r < 0) {
        error = std::error_code(-r, std::generic_category());
        return {};
    }
    error.clear();
    return adopt(r, s, std::move(cb), "sd_event_add_inotify");
}

EventSource EventLoop::add_signal(int signal, Handler handler) {
    block(signal);
    sd_event_source* s = nullptr;
    auto cb = std::make_unique<Handler>(std::move(handler));
    int r = sd_event_add_signal(event_.get(), &s, signal,
                                [](sd_event_source*, const signalfd_siginfo*, void* p) {
                                    (*static_cast<Handler*>(p))();
                                    return 0;
                                },
                                nullptr);
    return adopt(r, s, std::move(cb), "sd_event_add_signal");
}

void EventLoop::block_child_signal() { block(SIGCHLD); }

EventSource EventLoop::add_child(pid_t pid, ChildHandler handler) {
    sd_event_source* s = nullptr;
    auto cb = std::make_unique<ChildHandler>(std::move(handler));
    int r = sd_event_add_child(event_.get(), &s, pid, WEXITED,
                               [](sd_event_source*, const siginfo_t* info, void* p) {
                                   (*static_cast<ChildHandler*>(p))(*info);
                                   return 0;
                               },
                               nullptr);
    return adopt(r, s, std::move(cb), "sd_event_add_child");
}

int EventLoop::run() { return sd_event_loop(event_.get()); }

void EventLoop::run_once(std::uint64_t timeout_usec) { check(sd_event_run(event_.get(), timeout_usec), "sd_event_run"); }

void EventLoop::exit(int code) { sd_event_exit(event_.get(), code); }

std::uint64_t EventLoop::now(clockid_t clock) const {
    std::uint64_t usec = 0;
    sd_event_now(event_.get(), clock, &usec);
    return usec;
}

}  // namespace stretch
