#include "daemon/plumbing/bus.hpp"

#include <cerrno>
#include <cstring>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace stretch {
namespace {

constexpr auto max_backoff = std::chrono::minutes(1);

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

bool bus_read_variant(sd_bus_message* m, char type, void* value) {
    const char contents[2] = {type, '\0'};
    if (sd_bus_message_enter_container(m, 'v', contents) <= 0) return false;
    bool ok = sd_bus_message_read_basic(m, type, value) > 0;
    sd_bus_message_exit_container(m);
    return ok;
}

BusLink::BusLink(EventLoop& loop, Kind kind, std::string purpose, Listener listener)
    : loop_(loop), kind_(kind), purpose_(std::move(purpose)), listener_(std::move(listener)) {
    retry_ = loop_.add_timer(CLOCK_MONOTONIC, 0, [this] { connect(); });
    schedule(std::chrono::milliseconds(0));
}

void BusLink::schedule(std::chrono::milliseconds delay) {
    // Through the timer, so a connection is never dropped from inside one of its own callbacks.
    retry_.set_time(loop_.now(CLOCK_MONOTONIC) + static_cast<std::uint64_t>(delay.count()) * 1000 + 1);
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
            spdlog::warn("{}: cannot connect to the {} bus: {}; retrying in the background", purpose_, which, why);
            told = true;
        } else if (!missing_) {
            spdlog::debug("{}: no {} bus either: {}", purpose_, which, why);
        }
        missing_ = true;
        schedule(backoff_);
        backoff_ = std::min<std::chrono::milliseconds>(backoff_ * 2, max_backoff);
        if (listener_.failed) listener_.failed(problem_);
        return;
    }
    problem_.clear();
    // sd-bus tells of a lost connection with a local signal, seen by filters.
    sd_bus_add_filter(bus, nullptr,
                      [](sd_bus_message* m, void* self, sd_bus_error*) {
                          if (sd_bus_message_is_signal(m, "org.freedesktop.DBus.Local", "Disconnected"))
                              static_cast<BusLink*>(self)->schedule(std::chrono::milliseconds(0));
                          return 0;
                      },
                      this);
    if (missing_) spdlog::info("{}: connected to the {} bus", purpose_, which);
    missing_ = false;
    told = false;
    backoff_ = std::chrono::seconds(1);
    if (listener_.connected) listener_.connected(bus);
}

}  // namespace stretch
