// The PipeWire call rules on node properties recorded from a real PipeWire
// 0.3.65 with WirePlumber 0.4.13 (pw-dump): pw-record from a null source,
// pw-record of a sink's monitor, a volume meter, a v4l2 camera and the
// stream of an application reading it, a screen cast. Which nodes count
// as a microphone or a camera in use, and under which name.

#include "daemon/presence/call/pipewire_graph.hpp"

#include <doctest/doctest.h>

namespace stretch {
namespace {

// pw-record --target fake-mic out.wav, as pw-dump showed it (trimmed).
NodeProps pw_record() {
    return {{"application.name", "pw-record"}, {"client.id", "40"},
            {"media.category", "Capture"},     {"media.class", "Stream/Input/Audio"},
            {"media.name", "out.wav"},         {"media.role", "Music"},
            {"media.type", "Audio"},           {"node.name", "pw-record"},
            {"stream.is-live", "true"},        {"target.object", "fake-mic"}};
}

// pw-record -P stream.capture.sink=true --target fake-speaker: desktop audio.
NodeProps sink_recording() {
    auto p = pw_record();
    p["stream.capture.sink"] = "true";
    return p;
}

// pavucontrol's level meter through pipewire-pulse (PA_STREAM_PEAK_DETECT).
NodeProps level_meter() {
    return {{"application.name", "PulseAudio Volume Control"},
            {"media.class", "Stream/Input/Audio"},
            {"media.name", "Peak detect"},
            {"node.name", "pavucontrol"},
            {"stream.monitor", "true"}};
}

// A UVC camera as WirePlumber's v4l2 monitor makes it.
NodeProps v4l2_camera() {
    return {{"api.v4l2.path", "/dev/video0"},
            {"device.api", "v4l2"},
            {"media.class", "Video/Source"},
            {"media.role", "Camera"},
            {"node.description", "Integrated Camera (V4L2)"},
            {"node.name", "v4l2_input.pci-0000_00_14.0-usb-0_6_1.0"}};
}

// The fake camera of the integration tests: videotestsrc, Camera role, no device.
NodeProps test_camera() {
    return {{"factory.name", "videotestsrc"},
            {"media.class", "Video/Source"},
            {"media.role", "Camera"},
            {"node.description", "Fake camera"},
            {"node.name", "fake-cam"}};
}

// An application's stream reading a camera (no Camera role of its own).
NodeProps camera_reader(const char* app) {
    return {{"application.name", app},
            {"media.class", "Stream/Input/Video"},
            {"media.type", "Video"},
            {"node.name", "webrtc-consume-stream"}};
}

// A screen cast: the compositor's source, no device, no Camera role.
NodeProps screen_cast() {
    return {
        {"media.class", "Video/Source"}, {"node.name", "gnome-shell-screencast"}, {"application.name", "gnome-shell"}};
}

Capture mic(const char* app) { return {CaptureDevice::microphone, app, CallDetectorName::pipewire}; }
Capture cam(const char* app) { return {CaptureDevice::camera, app, CallDetectorName::pipewire}; }

TEST_CASE("a recording stream that runs is a microphone in use, named by its application") {
    CHECK(stream_capture(pw_record(), NodeState::running) == mic("pw-record"));
    CHECK_FALSE(stream_capture(pw_record(), NodeState::idle));
    CHECK_FALSE(stream_capture(pw_record(), NodeState::suspended));
    CHECK_FALSE(stream_capture(pw_record(), NodeState::creating));
}

TEST_CASE("desktop audio and level meters are not a microphone") {
    CHECK_FALSE(stream_capture(sink_recording(), NodeState::running));
    CHECK_FALSE(stream_capture(level_meter(), NodeState::running));
    auto p = pw_record();
    p["stream.monitor"] = "false";
    CHECK(stream_capture(p, NodeState::running) == mic("pw-record"));
}

TEST_CASE("the application's name: application.name, else the binary, else the node's name") {
    auto p = pw_record();
    CHECK(application_of(p) == "pw-record");
    p.erase("application.name");
    p["application.process.binary"] = "zoom";
    CHECK(application_of(p) == "zoom");
    p.erase("application.process.binary");
    p["node.name"] = "Chromium input";
    CHECK(application_of(p) == "Chromium input");
}

TEST_CASE("only nodes that may capture are worth binding") {
    CHECK(node_worth_following({{"media.class", "Stream/Input/Audio"}}));
    CHECK(node_worth_following({{"media.class", "Stream/Input/Video"}}));
    CHECK(node_worth_following({{"media.class", "Video/Source"}}));
    CHECK(node_worth_following({{"media.class", "Video/Source"}, {"media.role", "Camera"}}));
    CHECK_FALSE(node_worth_following({{"media.class", "Stream/Output/Audio"}}));
    CHECK_FALSE(node_worth_following({{"media.class", "Audio/Source/Virtual"}, {"node.name", "fake-mic"}}));
    CHECK_FALSE(node_worth_following({{"media.class", "Audio/Sink"}}));
    CHECK_FALSE(node_worth_following({{"node.name", "Dummy-Driver"}}));
}

TEST_CASE("a camera is a Camera-role source or a v4l2/libcamera Video/Source, never a stream or a screen cast") {
    CHECK(is_camera_source(v4l2_camera()));
    CHECK(is_camera_source(test_camera()));
    auto libcamera = v4l2_camera();
    libcamera.erase("media.role");
    libcamera["device.api"] = "libcamera";
    CHECK(is_camera_source(libcamera));
    CHECK_FALSE(is_camera_source(screen_cast()));
    CHECK_FALSE(is_camera_source(camera_reader("firefox")));
}

TEST_CASE("a running camera is in use by the applications whose streams read it") {
    PipeWireGraph g;
    g.node_props(50, v4l2_camera());
    g.node_state(50, NodeState::running);
    g.node_props(60, camera_reader("Firefox"));
    g.node_state(60, NodeState::running);
    g.node_props(61, camera_reader("zoom"));
    g.node_state(61, NodeState::running);
    g.link(70, 50, 60);
    g.link(71, 50, 61);
    CHECK(g.captures() == std::vector<Capture>{cam("Firefox"), cam("zoom")});

    g.remove(71);  // zoom's link gone
    CHECK(g.captures() == std::vector<Capture>{cam("Firefox")});
    g.node_state(50, NodeState::idle);  // nobody reads it any more
    CHECK(g.captures().empty());
}

TEST_CASE("a running camera with no reading stream known is named after itself") {
    PipeWireGraph g;
    g.node_props(31, test_camera());
    g.node_state(31, NodeState::suspended);
    CHECK(g.captures().empty());
    g.node_state(31, NodeState::running);
    CHECK(g.captures() == std::vector<Capture>{cam("Fake camera")});
}

TEST_CASE("a stream reading a screen cast is not a camera; one that says Camera is") {
    PipeWireGraph g;
    g.node_props(80, screen_cast());
    g.node_state(80, NodeState::running);
    g.node_props(81, camera_reader("obs"));
    g.node_state(81, NodeState::running);
    g.link(82, 80, 81);
    CHECK(g.captures().empty());

    auto portal = camera_reader("org.gnome.Snapshot");
    portal["media.role"] = "Camera";
    g.node_props(83, portal);
    g.node_state(83, NodeState::running);
    CHECK(g.captures() == std::vector<Capture>{cam("org.gnome.Snapshot")});
}

TEST_CASE("captures are sorted and each is there once; a node's props change keeps its state") {
    PipeWireGraph g;
    g.node_props(41, pw_record());
    g.node_state(41, NodeState::running);
    g.node_props(42, pw_record());
    g.node_state(42, NodeState::running);
    g.node_props(43, test_camera());
    g.node_state(43, NodeState::running);
    CHECK(g.captures() == std::vector<Capture>{cam("Fake camera"), mic("pw-record")});
    g.node_props(41, sink_recording());
    g.remove(42);
    CHECK(g.captures() == std::vector<Capture>{cam("Fake camera")});
    CHECK(g.nodes() == 2);
    g.clear();
    CHECK(g.captures().empty());
    CHECK(g.nodes() == 0);
}

}  // namespace
}  // namespace stretch
