#pragma once
// Idle and active from the X server: two alarms of the SYNC extension on its
// IDLETIME system counter (milliseconds since the last input). One fires once
// the counter reaches the threshold (idle), the other once it falls again
// (active). Only one of them is armed at a time; the server does the timing,
// so nothing here polls or wakes between the two edges.
//
// start() makes a few round trips to the X server; after that nothing
// blocks, and the connection's fd is a source on the daemon's loop. When the
// server goes away the source reports lost() once and stays silent.
// Single-threaded, like the loop; nothing here throws.

#include <xcb/sync.h>
#include <xcb/xcb.h>

#include <cstdint>
#include <memory>
#include <string>

#include "daemon/presence/activity_source.hpp"
#include "daemon/plumbing/event_loop.hpp"

namespace stretch {

class X11Idle : public ActivitySource {
public:
    X11Idle(EventLoop& loop, Listener listener, DisplayEnv env);
    X11Idle(const X11Idle&) = delete;
    X11Idle& operator=(const X11Idle&) = delete;
    ~X11Idle() override;

    Probe start(Duration threshold) override;
    void set_threshold(Duration threshold) override;

private:
    struct Disconnect {
        void operator()(xcb_connection_t* c) const { xcb_disconnect(c); }
    };

    Probe connect();
    void close();
    static xcb_sync_counter_t find_idletime(const xcb_sync_list_system_counters_reply_t& reply);
    xcb_sync_change_alarm_value_list_t idle_trigger() const;
    void dispatch();
    void handle(const xcb_generic_event_t& event);
    void on_alarm(const xcb_sync_alarm_notify_event_t& event);
    void gone(std::string detail);
    std::string server() const;

    EventLoop& loop_;
    Listener listener_;
    DisplayEnv env_;
    Duration threshold_{};
    bool idle_ = false;  // between the idle alarm and the active one
    bool dead_ = false;  // lost() was reported

    std::unique_ptr<xcb_connection_t, Disconnect> connection_;
    std::uint8_t alarm_notify_ = 0;  // the event type of AlarmNotify on this server
    xcb_sync_counter_t idletime_ = XCB_NONE;
    xcb_sync_alarm_t idle_alarm_ = XCB_NONE, active_alarm_ = XCB_NONE;
    // Last: gone before the connection whose fd and queue they serve.
    EventSource io_;
    EventSource pending_;  // dispatches from the loop what xcb read outside the io handler
};

}  // namespace stretch
