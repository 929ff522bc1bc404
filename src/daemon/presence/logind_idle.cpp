#include "daemon/presence/logind_idle.hpp"

#include <fmt/format.h>

#include "daemon/plumbing/system_clock.hpp"

namespace stretch {

LogindIdle::LogindIdle(EventLoop& loop, Logind& logind, Listener listener)
    : loop_(loop), logind_(logind), listener_(std::move(listener)) {
    due_ = loop_.add_timer(CLOCK_BOOTTIME, [this] { on_due(); });
}

LogindIdle::~LogindIdle() { logind_.unwatch(this); }

Probe LogindIdle::start(Duration threshold) {
    threshold_ = threshold;
    logind_.watch_session(this, [this] { session_changed(); });
    if (logind_.resolving()) {
        pending_ = true;
        return Probe::pending("asking logind for the session");
    }
    if (!logind_.session()) return Probe::failed(logind_.describe(), logind_.fix());
    ready_ = true;
    logind_.watch_idle(this, [this](bool idle, MonoTime since) { on_hint(idle, since); });
    return Probe::ready(fmt::format("IdleHint of logind {}", logind_.describe()));
}

void LogindIdle::session_changed() {
    if (pending_ && !logind_.resolving()) {
        pending_ = false;
        if (!logind_.session()) return listener_.lost(Probe::failed(logind_.describe(), logind_.fix()));
        ready_ = true;
        listener_.ready(fmt::format("IdleHint of logind {}", logind_.describe()));
        logind_.watch_idle(this, [this](bool idle, MonoTime since) { on_hint(idle, since); });
    } else if (ready_ && !logind_.session() && !logind_.resolving()) {
        ready_ = false;
        logind_.watch_idle(this, nullptr);
        listener_.lost(Probe::failed(logind_.describe(), logind_.fix()));
    }
}

void LogindIdle::set_threshold(Duration threshold) {
    threshold_ = threshold;
    if (idle_ && !reported_idle_) on_hint(true, since_);
}

// Idle spells shorter than the threshold are not reported, as with the
// other sources: the hint may come from a desktop with a shorter timeout.
void LogindIdle::on_hint(bool idle, MonoTime since) {
    idle_ = idle;
    since_ = since;
    if (!idle) {
        due_.disarm();
        if (reported_idle_) {
            reported_idle_ = false;
            listener_.active();
        }
        return;
    }
    if (reported_idle_) return;
    // Always through the timer, even when already due: this may run inside start().
    Duration left = std::max(Duration::zero(), since + threshold_ - read_now().mono);
    due_.arm_in(left);
}

void LogindIdle::on_due() {
    if (!idle_ || reported_idle_) return;
    reported_idle_ = true;
    listener_.idle(since_);
}

}  // namespace stretch
