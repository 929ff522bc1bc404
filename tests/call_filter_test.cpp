// Which captures make a call by the user's [meeting] settings.

#include <doctest/doctest.h>

#include "core/config.hpp"
#include "daemon/presence/call/call_filter.hpp"

namespace stretch {

TEST_CASE("the camera and microphone switches, the ignore list (any case) and enabled decide what is a call") {
    Capture mic{CaptureDevice::microphone, "pw-record", CallDetectorName::pipewire};
    Capture cam{CaptureDevice::camera, "firefox", CallDetectorName::video_device};
    Meeting m;
    CHECK(call_captures({mic, cam}, m) == std::vector<Capture>{mic, cam});

    m.microphone = false;
    CHECK(call_captures({mic, cam}, m) == std::vector<Capture>{cam});
    m.microphone = true;
    m.camera = false;
    CHECK(call_captures({mic, cam}, m) == std::vector<Capture>{mic});
    m.camera = true;

    m.ignore = {"PW-Record"};
    CHECK_FALSE(counts_as_call(mic, m));
    CHECK(counts_as_call(cam, m));
    m.ignore = {"pw-rec"};  // a whole name, not a prefix
    CHECK(counts_as_call(mic, m));

    m.enabled = false;
    CHECK(call_captures({mic, cam}, m).empty());
}

}  // namespace stretch
