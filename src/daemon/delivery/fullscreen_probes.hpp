#pragma once
// The full-screen probe delivery uses: it asks each source the display
// offers (X11, Wayland) and counts a full-screen focused window on any of
// them, since a Wayland session with Xwayland has both kinds of window.
// A source that is off answers false, so it never holds a reminder. Each
// change any source announces is passed on. Single-threaded, on the loop.

#include <memory>
#include <vector>

#include "daemon/delivery/fullscreen_probe.hpp"

namespace stretch {

class EventLoop;
class DisplayEnvironment;

class FullscreenProbes final : public FullscreenProbe {
public:
    explicit FullscreenProbes(std::vector<std::unique_ptr<FullscreenProbe>> probes);

    bool focused_window_fullscreen() override;
    std::vector<FullscreenReport> describe() const override;

private:
    std::vector<std::unique_ptr<FullscreenProbe>> probes_;
};

// The daemon's: X11 (EWMH) and Wayland (wlr-foreign-toplevel or KWin's
// plasma window management), both following the display environment.
std::unique_ptr<FullscreenProbes> desktop_fullscreen_probes(EventLoop& loop, DisplayEnvironment& display);

}  // namespace stretch
