// CallDetectors, the detector the daemon uses, over recording fakes: every
// change any detector announces is passed on; the captures are all of
// theirs, sorted, each once; a camera PipeWire itself holds open is left
// to the PipeWire detector while that works.

#include "daemon/presence/call/call_detectors.hpp"

#include <cstdlib>
#include <string>

#include <doctest/doctest.h>

#include "fakes/fake_call_detector.hpp"

namespace stretch {
namespace {

using test::FakeCallDetector;

struct Fixture {
    FakeCallDetector* pipewire = nullptr;
    FakeCallDetector* video = nullptr;
    std::unique_ptr<CallDetectors> calls;
    int changes = 0;

    Fixture() {
        auto p = std::make_unique<FakeCallDetector>(CallDetectorName::pipewire);
        auto v = std::make_unique<FakeCallDetector>(CallDetectorName::video_device);
        pipewire = p.get();
        video = v.get();
        std::vector<std::unique_ptr<CallDetector>> all;
        all.push_back(std::move(p));
        all.push_back(std::move(v));
        calls = std::make_unique<CallDetectors>(std::move(all));
        calls->listen([this] { ++changes; });
    }
};

Capture mic(const char* app) { return {CaptureDevice::microphone, app, CallDetectorName::pipewire}; }
Capture held(const char* app) { return {CaptureDevice::camera, app, CallDetectorName::video_device}; }

TEST_CASE("each detector's change is passed on, and the captures are all of theirs, sorted") {
    Fixture f;
    f.pipewire->set({mic("zoom")});
    CHECK(f.changes == 1);
    f.video->set({held("chrome")});
    CHECK(f.changes == 2);
    CHECK(f.calls->captures() == std::vector<Capture>{held("chrome"), mic("zoom")});
    f.pipewire->set({});
    CHECK(f.changes == 3);
    CHECK(f.calls->captures() == std::vector<Capture>{held("chrome")});
}

TEST_CASE("doctor gets one report per detector, in order") {
    Fixture f;
    f.video->set_report(false, "cannot watch \"/dev\"");
    auto reports = f.calls->describe();
    REQUIRE(reports.size() == 2);
    CHECK(reports[0].detector == CallDetectorName::pipewire);
    CHECK(reports[0].working);
    CHECK(reports[1].detector == CallDetectorName::video_device);
    CHECK_FALSE(reports[1].working);
    CHECK(reports[1].detail == "cannot watch \"/dev\"");
}

TEST_CASE("a camera held open by PipeWire is PipeWire's to name while that detector works") {
    Fixture f;
    f.video->set({held("pipewire"), held("chrome")});
    CHECK(f.calls->captures() == std::vector<Capture>{held("chrome")});
    f.pipewire->set_report(false, "lost PipeWire");
    CHECK(f.calls->captures() == std::vector<Capture>{held("chrome"), held("pipewire")});
}

TEST_CASE("the video devices come from /dev unless STRETCHD_VIDEO_DEVICE_DIR says otherwise") {
    const char* before = std::getenv("STRETCHD_VIDEO_DEVICE_DIR");
    std::string saved = before ? before : "";
    ::unsetenv("STRETCHD_VIDEO_DEVICE_DIR");
    CHECK(video_device_dir() == "/dev");
    ::setenv("STRETCHD_VIDEO_DEVICE_DIR", "/tmp/fake-dev", 1);
    CHECK(video_device_dir() == "/tmp/fake-dev");
    if (before)
        ::setenv("STRETCHD_VIDEO_DEVICE_DIR", saved.c_str(), 1);
    else
        ::unsetenv("STRETCHD_VIDEO_DEVICE_DIR");
}

}  // namespace
}  // namespace stretch
