#include "daemon/delivery/wayland_fullscreen.hpp"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <system_error>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <span>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <wayland-client.h>

#include "shared/unique_fd.hpp"
#include "wlr-foreign-toplevel-management-unstable-v1-client.h"

namespace stretch {
namespace {

// Version 2 added the fullscreen state; 3 (the newest) the parent event.
constexpr std::uint32_t min_version = 2, max_version = 3;
constexpr const char* manager_interface = "zwlr_foreign_toplevel_manager_v1";

static_assert(ToplevelStates::activated == static_cast<std::uint32_t>(ZWLR_FOREIGN_TOPLEVEL_HANDLE_V1_STATE_ACTIVATED));
static_assert(ToplevelStates::fullscreen ==
              static_cast<std::uint32_t>(ZWLR_FOREIGN_TOPLEVEL_HANDLE_V1_STATE_FULLSCREEN));

ToplevelStates::Id id_of(zwlr_foreign_toplevel_handle_v1* handle) {
    return reinterpret_cast<ToplevelStates::Id>(handle);
}

}  // namespace

// The protocol's C callbacks, with `data` the WaylandFullscreen.
struct WaylandFullscreenEvents {
    static WaylandFullscreen& self(void* data) { return *static_cast<WaylandFullscreen*>(data); }

    static void global(void* data, wl_registry*, std::uint32_t name, const char* interface, std::uint32_t version) {
        auto& s = self(data);
        if (std::strcmp(interface, zwlr_foreign_toplevel_manager_v1_interface.name) == 0 && !s.manager_global_) {
            s.manager_global_ = name;
            s.manager_version_ = version;
        }
    }
    static void global_remove(void* data, wl_registry*, std::uint32_t name) {
        // A withdrawn manager also sends `finished`, which turns us off; one
        // not bound yet is only forgotten.
        auto& s = self(data);
        if (name == s.manager_global_ && !s.manager_) s.manager_global_ = 0;
    }
    static void listed(void* data, wl_callback*, std::uint32_t) { self(data).on_globals_listed(); }

    static void toplevel(void* data, zwlr_foreign_toplevel_manager_v1*, zwlr_foreign_toplevel_handle_v1* handle) {
        self(data).on_toplevel(handle);
    }
    static void finished(void* data, zwlr_foreign_toplevel_manager_v1*) { self(data).on_finished(); }

    static void state(void* data, zwlr_foreign_toplevel_handle_v1* handle, wl_array* states) {
        std::span<const std::uint32_t> values(static_cast<const std::uint32_t*>(states->data),
                                              states->size / sizeof(std::uint32_t));
        self(data).toplevels_.state(id_of(handle), values);
    }
    static void done(void* data, zwlr_foreign_toplevel_handle_v1* handle) {
        auto& s = self(data);
        s.update(s.toplevels_.done(id_of(handle)));
    }
    static void closed(void* data, zwlr_foreign_toplevel_handle_v1* handle) { self(data).on_closed(handle); }
    // Title, app_id, outputs and parent do not matter here.
    static void ignore(void*, zwlr_foreign_toplevel_handle_v1*, auto...) {}

