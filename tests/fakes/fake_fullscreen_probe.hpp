#pragma once
// A FullscreenProbe answering what the test sets, counting how often it
// was asked. set() announces the change, as a probe fed by window manager
// events would; set_quietly() does not, as the polled X11 probe does not.

#include "daemon/delivery/fullscreen_probe.hpp"

namespace stretch::test {

class FakeFullscreenProbe : public FullscreenProbe {
public:
    bool focused_window_fullscreen() override {
        ++asked;
        return fullscreen_;
    }
    void set(bool fullscreen) {
        fullscreen_ = fullscreen;
        changed();
    }
    void set_quietly(bool fullscreen) { fullscreen_ = fullscreen; }
    std::vector<FullscreenReport> describe() const override { return reports; }

    int asked = 0;
    std::vector<FullscreenReport> reports;  // what describe() answers

private:
    bool fullscreen_ = false;
};

}  // namespace stretch::test
