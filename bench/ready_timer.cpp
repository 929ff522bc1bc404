// stretch_ready_timer: how long a daemon takes from exec to READY=1, timed the
// way systemd sees it: a notify socket of our own in NOTIFY_SOCKET, the clock
// read just before posix_spawn() and again when the datagram arrives.
//
//   stretch_ready_timer RUNS fresh|warm STATE_DIR LOG -- DAEMON [ARGS...]
//
// Each run starts the daemon, waits for READY=1, stops it with SIGTERM and
// waits for it to exit. Its XDG_STATE_HOME is under STATE_DIR: "fresh" gives
// each run an empty one (a first start, which creates the history database),
// "warm" gives all runs the same one (an ordinary start, which opens the
// history and saved state the runs before left). The daemon's output goes to
// LOG. Prints one JSON object with every time in milliseconds.

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <string_view>
#include <vector>

#include <poll.h>
#include <spawn.h>

#include "bench_util.hpp"
#include "shared/unique_fd.hpp"

extern char** environ;

namespace {

using stretch::UniqueFd;

using stretch::bench::now_ns;

[[noreturn]] void die(const char* what, const std::string& value) { stretch::bench::die_with("stretch_ready_timer", what, value); }

UniqueFd bind_notify_socket(const std::string& path) {
    unlink(path.c_str());
    UniqueFd fd(socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (!fd || path.size() >= sizeof addr.sun_path) die("cannot create the notify socket", path);
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    if (bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0) die("cannot bind", path);
    return fd;
}

bool has_ready(std::string_view datagram) {
    while (!datagram.empty()) {
        auto eol = datagram.find('\n');
        if (datagram.substr(0, eol) == "READY=1") return true;
        if (eol == std::string_view::npos) break;
        datagram.remove_prefix(eol + 1);
    }
    return false;
}

// Milliseconds from spawn to READY=1, or a negative number if READY=1 did
// not come within 10 s.
double one_run(char** argv, int notify_fd, const std::string& log) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);

    pid_t pid = 0;
    std::int64_t start = now_ns();
    int err = posix_spawn(&pid, argv[0], &actions, nullptr, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    if (err != 0) {
        errno = err;
        die("cannot start", argv[0]);
    }

    double ms = -1;
    char buf[4096];
    pollfd p{notify_fd, POLLIN, 0};
    while (poll(&p, 1, 10'000) > 0) {
        ssize_t n = recv(notify_fd, buf, sizeof buf, 0);
        if (n > 0 && has_ready(std::string_view(buf, static_cast<std::size_t>(n)))) {
            ms = static_cast<double>(now_ns() - start) / 1e6;
            break;
        }
    }
    kill(pid, SIGTERM);
    int status = 0;
    waitpid(pid, &status, 0);
    while (recv(notify_fd, buf, sizeof buf, MSG_DONTWAIT) > 0) {
    }
    return ms;
}

}  // namespace

int main(int argc, char** argv) {
    std::string_view mode = argc > 2 ? argv[2] : "";
    if (argc < 7 || (mode != "fresh" && mode != "warm") || std::string_view(argv[5]) != "--") {
        std::fprintf(stderr, "usage: stretch_ready_timer RUNS fresh|warm STATE_DIR LOG -- DAEMON [ARGS...]\n");
        return 2;
    }
    int runs = std::atoi(argv[1]);
    bool fresh = mode == "fresh";
    std::string state = argv[3], log = argv[4];
    std::string notify_path = state + ".notify";
    UniqueFd notify = bind_notify_socket(notify_path);
    setenv("NOTIFY_SOCKET", notify_path.c_str(), 1);
    mkdir(state.c_str(), 0700);

    std::vector<double> times;
    int failed = 0;
    for (int i = 0; i < runs; ++i) {
        std::string dir = state + "/" + (fresh ? std::to_string(i) : "warm");
        mkdir(dir.c_str(), 0700);
        setenv("XDG_STATE_HOME", dir.c_str(), 1);
        double ms = one_run(argv + 6, notify.get(), log);
        if (ms < 0)
            ++failed;
        else
            times.push_back(ms);
    }
    unlink(notify_path.c_str());

    std::printf("{\"runs\":%d,\"failed\":%d,\"fresh\":%s,\"ms\":[", runs, failed, fresh ? "true" : "false");
    for (std::size_t i = 0; i < times.size(); ++i) std::printf("%s%.3f", i ? "," : "", times[i]);
    std::printf("]}\n");
    return failed == 0 ? 0 : 1;
}
