#include "daemon/presence/x11_idle.hpp"

#include <sys/epoll.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>
#include <system_error>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "daemon/plumbing/system_clock.hpp"

namespace stretch {
namespace {

constexpr const char* import_fix =
    "run systemctl --user import-environment DISPLAY WAYLAND_DISPLAY, or start stretchd from your session";

template <typename T>
struct FreeReply {
    void operator()(T* p) const { std::free(p); }
};
template <typename T>
using Reply = std::unique_ptr<T, FreeReply<T>>;

std::int64_t to_int64(xcb_sync_int64_t v) {
    return static_cast<std::int64_t>((static_cast<std::uint64_t>(static_cast<std::uint32_t>(v.hi)) << 32) | v.lo);
}

xcb_sync_int64_t to_sync(std::int64_t v) {
    return {static_cast<std::int32_t>(v >> 32), static_cast<std::uint32_t>(v & 0xffffffff)};
}

constexpr std::uint32_t trigger_mask =
    XCB_SYNC_CA_COUNTER | XCB_SYNC_CA_VALUE_TYPE | XCB_SYNC_CA_VALUE | XCB_SYNC_CA_TEST_TYPE | XCB_SYNC_CA_DELTA;

// Delta 0 makes a comparison alarm fire once and turn Inactive, instead of
// moving its value on and firing again.
xcb_sync_change_alarm_value_list_t trigger(xcb_sync_counter_t counter, xcb_sync_testtype_t test, std::int64_t value) {
    xcb_sync_change_alarm_value_list_t v{};
    v.counter = counter;
    v.valueType = XCB_SYNC_VALUETYPE_ABSOLUTE;
    v.value = to_sync(value);
    v.testType = test;
    v.delta = to_sync(0);
    return v;
}

std::int64_t threshold_ms(Duration d) { return std::max<Duration::rep>(d.count(), 1); }

std::string connect_error(int error) {
    switch (error) {
        case XCB_CONN_CLOSED_PARSE_ERR: return ": it is not a display name";
        case XCB_CONN_CLOSED_INVALID_SCREEN: return ": it has no such screen";
        case XCB_CONN_CLOSED_MEM_INSUFFICIENT: return ": out of memory";
        case XCB_CONN_ERROR: return "";  // nothing listening, or it hung up: the message says enough
        default: return fmt::format(" (xcb error {})", error);
    }
}

}  // namespace

X11Idle::X11Idle(EventLoop& loop, Listener listener, DisplayEnv env)
    : loop_(loop), listener_(std::move(listener)), env_(std::move(env)) {}

X11Idle::~X11Idle() { close(); }

Probe X11Idle::start(Duration threshold) {
    close();
    threshold_ = threshold;
    Probe probe = connect();
    if (probe.state == Probe::State::failed)
        close();
    else
        spdlog::info("x11: watching XSync IDLETIME on {}", env_.x11);
    return probe;
}

void X11Idle::close() {
    io_.reset();
    pending_.reset();
    if (xcb_connection_t* c = connection_.get(); c && !xcb_connection_has_error(c)) {
        if (idle_alarm_ != XCB_NONE) xcb_sync_destroy_alarm(c, idle_alarm_);
        if (active_alarm_ != XCB_NONE) xcb_sync_destroy_alarm(c, active_alarm_);
        xcb_flush(c);
    }
    connection_.reset();
    idle_alarm_ = active_alarm_ = XCB_NONE;
    idletime_ = XCB_NONE;
    idle_ = false;
    dead_ = false;
}

std::string X11Idle::server() const { return fmt::format("the X server on \"{}\"", env_.x11); }

Probe X11Idle::connect() {
    if (env_.x11.empty()) return Probe::failed("DISPLAY is not set", import_fix);
    // Not the process's DISPLAY: env_ may be the session's, handed over by
    // the systemd user manager.
    connection_.reset(xcb_connect(env_.x11.c_str(), nullptr));
    xcb_connection_t* c = connection_.get();
    if (int error = xcb_connection_has_error(c))
        return Probe::failed(fmt::format("cannot connect to {}{}", server(), connect_error(error)),
                             "is the X server running, and does DISPLAY name it?");
    auto no_answer = [&](const char* what) {
        if (xcb_connection_has_error(c)) return Probe::failed(fmt::format("{} went away", server()));
        return Probe::failed(fmt::format("{} {}", server(), what));
    };

    const xcb_query_extension_reply_t* sync = xcb_get_extension_data(c, &xcb_sync_id);
    if (!sync || !sync->present) return no_answer("has no SYNC extension");
    // The protocol wants the version agreed before any other SYNC request.
    Reply<xcb_sync_initialize_reply_t> version(xcb_sync_initialize_reply(
        c, xcb_sync_initialize(c, XCB_SYNC_MAJOR_VERSION, XCB_SYNC_MINOR_VERSION), nullptr));
    if (!version) return no_answer("refused to initialise the SYNC extension");
    alarm_notify_ = static_cast<std::uint8_t>(sync->first_event + XCB_SYNC_ALARM_NOTIFY);
    Reply<xcb_sync_list_system_counters_reply_t> counters(
        xcb_sync_list_system_counters_reply(c, xcb_sync_list_system_counters(c), nullptr));
    if (!counters) return no_answer("did not list its SYNC counters");
    idletime_ = find_idletime(*counters);
    if (idletime_ == XCB_NONE) return no_answer("has no IDLETIME counter in its SYNC extension");

    // Without a counter an alarm is created Inactive and silent: both exist
    // from now on, and each is armed by giving it its trigger.
    idle_alarm_ = xcb_generate_id(c);
    active_alarm_ = xcb_generate_id(c);
    xcb_sync_create_alarm_value_list_t dormant{};
    dormant.events = 1;
    auto armed = idle_trigger();
    xcb_void_cookie_t requests[] = {
        xcb_sync_create_alarm_aux_checked(c, idle_alarm_, XCB_SYNC_CA_EVENTS, &dormant),
        xcb_sync_create_alarm_aux_checked(c, active_alarm_, XCB_SYNC_CA_EVENTS, &dormant),
        xcb_sync_change_alarm_aux_checked(c, idle_alarm_, trigger_mask, &armed),
    };
    for (auto cookie : requests) {
        Reply<xcb_generic_error_t> error(xcb_request_check(c, cookie));
        if (error) return Probe::failed(fmt::format("{} refused an XSync alarm (error {})", server(), error->error_code));
    }
    if (xcb_connection_has_error(c)) return Probe::failed(fmt::format("{} went away", server()));

    try {
        io_ = loop_.add_io(xcb_get_file_descriptor(c), EPOLLIN, [this](std::uint32_t) { dispatch(); });
        // Armed at once: the alarm may have fired while start() waited for
        // the checks above, and then its event sits in xcb's queue, not on
        // the fd.
        pending_ = loop_.add_timer(CLOCK_MONOTONIC, [this] { dispatch(); });
        pending_.arm_in(std::chrono::microseconds::zero());
    } catch (const std::system_error& e) {
        return Probe::failed(fmt::format("{}: {}", server(), e.what()));
    }
    return Probe::ready(fmt::format("XSync IDLETIME on {}", env_.x11));
}

// By hand: libxcb 1.15's xcb_sync_systemcounter_name() reads 2 bytes too
// far, as its struct is 16 bytes and the wire record 14 (counter 4,
// resolution 8, name length 2, then the name, padded to 4).
xcb_sync_counter_t X11Idle::find_idletime(const xcb_sync_list_system_counters_reply_t& reply) {
    constexpr std::string_view wanted = "IDLETIME";
    const auto* p = reinterpret_cast<const std::uint8_t*>(&reply + 1);
    const auto* end = reinterpret_cast<const std::uint8_t*>(&reply) + sizeof reply + 4 * std::size_t{reply.length};
    for (std::uint32_t i = 0; i < reply.counters_len && end - p >= 14; ++i) {
        std::uint32_t id = 0;
        std::uint16_t length = 0;
        std::memcpy(&id, p, 4);
        std::memcpy(&length, p + 12, 2);
        if (end - p < 14 + length) break;
        if (std::string_view(reinterpret_cast<const char*>(p + 14), length) == wanted) return id;
        p += (14 + length + 3) & ~std::size_t{3};
    }
    return XCB_NONE;
}

xcb_sync_change_alarm_value_list_t X11Idle::idle_trigger() const {
    return trigger(idletime_, XCB_SYNC_TESTTYPE_POSITIVE_COMPARISON, threshold_ms(threshold_));
}

void X11Idle::set_threshold(Duration threshold) {
    threshold_ = threshold;
    // While idle the idle alarm is Inactive; the input that ends this idle
    // period re-arms it with the new threshold.
    if (!io_ || dead_ || idle_) return;
    auto value = idle_trigger();
    xcb_sync_change_alarm_aux(connection_.get(), idle_alarm_, trigger_mask, &value);
    // Sent, and any answer read, from the loop: xcb_flush() may read events
    // into xcb's queue, where the io source would not see them.
    pending_.arm_in(std::chrono::microseconds::zero());
}

void X11Idle::dispatch() {
    xcb_connection_t* c = connection_.get();
    if (dead_) return;
    for (;;) {
        while (Reply<xcb_generic_event_t> event{xcb_poll_for_event(c)}) {
            handle(*event);
            if (dead_) return;
        }
        if (xcb_connection_has_error(c) || xcb_flush(c) <= 0) return gone(fmt::format("{} went away", server()));
        // The flush may have read more; the socket will not say so again.
        Reply<xcb_generic_event_t> event{xcb_poll_for_queued_event(c)};
        if (!event) return;
        handle(*event);
        if (dead_) return;
    }
}

void X11Idle::handle(const xcb_generic_event_t& event) {
    // Only the alarm requests made after start() can fail, and with one
    // failed the edges would silently stop: better to give the source up.
    if (event.response_type == 0)
        return gone(fmt::format("{} refused an XSync alarm (error {})", server(),
                                reinterpret_cast<const xcb_generic_error_t&>(event).error_code));
    if ((event.response_type & 0x7f) == alarm_notify_)
        on_alarm(reinterpret_cast<const xcb_sync_alarm_notify_event_t&>(event));
}

void X11Idle::on_alarm(const xcb_sync_alarm_notify_event_t& event) {
    if (event.state == XCB_SYNC_ALARMSTATE_DESTROYED) return;
    std::int64_t idle_ms = to_int64(event.counter_value);
    if (event.alarm == idle_alarm_ && !idle_) {
        // Fired before set_threshold() raised the threshold; re-armed since,
        // it fires again at the new one.
        if (idle_ms < threshold_ms(threshold_)) return;
        idle_ = true;
        // One below the idle time it fired at: any input since then, even
        // before this request arrives, sets it off at once.
        auto value = trigger(idletime_, XCB_SYNC_TESTTYPE_NEGATIVE_COMPARISON, idle_ms - 1);
        xcb_sync_change_alarm_aux(connection_.get(), active_alarm_, trigger_mask, &value);
        spdlog::debug("x11: idle for {} ms", idle_ms);
        // From the counter, not from now: the user left before the alarm.
        listener_.idle(read_now().mono - Duration(idle_ms));
    } else if (event.alarm == active_alarm_ && idle_) {
        idle_ = false;
        auto value = idle_trigger();
        xcb_sync_change_alarm_aux(connection_.get(), idle_alarm_, trigger_mask, &value);
        spdlog::debug("x11: input again");
        listener_.active();
    }
}

void X11Idle::gone(std::string detail) {
    if (dead_) return;
    dead_ = true;
    io_.disable();
    pending_.disable();
    spdlog::warn("x11: {}", detail);
    listener_.lost(Probe::failed(std::move(detail)));
}

}  // namespace stretch
