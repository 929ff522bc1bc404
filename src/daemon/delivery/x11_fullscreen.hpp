#pragma once
// Whether the focused X11 window is full-screen (a film, a presentation, a
// game), so a reminder can wait instead of covering it. Follows the window
// manager's EWMH properties: _NET_ACTIVE_WINDOW on the root window, then
// that window's _NET_WM_STATE.
//
// The answer is kept current by X events (PropertyNotify on the root and on
// the focused window), read from the connection's io source on the loop;
// requests are answered asynchronously (xcb_poll_for_reply), so nothing
// here waits for the X server, and nothing polls. The display is the one
// the DisplayEnvironment knows (the user manager's DISPLAY for a service
// started before the session); a display appearing or changing is picked
// up when the environment announces it. Only connecting to the (local)
// server is a round trip. Single-threaded, on the daemon's loop; nothing
// here throws.

#include <array>
#include <functional>
#include <memory>
#include <string>

#include <xcb/xcb.h>

#include "daemon/plumbing/event_loop.hpp"
#include "daemon/presence/display_environment.hpp"

namespace stretch {

class X11Fullscreen {
public:
    // `changed` is called from the loop when the answer changes.
    X11Fullscreen(EventLoop& loop, DisplayEnvironment& display, std::function<void()> changed);
    X11Fullscreen(const X11Fullscreen&) = delete;
    X11Fullscreen& operator=(const X11Fullscreen&) = delete;
    ~X11Fullscreen();

    // False when there is no X display, no window manager, or no answer yet.
    bool focused_window_fullscreen() const { return fullscreen_; }
    // The DISPLAY connected to; empty while not connected.
    const std::string& display_name() const { return display_name_; }

private:
    struct Disconnect {
        void operator()(xcb_connection_t* c) const { xcb_disconnect(c); }
    };
    // A request in flight whose reply we wait for; 0: none.
    using Cookie = unsigned int;

    void connect();
    void disconnect();
    void dispatch();
    bool take_replies();
    void handle(const xcb_generic_event_t& event);
    void ask_active_window();
    void ask_state();
    void on_active_window(xcb_window_t window);
    void set(bool full);
    void drop(Cookie& cookie);

    EventLoop& loop_;
    DisplayEnvironment& display_;
    std::function<void()> changed_;
    std::string display_name_;  // the DISPLAY connected to
    bool fullscreen_ = false;
    bool known_ = false;  // an answer came on this connection

    std::unique_ptr<xcb_connection_t, Disconnect> connection_;
    xcb_window_t root_ = XCB_NONE;
    xcb_window_t active_ = XCB_NONE;  // whose _NET_WM_STATE is watched
    enum Atom { net_active_window, net_wm_state, net_wm_state_fullscreen, atom_count };
    std::array<xcb_atom_t, atom_count> atoms_{};
    std::array<Cookie, atom_count> atom_cookies_{};
    bool atoms_known_ = false;
    Cookie active_cookie_ = 0, state_cookie_ = 0;

    // Last: gone before the connection whose fd it watches.
    EventSource io_;
    EventSource first_;  // the first connect()
    DisplayEnvironment::Subscription watch_;
};

}  // namespace stretch