    static constexpr wl_registry_listener registry_events{global, global_remove};
    static constexpr wl_callback_listener sync_events{listed};
    static constexpr zwlr_foreign_toplevel_manager_v1_listener manager_events{toplevel, finished};
    static constexpr zwlr_foreign_toplevel_handle_v1_listener handle_events{ignore, ignore, ignore, ignore,
                                                                            state,  done,   closed, ignore};
};

void WaylandFullscreen::Disconnect::operator()(wl_display* d) const { wl_display_disconnect(d); }
void WaylandFullscreen::Destroy::operator()(wl_registry* p) const { wl_registry_destroy(p); }
void WaylandFullscreen::Destroy::operator()(wl_callback* p) const { wl_callback_destroy(p); }
// `stop` would only ask for a `finished` we no longer read: the proxy is freed.
void WaylandFullscreen::Destroy::operator()(zwlr_foreign_toplevel_manager_v1* p) const {
    zwlr_foreign_toplevel_manager_v1_destroy(p);
}
void WaylandFullscreen::Destroy::operator()(zwlr_foreign_toplevel_handle_v1* p) const {
    zwlr_foreign_toplevel_handle_v1_destroy(p);
}

WaylandFullscreen::WaylandFullscreen(EventLoop& loop, DisplayEnvironment& display) : loop_(loop), display_(display) {
    why_off_ = "not connected yet";
    watch_ = display_.watch([this] { connect(); });
    // From the loop: changed() is not called while our owner is being built.
    again_ = loop_.add_defer([this] { connect(); });
}

WaylandFullscreen::~WaylandFullscreen() = default;

std::vector<FullscreenReport> WaylandFullscreen::describe() const {
    if (!in_use_.empty()) return {{FullscreenSource::wlr_foreign_toplevel, true, in_use_}};
    return {{FullscreenSource::wlr_foreign_toplevel, false, why_off_}};
}

void WaylandFullscreen::connect() {
    DisplayEnv env = display_.current();
    if (wl_ && !dead_ && env.wayland == name_) return;
    disconnect();
    if (env.wayland.empty()) return off("WAYLAND_DISPLAY is not set");
    // From env alone, as WaylandIdle does: it may be the user manager's.
    std::string path = env.wayland;
    if (path.front() != '/') {
        if (env.runtime_dir.empty()) return off("XDG_RUNTIME_DIR is not set, so the Wayland socket cannot be found");
        path = env.runtime_dir + "/" + env.wayland;
    }
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (path.size() >= sizeof address.sun_path) return off(fmt::format("\"{}\": the path is too long", path));
    path.copy(address.sun_path, path.size());
    UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd || ::connect(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) < 0)
        return off(fmt::format("no Wayland compositor answers on \"{}\": {}", path, std::strerror(errno)));
    wl_.reset(wl_display_connect_to_fd(fd.release()));  // takes the fd, also when it fails
    if (!wl_) return off(fmt::format("connecting to \"{}\": {}", path, std::strerror(errno)));
    name_ = env.wayland;
    registry_.reset(wl_display_get_registry(wl_.get()));
    listed_.reset(wl_display_sync(wl_.get()));
    if (!registry_ || !listed_) return off(std::strerror(ENOMEM));
    wl_registry_add_listener(registry_.get(), &WaylandFullscreenEvents::registry_events, this);
    wl_callback_add_listener(listed_.get(), &WaylandFullscreenEvents::sync_events, this);
    try {
        io_ = loop_.add_io(wl_display_get_fd(wl_.get()), EPOLLIN, [this](std::uint32_t revents) { on_io(revents); });
    } catch (const std::system_error& e) {
        return off(e.what());
    }
    why_off_ = fmt::format("waiting for the compositor on {} to list its globals", name_);
    // on_io() sends the requests: a failure there, not here, calls gone().
    io_.set_io_events(EPOLLIN | EPOLLOUT);
}

void WaylandFullscreen::disconnect() {
    update(toplevels_.finished());
    io_.reset();
    handles_.clear();
    manager_.reset();
    listed_.reset();
    registry_.reset();
    wl_.reset();
    name_.clear();
    in_use_.clear();
    dead_ = false;
    manager_global_ = manager_version_ = 0;
}

// Off, and why: logged once per reason.
void WaylandFullscreen::off(std::string why) {
    in_use_.clear();
    why_off_ = std::move(why);
    if (why_off_ != logged_) spdlog::info("full-screen check on Wayland: off: {}", why_off_);
    logged_ = why_off_;
}

