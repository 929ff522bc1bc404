#include "daemon/delivery/x11_fullscreen.hpp"

#include <cstdlib>
#include <cstring>

#include <spdlog/spdlog.h>
#include <xcb/xcbext.h>  // xcb_poll_for_reply

namespace stretch {
namespace {

template <typename T>
struct FreeReply {
    void operator()(T* p) const { std::free(p); }
};
template <typename T>
using Reply = std::unique_ptr<T, FreeReply<T>>;

constexpr std::array<const char*, 3> atom_names = {"_NET_ACTIVE_WINDOW", "_NET_WM_STATE", "_NET_WM_STATE_FULLSCREEN"};

// The reply to `cookie` if it has come (or its error): true once it is in.
template <typename T>
bool poll_reply(xcb_connection_t* c, unsigned int cookie, Reply<T>& reply, bool& failed) {
    void* r = nullptr;
    xcb_generic_error_t* error = nullptr;
    if (!xcb_poll_for_reply(c, cookie, &r, &error)) return false;
    reply.reset(static_cast<T*>(r));
    failed = error != nullptr || r == nullptr;
    std::free(error);
    return true;
}

}  // namespace

X11Fullscreen::X11Fullscreen(EventLoop& loop, DisplayEnvironment& display, std::function<void()> changed)
    : loop_(loop), display_(display), changed_(std::move(changed)) {
    watch_ = display_.watch([this] { connect(); });
    // From the loop: `changed` is not called while our owner is being built.
    first_ = loop_.add_defer([this] { connect(); });
}

X11Fullscreen::~X11Fullscreen() = default;

void X11Fullscreen::connect() {
    std::string name = display_.current().x11;
    if (connection_ && !xcb_connection_has_error(connection_.get()) && name == display_name_) return;
    disconnect();
    if (name.empty()) return;
    int screen_number = 0;
    connection_.reset(xcb_connect(name.c_str(), &screen_number));
    if (xcb_connection_has_error(connection_.get())) {
        spdlog::debug("full-screen check: no X server answers on DISPLAY=\"{}\"", name);
        connection_.reset();
        return;
    }
    display_name_ = name;
    xcb_connection_t* c = connection_.get();
    auto iter = xcb_setup_roots_iterator(xcb_get_setup(c));
    for (int i = 0; i < screen_number && iter.rem; ++i) xcb_screen_next(&iter);
    root_ = iter.data->root;
    for (std::size_t i = 0; i < atom_names.size(); ++i)
        atom_cookies_[i] =
            xcb_intern_atom(c, 0, static_cast<std::uint16_t>(std::strlen(atom_names[i])), atom_names[i]).sequence;
    // _NET_ACTIVE_WINDOW changes arrive as PropertyNotify on the root.
    std::uint32_t mask = XCB_EVENT_MASK_PROPERTY_CHANGE;
    xcb_change_window_attributes(c, root_, XCB_CW_EVENT_MASK, &mask);
    try {
        io_ = loop_.add_io(xcb_get_file_descriptor(c), EPOLLIN, [this](std::uint32_t) { dispatch(); });
    } catch (const std::system_error& e) {
        spdlog::warn("full-screen check: on {}: {}", name, e.what());
        connection_.reset();
        return;
    }
    spdlog::debug("full-screen check: watching the focused window on {}", name);
    dispatch();  // sends the requests
}

void X11Fullscreen::disconnect() {
    io_.reset();
    connection_.reset();
    display_name_.clear();
    root_ = active_ = XCB_NONE;
    atoms_known_ = false;
    atom_cookies_ = {};
    active_cookie_ = state_cookie_ = 0;
    known_ = false;
    set(false);
}

void X11Fullscreen::dispatch() {
    for (;;) {
        xcb_connection_t* c = connection_.get();
        if (!c) return;
        while (Reply<xcb_generic_event_t> event{xcb_poll_for_event(c)}) {
            handle(*event);
            if (!connection_) return;
        }
        bool progress = take_replies();
        if (!connection_) return;
        if (xcb_connection_has_error(c) || xcb_flush(c) <= 0) {
            spdlog::debug("full-screen check: the X server on {} went away", display_name_);
            return disconnect();
        }
        // Reading replies and flushing may have queued events the socket
        // will not announce again.
        if (Reply<xcb_generic_event_t> event{xcb_poll_for_queued_event(c)}) {
            handle(*event);
            continue;
        }
        if (!progress) return;
    }
}

// Everything that has come in for the requests in flight; true if any did.
bool X11Fullscreen::take_replies() {
    xcb_connection_t* c = connection_.get();
    bool progress = false;
    if (!atoms_known_) {
        bool all = true;
        for (std::size_t i = 0; i < atom_count; ++i) {
            if (!atom_cookies_[i]) continue;
            Reply<xcb_intern_atom_reply_t> reply;
            bool failed = false;
            if (!poll_reply(c, atom_cookies_[i], reply, failed)) {
                all = false;
                continue;
            }
            progress = true;
            atom_cookies_[i] = 0;
            if (failed) {
                spdlog::debug("full-screen check: {} refused to name {}", display_name_, atom_names[i]);
                disconnect();
                return true;
            }
            atoms_[i] = reply->atom;
        }
        if (!all) return progress;
        atoms_known_ = true;
        ask_active_window();
    }
    if (active_cookie_) {
        Reply<xcb_get_property_reply_t> reply;
        bool failed = false;
        if (poll_reply(c, active_cookie_, reply, failed)) {
            progress = true;
            active_cookie_ = 0;
            xcb_window_t window = XCB_NONE;
            if (!failed && reply->type == XCB_ATOM_WINDOW && xcb_get_property_value_length(reply.get()) >= 4)
                std::memcpy(&window, xcb_get_property_value(reply.get()), 4);
            on_active_window(window);
        }
    }
    if (state_cookie_) {
        Reply<xcb_get_property_reply_t> reply;
        bool failed = false;
        if (poll_reply(c, state_cookie_, reply, failed)) {
            progress = true;
            state_cookie_ = 0;
            bool full = false;
            if (!failed && reply->type == XCB_ATOM_ATOM) {
                int count = xcb_get_property_value_length(reply.get()) / 4;
                const auto* atoms = static_cast<const std::uint8_t*>(xcb_get_property_value(reply.get()));
                for (int i = 0; i < count && !full; ++i) {
                    xcb_atom_t atom = 0;
                    std::memcpy(&atom, atoms + 4 * i, 4);
                    full = atom == atoms_[net_wm_state_fullscreen];
                }
            }
            set(full);
        }
    }
    return progress;
}

void X11Fullscreen::handle(const xcb_generic_event_t& event) {
    // Errors of the requests without replies: selecting events on a window
    // that was destroyed meanwhile. Its state reply fails too, and says so.
    if (event.response_type == 0 || !atoms_known_) return;
    if ((event.response_type & 0x7f) != XCB_PROPERTY_NOTIFY) return;
    const auto& e = reinterpret_cast<const xcb_property_notify_event_t&>(event);
    if (e.window == root_ && e.atom == atoms_[net_active_window]) ask_active_window();
    if (e.window == active_ && e.atom == atoms_[net_wm_state]) ask_state();
}

void X11Fullscreen::drop(Cookie& cookie) {
    if (cookie) xcb_discard_reply(connection_.get(), cookie);
    cookie = 0;
}

void X11Fullscreen::ask_active_window() {
    drop(active_cookie_);
    active_cookie_ =
        xcb_get_property(connection_.get(), 0, root_, atoms_[net_active_window], XCB_ATOM_WINDOW, 0, 1).sequence;
}

void X11Fullscreen::ask_state() {
    drop(state_cookie_);
    if (active_ == XCB_NONE) return set(false);
    state_cookie_ =
        xcb_get_property(connection_.get(), 0, active_, atoms_[net_wm_state], XCB_ATOM_ATOM, 0, 64).sequence;
}

void X11Fullscreen::on_active_window(xcb_window_t window) {
    xcb_connection_t* c = connection_.get();
    if (window != active_) {
        // Our own selection only: the root's stays, it announces the next focus.
        if (active_ != XCB_NONE && active_ != root_) {
            std::uint32_t none = XCB_EVENT_MASK_NO_EVENT;
            xcb_change_window_attributes(c, active_, XCB_CW_EVENT_MASK, &none);
        }
        if (window != XCB_NONE && window != root_) {
            std::uint32_t mask = XCB_EVENT_MASK_PROPERTY_CHANGE;
            xcb_change_window_attributes(c, window, XCB_CW_EVENT_MASK, &mask);
        }
        active_ = window;
    }
    // Asked after the selection: a change from now on is an event.
    ask_state();
}

void X11Fullscreen::set(bool full) {
    bool first = !known_ && connection_;
    if (connection_) known_ = true;
    if (first || full != fullscreen_)
        spdlog::debug("full-screen check: the focused window on {} is {}full-screen",
                      display_name_.empty() ? "no display" : display_name_, full ? "" : "not ");
    if (full == fullscreen_) return;
    fullscreen_ = full;
    if (changed_) changed_();
}

}  // namespace stretch
