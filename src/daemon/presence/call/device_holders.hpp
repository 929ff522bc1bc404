#pragma once
// Who holds a device node open: the processes of one user whose open files
// (/proc/<pid>/fd, read with readlink) include one of the given paths.
// Only the user's own processes can be read without privileges, and only
// they matter: a call is the user's. Reads /proc; no state, no loop.

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

namespace stretch {

struct DeviceHolder {
    pid_t pid = 0;
    std::string comm;  // /proc/<pid>/comm: the name `ps` and `top` show
    std::filesystem::path device;
    friend bool operator==(const DeviceHolder&, const DeviceHolder&) = default;
};

struct DeviceScan {
    std::vector<DeviceHolder> holders;
    int processes = 0;  // of `uid`, looked at
};

// The processes of `uid`, except `self`, holding one of `devices` (absolute
// paths, as the kernel shows them: no symbolic links) open.
DeviceScan device_holders(const std::vector<std::filesystem::path>& devices, uid_t uid, pid_t self,
                          const std::filesystem::path& proc = "/proc");

}  // namespace stretch
