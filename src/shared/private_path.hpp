#pragma once
// Files and directories that only their owner may read: the history (a
// minute-by-minute record of when a person sat at the computer), the socket's
// directory, files `stretch` writes for the user. The rules are ssh's and
// gpg's: created 0700/0600 whatever the umask; an existing one open to group
// or others is tightened; one that is a symbolic link or another user's is
// refused and left untouched. Each check works on the opened inode (fstat,
// fchmod), so a path swapped between a check and a change is never followed.

#include <fcntl.h>

#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "shared/unique_fd.hpp"

namespace stretch {

// Why a path cannot be made private, and what the user can do about it.
// what() reads `<label> "<path>": <why>`.
class PrivatePathError : public std::runtime_error {
public:
    PrivatePathError(std::string_view label, const std::filesystem::path& path, std::string_view why, std::string fix);
    const std::string& fix() const { return fix_; }
    // what(), then the fix: one line for a log or an error exit.
    std::string full() const { return std::string(what()) + ": " + fix_; }

private:
    std::string fix_;
};

// Makes `dir` a directory that only the current user can reach: missing, it
// is created 0700 (and so are missing parents, as the XDG base directory
// specification asks); present and open to others, it is tightened to 0700.
// Returns a sentence saying what was tightened, or nullopt if nothing was.
// Throws PrivatePathError if it is a symbolic link, not a directory, another
// user's, or cannot be created or tightened.
std::optional<std::string> make_private_directory(std::string_view label, const std::filesystem::path& dir);

// For a file that may exist: tightened to 0600 if others can read it.
// Returns what was tightened, or nullopt (also when there is no file). Throws
// PrivatePathError if it is a symbolic link, not a regular file or another
// user's.
std::optional<std::string> make_private_file(std::string_view label, const std::filesystem::path& file);

// Creates a new file, 0600 whatever the umask, never over an existing one
// (O_EXCL) and never through a symbolic link. Returns an invalid fd and
// leaves errno set when it cannot.
UniqueFd create_private_file(const std::filesystem::path& path, int flags = O_WRONLY);

}  // namespace stretch
