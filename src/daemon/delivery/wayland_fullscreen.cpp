#include "daemon/delivery/wayland_fullscreen.hpp"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <system_error>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <span>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <wayland-client.h>

#include "kde-plasma-window-management-client.h"
#include "shared/unique_fd.hpp"
#include "wlr-foreign-toplevel-management-unstable-v1-client.h"

namespace stretch {
namespace {

// Version 2 added the fullscreen state; 3 (the newest) the parent event.
constexpr std::uint32_t min_version = 2, max_version = 3;
constexpr const char* manager_interface = "zwlr_foreign_toplevel_manager_v1";
constexpr const char* kde_interface = "org_kde_plasma_window_management";
// Offered by KWin to every client, unlike the window list: they tell KWin
// withholding the list from a client with no desktop file from a compositor
// that has none.
constexpr const char* kde_shell_interfaces[] = {"org_kde_plasma_shell", "org_kde_plasma_virtual_desktop_management"};

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
        } else if (std::strcmp(interface, org_kde_plasma_window_management_interface.name) == 0 && !s.kde_global_) {
            s.kde_global_ = name;
            s.kde_version_ = version;
        } else if (std::ranges::any_of(kde_shell_interfaces,
                                       [&](const char* i) { return std::strcmp(interface, i) == 0; })) {
            s.kde_desktop_ = true;
        }
    }
    static void global_remove(void* data, wl_registry*, std::uint32_t name) {
        // A withdrawn manager also sends `finished`, which turns us off; one
        // not bound yet is only forgotten.
        auto& s = self(data);
        if (name == s.manager_global_ && !s.manager_) s.manager_global_ = 0;
        // KDE's window list has no `finished`: its global going is the end.
        if (name == s.kde_global_) {
            s.kde_global_ = 0;
            if (s.plasma_) s.on_plasma_windows_withdrawn();
        }
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
    std::error_code error;
    exe_ = std::filesystem::read_symlink("/proc/self/exe", error).string();
    if (exe_.empty()) exe_ = "stretchd";
    why_off_ = "not connected yet";
    watch_ = display_.watch([this] {
        refused_tries_ = 0;
        connect();
    });
    // From the loop: changed() is not called while our owner is being built.
    again_ = loop_.add_defer([this] { connect(); });
    refused_ = loop_.add_timer(CLOCK_MONOTONIC, [this] { connect(); });
}

WaylandFullscreen::~WaylandFullscreen() = default;

std::vector<FullscreenReport> WaylandFullscreen::describe() const {
    FullscreenReport wlr{FullscreenSource::wlr_foreign_toplevel, false, why_off_};
    FullscreenReport kde{FullscreenSource::kde_plasma_window_management, false,
                         why_not_kde_.empty() ? why_off_ : why_not_kde_};
    if (!in_use_.empty()) (source_ == wlr.source ? wlr : kde) = {source_, true, in_use_};
    // Withheld by KWin: the one reason here a user can mend.
    if (in_use_.empty() && kde_desktop_ && !kde_global_ && !why_not_kde_.empty())
        kde.fix = fmt::format(
            "install stretch with its package or `cmake --install`, which brings stretchd.desktop; "
            "for a stretchd run from elsewhere, write a desktop file with Exec={} and "
            "X-KDE-Wayland-Interfaces={} (e.g. in ~/.local/share/applications); then restart "
            "stretchd: systemctl --user restart stretchd",
            exe_, kde_interface);
    return {wlr, kde};
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
    if (!fd || ::connect(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) < 0) {
        // A compositor's socket appears (bind) a moment before it listens,
        // and nothing announces the listen: ask again a few times, sooner
        // first (0.05 s doubling, about 3 s in all).
        if (errno == ECONNREFUSED && refused_tries_ < max_refused_tries)
            refused_.arm_in(std::chrono::milliseconds(50) * (1 << refused_tries_++));
        return off(fmt::format("no Wayland compositor answers on \"{}\": {}", path, std::strerror(errno)));
    }
    refused_tries_ = 0;
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
    plasma_.reset();
    handles_.clear();
    manager_.reset();
    listed_.reset();
    registry_.reset();
    wl_.reset();
    name_.clear();
    in_use_.clear();
    dead_ = false;
    manager_global_ = manager_version_ = 0;
    kde_global_ = kde_version_ = 0;
    kde_desktop_ = false;
}

