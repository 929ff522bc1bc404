#pragma once
// The question delivery asks before it puts a reminder over the user's
// work: is the focused window full-screen (a film, a presentation, a game)?
// The real answers come from X11 (x11_fullscreen_probe.hpp) and Wayland
// (wayland_fullscreen.hpp), asked together by FullscreenProbes; tests use
// tests/fakes/fake_fullscreen_probe.hpp. Called on the loop thread.

#include <functional>
#include <vector>

#include "daemon/delivery/fullscreen_source.hpp"

namespace stretch {

class FullscreenProbe {
public:
    virtual ~FullscreenProbe() = default;

    // Set once by delivery. A probe that learns of changes (from window
    // manager events) calls it; one that does not is asked again now and
    // then while a reminder waits for it.
    void listen(std::function<void()> on_change) { on_change_ = std::move(on_change); }

    // False when there is no display or no answer: a reminder is never held
    // for a window nobody can see.
    virtual bool focused_window_fullscreen() = 0;

    // For doctor: each source this probe asks, in use or off and why.
    virtual std::vector<FullscreenReport> describe() const { return {}; }

protected:
    void changed() const {
        if (on_change_) on_change_();
    }

private:
    std::function<void()> on_change_;
};

}  // namespace stretch
