#include "daemon/plumbing/bus.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace stretch {
namespace {

// Several parts of the daemon keep a link to the same bus. A missing bus is
// one fact for the user, so it is logged once per bus, by whichever link
// finds it first, until some link connects to that bus again.
bool told_bus_missing[2] = {false, false};

int dispatch(sd_bus_message* m, void* userdata, sd_bus_error*) {
    (*static_cast<BusHandler*>(userdata))(m);
    return 0;
}

void free_handler(void* userdata) { delete static_cast<BusHandler*>(userdata); }

// The slot owns the handler from here on, and the connection owns the slot.
// A floating slot is referenced by the bus, which takes a reference of its
// own: ours is dropped, or the slot and its handler would outlive their call.
void hand_over(sd_bus_slot* slot, std::unique_ptr<BusHandler> handler) {
    sd_bus_slot_set_destroy_callback(slot, free_handler);
    sd_bus_slot_set_floating(slot, 1);
    sd_bus_slot_unref(slot);
    handler.release();
}

}  // namespace

BusMessage bus_new_call(sd_bus* bus, const char* destination, const char* path, const char* interface, const char* member) {
    sd_bus_message* m = nullptr;
    if (!bus || sd_bus_message_new_method_call(bus, &m, destination, path, interface, member) < 0) return nullptr;
    return BusMessage(m);
}

bool bus_call_async(sd_bus* bus, sd_bus_message* call, BusHandler on_reply) {
    if (!bus || !call) return false;
    auto handler = std::make_unique<BusHandler>(std::move(on_reply));
    sd_bus_slot* slot = nullptr;
    int r = sd_bus_call_async(bus, &slot, call, dispatch, handler.get(), 0);
    if (r < 0) {
        spdlog::warn("D-Bus call {} failed to send: {}", sd_bus_message_get_member(call), std::strerror(-r));
        return false;
    }
    hand_over(slot, std::move(handler));
    return true;
}

bool bus_match(sd_bus* bus, const char* sender, const char* path, const char* interface, const char* member,
               BusHandler on_signal) {
    if (!bus) return false;
    auto handler = std::make_unique<BusHandler>(std::move(on_signal));
    sd_bus_slot* slot = nullptr;
    int r = sd_bus_match_signal_async(bus, &slot, sender, path, interface, member, dispatch, nullptr, handler.get());
    if (r < 0) {
        spdlog::warn("D-Bus match on {}.{} failed: {}", interface ? interface : "*", member ? member : "*", std::strerror(-r));
        return false;
    }
    hand_over(slot, std::move(handler));
    return true;
}

bool bus_watch_owner(sd_bus* bus, const char* name, OwnerHandler on_change) {
    if (!bus) return false;
    auto rule = fmt::format("type='signal',sender='org.freedesktop.DBus',path='/org/freedesktop/DBus',"
                            "interface='org.freedesktop.DBus',member='NameOwnerChanged',arg0='{}'",
                            name);
    auto handler = std::make_unique<BusHandler>([on_change = std::move(on_change)](sd_bus_message* m) {
        const char *changed = nullptr, *old_owner = nullptr, *new_owner = nullptr;
        if (sd_bus_message_read(m, "sss", &changed, &old_owner, &new_owner) >= 0) on_change(old_owner, new_owner);
    });
    sd_bus_slot* slot = nullptr;
    int r = sd_bus_add_match_async(bus, &slot, rule.c_str(), dispatch, nullptr, handler.get());
    if (r < 0) {
        spdlog::warn("D-Bus match on the owner of {} failed: {}", name, std::strerror(-r));
        return false;
    }
    hand_over(slot, std::move(handler));
    return true;
}

bool bus_read_variant(sd_bus_message* m, char type, void* value) {
    const char contents[2] = {type, '\0'};
    if (sd_bus_message_enter_container(m, 'v', contents) <= 0) return false;
    bool ok = sd_bus_message_read_basic(m, type, value) > 0;
    sd_bus_message_exit_container(m);
    return ok;
}

namespace {

// The %XX escapes of a D-Bus address value.
std::string unescape_address_value(std::string_view v) {
    std::string out;
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (v[i] == '%' && i + 2 < v.size()) {
            out.push_back(static_cast<char>(std::stoi(std::string(v.substr(i + 1, 2)), nullptr, 16)));
            i += 2;
        } else {
            out.push_back(v[i]);
        }
    }
    return out;
}

std::optional<std::filesystem::path> unix_path_of(std::string_view address) {
    address = address.substr(0, address.find(';'));  // sd-bus tries the first first
    constexpr std::string_view unix_prefix = "unix:";
    if (!address.starts_with(unix_prefix)) return std::nullopt;
    address.remove_prefix(unix_prefix.size());
    while (!address.empty()) {
        auto pair = address.substr(0, address.find(','));
        address.remove_prefix(std::min(address.size(), pair.size() + 1));
        if (pair.starts_with("path=")) {
            try {
                return std::filesystem::path(unescape_address_value(pair.substr(5)));
            } catch (const std::exception&) {  // a bad escape: sd-bus will not connect either
                return std::nullopt;
            }
        }
    }
    return std::nullopt;
}

}  // namespace

std::optional<std::filesystem::path> bus_socket_path(BusKind kind) {
    if (kind == BusKind::system) {
        if (const char* address = std::getenv("DBUS_SYSTEM_BUS_ADDRESS")) return unix_path_of(address);
        return std::filesystem::path("/run/dbus/system_bus_socket");
    }
    if (const char* address = std::getenv("DBUS_SESSION_BUS_ADDRESS")) return unix_path_of(address);
    if (const char* runtime = std::getenv("XDG_RUNTIME_DIR")) return std::filesystem::path(runtime) / "bus";
    return std::nullopt;
}

