#include "daemon/presence/desktop_sources.hpp"

#include "daemon/presence/display_environment.hpp"
#include "daemon/presence/logind_idle.hpp"
#include "daemon/presence/mutter_idle.hpp"
#include "daemon/presence/wayland_idle.hpp"
#include "daemon/presence/x11_idle.hpp"

namespace stretch {

Activity::SourceFactory desktop_sources(EventLoop& loop, const DisplayEnvironment& display, Logind& logind) {
    return [&loop, &display, &logind](ActivitySourceName name,
                                      ActivitySource::Listener listener) -> std::unique_ptr<ActivitySource> {
        switch (name) {
            case ActivitySourceName::gnome:
                return std::make_unique<MutterIdle>(loop, std::move(listener));
            case ActivitySourceName::wayland:
                return std::make_unique<WaylandIdle>(loop, std::move(listener), display.current());
            case ActivitySourceName::x11:
                return std::make_unique<X11Idle>(loop, std::move(listener), display.current());
            case ActivitySourceName::logind:
                return std::make_unique<LogindIdle>(loop, logind, std::move(listener));
        }
        return nullptr;
    };
}

}  // namespace stretch
