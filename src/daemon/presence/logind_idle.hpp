#pragma once
// The coarsest activity source: the session's IdleHint in logind, set by
// some desktops (GNOME) and by swayidle's `idlehint`. Its timeout is the
// desktop's, not ours: the threshold only decides which idle spells are
// reported, as with the other sources.

#include "daemon/presence/activity_source.hpp"
#include "daemon/plumbing/event_loop.hpp"
#include "daemon/presence/logind.hpp"

namespace stretch {

class LogindIdle : public ActivitySource {
public:
    LogindIdle(EventLoop& loop, Logind& logind, Listener listener);
    ~LogindIdle() override;

    Probe start(Duration threshold) override;
    void set_threshold(Duration threshold) override;

private:
    void session_changed();
    void on_hint(bool idle, MonoTime since);
    void on_due();

    EventLoop& loop_;
    Logind& logind_;
    Listener listener_;
    Duration threshold_{};
    bool pending_ = false, ready_ = false, reported_idle_ = false;
    bool idle_ = false;
    MonoTime since_{};
    EventSource due_;  // the threshold reached while IdleHint stays set
};

}  // namespace stretch