BusLink::BusLink(EventLoop& loop, Kind kind, std::string purpose, Listener listener, BusRetry retry)
    : loop_(loop), kind_(kind), purpose_(std::move(purpose)), listener_(std::move(listener)), timing_(retry),
      backoff_(retry.first) {
    // Through the timer, so a connection is never dropped from inside one of
    // its own callbacks, nor a watch from inside its own.
    retry_ = loop_.add_timer(CLOCK_MONOTONIC, [this] { connect(); });
    retry_.arm_in(std::chrono::milliseconds(0));
}

void BusLink::retry_later() {
    retry_.arm_in(backoff_);
    backoff_ = std::min(backoff_ * 2, timing_.max);
}

// After a failed attempt: wait for the socket to appear, or, where it is
// there but refused, try again a few times.
void BusLink::wait_for_bus() {
    auto socket = bus_socket_path(kind_);
    if (!socket) {
        // No address at all cannot change while we run; one that is no file cannot be watched.
        bool any_address = kind_ == Kind::system || std::getenv("DBUS_SESSION_BUS_ADDRESS") || std::getenv("XDG_RUNTIME_DIR");
        if (any_address) retry_later();
        return;
    }
    // Watched before it is looked at, so a socket made in between is not missed.
    watch(*socket);
    std::error_code ec;
    bool there = std::filesystem::exists(std::filesystem::symlink_status(*socket, ec));
    if (there && refused_ < timing_.refused_tries) {
        ++refused_;
        retry_later();
    }
}

void BusLink::watch(const std::filesystem::path& socket) {
    socket_ = socket;
    auto dir = socket.parent_path();
    std::error_code ec;
    while (!std::filesystem::is_directory(dir, ec) && dir.has_relative_path()) dir = dir.parent_path();
    if (watch_ && dir == watched_) return;
    watch_ = loop_.add_inotify(dir.c_str(), IN_CREATE | IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR,
                               [this](const inotify_event& e) { on_watch(e); }, ec);
    if (!watch_) {
        spdlog::debug("{}: cannot watch \"{}\" for the bus socket: {}; retrying with back-off", purpose_, dir.string(),
                      ec.message());
        watched_.clear();
        retry_later();
        return;
    }
    watched_ = dir;
    spdlog::debug("{}: waiting for \"{}\" to appear (watching \"{}\")", purpose_, socket.string(), dir.string());
}

// Wakes only for the name that leads to the socket: the socket itself in
// its own directory, else the next directory down towards it.
void BusLink::on_watch(const inotify_event& e) {
    bool self = e.mask & (IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF | IN_Q_OVERFLOW);
    auto relative = socket_.lexically_relative(watched_);
    std::string next = relative.empty() ? std::string() : relative.begin()->string();
    if (!self && (e.len == 0 || next != e.name)) return;
    if (self) watched_.clear();  // the watch is gone with its directory: the next failure makes a new one
    if (relative == std::filesystem::path(e.len ? e.name : "")) {
        // A new socket: a bus that has (re)started, worth its tries again.
        refused_ = 0;
        backoff_ = timing_.first;
    }
    retry_.arm_in(std::chrono::milliseconds(0));
}

void BusLink::connect() {
    const char* which = kind_ == Kind::session ? "session" : "system";
    bool& told = told_bus_missing[kind_ == Kind::session ? 0 : 1];
    if (bus_) {
        if (!told)
            spdlog::warn("{}: lost the {} bus; reconnecting", purpose_, which);
        else
            spdlog::debug("{}: lost the {} bus too", purpose_, which);
        told = true;
        bus_.reset();
        missing_ = true;
        if (listener_.lost) listener_.lost();
    }
    sd_bus* bus = nullptr;
    int r = kind_ == Kind::session ? sd_bus_open_user(&bus) : sd_bus_open_system(&bus);
    if (r >= 0) {
        bus_.reset(bus);
        r = sd_bus_attach_event(bus, loop_.get(), SD_EVENT_PRIORITY_NORMAL);
    }
    if (r < 0) {
        bus_.reset();
        // sd-bus says "No medium found" when it has no address to try at all.
        std::string why = r == -ENOMEDIUM ? "neither DBUS_SESSION_BUS_ADDRESS nor XDG_RUNTIME_DIR is set" : std::strerror(-r);
        problem_ = fmt::format("no {} bus ({})", which, why);
        if (!told) {
            spdlog::warn("{}: cannot connect to the {} bus: {}; connecting when it appears", purpose_, which, why);
            told = true;
        } else if (!missing_) {
            spdlog::debug("{}: no {} bus either: {}", purpose_, which, why);
        }
        missing_ = true;
        wait_for_bus();
        if (listener_.failed) listener_.failed(problem_);
        return;
    }
    problem_.clear();
    watch_.reset();
    watched_.clear();
    // sd-bus tells of a lost connection with a local signal, seen by filters.
    sd_bus_add_filter(bus, nullptr,
                      [](sd_bus_message* m, void* self, sd_bus_error*) {
                          if (sd_bus_message_is_signal(m, "org.freedesktop.DBus.Local", "Disconnected"))
                              static_cast<BusLink*>(self)->retry_.arm_in(std::chrono::milliseconds(0));
                          return 0;
                      },
                      this);
    if (missing_) spdlog::info("{}: connected to the {} bus", purpose_, which);
    missing_ = false;
    told = false;
    refused_ = 0;
    backoff_ = timing_.first;
    if (listener_.connected) listener_.connected(bus);
}

}  // namespace stretch
