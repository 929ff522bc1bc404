#pragma once
// Idle and active from the Wayland compositor: ext-idle-notify-v1 (KWin
// 5.27+, sway 1.8+) when it is offered, else KDE's older org_kde_kwin_idle
// (KWin, wlroots 0.15). Both work the same way: the compositor sends `idle`
// once no input came for the timeout, then `resumed` at the next input.
//
// The connection's fd is a source on the daemon's loop; nothing polls. The
// only wait is start()'s round trip to the local compositor, at most 5 s.
// When the compositor goes away the source reports lost() once and stays
// silent. Single-threaded, like the loop; nothing here throws.

#include <cstdint>
#include <memory>
#include <string>

#include "daemon/presence/activity_source.hpp"
#include "daemon/plumbing/event_loop.hpp"

struct wl_display;
struct wl_registry;
struct wl_seat;
struct ext_idle_notifier_v1;
struct ext_idle_notification_v1;
struct org_kde_kwin_idle;
struct org_kde_kwin_idle_timeout;

namespace stretch {

class WaylandIdle : public ActivitySource {
public:
    WaylandIdle(EventLoop& loop, Listener listener, DisplayEnv env);
    WaylandIdle(const WaylandIdle&) = delete;
    WaylandIdle& operator=(const WaylandIdle&) = delete;
    ~WaylandIdle() override;

    Probe start(Duration threshold) override;
    void set_threshold(Duration threshold) override;

private:
    // Each Wayland object is released with its protocol's destructor request
    // (or only freed where the protocol has none), and before the display it
    // belongs to: the members below are declared in that order, display first.
    struct Disconnect {
        void operator()(wl_display* d) const;
    };
    struct Destroy {
        void operator()(wl_registry* p) const;
        void operator()(wl_seat* p) const;
        void operator()(ext_idle_notifier_v1* p) const;
        void operator()(ext_idle_notification_v1* p) const;
        void operator()(org_kde_kwin_idle* p) const;
        void operator()(org_kde_kwin_idle_timeout* p) const;
    };
    template <typename T>
    using Owned = std::unique_ptr<T, Destroy>;

    // What the registry announced: global names, 0 if absent.
    struct Globals {
        std::uint32_t seat = 0, ext_notifier = 0, kde_idle = 0;
    };

    friend struct WaylandIdleEvents;  // the protocols' C callbacks, in the .cpp

    Probe connect();
    void disconnect();
    bool arm();  // false if libwayland is out of memory
    void on_io(std::uint32_t revents);
    void flush();
    void on_idle();
    void on_resumed();
    void on_global_removed(std::uint32_t name);
    void gone(std::string why = {});
    std::string protocol_name() const;

    EventLoop& loop_;
    Listener listener_;
    DisplayEnv env_;
    Duration threshold_{};        // wanted
    Duration armed_threshold_{};  // of the notification that exists now
    bool idle_ = false;           // between idle and resumed
    bool dead_ = false;           // lost() was reported
    Globals globals_;

    std::unique_ptr<wl_display, Disconnect> display_;
    Owned<wl_registry> registry_;
    Owned<wl_seat> seat_;
    Owned<ext_idle_notifier_v1> ext_notifier_;
    Owned<org_kde_kwin_idle> kde_idle_;
    Owned<ext_idle_notification_v1> ext_notification_;
    Owned<org_kde_kwin_idle_timeout> kde_timeout_;
    EventSource io_;  // last: gone before the display whose fd it watches
};

}  // namespace stretch
