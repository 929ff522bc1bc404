#include "daemon/presence/wayland_idle.hpp"

#include <poll.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <limits>
#include <system_error>

#include <fmt/format.h>
#include <wayland-client.h>

#include "daemon/plumbing/system_clock.hpp"
#include "ext-idle-notify-v1-client.h"
#include "shared/unique_fd.hpp"
#include "kde-idle-client.h"

namespace stretch {
namespace {

constexpr const char* import_fix =
    "run systemctl --user import-environment DISPLAY WAYLAND_DISPLAY, or start stretchd from your session";

// start() waits this long at most for the compositor's answer: a compositor
// that is stuck must not hang the daemon.
constexpr std::chrono::milliseconds answer_timeout{5000};

std::uint32_t timeout_ms(Duration d) {
    return static_cast<std::uint32_t>(
        std::clamp<Duration::rep>(d.count(), 1, std::numeric_limits<std::uint32_t>::max()));
}

struct DestroyCallback {
    void operator()(wl_callback* c) const { wl_callback_destroy(c); }
};

// wl_display_roundtrip() with a deadline, doing libwayland's reading dance
// by hand as WaylandIdle::on_io() does. Returns 0, or an errno value
// (ETIMEDOUT when the compositor did not answer in time).
int bounded_roundtrip(wl_display* display, std::chrono::milliseconds timeout) {
    static const wl_callback_listener done_listener = {
        [](void* data, wl_callback*, std::uint32_t) { *static_cast<bool*>(data) = true; }};
    bool done = false;
    std::unique_ptr<wl_callback, DestroyCallback> callback(wl_display_sync(display));
    if (!callback) return errno ? errno : ENOMEM;
    wl_callback_add_listener(callback.get(), &done_listener, &done);

    auto failed = [&] {
        int error = wl_display_get_error(display);
        return error ? error : errno ? errno : EPIPE;
    };
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done) {
        if (wl_display_prepare_read(display) != 0) {
            if (wl_display_dispatch_pending(display) < 0) return failed();
            continue;
        }
        short events = POLLIN;
        if (wl_display_flush(display) < 0) {
            if (errno != EAGAIN) {
                wl_display_cancel_read(display);
                return failed();
            }
            events |= POLLOUT;
        }
        auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
        pollfd p{wl_display_get_fd(display), events, 0};
        int r = left > 0 ? ::poll(&p, 1, static_cast<int>(left)) : 0;
        if (r <= 0 || !(p.revents & (POLLIN | POLLHUP | POLLERR))) {
            wl_display_cancel_read(display);
            if (r < 0 && errno != EINTR) return errno;
            if (r == 0) return ETIMEDOUT;
            continue;
        }
        if (wl_display_read_events(display) < 0) return failed();
        if (wl_display_dispatch_pending(display) < 0) return failed();
    }
    return 0;
}

}  // namespace

// The C callbacks of the protocols, with `data` the WaylandIdle.
struct WaylandIdleEvents {
    static WaylandIdle& self(void* data) { return *static_cast<WaylandIdle*>(data); }

    static void global(void* data, wl_registry*, std::uint32_t name, const char* interface, std::uint32_t) {
        auto& g = self(data).globals_;
        // The first seat: a desktop session has one.
        if (std::strcmp(interface, wl_seat_interface.name) == 0 && !g.seat)
            g.seat = name;
        else if (std::strcmp(interface, ext_idle_notifier_v1_interface.name) == 0)
            g.ext_notifier = name;
        else if (std::strcmp(interface, org_kde_kwin_idle_interface.name) == 0)
            g.kde_idle = name;
    }
    static void global_remove(void* data, wl_registry*, std::uint32_t name) { self(data).on_global_removed(name); }

    // Both protocols: `idle`/`idled` and `resumed`, on their own object types.
    static void idle(void* data, auto*) { self(data).on_idle(); }
    static void resumed(void* data, auto*) { self(data).on_resumed(); }

    static constexpr wl_registry_listener registry{global, global_remove};
    static constexpr ext_idle_notification_v1_listener ext{idle, resumed};
    static constexpr org_kde_kwin_idle_timeout_listener kde{idle, resumed};
};

void WaylandIdle::Disconnect::operator()(wl_display* d) const { wl_display_disconnect(d); }
void WaylandIdle::Destroy::operator()(wl_registry* p) const { wl_registry_destroy(p); }
// Bound at version 1, which has no release request.
void WaylandIdle::Destroy::operator()(wl_seat* p) const { wl_seat_destroy(p); }
void WaylandIdle::Destroy::operator()(ext_idle_notifier_v1* p) const { ext_idle_notifier_v1_destroy(p); }
void WaylandIdle::Destroy::operator()(ext_idle_notification_v1* p) const { ext_idle_notification_v1_destroy(p); }
// The protocol has no destructor request for the global: this frees the proxy only.
void WaylandIdle::Destroy::operator()(org_kde_kwin_idle* p) const { org_kde_kwin_idle_destroy(p); }
void WaylandIdle::Destroy::operator()(org_kde_kwin_idle_timeout* p) const { org_kde_kwin_idle_timeout_release(p); }

