#pragma once
// The real activity sources, made by name for Activity: GNOME's idle
// monitor, the Wayland and X11 servers of the display environment, and
// logind's IdleHint.

#include "daemon/presence/activity.hpp"

namespace stretch {

class DisplayEnvironment;
class Logind;

// All three must outlive the Activity that uses the factory.
Activity::SourceFactory desktop_sources(EventLoop& loop, const DisplayEnvironment& display, Logind& logind);

}  // namespace stretch
