#pragma once
// One client of the socket: reads request lines, queues replies, and drops
// the client when it misbehaves (over-long line, silence past the timeout,
// a reader too slow to keep up). Non-blocking throughout: a client can
// never stall the loop or any other client.

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <string>

#include "daemon/plumbing/event_loop.hpp"
#include "shared/unique_fd.hpp"

namespace stretch {

class Connection {
public:
    using LineHandler = std::function<void(Connection&, std::string_view line)>;
    using DeathHandler = std::function<void(Connection&)>;

    // Takes ownership of a connected, non-blocking socket.
    Connection(EventLoop& loop, UniqueFd fd, std::chrono::milliseconds timeout, LineHandler on_line, DeathHandler on_death);

    // Queues a reply or event line; it is written as the socket allows.
    void send(std::string_view line);
    // Sends nothing more and closes once the queue is written.
    void close_after_flush();
    // Stops the timeout: subscribers are quiet by design. `rings_bell`: the
    // client is a terminal that rings on `bell` events (not a status bar).
    void set_subscribed(bool rings_bell);

    bool subscribed() const { return subscribed_; }
    bool rings_bell() const { return rings_bell_; }
    bool dead() const { return dead_; }
    pid_t peer_pid() const { return peer_pid_; }
    uid_t peer_uid() const { return peer_uid_; }

private:
    void on_io(std::uint32_t revents);
    void read_input();
    void serve_requests();
    void update_io_events();
    void flush();
    void die();
    void arm_timeout();

    EventLoop& loop_;
    UniqueFd fd_;
    std::chrono::milliseconds timeout_;
    LineHandler on_line_;
    DeathHandler on_death_;
    EventSource io_;
    EventSource timer_;
    EventSource more_;  // the next turn for requests already read
    std::string in_;
    std::string out_;
    bool subscribed_ = false;
    bool rings_bell_ = false;
    bool backlog_ = false;  // complete requests wait in in_ for their turn
    bool eof_ = false;      // the client has shut down its sending side
    bool closing_ = false;  // no more input is read; close when out_ is empty
    bool dead_ = false;
    pid_t peer_pid_ = 0;
    uid_t peer_uid_ = 0;
};

}  // namespace stretch
