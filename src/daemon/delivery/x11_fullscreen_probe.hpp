#pragma once
// The full-screen probe over X11Fullscreen, on the display the
// DisplayEnvironment knows; it announces each change of the answer, so a
// reminder held for a full-screen window comes out as soon as it closes.

#include "daemon/delivery/fullscreen_probe.hpp"
#include "daemon/delivery/x11_fullscreen.hpp"

namespace stretch {

class X11FullscreenProbe final : public FullscreenProbe {
public:
    X11FullscreenProbe(EventLoop& loop, DisplayEnvironment& display)
        : display_(display), x11_(loop, display, [this] { changed(); }) {}
    bool focused_window_fullscreen() override { return x11_.focused_window_fullscreen(); }
    std::vector<FullscreenReport> describe() const override {
        if (const std::string& on = x11_.display_name(); !on.empty())
            return {{FullscreenSource::x11, true, "on DISPLAY=" + on}};
        std::string wanted = display_.current().x11;
        return {{FullscreenSource::x11, false,
                 wanted.empty() ? "DISPLAY is not set" : "no X server answers on DISPLAY=" + wanted}};
    }

private:
    DisplayEnvironment& display_;
    X11Fullscreen x11_;
};

}  // namespace stretch