// Off, and why (for KDE's list, when that differs): logged once per reason.
void WaylandFullscreen::off(std::string why, std::string why_not_kde) {
    in_use_.clear();
    why_off_ = std::move(why);
    why_not_kde_ = std::move(why_not_kde);
    std::string said = why_not_kde_.empty() ? why_off_ : fmt::format("{}; {}", why_off_, why_not_kde_);
    if (said != logged_) spdlog::info("full-screen check on Wayland: off: {}", said);
    logged_ = std::move(said);
}

void WaylandFullscreen::follow(FullscreenSource source, std::string what) {
    source_ = source;
    in_use_ = std::move(what);
    if (in_use_ != logged_) spdlog::info("full-screen check on Wayland: following {}", in_use_);
    logged_ = in_use_;
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
    plasma_.reset();
    handles_.clear();
    update(toplevels_.finished());
    off(std::move(why));
    again_ = loop_.add_defer([this] { connect(); });
}

// wlr's list when the compositor offers it, else KDE's, else off.
void WaylandFullscreen::on_globals_listed() {
    listed_.reset();
    std::string why_not_wlr;
    if (!manager_global_)
        why_not_wlr = fmt::format("the compositor on {} does not offer {} (wlr-foreign-toplevel-management)", name_,
                                  manager_interface);
    else if (manager_version_ < min_version)
        why_not_wlr = fmt::format("the compositor on {} offers {} only at version {}, which has no fullscreen state",
                                  name_, manager_interface, manager_version_);
    if (!why_not_wlr.empty()) {
        if (kde_global_ && kde_version_ >= PlasmaWindows::min_version)
            return follow_plasma_windows(std::move(why_not_wlr));
        return off(std::move(why_not_wlr), why_no_plasma_windows());
    }
    std::uint32_t version = std::min(manager_version_, max_version);
    manager_.reset(static_cast<zwlr_foreign_toplevel_manager_v1*>(
        wl_registry_bind(registry_.get(), manager_global_, &zwlr_foreign_toplevel_manager_v1_interface, version)));
    if (!manager_) return off(std::strerror(ENOMEM));
    zwlr_foreign_toplevel_manager_v1_add_listener(manager_.get(), &WaylandFullscreenEvents::manager_events, this);
    why_not_kde_ = fmt::format("not needed on {}: {} answers", name_, manager_interface);
    follow(FullscreenSource::wlr_foreign_toplevel, fmt::format("{} v{} on {}", manager_interface, version, name_));
}

void WaylandFullscreen::follow_plasma_windows(std::string why_not_wlr) {
    std::uint32_t version = std::min(kde_version_, PlasmaWindows::max_version());
    plasma_ = std::make_unique<PlasmaWindows>(registry_.get(), kde_global_, version, toplevels_,
                                              [this](bool changed_answer) { update(changed_answer); });
    if (!*plasma_) {
        plasma_.reset();
        return off(std::strerror(ENOMEM));
    }
    why_off_ = std::move(why_not_wlr);
    why_not_kde_.clear();
    follow(FullscreenSource::kde_plasma_window_management, fmt::format("{} v{} on {}", kde_interface, version, name_));
}

std::string WaylandFullscreen::why_no_plasma_windows() const {
    if (kde_global_)
        return fmt::format("the compositor on {} offers {} only at version {}; {} or later is needed", name_,
                           kde_interface, kde_version_, PlasmaWindows::min_version);
    if (kde_desktop_)
        return fmt::format(
            "KWin on {} offers {} only to programs whose desktop file asks for it, and none asks for \"{}\"", name_,
            kde_interface, exe_);
    return fmt::format("the compositor on {} does not offer {} (KWin's window list)", name_, kde_interface);
}

void WaylandFullscreen::on_plasma_windows_withdrawn() {
    plasma_.reset();
    update(toplevels_.finished());
    off(fmt::format("the compositor on {} withdrew {}", name_, kde_interface));
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
