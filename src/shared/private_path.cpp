#include "shared/private_path.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include <fmt/format.h>

namespace stretch {
namespace {

std::string quoted(const std::filesystem::path& p) { return fmt::format("\"{}\"", p.string()); }

std::string remove_fix(const std::filesystem::path& p) {
    return fmt::format("move it away (mv {0} {0}.old), then try again", quoted(p));
}

// Checks what `fd` (opened from `path` without following a link) is, and
// takes away what group and others may do with it. The owner's own bits are
// left as they are: a history made read-only on purpose stays read-only.
std::optional<std::string> tighten(std::string_view label, const std::filesystem::path& path, int fd, bool directory) {
    struct stat st {};
    if (::fstat(fd, &st) < 0)
        throw PrivatePathError(label, path, std::strerror(errno), "check the path and its permissions");
    if (directory ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode))
        throw PrivatePathError(label, path, directory ? "is not a directory" : "is not a regular file",
                               remove_fix(path));
    if (st.st_uid != ::getuid())
        throw PrivatePathError(label, path, fmt::format("belongs to uid {}, not to uid {} that runs stretch", st.st_uid, ::getuid()),
                               fmt::format("as root, give it to yourself (chown -R {} {}) or remove it", ::getuid(), quoted(path)));
    mode_t now = st.st_mode & 07777;
    if ((now & 077) == 0) return std::nullopt;
    mode_t mode = now & ~mode_t{077};
    if (::fchmod(fd, mode) < 0)
        throw PrivatePathError(label, path, fmt::format("is open to others (mode {:04o}) and cannot be made private: {}", now, std::strerror(errno)),
                               fmt::format("run chmod go= {}", quoted(path)));
    return fmt::format("{} {} was mode {:04o}, open to other users; it is now {:04o}", label, quoted(path), now, mode);
}

// Opens an existing path without following a final symbolic link; a link is
// refused with its own message.
UniqueFd open_no_follow(std::string_view label, const std::filesystem::path& path, int flags) {
    UniqueFd fd(::open(path.c_str(), flags | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY));
    if (fd) return fd;
    int err = errno;
    struct stat st {};
    if ((err == ELOOP || err == ENOTDIR) && ::lstat(path.c_str(), &st) == 0 && S_ISLNK(st.st_mode))
        throw PrivatePathError(label, path, "is a symbolic link; stretch keeps its files only in a directory of its own",
                               fmt::format("remove the link (rm {}) and start stretchd again", quoted(path)));
    errno = err;
    return fd;
}

}  // namespace

PrivatePathError::PrivatePathError(std::string_view label, const std::filesystem::path& path, std::string_view why, std::string fix)
    : std::runtime_error(fmt::format("{} {}: {}", label, quoted(path), why)), fix_(std::move(fix)) {}

std::optional<std::string> make_private_directory(std::string_view label, const std::filesystem::path& dir) {
    UniqueFd fd = open_no_follow(label, dir, O_RDONLY | O_DIRECTORY);
    struct stat st {};
    // ENOTDIR also when a parent is not a directory: then mkdir says so.
    if (!fd && (errno == ENOENT || (errno == ENOTDIR && ::lstat(dir.c_str(), &st) < 0))) {
        if (auto parent = dir.parent_path(); !parent.empty() && parent != dir) {
            if (::stat(parent.c_str(), &st) < 0 && errno == ENOENT) make_private_directory("directory", parent);
        }
        // mkdir's mode passes through the umask, which can only take bits
        // away: 0700 or less, never more. A strange umask that took the
        // owner's own bits is made up for once it is open.
        if (::mkdir(dir.c_str(), 0700) < 0 && errno != EEXIST)
            throw PrivatePathError(label, dir, fmt::format("cannot be created: {}", std::strerror(errno)),
                                   fmt::format("make sure {} is a directory you can write in", quoted(dir.parent_path())));
        fd = open_no_follow(label, dir, O_RDONLY | O_DIRECTORY);
        if (fd) ::fchmod(fd.get(), 0700);
    }
    if (!fd) {
        if (errno == ENOTDIR)
            throw PrivatePathError(label, dir, "is not a directory", remove_fix(dir));
        throw PrivatePathError(label, dir, std::strerror(errno), "check the path and its permissions");
    }
    return tighten(label, dir, fd.get(), true);
}

std::optional<std::string> make_private_file(std::string_view label, const std::filesystem::path& file) {
    UniqueFd fd = open_no_follow(label, file, O_RDONLY);
    if (!fd) {
        if (errno == ENOENT) return std::nullopt;
        throw PrivatePathError(label, file, std::strerror(errno), "check the file and its permissions");
    }
    return tighten(label, file, fd.get(), false);
}

UniqueFd create_private_file(const std::filesystem::path& path, int flags) {
    UniqueFd fd(::open(path.c_str(), flags | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    // The umask can only have taken bits away; give the owner back theirs.
    if (fd) ::fchmod(fd.get(), 0600);
    return fd;
}

}  // namespace stretch
