#include "daemon/delivery/x11_fullscreen.hpp"

#include <cstdlib>
#include <cstring>

#include <spdlog/spdlog.h>

#include "shared/paths.hpp"

namespace stretch {
namespace {

template <typename T>
struct FreeReply {
    void operator()(T* p) const { std::free(p); }
};
template <typename T>
using Reply = std::unique_ptr<T, FreeReply<T>>;

}  // namespace

bool X11Fullscreen::connect() {
    if (connection_ && !xcb_connection_has_error(connection_.get())) return true;
    connection_.reset();
    if (!env("DISPLAY")) return false;
    int screen_number = 0;
    connection_.reset(xcb_connect(nullptr, &screen_number));
    if (xcb_connection_has_error(connection_.get())) {
        connection_.reset();
        return false;
    }
    auto iter = xcb_setup_roots_iterator(xcb_get_setup(connection_.get()));
    for (int i = 0; i < screen_number && iter.rem; ++i) xcb_screen_next(&iter);
    root_ = iter.data->root;
    const char* names[] = {"_NET_ACTIVE_WINDOW", "_NET_WM_STATE", "_NET_WM_STATE_FULLSCREEN"};
    xcb_intern_atom_cookie_t cookies[3];
    for (int i = 0; i < 3; ++i)
        cookies[i] = xcb_intern_atom(connection_.get(), 0, static_cast<std::uint16_t>(std::strlen(names[i])), names[i]);
    xcb_atom_t* atoms[] = {&active_window_, &wm_state_, &fullscreen_};
    for (int i = 0; i < 3; ++i) {
        Reply<xcb_intern_atom_reply_t> reply(xcb_intern_atom_reply(connection_.get(), cookies[i], nullptr));
        if (!reply) {
            connection_.reset();
            return false;
        }
        *atoms[i] = reply->atom;
    }
    return true;
}

bool X11Fullscreen::focused_window_fullscreen() {
    if (!connect()) return false;
    xcb_connection_t* c = connection_.get();
    Reply<xcb_get_property_reply_t> active(
        xcb_get_property_reply(c, xcb_get_property(c, 0, root_, active_window_, XCB_ATOM_WINDOW, 0, 1), nullptr));
    if (!active || xcb_get_property_value_length(active.get()) < 4) return false;
    xcb_window_t window = *static_cast<xcb_window_t*>(xcb_get_property_value(active.get()));
    if (window == XCB_NONE) return false;
    Reply<xcb_get_property_reply_t> state(
        xcb_get_property_reply(c, xcb_get_property(c, 0, window, wm_state_, XCB_ATOM_ATOM, 0, 64), nullptr));
    if (!state) return false;
    auto* atoms = static_cast<xcb_atom_t*>(xcb_get_property_value(state.get()));
    int count = xcb_get_property_value_length(state.get()) / 4;
    for (int i = 0; i < count; ++i)
        if (atoms[i] == fullscreen_) return true;
    return false;
}

}  // namespace stretch
