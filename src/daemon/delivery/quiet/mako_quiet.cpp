#include "daemon/delivery/quiet/mako_quiet.hpp"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

namespace stretch {
namespace {

constexpr const char* service = "org.freedesktop.Notifications";
constexpr const char* object = "/fr/emersion/Mako";
constexpr const char* interface = "fr.emersion.Mako";

}  // namespace

MakoQuiet::MakoQuiet(EventLoop& loop, const Config& config)
    : loop_(loop),
      config_(config),
      bus_(loop, BusLink::Kind::session, "mako do-not-disturb",
           BusLink::Listener{[this](sd_bus* bus) { connected(bus); }, [this] { set(false, {}); }, {}}) {}

bool MakoQuiet::quiet() const {
    return present_ && std::find(modes_.begin(), modes_.end(), config_.notify.mako_quiet_mode) != modes_.end();
}

void MakoQuiet::connected(sd_bus* bus) {
    bus_watch_owner(bus, service, [this](std::string_view, std::string_view new_owner) {
        ++generation_;
        monitor_.reset();
        announces_ = false;
        if (!new_owner.empty())
            ask();
        else
            set(false, {});
    });
    bus_match(bus, nullptr, object, "org.freedesktop.DBus.Properties", "PropertiesChanged",
              [this](sd_bus_message*) { ask(); });
    ask();
}

void MakoQuiet::ask() {
    auto call = bus_new_call(bus_.get(), service, object, interface, "ListModes");
    bus_call_async(bus_.get(), call.get(), [this, generation = generation_](sd_bus_message* reply) {
        if (generation != generation_) return;
        if (bus_error_of(reply).empty()) {
            set(true, read_strings(reply));
            if (!announces_ && !monitor_) follow_calls(bus_.get());
        } else {
            set(false, {});  // no notification server, or one that is not mako
        }
    });
}

// Only a mako without the Modes property needs its calls overheard.
void MakoQuiet::follow_calls(sd_bus* bus) {
    auto call = bus_new_call(bus, service, object, "org.freedesktop.DBus.Properties", "Get");
    if (!call || sd_bus_message_append(call.get(), "ss", interface, "Modes") < 0) return;
    bus_call_async(bus, call.get(), [this, generation = generation_](sd_bus_message* reply) {
        if (generation != generation_ || !present_ || monitor_) return;
        announces_ = bus_error_of(reply).empty();
        if (announces_) return;
        std::vector<std::string> rules;
        for (const char* member : {"SetMode", "SetModes"})
            rules.push_back(fmt::format("type='method_call',path='{}',interface='{}',member='{}'", object, interface, member));
        monitor_ = std::make_unique<BusMonitor>(loop_, bus_.get(), std::move(rules), [this](sd_bus_message*) { ask(); });
        changed();  // doctor's line says how modes are followed
    });
}

void MakoQuiet::set(bool present, std::vector<std::string> modes) {
    if (present == present_ && modes == modes_) return;
    bool was = quiet();
    present_ = present;
    modes_ = std::move(modes);
    if (was != quiet())
        spdlog::info("mako: {}", quiet() ? "do not disturb: holding reminders" : "do not disturb is over");
    changed();
}

std::string MakoQuiet::describe() const {
    if (!bus_) return "mako: no session bus (" + bus_.problem() + ")";
    if (!present_) return "mako: not running";
    std::string how;
    if (monitor_ && monitor_->active())
        how = " (mako 1.7: its SetMode calls are overheard on the bus)";
    else if (monitor_)
        how = fmt::format(" (mako 1.7 announces no mode change and the bus refused a monitor ({}): a change is seen when a "
                          "reminder waits or mako restarts)",
                          monitor_->problem().empty() ? "asking" : monitor_->problem());
    return fmt::format("mako: modes {}; \"{}\" {}{}",
                       modes_.empty() ? std::string("none") : fmt::format("{}", fmt::join(modes_, ", ")),
                       config_.notify.mako_quiet_mode, quiet() ? "is on: do not disturb" : "is off", how);
}

}  // namespace stretch
