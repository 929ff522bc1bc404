#include "daemon/presence/call/video_device_detector.hpp"

#include <fcntl.h>
#include <linux/videodev2.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "daemon/presence/call/device_holders.hpp"
#include "shared/unique_fd.hpp"

namespace stretch {

bool is_video_capture_node(const std::filesystem::path& device) {
    // Non-blocking: opening a FIFO must not wait for a writer.
    UniqueFd fd(open(device.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
    if (!fd) return true;
    v4l2_capability cap{};
    if (ioctl(fd.get(), VIDIOC_QUERYCAP, &cap) != 0) return true;
    std::uint32_t caps = (cap.capabilities & V4L2_CAP_DEVICE_CAPS) ? cap.device_caps : cap.capabilities;
    bool capture = caps & (V4L2_CAP_VIDEO_CAPTURE | V4L2_CAP_VIDEO_CAPTURE_MPLANE);
    bool codec = caps & (V4L2_CAP_VIDEO_M2M | V4L2_CAP_VIDEO_M2M_MPLANE);
    return capture && !codec;
}

VideoDeviceDetector::VideoDeviceDetector(EventLoop& loop, std::filesystem::path dir, std::string prefix)
    : loop_(loop), dir_(std::move(dir)), prefix_(std::move(prefix)) {
    std::error_code ec;
    dir_watch_ = loop_.add_inotify(
        dir_.c_str(), IN_CREATE | IN_DELETE | IN_MOVED_TO | IN_MOVED_FROM | IN_ONLYDIR,
        [this](const inotify_event& e) { on_dir_event(e); }, ec);
    if (!dir_watch_) {
        problem_ = fmt::format("cannot watch \"{}\" for video devices: {}", dir_.string(), ec.message());
        spdlog::warn("video-device: {}", problem_);
        return;
    }
    find_devices();
    // An application may hold a camera already; on the loop, so the first
    // announcement never comes from inside the constructor.
    schedule_scan();
}

bool VideoDeviceDetector::is_device_name(std::string_view name) const {
    if (!name.starts_with(prefix_) || name.size() == prefix_.size()) return false;
    return std::ranges::all_of(name.substr(prefix_.size()),
                               [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

void VideoDeviceDetector::find_devices() {
    std::map<std::string, Device> found;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir_, ec)) {
        std::string name = entry.path().filename().string();
        if (!is_device_name(name)) continue;
        if (auto known = devices_.find(name);
            known != devices_.end() && (known->second.watch || !known->second.capture)) {
            found.emplace(name, std::move(known->second));
            continue;
        }
        Device device;
        // Asked before it is watched: this open must not wake us.
        device.capture = is_video_capture_node(entry.path());
        if (device.capture) {
            std::error_code watch_error;
            device.watch = loop_.add_inotify(
                entry.path().c_str(), IN_OPEN | IN_CLOSE_WRITE | IN_CLOSE_NOWRITE,
                [this](const inotify_event& e) {
                    if (e.mask & (IN_IGNORED | IN_DELETE_SELF)) {
                        find_ = loop_.add_defer([this] { find_devices(); });
                        return;
                    }
                    schedule_scan();
                },
                watch_error);
            if (!device.watch)
                spdlog::warn("video-device: cannot watch \"{}\": {}", entry.path().string(), watch_error.message());
        }
        found.emplace(name, std::move(device));
    }
    devices_ = std::move(found);
}

void VideoDeviceDetector::on_dir_event(const inotify_event& e) {
    if (e.mask & IN_Q_OVERFLOW) {
        find_ = loop_.add_defer([this] {
            find_devices();
            schedule_scan();
        });
        return;
    }
    if (e.len == 0 || !is_device_name(e.name)) return;
    // On a later turn: not from inside a watch's own callback.
    find_ = loop_.add_defer([this] {
        find_devices();
        schedule_scan();
    });
}

void VideoDeviceDetector::schedule_scan() {
    if (scan_pending_) return;
    scan_pending_ = true;
    scan_ = loop_.add_defer([this] {
        scan_pending_ = false;
        scan();
    });
}

void VideoDeviceDetector::scan() {
    std::vector<std::filesystem::path> paths;
    for (const auto& [name, device] : devices_)
        if (device.capture) {
            std::error_code ec;
            auto real = std::filesystem::weakly_canonical(dir_ / name, ec);
            paths.push_back(ec ? dir_ / name : real);
        }
    auto started = std::chrono::steady_clock::now();
    auto result = device_holders(paths, geteuid(), getpid());
    ++scans_;
    spdlog::debug(
        "video-device: {} of {} processes hold a video device open (looked in {} µs)", result.holders.size(),
        result.processes,
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started).count());
    std::vector<Capture> now;
    for (const auto& h : result.holders)
        now.push_back({CaptureDevice::camera, h.comm.empty() ? fmt::format("process {}", h.pid) : h.comm,
                       CallDetectorName::video_device});
    std::ranges::sort(now);
    now.erase(std::unique(now.begin(), now.end()), now.end());
    captures_ = std::move(now);
    announce();
}

std::vector<CallDetectorReport> VideoDeviceDetector::describe() const {
    if (!problem_.empty()) return {{CallDetectorName::video_device, false, problem_}};
    std::string watched, skipped;
    for (const auto& [name, device] : devices_) {
        std::string& list = device.capture ? watched : skipped;
        list += (list.empty() ? "" : ", ") + name;
    }
    std::string where = fmt::format("\"{}\"", dir_.string());
    std::string detail = watched.empty()
                             ? fmt::format("no camera in {} now: one plugged in is watched", where)
                             : fmt::format("watching {} in {} for applications that open it", watched, where);
    if (!skipped.empty()) detail += fmt::format(" ({}: not a capture device)", skipped);
    return {{CallDetectorName::video_device, true, std::move(detail)}};
}

void VideoDeviceDetector::announce() {
    auto report = describe();
    if (captures_ == announced_ && report == announced_report_) return;
    announced_ = captures_;
    announced_report_ = std::move(report);
    changed();
}

}  // namespace stretch
