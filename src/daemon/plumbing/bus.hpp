#pragma once
// D-Bus through sd-bus: RAII for its objects (the one place sd_bus_*_unref
// is called), asynchronous calls and signal matches whose handlers live as
// long as the call or the connection, and BusLink, a connection kept open
// on the daemon's loop.

#include <systemd/sd-bus.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
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
// Calls `on_change(old_owner, new_owner)` each time `name` changes hands
// (an empty owner: none), from the bus's NameOwnerChanged. The bus filters
// on the name (arg0), so the many other names that come and go on a busy
// session bus never wake the daemon. Same ownership rule as bus_match.
using OwnerHandler = std::function<void(std::string_view old_owner, std::string_view new_owner)>;
bool bus_watch_owner(sd_bus* bus, const char* name, OwnerHandler on_change);
// Reads the value of a variant holding a `b`, `t`, `s` ...; false on a type mismatch.
bool bus_read_variant(sd_bus_message* m, char type, void* value);

enum class BusKind { session, system };

// The socket file a bus's address names, as sd-bus resolves it: the first
// address of DBUS_SESSION_BUS_ADDRESS or DBUS_SYSTEM_BUS_ADDRESS when set,
// else $XDG_RUNTIME_DIR/bus or /run/dbus/system_bus_socket. Nullopt when the
// address is no file (abstract, tcp) or there is none.
std::optional<std::filesystem::path> bus_socket_path(BusKind kind);

// How often a link tries a bus socket that is there but refuses.
struct BusRetry {
    std::chrono::milliseconds first{std::chrono::seconds(1)};
    std::chrono::milliseconds max{std::chrono::minutes(1)};
    // Tries at a socket that refuses before the link waits for it to be made
    // again (a bus that starts binds a new one).
    int refused_tries = 6;
};

// A connection to the session or system bus, attached to the loop and kept,
// so a bus that starts later, or restarts, is found. Without its socket the
// link waits for it to appear (an inotify watch on its directory, or on the
// nearest parent that exists), so a missing bus costs no wake-ups. A socket
// that is there but refuses is tried again with back-off (BusRetry), a few
// times, then waited for like a missing one. An address that names no file
// (abstract, tcp) is retried with back-off for as long as it fails.
// connected() is called with each new connection; lost() when it goes;
// failed() after each attempt that did not connect. All are called from the
// loop, never from inside the constructor.
class BusLink {
public:
    using Kind = BusKind;
    struct Listener {
        std::function<void(sd_bus*)> connected;
        std::function<void()> lost;
        std::function<void(const std::string& problem)> failed;
    };

    BusLink(EventLoop& loop, Kind kind, std::string purpose, Listener listener, BusRetry retry = {});

    sd_bus* get() const { return bus_.get(); }
    explicit operator bool() const { return bus_ != nullptr; }
    // Why there is no connection, for status and doctor; empty when connected.
    const std::string& problem() const { return problem_; }
    // The directory watched for the bus socket to appear; empty when none is.
    const std::filesystem::path& watching() const { return watched_; }
    // Whether a timed retry is armed.
    bool retrying() const { return retry_.armed(); }

private:
    void connect();
    void wait_for_bus();
    void watch(const std::filesystem::path& socket);
    void on_watch(const inotify_event& event);
    void retry_later();

    EventLoop& loop_;
    Kind kind_;
    std::string purpose_;  // "desktop notifications", for the log
    Listener listener_;
    BusPtr bus_;
    BusRetry timing_;
    EventSource retry_;
    std::chrono::milliseconds backoff_;
    int refused_ = 0;  // tries at a socket that refused, since it last appeared
    EventSource watch_;
    std::filesystem::path watched_;
    std::filesystem::path socket_;  // the one watched for
    bool missing_ = false;  // this link has been without its bus since it last connected
    std::string problem_ = "connecting";
};

}  // namespace stretch
