#pragma once
// mako's do-not-disturb: a mode (configurable, [notify] mako_quiet_mode,
// "do-not-disturb" by default) among those mako's ListModes returns.
// mako serves fr.emersion.Mako at /fr/emersion/Mako on the name it holds as
// the notification server (1.7 owns only org.freedesktop.Notifications), so
// it is asked there; a server that is not mako answers with an error and
// counts as no mako.
//
// When the modes are read: when the notification server appears (or
// changes), and on each PropertiesChanged of /fr/emersion/Mako (mako 1.8+
// has a `Modes` property and announces it). mako 1.7 (Debian 12) announces
// nothing when `makoctl mode` changes a mode: only the SetMode (or SetModes)
// call itself goes over the bus. For a mako without the property, a bus
// monitor (plumbing/bus_monitor.hpp) overhears those calls and the modes
// are read again after each one, so a mode set or left is seen at once. A
// bus that refuses the monitor leaves refresh(): delivery asks when a break
// falls due and while a reminder waits.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "daemon/delivery/quiet_source.hpp"
#include "daemon/plumbing/bus.hpp"
#include "daemon/plumbing/bus_monitor.hpp"

namespace stretch {

class MakoQuiet : public QuietSource {
public:
    // `config` is read at each use, so a reload takes effect at the next answer.
    MakoQuiet(EventLoop& loop, const Config& config);

    std::string_view name() const override { return "mako"; }
    bool quiet() const override;
    std::string describe() const override;
    void refresh() override { ask(); }

private:
    void connected(sd_bus* bus);
    void ask();
    void set(bool present, std::vector<std::string> modes);
    void follow_calls(sd_bus* bus);

    EventLoop& loop_;
    const Config& config_;
    bool present_ = false;
    std::vector<std::string> modes_;
    std::uint64_t generation_ = 0;  // an answer from a server that has gone is ignored
    bool announces_ = false;        // mako has the Modes property and announces it (1.8+)
    std::unique_ptr<BusMonitor> monitor_;  // overhears SetMode(s) for a mako that announces nothing
    BusLink bus_;                   // last: its callbacks use everything above
};

}  // namespace stretch
