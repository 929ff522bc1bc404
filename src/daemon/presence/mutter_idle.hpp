#pragma once
// GNOME's idle monitor (org.gnome.Mutter.IdleMonitor on the session bus):
// an idle watch at the threshold, and, once it fires, a user-active watch
// (Mutter fires those once, so one is added each time the user goes idle).
// The watches live in Mutter and are lost with it: when GNOME Shell
// restarts under a new name owner they are added again.

#include <cstdint>

#include "daemon/presence/activity_source.hpp"
#include "daemon/plumbing/bus.hpp"

namespace stretch {

class MutterIdle : public ActivitySource {
public:
    MutterIdle(EventLoop& loop, Listener listener);

    Probe start(Duration threshold) override;
    void set_threshold(Duration threshold) override;

private:
    void connected(sd_bus* bus);
    void monitor_appeared(std::string owner);
    void add_idle_watch();
    void add_active_watch();
    void remove_watch(std::uint32_t id);
    void on_watch_fired(std::uint32_t id);
    void fail(Probe why);

    Listener listener_;
    Duration threshold_{};
    bool started_ = false, ready_ = false, failed_ = false;
    std::string owner_;
    std::uint32_t idle_watch_ = 0, active_watch_ = 0;
    unsigned generation_ = 0;  // watch ids from an earlier owner are ignored

    BusLink bus_;  // last: its callbacks use everything above
};

}  // namespace stretch
