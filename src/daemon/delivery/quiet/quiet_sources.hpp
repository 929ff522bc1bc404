#pragma once
// The one place that makes the real do-not-disturb sources delivery asks
// (beside the notifiers' own: dunst's `paused`, KDE's `Inhibited`). Each
// costs nothing on a desktop that is not its own: it waits for a signal.

#include "core/config.hpp"
#include "daemon/delivery/quiet_source.hpp"
#include "daemon/plumbing/event_loop.hpp"

namespace stretch {

QuietSources quiet_sources(EventLoop& loop, const Config& config);

}  // namespace stretch
