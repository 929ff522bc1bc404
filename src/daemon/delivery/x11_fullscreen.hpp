#pragma once
// Whether the focused X11 window is full-screen (a film, a presentation, a
// game), so a reminder can wait instead of covering it. Asks the window
// manager's EWMH properties: _NET_ACTIVE_WINDOW on the root window, then
// that window's _NET_WM_STATE.
//
// It asks only when a reminder is about to be shown (and once a minute while
// one is held), with two short round trips to the local X server.

#include <xcb/xcb.h>

#include <memory>

namespace stretch {

class X11Fullscreen {
public:
    // False when there is no X display, no window manager, or no answer.
    bool focused_window_fullscreen();

private:
    bool connect();
    struct Disconnect {
        void operator()(xcb_connection_t* c) const { xcb_disconnect(c); }
    };
    std::unique_ptr<xcb_connection_t, Disconnect> connection_;
    xcb_window_t root_ = 0;
    xcb_atom_t active_window_ = 0, wm_state_ = 0, fullscreen_ = 0;
};

}  // namespace stretch
