#include "daemon/presence/call/device_holders.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <memory>

#include <dirent.h>

#include "shared/unique_fd.hpp"

namespace stretch {
namespace {

struct CloseDir {
    void operator()(DIR* d) const { closedir(d); }
};
using DirPtr = std::unique_ptr<DIR, CloseDir>;

bool all_digits(const char* s) {
    if (*s == '\0') return false;
    for (; *s; ++s)
        if (!std::isdigit(static_cast<unsigned char>(*s))) return false;
    return true;
}

std::string read_comm(int pid_dir) {
    UniqueFd fd(openat(pid_dir, "comm", O_RDONLY | O_CLOEXEC));
    if (!fd) return {};
    char buf[64];
    ssize_t n = read(fd.get(), buf, sizeof buf);
    if (n <= 0) return {};
    std::string comm(buf, static_cast<std::size_t>(n));
    while (!comm.empty() && comm.back() == '\n') comm.pop_back();
    return comm;
}

}  // namespace

DeviceScan device_holders(const std::vector<std::filesystem::path>& devices, uid_t uid, pid_t self,
                          const std::filesystem::path& proc) {
    DeviceScan scan;
    if (devices.empty()) return scan;
    DirPtr dir(opendir(proc.c_str()));
    if (!dir) return scan;
    int proc_fd = dirfd(dir.get());
    std::string self_name = std::to_string(self);
    while (dirent* entry = readdir(dir.get())) {
        if (!all_digits(entry->d_name) || self_name == entry->d_name) continue;
        struct stat st {};
        if (fstatat(proc_fd, entry->d_name, &st, 0) != 0 || st.st_uid != uid) continue;
        UniqueFd pid_dir(openat(proc_fd, entry->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (!pid_dir) continue;
        ++scan.processes;
        UniqueFd fds_fd(openat(pid_dir.get(), "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (!fds_fd) continue;
        DirPtr fds(fdopendir(fds_fd.get()));
        if (!fds) continue;
        fds_fd.release();  // closedir closes it
        while (dirent* fd_entry = readdir(fds.get())) {
            if (!all_digits(fd_entry->d_name)) continue;
            char target[4096];
            ssize_t n = readlinkat(dirfd(fds.get()), fd_entry->d_name, target, sizeof target - 1);
            if (n <= 0 || target[0] != '/') continue;  // sockets, pipes, anon inodes
            std::string_view path(target, static_cast<std::size_t>(n));
            auto held = std::ranges::find_if(devices, [&](const auto& d) { return d.native() == path; });
            if (held == devices.end()) continue;
            DeviceHolder h{static_cast<pid_t>(std::stol(entry->d_name)), read_comm(pid_dir.get()), *held};
            if (std::ranges::find(scan.holders, h) == scan.holders.end()) scan.holders.push_back(std::move(h));
        }
    }
    return scan;
}

}  // namespace stretch