WaylandIdle::WaylandIdle(EventLoop& loop, Listener listener, DisplayEnv env)
    : loop_(loop), listener_(std::move(listener)), env_(std::move(env)) {}

WaylandIdle::~WaylandIdle() = default;

Probe WaylandIdle::start(Duration threshold) {
    disconnect();
    threshold_ = threshold;
    Probe probe = connect();
    if (probe.state == Probe::State::failed) disconnect();
    return probe;
}

void WaylandIdle::disconnect() {
    // The members' declaration order, reversed: children before the display.
    io_.reset();
    kde_timeout_.reset();
    ext_notification_.reset();
    kde_idle_.reset();
    ext_notifier_.reset();
    seat_.reset();
    registry_.reset();
    display_.reset();
    globals_ = {};
    idle_ = false;
    dead_ = false;
}

Probe WaylandIdle::connect() {
    if (env_.wayland.empty()) return Probe::failed("WAYLAND_DISPLAY is not set", import_fix);
    // The socket is found from env_ alone: it may be the session's, handed
    // over by the systemd user manager, not this process's environment. So
    // no wl_display_connect(), which reads WAYLAND_SOCKET and
    // XDG_RUNTIME_DIR from the process's environment.
    std::string path = env_.wayland;
    if (path.front() != '/') {
        if (env_.runtime_dir.empty())
            return Probe::failed(
                fmt::format("XDG_RUNTIME_DIR is not set, so the Wayland socket \"{}\" cannot be found", env_.wayland),
                import_fix);
        path = env_.runtime_dir + "/" + env_.wayland;
    }
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (path.size() >= sizeof address.sun_path)
        return Probe::failed(fmt::format("connecting to the Wayland compositor: \"{}\": the path is too long", path));
    path.copy(address.sun_path, path.size());
    UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd || ::connect(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) < 0)
        return Probe::failed(fmt::format("connecting to the Wayland compositor: \"{}\": {}", path, std::strerror(errno)),
                             "check that the compositor runs and that WAYLAND_DISPLAY (and XDG_RUNTIME_DIR) name its socket");
    // Takes the fd, also when it fails.
    display_.reset(wl_display_connect_to_fd(fd.release()));
    if (!display_)
        return Probe::failed(fmt::format("connecting to the Wayland compositor: \"{}\": {}", path, std::strerror(errno)));

    registry_.reset(wl_display_get_registry(display_.get()));
    if (!registry_) return Probe::failed(fmt::format("Wayland on {}: {}", env_.wayland, std::strerror(errno)));
    wl_registry_add_listener(registry_.get(), &WaylandIdleEvents::registry, this);
    if (int error = bounded_roundtrip(display_.get(), answer_timeout); error != 0) {
        if (error == ETIMEDOUT)
            return Probe::failed(fmt::format("the Wayland compositor on {} did not answer within {} s", env_.wayland,
                                             answer_timeout.count() / 1000));
        return Probe::failed(
            fmt::format("the Wayland compositor on {} did not answer: {}", env_.wayland, std::strerror(error)));
    }

    // ext-idle-notify-v1 is the standard one; KDE's is its predecessor.
    if (globals_.ext_notifier)
        ext_notifier_.reset(static_cast<ext_idle_notifier_v1*>(
            wl_registry_bind(registry_.get(), globals_.ext_notifier, &ext_idle_notifier_v1_interface, 1)));
    else if (globals_.kde_idle)
        kde_idle_.reset(static_cast<org_kde_kwin_idle*>(
            wl_registry_bind(registry_.get(), globals_.kde_idle, &org_kde_kwin_idle_interface, 1)));
    else
        return Probe::failed("the compositor offers no idle protocol (ext-idle-notify-v1 or org_kde_kwin_idle)");
    if (!globals_.seat) return Probe::failed(fmt::format("the Wayland compositor on {} has no seat", env_.wayland));
    seat_.reset(static_cast<wl_seat*>(wl_registry_bind(registry_.get(), globals_.seat, &wl_seat_interface, 1)));
    if (!seat_ || !(ext_notifier_ || kde_idle_) || !arm())
        return Probe::failed(fmt::format("Wayland on {}: {}", env_.wayland, std::strerror(ENOMEM)));

    try {
        io_ = loop_.add_io(wl_display_get_fd(display_.get()), EPOLLIN, [this](std::uint32_t revents) { on_io(revents); });
    } catch (const std::system_error& e) {
        return Probe::failed(fmt::format("Wayland on {}: {}", env_.wayland, e.what()));
    }
    // Sends the requests above. Not flush(): lost() must not be called from here.
    if (wl_display_flush(display_.get()) < 0) {
        if (errno != EAGAIN)
            return Probe::failed(
                fmt::format("the Wayland compositor on {} went away: {}", env_.wayland, std::strerror(errno)));
        io_.set_io_events(EPOLLIN | EPOLLOUT);
    }
    return Probe::ready(fmt::format("{} on {}", protocol_name(), env_.wayland));
}

