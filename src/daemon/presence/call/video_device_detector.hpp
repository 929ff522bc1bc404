#pragma once
// Cameras used without PipeWire: an application that opens /dev/videoN
// itself (many browsers and call clients do). inotify on each capture node
// (IN_OPEN, IN_CLOSE_*) is the trigger, never a timer; on a trigger, the
// user's own processes are asked who holds a node open (device_holders.hpp)
// and each holder is a camera capture, named by its comm. The directory is
// watched for nodes made or removed later (a camera plugged in).
//
// Nodes that are not capture devices (a UVC camera's metadata node, a
// codec) are not watched: VIDIOC_QUERYCAP says so, asked once when a node
// is found, before it is watched. A node that cannot be asked (no access,
// not a V4L2 device: a test's plain file) is watched.
//
// What it cannot tell: an application that opens a node only for a moment
// (to list the cameras) counts for that moment, if the scan comes while it
// is open; one that keeps a node open without streaming counts all along.

#include <filesystem>
#include <map>
#include <string>

#include "daemon/plumbing/event_loop.hpp"
#include "daemon/presence/call/call_detector.hpp"

namespace stretch {

// Whether `device` is a video capture node; true when it cannot be asked.
bool is_video_capture_node(const std::filesystem::path& device);

class VideoDeviceDetector final : public CallDetector {
public:
    // Watches the nodes in `dir` whose names are `prefix` and a number
    // ("video0"). The daemon's: /dev and "video".
    VideoDeviceDetector(EventLoop& loop, std::filesystem::path dir, std::string prefix);

    std::vector<Capture> captures() const override { return captures_; }
    std::vector<CallDetectorReport> describe() const override;

    // For tests: how many scans of /proc were made.
    int scans() const { return scans_; }

private:
    bool is_device_name(std::string_view name) const;
    void find_devices();
    void on_dir_event(const inotify_event& event);
    void schedule_scan();
    void scan();
    void announce();

    EventLoop& loop_;
    std::filesystem::path dir_;
    std::string prefix_;
    EventSource dir_watch_;
    std::string problem_;  // why the directory is not watched
    struct Device {
        EventSource watch;
        bool capture = true;
    };
    std::map<std::string, Device> devices_;
    EventSource find_;  // devices looked for again, on a later turn
    EventSource scan_;  // one scan for a burst of opens and closes
    bool scan_pending_ = false;
    int scans_ = 0;
    std::vector<Capture> captures_;
    std::vector<Capture> announced_;
    std::vector<CallDetectorReport> announced_report_;
};

}  // namespace stretch
