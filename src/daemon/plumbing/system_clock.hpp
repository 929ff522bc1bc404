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

// The daemon's clock, as an edge: the real one reads the functions above; a
// test's is set by hand and counts how often it was read.
class Clock {
public:
    virtual ~Clock() = default;
    virtual Now now() const = 0;
    virtual Duration suspended() const = 0;
};

class SystemClock final : public Clock {
public:
    Now now() const override { return read_now(); }
    Duration suspended() const override { return time_suspended(); }
};

}  // namespace stretch
