#include "daemon/server/connection.hpp"

#include <sys/epoll.h>
#include <sys/socket.h>

#include <cerrno>
#include <ctime>
#include <utility>

#include <spdlog/spdlog.h>

#include "shared/protocol.hpp"

namespace stretch {
namespace {

// Requests served in one turn of the loop before the others get theirs.
constexpr std::size_t max_requests_per_turn = 16;

// A subscriber that lets this much pile up is not reading; drop it rather
// than let it grow the daemon without bound.
constexpr std::size_t max_queued = 1024 * 1024;

}  // namespace

Connection::Connection(EventLoop& loop, UniqueFd fd, std::chrono::milliseconds timeout, LineHandler on_line,
                       DeathHandler on_death)
    : loop_(loop), fd_(std::move(fd)), timeout_(timeout), on_line_(std::move(on_line)), on_death_(std::move(on_death)) {
    ucred cred{};
    socklen_t len = sizeof cred;
    if (getsockopt(fd_.get(), SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0) {
        peer_pid_ = cred.pid;
        peer_uid_ = cred.uid;
    } else {
        peer_uid_ = static_cast<uid_t>(-1);  // unknown: treated as a stranger
    }
    io_ = loop_.add_io(fd_.get(), EPOLLIN, [this](std::uint32_t revents) { on_io(revents); });
    timer_ = loop_.add_timer(CLOCK_MONOTONIC, 0, [this] {
        spdlog::debug("client pid {}: dropped after {} ms without a complete request", peer_pid_, timeout_.count());
        die();
    });
    arm_timeout();
}

// From the clock as it is now, not the loop's cached start of this
// iteration: the timeout measures the client's silence, and handling a long
// chunk of its requests may itself take longer than the timeout (a loaded
// machine, valgrind), which must not count against the client.
void Connection::arm_timeout() {
    if (subscribed_ || dead_) return;
    timespec now{};
    ::clock_gettime(CLOCK_MONOTONIC, &now);
    auto usec = static_cast<std::uint64_t>(now.tv_sec) * 1'000'000 + static_cast<std::uint64_t>(now.tv_nsec) / 1000;
    timer_.set_time(usec + static_cast<std::uint64_t>(timeout_.count()) * 1000);
}

void Connection::set_subscribed(bool rings_bell) {
    subscribed_ = true;
    rings_bell_ = rings_bell;
    timer_.set_time(0);
}

void Connection::on_io(std::uint32_t revents) {
    if (revents & EPOLLIN) read_input();
    if (!dead_ && (revents & EPOLLOUT)) flush();
    if (!dead_ && (revents & (EPOLLERR | EPOLLHUP)) && !(revents & EPOLLIN)) die();
}

// One read per wake-up, and at most max_requests_per_turn requests served
// from it: a client that keeps sending, or sends thousands of requests in
// one chunk, would otherwise have the loop to itself while the others wait
// (seen under bench/load.sh, and under valgrind, where one 16 KiB chunk of
// `status` requests held the loop for seconds). What is left waits in in_
// for a deferred turn, which comes after the other ready sources have had
// theirs; meanwhile nothing more is read from this client.
void Connection::read_input() {
    char buffer[16 * 1024];
    ssize_t n;
    do {
        n = ::recv(fd_.get(), buffer, sizeof buffer, 0);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK) die();
        return;
    }
    if (n == 0)
        eof_ = true;
    else
        in_.append(buffer, static_cast<std::size_t>(n));
    serve_requests();
}

void Connection::serve_requests() {
    std::size_t start = 0;
    std::size_t served = 0;
    for (std::size_t nl; !dead_ && !closing_ && served < max_requests_per_turn &&
                         (nl = in_.find('\n', start)) != std::string::npos;
         start = nl + 1) {
        std::string_view line(in_.data() + start, nl - start);
        if (line.size() > protocol::max_line) break;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (!line.empty()) {
            on_line_(*this, line);
            ++served;
        }
    }
    if (start > 0) arm_timeout();  // complete requests came: the client is not silent
    in_.erase(0, start);
    if (dead_ || closing_) return;

    auto pending_line = in_.find('\n');
    if ((pending_line == std::string::npos ? in_.size() : pending_line) > protocol::max_line) {
        send(protocol::error_reply("line_too_long", fmt::format("a request line may be at most {} bytes: this one is longer; the connection is closed",
                                                               protocol::max_line)));
        close_after_flush();
        return;
    }
    if (pending_line != std::string::npos) {
        backlog_ = true;
        more_ = loop_.add_defer([this] { serve_requests(); });
    } else {
        backlog_ = false;
        if (eof_) {
            // The client has finished sending; a last line without its
            // newline still counts. Answer what it sent, then close.
            std::string last = std::exchange(in_, {});
            if (!last.empty() && last.back() == '\r') last.pop_back();
            if (!last.empty()) on_line_(*this, last);
            close_after_flush();
            return;
        }
    }
    update_io_events();
}

void Connection::send(std::string_view line) {
    if (dead_) return;
    out_.append(line);
    if (out_.size() > max_queued) {
        spdlog::warn("client pid {}: dropped: it is not reading its replies ({} bytes queued)", peer_pid_, out_.size());
        die();
        return;
    }
    flush();
}

void Connection::close_after_flush() {
    closing_ = true;
    in_.clear();
    flush();
}

void Connection::flush() {
    while (!out_.empty()) {
        ssize_t n = ::send(fd_.get(), out_.data(), out_.size(), MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) break;
            die();
            return;
        }
        out_.erase(0, static_cast<std::size_t>(n));
    }
    if (out_.empty() && closing_) {
        die();
        return;
    }
    update_io_events();
}

// Reads only when there is nothing left to serve, so that a flooding client
// waits in its own socket buffer rather than in our memory.
void Connection::update_io_events() {
    std::uint32_t events = closing_ || backlog_ || eof_ ? 0u : std::uint32_t{EPOLLIN};
    if (!out_.empty()) events |= EPOLLOUT;
    io_.set_io_events(events);
}

void Connection::die() {
    if (dead_) return;
    dead_ = true;
    io_.disable();
    timer_.disable();
    more_.disable();
    on_death_(*this);  // the owner frees us later, outside our own callbacks
}

}  // namespace stretch
