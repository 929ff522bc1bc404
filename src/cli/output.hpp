#pragma once
// Standard output, written in one place so that no failed write goes
// unnoticed. A program that ignores SIGPIPE (waybar does, and its children
// inherit that) learns that its reader has gone only from EPIPE; a `stretch
// watch` that went on writing would run forever, holding a connection of
// the daemon's.

#include <chrono>
#include <stdexcept>
#include <string_view>

namespace stretch {

// Standard output cannot be written. main() exits 141 for EPIPE, as if
// SIGPIPE had ended the program, quietly (the reader is gone: there is no
// one to tell), and 1 with the reason for anything else (a full disk).
class OutputFailed : public std::runtime_error {
public:
    explicit OutputFailed(int error);
    int error() const { return error_; }

private:
    int error_;
};

// Writes `text` and flushes. Throws OutputFailed.
void out(std::string_view text);

// Waits up to `timeout` for the reader of standard output to go away (a
// pipe closed at the other end) and throws OutputFailed(EPIPE) if it has.
// For a program that writes nothing for a while, such as `stretch watch`
// while the daemon is down.
void wait_unless_reader_gone(std::chrono::milliseconds timeout);

}  // namespace stretch
