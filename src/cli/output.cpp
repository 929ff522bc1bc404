#include "cli/output.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <fmt/format.h>
#include <poll.h>

namespace stretch {

OutputFailed::OutputFailed(int error)
    : std::runtime_error(fmt::format("cannot write to standard output: {}", std::strerror(error))), error_(error) {}

void out(std::string_view text) {
    if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size() || std::fflush(stdout) != 0) {
        int error = errno;
        throw OutputFailed(error ? error : EIO);
    }
}

void wait_unless_reader_gone(std::chrono::milliseconds timeout) {
    // A pipe's write end reports POLLERR once its last reader has closed; a
    // terminal or a file never does, so this is then a plain sleep.
    pollfd stdout_fd{STDOUT_FILENO, 0, 0};
    int ready = ::poll(&stdout_fd, 1, static_cast<int>(timeout.count()));
    if (ready > 0 && (stdout_fd.revents & (POLLERR | POLLHUP))) throw OutputFailed(EPIPE);
}

}  // namespace stretch
