#include "daemon/delivery/quiet/swaync_quiet.hpp"

#include <cstring>

#include <spdlog/spdlog.h>

namespace stretch {
namespace {

constexpr const char* service = "org.erikreider.swaync.cc";
constexpr const char* object = "/org/erikreider/swaync/cc";

}  // namespace

SwayncQuiet::SwayncQuiet(EventLoop& loop)
    : bus_(loop, BusLink::Kind::session, "swaync do-not-disturb",
           BusLink::Listener{[this](sd_bus* bus) { connected(bus); }, [this] { set(false, false); }, {}}) {}

void SwayncQuiet::connected(sd_bus* bus) {
    bus_watch_owner(bus, service, [this](std::string_view, std::string_view new_owner) {
        ++generation_;
        if (!new_owner.empty())
            ask();
        else
            set(false, false);
    });
    // Both signals start with the count and dnd; what follows differs by version.
    for (const char* member : {"Subscribe", "SubscribeV2"})
        bus_match(bus, nullptr, object, service, member, [this](sd_bus_message* m) {
            std::uint32_t count = 0;
            int dnd = 0;
            if (sd_bus_message_read(m, "ub", &count, &dnd) >= 0) set(true, dnd != 0);
        });
    ask();
}

void SwayncQuiet::ask() {
    auto call = bus_new_call(bus_.get(), service, object, service, "GetDnd");
    bus_call_async(bus_.get(), call.get(), [this, generation = generation_](sd_bus_message* reply) {
        if (generation != generation_) return;
        int dnd = 0;
        if (bus_error_of(reply).empty() && sd_bus_message_read(reply, "b", &dnd) >= 0)
            set(true, dnd != 0);
        else
            set(false, false);
    });
}

void SwayncQuiet::set(bool present, bool dnd) {
    if (present == present_ && dnd == dnd_) return;
    bool was = quiet();
    present_ = present;
    dnd_ = dnd;
    if (was != quiet())
        spdlog::info("swaync: {}", quiet() ? "do not disturb: holding reminders" : "do not disturb is over");
    changed();
}

std::string SwayncQuiet::describe() const {
    if (!bus_) return "swaync: no session bus (" + bus_.problem() + ")";
    if (!present_) return "swaync: not running";
    return dnd_ ? "swaync: do not disturb is on" : "swaync: do not disturb is off";
}

}  // namespace stretch
