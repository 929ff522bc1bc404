#include "daemon/presence/display_environment.hpp"

#include <sys/inotify.h>
#include <system_error>

#include <cstdlib>
#include <cstring>
#include <string_view>

#include <spdlog/spdlog.h>

namespace stretch {
namespace {

constexpr const char* x11_socket_dir = "/tmp/.X11-unix";

std::string env_or_empty(const char* name) {
    const char* v = std::getenv(name);
    return v ? v : "";
}

// X0 in /tmp/.X11-unix; wayland-1 (not wayland-1.lock) in the runtime directory.
bool is_display_socket(std::string_view name) {
    return (name.size() > 1 && name[0] == 'X') ||
           (name.rfind("wayland-", 0) == 0 && name.find(".lock") == std::string_view::npos);
}

}  // namespace

DisplayEnvironment::Subscription::Subscription(Subscription&& other) noexcept
    : owner_(std::exchange(other.owner_, nullptr)), id_(other.id_) {}

DisplayEnvironment::Subscription& DisplayEnvironment::Subscription::operator=(Subscription&& other) noexcept {
    if (this != &other) {
        if (owner_) owner_->watches_.erase(id_);
        owner_ = std::exchange(other.owner_, nullptr);
        id_ = other.id_;
    }
    return *this;
}

DisplayEnvironment::Subscription::~Subscription() {
    if (owner_) owner_->watches_.erase(id_);
}

DisplayEnv DisplayEnvironment::from_process() {
    return {env_or_empty("DISPLAY"), env_or_empty("WAYLAND_DISPLAY"), env_or_empty("XDG_RUNTIME_DIR")};
}

DisplayEnvironment::DisplayEnvironment(EventLoop& loop, DisplayEnv own)
    : loop_(loop),
      own_(std::move(own)),
      bus_(loop, BusLink::Kind::session, "the display (the user manager's environment, GNOME)",
           BusLink::Listener{[this](sd_bus* bus) { connected(bus); }, {}, {}}) {
    watch_sockets(x11_socket_dir);
    if (!own_.runtime_dir.empty()) watch_sockets(own_.runtime_dir.c_str());
}

DisplayEnv DisplayEnvironment::current() const {
    DisplayEnv env = own_;
    // The user manager's environment is the newer one: a session started
    // (and imported) after us is there, and not in our own.
    if (manager_known_) {
        if (!manager_.x11.empty()) env.x11 = manager_.x11;
        if (!manager_.wayland.empty()) env.wayland = manager_.wayland;
    }
    return env;
}

DisplayEnvironment::Subscription DisplayEnvironment::watch(Watch watch) {
    unsigned id = ++next_watch_;
    watches_.emplace(id, std::move(watch));
    return Subscription(this, id);
}

void DisplayEnvironment::announce() {
    // A watch may end its own or another's subscription while it runs.
    std::vector<unsigned> ids;
    for (auto& [id, _] : watches_) ids.push_back(id);
    for (unsigned id : ids)
        if (auto it = watches_.find(id); it != watches_.end()) {
            Watch w = it->second;
            w();
        }
}

void DisplayEnvironment::connected(sd_bus* bus) {
    // GNOME Shell starting (or restarting) after us.
    bus_watch_owner(bus, "org.gnome.Mutter.IdleMonitor", [this](std::string_view, std::string_view new_owner) {
        if (!new_owner.empty()) announce();
    });
    // `systemctl --user import-environment` after we started.
    bus_match(bus, "org.freedesktop.systemd1", "/org/freedesktop/systemd1", "org.freedesktop.DBus.Properties",
              "PropertiesChanged", [this](sd_bus_message*) { refresh([this] { announce(); }); });
    refresh([this] { announce(); });
}

void DisplayEnvironment::refresh(std::function<void()> then) {
    auto call = bus_new_call(bus_.get(), "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                             "org.freedesktop.DBus.Properties", "Get");
    if (!call || sd_bus_message_append(call.get(), "ss", "org.freedesktop.systemd1.Manager", "Environment") < 0)
        return then();
    bool sent = bus_call_async(bus_.get(), call.get(), [this, then](sd_bus_message* reply) {
        DisplayEnv before = current();
        if (bus_error_of(reply).empty() && sd_bus_message_enter_container(reply, 'v', "as") > 0) {
            DisplayEnv env;
            for (auto& entry : read_strings(reply)) {
                if (entry.rfind("DISPLAY=", 0) == 0) env.x11 = entry.substr(8);
                if (entry.rfind("WAYLAND_DISPLAY=", 0) == 0) env.wayland = entry.substr(16);
            }
            if (!manager_known_ || !(env == manager_))
                spdlog::debug("display: the user manager has DISPLAY=\"{}\" WAYLAND_DISPLAY=\"{}\"", env.x11,
                              env.wayland);
            manager_ = env;
            manager_known_ = true;
        } else {
            manager_known_ = false;  // no user manager (started by hand, or in a test)
        }
        if (!(current() == before)) announce();
        then();
    });
    if (!sent) then();
}

void DisplayEnvironment::watch_sockets(const char* dir) {
    std::error_code error;
    auto source = loop_.add_inotify(
        dir, IN_CREATE | IN_MOVED_TO,
        [this](const inotify_event& event) {
            if (event.len && is_display_socket(event.name)) refresh([this] { announce(); });
        },
        error);
    if (source)
        socket_dirs_.push_back(std::move(source));
    else
        spdlog::debug("display: not watching \"{}\" for new displays: {}", dir, error.message());
}

}  // namespace stretch
