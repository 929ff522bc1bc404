#pragma once
// A capture device in use by an application: what a call looks like from
// the desktop. The names are the `calls` values of `doctor`
// (docs/protocol.md) and the words of the log; one table each, both ways.

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace stretch {

enum class CaptureDevice {
    camera,
    microphone,
};

inline constexpr std::array<std::pair<CaptureDevice, std::string_view>, 2> capture_device_names = {{
    {CaptureDevice::camera, "camera"},
    {CaptureDevice::microphone, "microphone"},
}};

constexpr std::string_view capture_device_name(CaptureDevice device) {
    for (auto [d, name] : capture_device_names)
        if (d == device) return name;
    return "unknown";
}

constexpr std::optional<CaptureDevice> capture_device_from_name(std::string_view name) {
    for (auto [d, n] : capture_device_names)
        if (n == name) return d;
    return std::nullopt;
}

// Where a capture was seen.
enum class CallDetectorName {
    pipewire,      // PipeWire's registry: streams and camera nodes RUNNING
    video_device,  // a process holding a /dev/video* capture node open
};

inline constexpr std::array<std::pair<CallDetectorName, std::string_view>, 2> call_detector_names = {{
    {CallDetectorName::pipewire, "pipewire"},
    {CallDetectorName::video_device, "video-device"},
}};

constexpr std::string_view call_detector_name(CallDetectorName detector) {
    for (auto [d, name] : call_detector_names)
        if (d == detector) return name;
    return "unknown";
}

constexpr std::optional<CallDetectorName> call_detector_from_name(std::string_view name) {
    for (auto [d, n] : call_detector_names)
        if (n == name) return d;
    return std::nullopt;
}

struct Capture {
    CaptureDevice device;
    // What the user would recognise and write in `[meeting] ignore`:
    // PipeWire's application.name (else application.process.binary, else
    // node.name); for a device held open, the process's comm.
    std::string application;
    CallDetectorName detector;
    friend bool operator==(const Capture&, const Capture&) = default;
    friend auto operator<=>(const Capture&, const Capture&) = default;
};

// "microphone in use by pw-record (pipewire)", for the log.
inline std::string describe_capture(const Capture& c) {
    return std::string(capture_device_name(c.device)) + " in use by " + c.application + " (" +
           std::string(call_detector_name(c.detector)) + ")";
}

// One detector's state for `doctor`: working, or not and why.
struct CallDetectorReport {
    CallDetectorName detector;
    bool working = false;
    std::string detail;  // what is followed ("PipeWire 0.3.65 at /run/user/1000/pipewire-0"), or why not
    friend bool operator==(const CallDetectorReport&, const CallDetectorReport&) = default;
};

}  // namespace stretch
