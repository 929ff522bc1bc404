#include "daemon/presence/call/call_detectors.hpp"

#include <algorithm>
#include <cstdlib>
#include <iterator>

#include "daemon/presence/call/pipewire_detector.hpp"
#include "daemon/presence/call/video_device_detector.hpp"

namespace stretch {

CallDetectors::CallDetectors(std::vector<std::unique_ptr<CallDetector>> detectors) : detectors_(std::move(detectors)) {
    for (auto& d : detectors_) d->listen([this] { changed(); });
}

std::vector<Capture> CallDetectors::captures() const {
    bool pipewire_works = false;
    for (const auto& d : detectors_)
        for (const auto& r : d->describe())
            if (r.detector == CallDetectorName::pipewire && r.working) pipewire_works = true;
    std::vector<Capture> out;
    for (const auto& d : detectors_)
        for (auto& c : d->captures())
            if (!(pipewire_works && c.detector == CallDetectorName::video_device && c.application == "pipewire"))
                out.push_back(std::move(c));
    std::ranges::sort(out);
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

std::vector<CallDetectorReport> CallDetectors::describe() const {
    std::vector<CallDetectorReport> out;
    for (const auto& d : detectors_) std::ranges::move(d->describe(), std::back_inserter(out));
    return out;
}

std::filesystem::path video_device_dir() {
    const char* dir = std::getenv("STRETCHD_VIDEO_DEVICE_DIR");
    return dir && *dir ? std::filesystem::path(dir) : std::filesystem::path("/dev");
}

std::unique_ptr<CallDetectors> desktop_call_detectors(EventLoop& loop) {
    std::vector<std::unique_ptr<CallDetector>> detectors;
    detectors.push_back(std::make_unique<PipeWireDetector>(loop, pipewire_socket_path()));
    detectors.push_back(std::make_unique<VideoDeviceDetector>(loop, video_device_dir(), "video"));
    return std::make_unique<CallDetectors>(std::move(detectors));
}

}  // namespace stretch
