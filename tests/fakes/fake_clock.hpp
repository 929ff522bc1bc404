#pragma once
// A Clock for tests: the time is what the test sets, and every read is
// counted, so a test can say how often one event looks at the clock.

#include "daemon/plumbing/system_clock.hpp"

namespace stretch {

class FakeClock final : public Clock {
public:
    explicit FakeClock(Now start) : now_(start) {}

    Now now() const override {
        ++reads;
        return now_;
    }
    Duration suspended() const override { return suspended_; }

    // Time passes while awake: every clock moves on.
    void advance(Duration d) {
        now_.mono += d;
        now_.wall_s += std::chrono::duration_cast<std::chrono::seconds>(d).count();
        now_.local.seconds_of_day = static_cast<int>((now_.local.seconds_of_day + std::chrono::duration_cast<std::chrono::seconds>(d).count()) % seconds_per_day);
    }
    // The machine slept for `d` without anyone saying so: BOOTTIME and the
    // wall clock moved, MONOTONIC did not.
    void sleep(Duration d) {
        advance(d);
        suspended_ += d;
    }

    mutable int reads = 0;

private:
    Now now_;
    Duration suspended_{};
};

}  // namespace stretch
