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
// nothing when `makoctl mode` changes a mode — checked with busctl monitor:
// only the SetMode call itself goes over the bus. So on 1.7 a mode set after
// mako started is seen when delivery asks (refresh(): when a break falls due,
// and every Delivery::fullscreen_recheck while a reminder waits), or when
// mako restarts: a mode left ends a hold up to a minute late. Watching the
// SetMode/SetModes calls as a bus monitor would be event-driven, but needs a
// second, monitor-only connection; not done.

#include <cstdint>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "daemon/delivery/quiet_source.hpp"
#include "daemon/plumbing/bus.hpp"

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

    const Config& config_;
    bool present_ = false;
    std::vector<std::string> modes_;
    std::uint64_t generation_ = 0;  // an answer from a server that has gone is ignored
    BusLink bus_;                   // last: its callbacks use everything above
};

}  // namespace stretch
