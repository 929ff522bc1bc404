#include "daemon/plumbing/bus_monitor.hpp"

#include <cstring>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace stretch {

BusMonitor::BusMonitor(EventLoop& loop, sd_bus* peer, std::vector<std::string> rules, BusHandler on_message)
    : on_message_(std::move(on_message)) {
    const char* address = nullptr;
    if (!peer || sd_bus_get_address(peer, &address) < 0 || !address) {
        fail("no address for the bus");
        return;
    }
    sd_bus* bus = nullptr;
    int r = sd_bus_new(&bus);
    if (r < 0) {
        fail(std::strerror(-r));
        return;
    }
    bus_.reset(bus);
    if ((r = sd_bus_set_address(bus, address)) < 0 || (r = sd_bus_set_bus_client(bus, 1)) < 0 ||
        (r = sd_bus_set_monitor(bus, 1)) < 0 || (r = sd_bus_start(bus)) < 0 ||
        (r = sd_bus_attach_event(bus, loop.get(), SD_EVENT_PRIORITY_NORMAL)) < 0) {
        fail(std::strerror(-r));
        return;
    }
    // Copies reach filters; answering 1 stops sd-bus from looking further
    // (a monitor must never reply to a call it merely overheard).
    sd_bus_add_filter(bus, nullptr,
                      [](sd_bus_message* m, void* self, sd_bus_error*) {
                          auto& monitor = *static_cast<BusMonitor*>(self);
                          if (sd_bus_message_is_signal(m, "org.freedesktop.DBus.Local", "Disconnected")) {
                              monitor.fail("the bus closed the monitor connection");
                              return 1;
                          }
                          if (monitor.active_ && sd_bus_message_is_method_call(m, nullptr, nullptr))
                              monitor.on_message_(m);
                          return 1;
                      },
                      this);
    auto call = bus_new_call(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus.Monitoring",
                             "BecomeMonitor");
    bool built = call && sd_bus_message_open_container(call.get(), 'a', "s") >= 0;
    for (const auto& rule : rules)
        built = built && sd_bus_message_append(call.get(), "s", rule.c_str()) >= 0;
    built = built && sd_bus_message_close_container(call.get()) >= 0 && sd_bus_message_append(call.get(), "u", 0u) >= 0;
    if (!built || !bus_call_async(bus, call.get(), [this](sd_bus_message* reply) {
            if (auto error = bus_error_of(reply); !error.empty())
                fail(error);
            else
                active_ = true;
        }))
        fail("could not ask the bus for a monitor");
}

void BusMonitor::fail(std::string why) {
    if (problem_.empty()) spdlog::debug("bus monitor: {}", why);
    problem_ = std::move(why);
    active_ = false;
}

}  // namespace stretch