std::string WaylandIdle::protocol_name() const { return ext_notifier_ ? "ext-idle-notify-v1" : "org_kde_kwin_idle"; }

bool WaylandIdle::arm() {
    // A new object, never a changed one: neither protocol can change the
    // timeout of a notification that exists.
    ext_notification_.reset();
    kde_timeout_.reset();
    idle_ = false;
    armed_threshold_ = threshold_;
    std::uint32_t ms = timeout_ms(threshold_);
    if (ext_notifier_) {
        ext_notification_.reset(ext_idle_notifier_v1_get_idle_notification(ext_notifier_.get(), ms, seat_.get()));
        if (!ext_notification_) return false;
        ext_idle_notification_v1_add_listener(ext_notification_.get(), &WaylandIdleEvents::ext, this);
    } else {
        kde_timeout_.reset(org_kde_kwin_idle_get_idle_timeout(kde_idle_.get(), seat_.get(), ms));
        if (!kde_timeout_) return false;
        org_kde_kwin_idle_timeout_add_listener(kde_timeout_.get(), &WaylandIdleEvents::kde, this);
    }
    return true;
}

void WaylandIdle::set_threshold(Duration threshold) {
    threshold_ = threshold;
    // While idle, the notification that went idle stays: only it reports the
    // input that ends this idle period. on_resumed() re-arms.
    if (!io_ || dead_ || idle_ || threshold_ == armed_threshold_) return;
    if (!arm()) return gone(std::strerror(ENOMEM));
    flush();
}

void WaylandIdle::on_io(std::uint32_t revents) {
    wl_display* display = display_.get();
    if (revents & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
        // libwayland reads only between prepare_read() and read_events(), and
        // prepare_read() refuses while events are queued: dispatch them first.
        while (wl_display_prepare_read(display) != 0)
            if (wl_display_dispatch_pending(display) < 0) return gone();
        // After a hang-up this still reads what the compositor sent before it
        // went, so its last events are dispatched; the next call fails (EPIPE).
        if (wl_display_read_events(display) < 0) return gone();
        if (wl_display_dispatch_pending(display) < 0) return gone();
        if (dead_) return;  // a handler saw the seat or the protocol withdrawn
    }
    flush();
}

void WaylandIdle::flush() {
    if (wl_display_flush(display_.get()) >= 0) {
        io_.set_io_events(EPOLLIN);
        return;
    }
    // The socket is full: the rest goes out when it can take more.
    if (errno == EAGAIN) {
        io_.set_io_events(EPOLLIN | EPOLLOUT);
        return;
    }
    gone();
}

void WaylandIdle::on_idle() {
    if (idle_) return;
    idle_ = true;
    // Both protocols send it once no input came for the timeout.
    listener_.idle(read_now().mono - armed_threshold_);
}

void WaylandIdle::on_resumed() {
    if (!idle_) return;
    if (threshold_ != armed_threshold_ && !arm()) return gone(std::strerror(ENOMEM));
    idle_ = false;
    listener_.active();
}

void WaylandIdle::on_global_removed(std::uint32_t name) {
    if (name == globals_.seat && seat_) return gone("its seat was removed");
    if (name == globals_.ext_notifier && ext_notifier_) return gone("it withdrew ext-idle-notify-v1");
    if (name == globals_.kde_idle && kde_idle_) return gone("it withdrew org_kde_kwin_idle");
    // During start(), before anything is bound: only forgotten.
    if (name == globals_.seat) globals_.seat = 0;
    if (name == globals_.ext_notifier) globals_.ext_notifier = 0;
    if (name == globals_.kde_idle) globals_.kde_idle = 0;
}

void WaylandIdle::gone(std::string why) {
    if (dead_) return;
    dead_ = true;
    io_.disable();
    if (why.empty()) {
        int error = wl_display_get_error(display_.get());
        if (error == EPROTO) {
            const wl_interface* interface = nullptr;
            std::uint32_t code = wl_display_get_protocol_error(display_.get(), &interface, nullptr);
            why = fmt::format("protocol error {} on {}", code, interface ? interface->name : "a destroyed object");
        } else if (error != 0 && error != EPIPE && error != ECONNRESET) {
            why = std::strerror(error);
        }
    }
    // The owner logs it, and tries the other sources.
    std::string detail = fmt::format("the Wayland compositor on {} went away", env_.wayland);
    if (!why.empty()) detail += ": " + why;
    listener_.lost(Probe::failed(std::move(detail)));
}

}  // namespace stretch
