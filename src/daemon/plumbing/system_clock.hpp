#pragma once
// Reads the real clocks into the engine's Now. The only clock reads in the
// daemon, so everything else can be driven by the time it is given.

#include "core/time.hpp"

namespace stretch {

// CLOCK_BOOTTIME (keeps counting in suspend) for sitting time, the wall
// clock and the local time zone for the schedule. Re-reads the time zone
// each call, so a change of /etc/localtime is seen at the next event.
Now read_now();

// CLOCK_BOOTTIME minus CLOCK_MONOTONIC: grows by the time spent suspended.
Duration time_suspended();

}  // namespace stretch
