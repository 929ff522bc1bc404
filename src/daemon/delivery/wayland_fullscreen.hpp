#pragma once
// Whether the focused Wayland window is full-screen, from the compositor's
// window list, on whichever of two protocols it offers (wlr when both):
// - zwlr_foreign_toplevel_manager_v1 (wlroots compositors: sway, Hyprland,
//   labwc, river), which sends each window's states (`activated`,
//   `fullscreen`) and applies them at `done`;
// - org_kde_plasma_window_management (KWin), followed by PlasmaWindows on
//   this same connection, whose windows send `active` and `fullscreen` in
//   one bitfield. KWin offers it only to programs whose desktop file asks
//   for it; describe() says so, and what to do, when KWin withholds it.
// Both feed one ToplevelStates, so "focused and full-screen" means the same.
//
// Nothing waits: the connection's fd is a source on the daemon's loop, the
// registry's globals are known when the sync callback sent after them comes
// back, and the answer follows the compositor's events; only connecting to
// the local socket is a system call on the loop. The display is the
// DisplayEnvironment's; when it announces a change (a socket appearing, the
// user manager's environment changing) this connects again if the display
// changed or the compositor had gone; a socket that refuses (it exists, its
// compositor is not listening yet) is tried a few times more, within about
// 3 s, and then left to the next change. Without either protocol it is off,
// says why in describe(), and logs that once. Single-threaded, on the loop;
// nothing here throws.

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "daemon/delivery/fullscreen_probe.hpp"
#include "daemon/delivery/plasma_windows.hpp"
#include "daemon/delivery/toplevel_states.hpp"
#include "daemon/plumbing/event_loop.hpp"
#include "daemon/presence/display_environment.hpp"

struct wl_display;
struct wl_registry;
struct wl_callback;
struct zwlr_foreign_toplevel_manager_v1;
struct zwlr_foreign_toplevel_handle_v1;

namespace stretch {

class WaylandFullscreen final : public FullscreenProbe {
public:
    WaylandFullscreen(EventLoop& loop, DisplayEnvironment& display);
    WaylandFullscreen(const WaylandFullscreen&) = delete;
    WaylandFullscreen& operator=(const WaylandFullscreen&) = delete;
    ~WaylandFullscreen() override;

    // False when there is no compositor, no protocol, or no answer yet.
    bool focused_window_fullscreen() override { return toplevels_.focused_fullscreen(); }
    std::vector<FullscreenReport> describe() const override;

private:
    // Each proxy is destroyed before the display it belongs to: the members
    // below are declared in that order, display first.
    struct Disconnect {
        void operator()(wl_display* d) const;
    };
    struct Destroy {
        void operator()(wl_registry* p) const;
        void operator()(wl_callback* p) const;
        void operator()(zwlr_foreign_toplevel_manager_v1* p) const;
        void operator()(zwlr_foreign_toplevel_handle_v1* p) const;
    };
    template <typename T>
    using Owned = std::unique_ptr<T, Destroy>;

    friend struct WaylandFullscreenEvents;  // the protocol's C callbacks, in the .cpp

    void connect();
    void disconnect();
    void off(std::string why, std::string why_not_kde = {});
    void follow(FullscreenSource source, std::string what);
    void follow_plasma_windows(std::string why_not_wlr);
    std::string why_no_plasma_windows() const;
    void on_io(std::uint32_t revents);
    void flush();
    void gone();
    void on_globals_listed();
    void on_toplevel(zwlr_foreign_toplevel_handle_v1* handle);
    void on_closed(zwlr_foreign_toplevel_handle_v1* handle);
    void on_finished();
    void on_plasma_windows_withdrawn();
    void update(bool changed_answer);

    EventLoop& loop_;
    DisplayEnvironment& display_;
    std::string name_;    // WAYLAND_DISPLAY connected to
    std::string exe_;     // our executable, which KWin looks for in desktop files
    std::string in_use_;  // what is followed, for doctor; empty: off
    FullscreenSource source_ = FullscreenSource::wlr_foreign_toplevel;  // what in_use_ is
    // For doctor: why the wlr list is not followed, and why KDE's is not
    // (when empty, why_off_ says it for both: no connection).
    std::string why_off_;
    std::string why_not_kde_;
    std::string logged_;  // the last state logged, so a repeated one is not
    bool dead_ = false;   // the connection failed; connect() again
    std::uint32_t manager_global_ = 0, manager_version_ = 0;
    std::uint32_t kde_global_ = 0, kde_version_ = 0;
    bool kde_desktop_ = false;  // KDE's own globals are offered: the compositor is KWin
    ToplevelStates toplevels_;

    std::unique_ptr<wl_display, Disconnect> wl_;
    Owned<wl_registry> registry_;
    Owned<wl_callback> listed_;  // the sync after the registry's first globals
    Owned<zwlr_foreign_toplevel_manager_v1> manager_;
    std::map<ToplevelStates::Id, Owned<zwlr_foreign_toplevel_handle_v1>> handles_;
    std::unique_ptr<PlasmaWindows> plasma_;
    EventSource io_;     // gone before the display whose fd it watches
    EventSource again_;  // a connect() from the loop
    EventSource refused_;  // connect() again after a refused connection
    static constexpr int max_refused_tries = 6;
    int refused_tries_ = 0;
    DisplayEnvironment::Subscription watch_;
};

}  // namespace stretch
