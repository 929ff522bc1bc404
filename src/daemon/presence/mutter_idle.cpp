#include "daemon/presence/mutter_idle.hpp"

#include <cstring>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "daemon/plumbing/system_clock.hpp"

namespace stretch {
namespace {

constexpr const char* service = "org.gnome.Mutter.IdleMonitor";
constexpr const char* object = "/org/gnome/Mutter/IdleMonitor/Core";
constexpr const char* interface = "org.gnome.Mutter.IdleMonitor";

}  // namespace

MutterIdle::MutterIdle(EventLoop& loop, Listener listener)
    : listener_(std::move(listener)),
      bus_(loop, BusLink::Kind::session, "GNOME idle monitor",
           BusLink::Listener{[this](sd_bus* bus) { connected(bus); },
                             [this] { fail(Probe::failed("lost the session bus")); },
                             [this](const std::string& problem) {
                                 fail(Probe::failed(problem, "stretchd finds the session bus through DBUS_SESSION_BUS_ADDRESS or "
                                                             "XDG_RUNTIME_DIR/bus: check that the user's dbus is running"));
                             }}) {}

// The bus connects from the loop, so the answer always comes later.
Probe MutterIdle::start(Duration threshold) {
    threshold_ = threshold;
    started_ = true;
    return Probe::pending("asking the session bus for org.gnome.Mutter.IdleMonitor");
}

void MutterIdle::set_threshold(Duration threshold) {
    threshold_ = threshold;
    if (!ready_) return;
    remove_watch(idle_watch_);
    idle_watch_ = 0;
    add_idle_watch();
}

void MutterIdle::fail(Probe why) {
    if (failed_) return;
    failed_ = true;
    ready_ = false;
    if (started_) listener_.lost(std::move(why));
}

void MutterIdle::connected(sd_bus* bus) {
    bus_watch_owner(bus, service, [this](std::string_view, std::string_view new_owner) {
        if (!new_owner.empty())
            monitor_appeared(std::string(new_owner));
        else
            fail(Probe::failed("GNOME Shell's idle monitor left the session bus"));
    });
    bus_match(bus, service, object, interface, "WatchFired", [this](sd_bus_message* m) {
        std::uint32_t id = 0;
        if (sd_bus_message_read(m, "u", &id) >= 0) on_watch_fired(id);
    });
    auto call = bus_new_call(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "GetNameOwner");
    if (call && sd_bus_message_append(call.get(), "s", service) >= 0)
        bus_call_async(bus, call.get(), [this](sd_bus_message* reply) {
            const char* owner = nullptr;
            if (bus_error_of(reply).empty() && sd_bus_message_read(reply, "s", &owner) >= 0)
                monitor_appeared(owner);
            else
                fail(Probe::failed("no org.gnome.Mutter.IdleMonitor on the session bus (not a GNOME session)"));
        });
}

void MutterIdle::monitor_appeared(std::string owner) {
    if (failed_ || owner == owner_) return;
    if (!owner_.empty()) spdlog::info("GNOME idle monitor restarted: adding the watches again");
    owner_ = std::move(owner);
    ++generation_;
    idle_watch_ = active_watch_ = 0;
    add_idle_watch();
}

void MutterIdle::add_idle_watch() {
    auto call = bus_new_call(bus_.get(), service, object, interface, "AddIdleWatch");
    if (!call || sd_bus_message_append(call.get(), "t", static_cast<std::uint64_t>(threshold_.count())) < 0) return;
    unsigned generation = generation_;
    bus_call_async(bus_.get(), call.get(), [this, generation](sd_bus_message* reply) {
        if (generation != generation_ || failed_) return;
        std::uint32_t id = 0;
        if (auto error = bus_error_of(reply); !error.empty() || sd_bus_message_read(reply, "u", &id) < 0) {
            fail(Probe::failed(fmt::format("the GNOME idle monitor refused a watch: {}", error)));
            return;
        }
        idle_watch_ = id;
        if (!ready_) {
            ready_ = true;
            listener_.ready("org.gnome.Mutter.IdleMonitor on the session bus");
        }
    });
}

void MutterIdle::add_active_watch() {
    auto call = bus_new_call(bus_.get(), service, object, interface, "AddUserActiveWatch");
    unsigned generation = generation_;
    bus_call_async(bus_.get(), call.get(), [this, generation](sd_bus_message* reply) {
        std::uint32_t id = 0;
        if (generation != generation_ || !bus_error_of(reply).empty() || sd_bus_message_read(reply, "u", &id) < 0) return;
        active_watch_ = id;
    });
}

void MutterIdle::remove_watch(std::uint32_t id) {
    if (!id) return;
    auto call = bus_new_call(bus_.get(), service, object, interface, "RemoveWatch");
    if (call && sd_bus_message_append(call.get(), "u", id) >= 0) bus_call_async(bus_.get(), call.get(), [](sd_bus_message*) {});
}

void MutterIdle::on_watch_fired(std::uint32_t id) {
    if (!ready_ || id == 0) return;
    if (id == idle_watch_) {
        // The idle watch fires when idle time reaches the threshold.
        listener_.idle(read_now().mono - threshold_);
        add_active_watch();
    } else if (id == active_watch_) {
        active_watch_ = 0;
        listener_.active();
    }
}

}  // namespace stretch
