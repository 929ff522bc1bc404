#pragma once
// D-Bus through sd-bus: RAII for its objects (the one place sd_bus_*_unref
// is called), asynchronous calls and signal matches whose handlers live as
// long as the call or the connection, and BusLink, a connection kept open
// on the daemon's loop.

#include <systemd/sd-bus.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "daemon/plumbing/event_loop.hpp"

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
using BusHandler = std::function<void(sd_bus_message*)>;

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

// A method call to fill in; null if sd-bus could not make one.
BusMessage bus_new_call(sd_bus* bus, const char* destination, const char* path, const char* interface, const char* member);
// Sends `call`; `on_reply` gets the reply or the error. The slot floats: it
// dies with the call, or with the connection. False if it could not be sent.
bool bus_call_async(sd_bus* bus, sd_bus_message* call, BusHandler on_reply);
// Calls `on_signal` for each matching signal until the connection closes.
// Whoever passes a handler that captures `this` must own the connection.
bool bus_match(sd_bus* bus, const char* sender, const char* path, const char* interface, const char* member,
               BusHandler on_signal);
// Reads the value of a variant holding a `b`, `t`, `s` ...; false on a type mismatch.
bool bus_read_variant(sd_bus_message* m, char type, void* value);

// A connection to the session or system bus, attached to the loop and kept:
// one that cannot be opened, or is lost, is retried with back-off (1 s
// doubling to a minute), so a bus that starts later, or restarts, is found.
// connected() is called with each new connection; lost() when it goes;
// failed() after each attempt that did not connect. All are called from the
// loop, never from inside the constructor.
class BusLink {
public:
    enum class Kind { session, system };
    struct Listener {
        std::function<void(sd_bus*)> connected;
        std::function<void()> lost;
        std::function<void(const std::string& problem)> failed;
    };

    BusLink(EventLoop& loop, Kind kind, std::string purpose, Listener listener);

    sd_bus* get() const { return bus_.get(); }
    explicit operator bool() const { return bus_ != nullptr; }
    // Why there is no connection, for status and doctor; empty when connected.
    const std::string& problem() const { return problem_; }

private:
    void connect();
    void schedule(std::chrono::milliseconds delay);

    EventLoop& loop_;
    Kind kind_;
    std::string purpose_;  // "desktop notifications", for the log
    Listener listener_;
    BusPtr bus_;
    EventSource retry_;
    std::chrono::milliseconds backoff_{std::chrono::seconds(1)};
    bool missing_ = false;  // this link has been without its bus since it last connected
    std::string problem_ = "connecting";
};

}  // namespace stretch
