#pragma once
// A monitor-only connection to a bus (org.freedesktop.DBus.Monitoring
// BecomeMonitor): the bus copies to it every message its rules match,
// whoever sent it to whomever. For the few servers that change state on a
// method call and announce nothing (mako 1.7's SetMode), watching the call is
// the one event-driven way to learn of the change. The bus copies only what
// the rules match, so an idle desktop costs nothing.
//
// A monitor may not send anything once it is one, so it is a connection of
// its own, beside the daemon's ordinary one to the same bus, and sd-bus runs
// it in monitor mode (it never answers the copied calls). The connection
// lives as long as this object; on_message gets each copy, on the loop.
// Nothing here blocks: BecomeMonitor is asked asynchronously, and copies
// arrive only after the bus has granted it.

#include <string>
#include <vector>

#include "daemon/plumbing/bus.hpp"
#include "daemon/plumbing/event_loop.hpp"

namespace stretch {

class BusMonitor {
public:
    // Monitors the bus `peer` is connected to. `rules` are match rules
    // ("type='method_call',interface='fr.emersion.Mako',member='SetMode'").
    BusMonitor(EventLoop& loop, sd_bus* peer, std::vector<std::string> rules, BusHandler on_message);
    BusMonitor(const BusMonitor&) = delete;
    BusMonitor& operator=(const BusMonitor&) = delete;

    // The bus granted the monitor and the connection is open.
    bool active() const { return active_ && bus_; }
    // Why it is not active, for doctor; empty while asking or active.
    const std::string& problem() const { return problem_; }

private:
    void fail(std::string why);

    BusHandler on_message_;
    bool active_ = false;
    std::string problem_;
    BusPtr bus_;  // last: its callbacks use the members above
};

}  // namespace stretch
