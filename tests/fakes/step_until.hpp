#pragma once
// Runs a test's event loop until a condition holds: at most 200 turns, each
// waiting at most `turn_usec` for an event. The bound is on turns, not on the
// clock, so a slow machine only makes each turn longer.

#include <cstdint>

#include "daemon/plumbing/event_loop.hpp"

namespace stretch {

template <typename F>
bool step_until(EventLoop& loop, F done, std::uint64_t turn_usec = 5'000'000) {
    for (int i = 0; i < 200 && !done(); ++i) loop.run_once(turn_usec);
    return done();
}

}  // namespace stretch
