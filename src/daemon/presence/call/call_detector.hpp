#pragma once
// The edge where calls come in: which capture devices (camera, microphone)
// applications use now. The real detectors are PipeWire's registry
// (pipewire_detector.hpp) and /dev/video* held open (video_device_detector.hpp),
// asked together by CallDetectors; tests use tests/fakes/fake_call_detector.hpp.
// Everything is called on the loop thread.
//
// captures() is unfiltered: the user's `[meeting] ignore` list and the
// camera/microphone switches are the meeting layer's. A detector that is
// lost (PipeWire gone) reports no captures, so a call in progress ends, and
// says why in describe().

#include <functional>
#include <vector>

#include "daemon/presence/call/capture.hpp"

namespace stretch {

class CallDetector {
public:
    virtual ~CallDetector() = default;

    // Set once by the owner. Called whenever captures() or describe()
    // changed, and only then; never from inside the constructor.
    void listen(std::function<void()> on_change) { on_change_ = std::move(on_change); }

    // The captures in use now, sorted, without repeats.
    virtual std::vector<Capture> captures() const = 0;
    // For doctor: one report per detector behind this one.
    virtual std::vector<CallDetectorReport> describe() const = 0;

protected:
    void changed() const {
        if (on_change_) on_change_();
    }

private:
    std::function<void()> on_change_;
};

}  // namespace stretch
