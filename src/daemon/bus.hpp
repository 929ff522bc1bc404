#pragma once
// RAII for sd-bus objects: the one place sd_bus_*_unref is called.

#include <systemd/sd-bus.h>

#include <memory>
#include <string>
#include <vector>

namespace stretch {

struct BusClose {
    void operator()(sd_bus* bus) const { sd_bus_flush_close_unref(bus); }
};
struct SlotUnref {
    void operator()(sd_bus_slot* slot) const { sd_bus_slot_unref(slot); }
};
struct MessageUnref {
    void operator()(sd_bus_message* m) const { sd_bus_message_unref(m); }
};

using BusPtr = std::unique_ptr<sd_bus, BusClose>;
using BusSlot = std::unique_ptr<sd_bus_slot, SlotUnref>;
using BusMessage = std::unique_ptr<sd_bus_message, MessageUnref>;

// The error carried by a reply, or empty for a normal reply.
inline std::string bus_error_of(sd_bus_message* reply) {
    const sd_bus_error* e = sd_bus_message_get_error(reply);
    if (!e) return {};
    return std::string(e->name ? e->name : "error") + ": " + (e->message ? e->message : "");
}

// Reads an `as` argument.
inline std::vector<std::string> read_strings(sd_bus_message* m) {
    std::vector<std::string> out;
    if (sd_bus_message_enter_container(m, 'a', "s") < 0) return out;
    const char* s = nullptr;
    while (sd_bus_message_read(m, "s", &s) > 0) out.emplace_back(s);
    sd_bus_message_exit_container(m);
    return out;
}

}  // namespace stretch
