#include "daemon/delivery/quiet/quiet_sources.hpp"

#include "daemon/delivery/quiet/gnome_quiet.hpp"
#include "daemon/delivery/quiet/mako_quiet.hpp"
#include "daemon/delivery/quiet/swaync_quiet.hpp"

namespace stretch {

QuietSources quiet_sources(EventLoop& loop, const Config& config) {
    QuietSources out;
    out.push_back(std::make_unique<GnomeQuiet>(loop));
    out.push_back(std::make_unique<MakoQuiet>(loop, config));
    out.push_back(std::make_unique<SwayncQuiet>(loop));
    return out;
}

}  // namespace stretch
