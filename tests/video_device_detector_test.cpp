// The video-device detector on the real loop and inotify, with plain files
// in a temporary directory standing in for /dev/video*: a child process
// that opens one (named by prctl, so its comm is known) is a camera in use
// by that comm while it holds it, and not once it exits. Devices made
// later are watched too; names that are not "video" and a number are not.
// The loop is stepped until a condition holds.

#include "daemon/presence/call/video_device_detector.hpp"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

#include <doctest/doctest.h>
#include <signal.h>

#include "daemon/presence/call/device_holders.hpp"
#include "fakes/step_until.hpp"
#include "fakes/temp_dir.hpp"
#include "shared/unique_fd.hpp"

namespace stretch {
namespace {

namespace fs = std::filesystem;

void touch(const fs::path& p) { std::ofstream(p) << ""; }

// A child that opens `device` under the name `comm` and keeps it open
// until it is killed. Returns once the device is open.
class Holder {
public:
    Holder(const fs::path& device, const char* comm) {
        int ready[2];
        REQUIRE(pipe(ready) == 0);
        pid_ = fork();
        REQUIRE(pid_ >= 0);
        if (pid_ == 0) {
            // Nothing of the parent's but the pipe: sd-event holds an O_PATH
            // descriptor of a new watch's inode until its next turn, which
            // would make this child a holder of a device just watched.
            dup2(ready[1], 3);
            close_range(4, ~0U, 0);
            prctl(PR_SET_NAME, comm);
            int fd = open(device.c_str(), O_RDONLY);
            char c = fd >= 0 ? 'y' : 'n';
            if (write(3, &c, 1) != 1) _exit(1);
            for (;;) pause();
        }
        close(ready[1]);
        char c = 0;
        REQUIRE(read(ready[0], &c, 1) == 1);
        close(ready[0]);
        REQUIRE(c == 'y');
    }
    ~Holder() { stop(); }
    void stop() {
        if (pid_ <= 0) return;
        kill(pid_, SIGKILL);
        waitpid(pid_, nullptr, 0);
        pid_ = -1;
    }
    pid_t pid() const { return pid_; }

private:
    pid_t pid_ = -1;
};

Capture held_by(const char* comm) { return {CaptureDevice::camera, comm, CallDetectorName::video_device}; }

TEST_CASE("a child holding a video device open is a camera in use by its comm, until it exits") {
    TempDir dir("video");
    touch(dir.path() / "video0");
    EventLoop loop;
    VideoDeviceDetector detector(loop, dir.path(), "video");
    int changes = 0;
    detector.listen([&] { ++changes; });
    REQUIRE(step_until(loop, [&] { return detector.scans() >= 1; }));
    CHECK(detector.captures().empty());
    auto report = detector.describe();
    REQUIRE(report.size() == 1);
    CHECK(report[0].working);
    CHECK(report[0].detail.find("video0") != std::string::npos);

    {
        Holder child(dir.path() / "video0", "fake-call");
        REQUIRE(step_until(loop, [&] { return !detector.captures().empty(); }));
        CHECK(detector.captures() == std::vector<Capture>{held_by("fake-call")});
        int before = changes;
        child.stop();
        REQUIRE(step_until(loop, [&] { return detector.captures().empty(); }));
        CHECK(changes == before + 1);
    }
}

TEST_CASE("a video device made later is watched; other names are not") {
    TempDir dir("video");
    EventLoop loop;
    VideoDeviceDetector detector(loop, dir.path(), "video");
    REQUIRE(step_until(loop, [&] { return detector.scans() >= 1; }));
    CHECK(detector.describe()[0].detail.find("no camera") != std::string::npos);

    touch(dir.path() / "vbi0");
    touch(dir.path() / "videoX");
    touch(dir.path() / "video3");
    REQUIRE(step_until(loop, [&] { return detector.describe()[0].detail.find("video3") != std::string::npos; }));
    CHECK(detector.describe()[0].detail.find("vbi0") == std::string::npos);
    CHECK(detector.describe()[0].detail.find("videoX") == std::string::npos);

    Holder other(dir.path() / "vbi0", "not-a-camera");
    Holder child(dir.path() / "video3", "late-call");
    REQUIRE(step_until(loop, [&] { return !detector.captures().empty(); }));
    CHECK(detector.captures() == std::vector<Capture>{held_by("late-call")});
}

TEST_CASE("the scan finds the holders of a device, never the scanning process itself") {
    TempDir dir("video");
    auto device = dir.path() / "video0";
    touch(device);
    UniqueFd mine(open(device.c_str(), O_RDONLY | O_CLOEXEC));
    REQUIRE(mine);
    CHECK(device_holders({device}, geteuid(), getpid()).holders.empty());
    auto scan = device_holders({device}, geteuid(), 0);
    REQUIRE(scan.holders.size() == 1);
    CHECK(scan.holders[0].pid == getpid());
    CHECK(scan.holders[0].device == device);
    CHECK(scan.processes >= 1);
    // Another user's processes are not looked at.
    CHECK(device_holders({device}, geteuid() + 1, 0).holders.empty());
}

TEST_CASE("a node that cannot be asked counts as a camera; asking never waits") {
    TempDir dir("video");
    touch(dir.path() / "video0");
    CHECK(is_video_capture_node(dir.path() / "video0"));
    REQUIRE(mkfifo((dir.path() / "video1").c_str(), 0600) == 0);
    CHECK(is_video_capture_node(dir.path() / "video1"));  // a FIFO with no writer: would block without O_NONBLOCK
    CHECK(is_video_capture_node(dir.path() / "missing"));
}

}  // namespace
}  // namespace stretch
