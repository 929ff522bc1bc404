#pragma once
// The full-screen probe over X11Fullscreen, which the daemon builds and
// hands over, so how it finds its display stays the daemon's business.

#include <memory>

#include "daemon/delivery/fullscreen_probe.hpp"
#include "daemon/delivery/x11_fullscreen.hpp"

namespace stretch {

class X11FullscreenProbe final : public FullscreenProbe {
public:
    explicit X11FullscreenProbe(std::unique_ptr<X11Fullscreen> x11) : x11_(std::move(x11)) {}
    bool focused_window_fullscreen() override { return x11_->focused_window_fullscreen(); }

private:
    std::unique_ptr<X11Fullscreen> x11_;
};

}  // namespace stretch
