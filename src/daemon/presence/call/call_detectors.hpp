#pragma once
// The call detector the daemon uses: asks each detector (PipeWire, video
// devices) and passes on each change any of them announces. A camera that
// PipeWire itself holds open is PipeWire's consumer's capture, already named
// by the PipeWire detector: the video-device detector's "pipewire" is left
// out while PipeWire works. Single-threaded, on the loop.

#include <filesystem>
#include <memory>
#include <vector>

#include "daemon/presence/call/call_detector.hpp"

namespace stretch {

class EventLoop;

class CallDetectors final : public CallDetector {
public:
    explicit CallDetectors(std::vector<std::unique_ptr<CallDetector>> detectors);

    std::vector<Capture> captures() const override;
    std::vector<CallDetectorReport> describe() const override;

private:
    std::vector<std::unique_ptr<CallDetector>> detectors_;
};

// Where the video-device detector looks: /dev and "video", unless
// STRETCHD_VIDEO_DEVICE_DIR names another directory (for tests).
std::filesystem::path video_device_dir();

// The daemon's: PipeWire (socket from PIPEWIRE_RUNTIME_DIR or
// XDG_RUNTIME_DIR, and PIPEWIRE_REMOTE, as libpipewire finds it) and the
// video devices in video_device_dir().
std::unique_ptr<CallDetectors> desktop_call_detectors(EventLoop& loop);

}  // namespace stretch