void WaylandFullscreen::on_io(std::uint32_t revents) {
    wl_display* display = wl_.get();
    if (revents & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
        // libwayland reads only between prepare_read() and read_events(), and
        // prepare_read() refuses while events are queued: dispatch them first.
        while (wl_display_prepare_read(display) != 0)
            if (wl_display_dispatch_pending(display) < 0) return gone();
        if (wl_display_read_events(display) < 0) return gone();
        if (wl_display_dispatch_pending(display) < 0) return gone();
    }
    flush();
}

void WaylandFullscreen::flush() {
    if (wl_display_flush(wl_.get()) >= 0) {
        io_.set_io_events(EPOLLIN);
        return;
    }
    if (errno == EAGAIN) {  // the socket is full: the rest when it takes more
        io_.set_io_events(EPOLLIN | EPOLLOUT);
        return;
    }
    gone();
}

// The compositor went away (or broke the protocol). The display is kept
// until connect() replaces it: we are inside its fd's callback. A compositor
// restarted on the same socket may be there already, so look once more now;
// else its socket appearing brings us back.
void WaylandFullscreen::gone() {
    std::string why = fmt::format("the Wayland compositor on {} went away", name_);
    if (wl_display_get_error(wl_.get()) == EPROTO) {
        const wl_interface* interface = nullptr;
        std::uint32_t code = wl_display_get_protocol_error(wl_.get(), &interface, nullptr);
        why = fmt::format("the Wayland compositor on {} reported protocol error {} on {}", name_, code,
                          interface ? interface->name : "a destroyed object");
    }
    dead_ = true;
    io_.disable();
    handles_.clear();
    update(toplevels_.finished());
    off(std::move(why));
    again_ = loop_.add_defer([this] { connect(); });
}

void WaylandFullscreen::on_globals_listed() {
    listed_.reset();
    if (!manager_global_)
        return off(fmt::format("the compositor on {} does not offer {} (wlr-foreign-toplevel-management)", name_,
                               manager_interface));
    if (manager_version_ < min_version)
        return off(fmt::format("the compositor on {} offers {} only at version {}, which has no fullscreen state",
                               name_, manager_interface, manager_version_));
    std::uint32_t version = std::min(manager_version_, max_version);
    manager_.reset(static_cast<zwlr_foreign_toplevel_manager_v1*>(
        wl_registry_bind(registry_.get(), manager_global_, &zwlr_foreign_toplevel_manager_v1_interface, version)));
    if (!manager_) return off(std::strerror(ENOMEM));
    zwlr_foreign_toplevel_manager_v1_add_listener(manager_.get(), &WaylandFullscreenEvents::manager_events, this);
    in_use_ = fmt::format("{} v{} on {}", manager_interface, version, name_);
    if (in_use_ != logged_) spdlog::info("full-screen check on Wayland: following {}", in_use_);
    logged_ = in_use_;
}

void WaylandFullscreen::on_toplevel(zwlr_foreign_toplevel_handle_v1* handle) {
    handles_[id_of(handle)].reset(handle);
    toplevels_.added(id_of(handle));
    zwlr_foreign_toplevel_handle_v1_add_listener(handle, &WaylandFullscreenEvents::handle_events, this);
}

void WaylandFullscreen::on_closed(zwlr_foreign_toplevel_handle_v1* handle) {
    bool changed_answer = toplevels_.closed(id_of(handle));
    handles_.erase(id_of(handle));  // sends `destroy`, as the protocol asks
    update(changed_answer);
}

void WaylandFullscreen::on_finished() {
    // The compositor destroyed the manager; its handles stay valid but are
    // no longer announced, so none of them counts.
    manager_.reset();
    handles_.clear();
    update(toplevels_.finished());
    off(fmt::format("the compositor on {} stopped its toplevel list", name_));
}

void WaylandFullscreen::update(bool changed_answer) {
    if (!changed_answer) return;
    spdlog::debug("full-screen check: the focused window on {} is {}full-screen", name_,
                  toplevels_.focused_fullscreen() ? "" : "not ");
    changed();
}

}  // namespace stretch
