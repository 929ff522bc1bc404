#include "daemon/presence/logind.hpp"

#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "daemon/plumbing/system_clock.hpp"

namespace stretch {
namespace {

constexpr const char* service = "org.freedesktop.login1";
constexpr const char* manager_path = "/org/freedesktop/login1";
constexpr const char* manager_interface = "org.freedesktop.login1.Manager";
constexpr const char* session_interface = "org.freedesktop.login1.Session";
constexpr const char* user_interface = "org.freedesktop.login1.User";
constexpr const char* properties_interface = "org.freedesktop.DBus.Properties";

}  // namespace

Logind::Logind(EventLoop& loop, Listener listener)
    : listener_(std::move(listener)),
      bus_(loop, BusLink::Kind::system, "logind (lock and suspend)",
           BusLink::Listener{[this](sd_bus* bus) { connected(bus); }, [this] { lost(); },
                             [this](const std::string& problem) {
                                 bool changed = resolving_;
                                 problem_ = problem;
                                 resolving_ = false;
                                 if (changed) session_changed();
                             }}) {}

std::string Logind::describe() const {
    if (session_) return fmt::format("session {} ({})", *session_, session_how_);
    if (resolving_) return "asking logind for the session";
    return problem_;
}

std::string Logind::fix() const {
    if (session_ || resolving_) return {};
    if (!bus_) return "logind is reached on the system bus: check that dbus (or dbus-broker) and systemd-logind run";
    return "log in through a display manager or a login shell, so logind gives you a session";
}

void Logind::watch_idle(const void* owner, IdleWatch watch) {
    if (owner != watcher_) session_watch_ = nullptr;
    watcher_ = owner;
    idle_watch_ = std::move(watch);
    if (idle_watch_ && idle_) idle_watch_(*idle_, idle_since_);
}

void Logind::watch_session(const void* owner, std::function<void()> changed) {
    if (owner != watcher_) idle_watch_ = nullptr;
    watcher_ = owner;
    session_watch_ = std::move(changed);
}

void Logind::unwatch(const void* owner) {
    if (owner != watcher_) return;
    watcher_ = nullptr;
    idle_watch_ = nullptr;
    session_watch_ = nullptr;
}

void Logind::session_changed() {
    if (auto watch = session_watch_) watch();  // a copy: the watch may replace itself
    if (listener_.changed) listener_.changed();
}

void Logind::connected(sd_bus* bus) {
    bus_match(bus, service, manager_path, manager_interface, "PrepareForSleep", [this](sd_bus_message* m) {
        int start = 0;
        if (sd_bus_message_read(m, "b", &start) < 0) return;
        spdlog::info("logind: the machine is {}", start ? "going to sleep" : "awake again");
        if (listener_.sleep) listener_.sleep(start != 0);
    });
    // A user who logs in after we started; a session that ends.
    bus_match(bus, service, manager_path, manager_interface, "SessionNew", [this](sd_bus_message*) {
        if (!session_ && !resolving_) resolve();
    });
    bus_match(bus, service, manager_path, manager_interface, "SessionRemoved", [this](sd_bus_message* m) {
        const char *id = nullptr, *path = nullptr;
        if (sd_bus_message_read(m, "so", &id, &path) >= 0 && session_ && *session_ == path) resolve();
    });
    // Session signals are matched for every session and filtered by path, so
    // a new resolution needs no new matches.
    for (const char* member : {"Lock", "Unlock"})
        bus_match(bus, service, nullptr, session_interface, member, [this](sd_bus_message* m) {
            if (!session_ || *session_ != sd_bus_message_get_path(m)) return;
            set_locked(sd_bus_message_is_signal(m, session_interface, "Lock") > 0);
        });
    bus_match(bus, service, nullptr, properties_interface, "PropertiesChanged", [this](sd_bus_message* m) {
        if (!session_ || *session_ != sd_bus_message_get_path(m)) return;
        const char* interface = nullptr;
        if (sd_bus_message_read(m, "s", &interface) < 0 || std::strcmp(interface, session_interface) != 0) return;
        on_session_properties(m, false);
    });
    bus_watch_owner(bus, service, [this](std::string_view, std::string_view new_owner) {
        if (!new_owner.empty()) resolve();
    });
    resolve();
}

void Logind::lost() {
    session_.reset();
    resolving_ = true;
    idle_.reset();
    ++generation_;
    session_changed();
}

void Logind::resolve() {
    unsigned generation = ++generation_;
    resolving_ = true;
    const char* id = std::getenv("XDG_SESSION_ID");
    if (id && *id) {
        auto call = bus_new_call(bus_.get(), service, manager_path, manager_interface, "GetSession");
        if (call && sd_bus_message_append(call.get(), "s", id) >= 0)
            bus_call_async(bus_.get(), call.get(), [this, generation, sid = std::string(id)](sd_bus_message* reply) {
                if (generation != generation_) return;
                const char* path = nullptr;
                if (bus_error_of(reply).empty() && sd_bus_message_read(reply, "o", &path) >= 0)
                    use_session(path, fmt::format("XDG_SESSION_ID={}", sid));
                else
                    resolve_from_user();  // a stale id from another login: try the user's sessions
            });
        return;
    }
    resolve_from_user();
}

// A user service runs outside any session: the user's display session is the one they sit at.
void Logind::resolve_from_user() {
    unsigned generation = generation_;
    auto call = bus_new_call(bus_.get(), service, manager_path, manager_interface, "GetUser");
    if (!call || sd_bus_message_append(call.get(), "u", static_cast<std::uint32_t>(getuid())) < 0) return;
    bus_call_async(bus_.get(), call.get(), [this, generation](sd_bus_message* reply) {
        if (generation != generation_) return;
        const char* user = nullptr;
        if (auto error = bus_error_of(reply); !error.empty() || sd_bus_message_read(reply, "o", &user) < 0) {
            no_session(fmt::format("logind has no session for uid {} ({})", getuid(), error.empty() ? "no user record" : error));
            return;
        }
        auto get = bus_new_call(bus_.get(), service, user, properties_interface, "GetAll");
        if (!get || sd_bus_message_append(get.get(), "s", user_interface) < 0) return;
        bus_call_async(bus_.get(), get.get(), [this, generation](sd_bus_message* all) {
            if (generation != generation_) return;
            if (auto error = bus_error_of(all); !error.empty())
                return no_session(fmt::format("logind has no session for uid {} ({})", getuid(), error));
            std::string display, first;
            if (sd_bus_message_enter_container(all, 'a', "{sv}") < 0) return no_session("logind sent an unreadable user record");
            while (sd_bus_message_enter_container(all, 'e', "sv") > 0) {
                const char* key = nullptr;
                sd_bus_message_read(all, "s", &key);
                if (std::strcmp(key, "Display") == 0 && sd_bus_message_enter_container(all, 'v', "(so)") > 0) {
                    const char *sid = nullptr, *path = nullptr;
                    if (sd_bus_message_read(all, "(so)", &sid, &path) > 0 && std::strcmp(path, "/") != 0) display = path;
                    sd_bus_message_exit_container(all);
                } else if (std::strcmp(key, "Sessions") == 0 && sd_bus_message_enter_container(all, 'v', "a(so)") > 0) {
                    const char *sid = nullptr, *path = nullptr;
                    if (sd_bus_message_enter_container(all, 'a', "(so)") > 0) {
                        if (sd_bus_message_read(all, "(so)", &sid, &path) > 0) first = path;
                        sd_bus_message_exit_container(all);  // the rest of the array is skipped
                    }
                    sd_bus_message_exit_container(all);
                } else {
                    sd_bus_message_skip(all, "v");
                }
                sd_bus_message_exit_container(all);
            }
            if (!display.empty())
                use_session(display, "the user's display session");
            else if (!first.empty())
                use_session(first, "the user's first session");
            else
                no_session(fmt::format("logind has no session for uid {}", getuid()));
        });
    });
}

void Logind::use_session(std::string path, std::string how) {
    bool same = session_ == path;
    session_ = std::move(path);
    session_how_ = std::move(how);
    resolving_ = false;
    if (!same) spdlog::info("logind: watching {} ({})", *session_, session_how_);
    read_session_properties();
    session_changed();
}

void Logind::no_session(std::string why) {
    if (session_ || resolving_) spdlog::info("{}: lock and IdleHint are not watched; suspend still is", why);
    session_.reset();
    idle_.reset();
    problem_ = std::move(why);
    resolving_ = false;
    session_changed();
}

void Logind::read_session_properties() {
    unsigned generation = generation_;
    auto get = bus_new_call(bus_.get(), service, session_->c_str(), properties_interface, "GetAll");
    if (!get || sd_bus_message_append(get.get(), "s", session_interface) < 0) return;
    bus_call_async(bus_.get(), get.get(), [this, generation](sd_bus_message* reply) {
        if (generation != generation_ || !bus_error_of(reply).empty()) return;
        on_session_properties(reply, true);
    });
}

// A{sv} of session properties, from GetAll or PropertiesChanged.
void Logind::on_session_properties(sd_bus_message* m, bool initial) {
    std::optional<bool> idle, locked;
    if (sd_bus_message_enter_container(m, 'a', "{sv}") < 0) return;
    while (sd_bus_message_enter_container(m, 'e', "sv") > 0) {
        const char* key = nullptr;
        sd_bus_message_read(m, "s", &key);
        int flag = 0;
        if (std::strcmp(key, "IdleHint") == 0 && bus_read_variant(m, 'b', &flag))
            idle = flag != 0;
        else if (std::strcmp(key, "LockedHint") == 0 && bus_read_variant(m, 'b', &flag))
            locked = flag != 0;
        else if (std::strcmp(key, "IdleSinceHintMonotonic") == 0 && bus_read_variant(m, 't', &idle_since_us_)) {
        } else
            sd_bus_message_skip(m, "v");
        sd_bus_message_exit_container(m);
    }
    if (locked && (*locked || !initial)) set_locked(*locked);
    if (idle) {
        if (!initial || *idle) idle_hint_seen_ = true;
        set_idle(*idle, idle_since_us_);
    }
}

void Logind::set_idle(bool idle, std::uint64_t since_monotonic_us) {
    Now now = read_now();
    MonoTime since = now.mono;
    if (idle && since_monotonic_us) {
        // IdleSinceHintMonotonic is on CLOCK_MONOTONIC; ours is BOOTTIME.
        auto on_boottime = Duration(since_monotonic_us / 1000) + time_suspended();
        since = std::min(now.mono, MonoTime(on_boottime));
    }
    if (idle_ == idle) return;
    idle_ = idle;
    idle_since_ = since;
    if (idle_watch_) idle_watch_(idle, since);
}

void Logind::set_locked(bool locked) {
    if (locked == locked_) return;
    locked_ = locked;
    spdlog::info("logind: the screen is {}", locked ? "locked" : "unlocked");
    if (listener_.lock) listener_.lock(locked);
}

}  // namespace stretch
