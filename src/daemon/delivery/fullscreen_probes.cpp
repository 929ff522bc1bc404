#include "daemon/delivery/fullscreen_probes.hpp"

#include <algorithm>
#include <iterator>

#include "daemon/delivery/wayland_fullscreen.hpp"
#include "daemon/delivery/x11_fullscreen_probe.hpp"

namespace stretch {

FullscreenProbes::FullscreenProbes(std::vector<std::unique_ptr<FullscreenProbe>> probes) : probes_(std::move(probes)) {
    for (auto& p : probes_) p->listen([this] { changed(); });
}

bool FullscreenProbes::focused_window_fullscreen() {
    // Every probe is asked: a polled one counts its questions.
    bool any = false;
    for (auto& p : probes_) any = p->focused_window_fullscreen() || any;
    return any;
}

std::vector<FullscreenReport> FullscreenProbes::describe() const {
    std::vector<FullscreenReport> out;
    for (const auto& p : probes_) std::ranges::move(p->describe(), std::back_inserter(out));
    return out;
}

std::unique_ptr<FullscreenProbes> desktop_fullscreen_probes(EventLoop& loop, DisplayEnvironment& display) {
    std::vector<std::unique_ptr<FullscreenProbe>> probes;
    probes.push_back(std::make_unique<X11FullscreenProbe>(loop, display));
    probes.push_back(std::make_unique<WaylandFullscreen>(loop, display));
    return std::make_unique<FullscreenProbes>(std::move(probes));
}

}  // namespace stretch
