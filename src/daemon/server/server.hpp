#pragma once
// The listening socket and the set of connected clients. Binds the socket
// itself, or takes the one systemd passes (socket activation). Guarantees a
// single daemon per socket path: a live daemon already answering there is
// reported, a stale socket file left by a crash is replaced. The default
// directory, $XDG_RUNTIME_DIR/stretch, is made 0700; one that is a symlink,
// not a directory, or another uid's is refused.

#include <chrono>
#include <filesystem>
#include <list>
#include <memory>

#include "daemon/server/connection.hpp"
#include "daemon/plumbing/event_loop.hpp"
#include "shared/unique_fd.hpp"

namespace stretch {

class Server {
public:
    struct Options {
        std::filesystem::path path;
        std::size_t max_connections = 256;
        std::chrono::milliseconds client_timeout = std::chrono::seconds(10);
    };

    // Throws std::runtime_error with a message that names the path and the
    // fix when the socket cannot be had.
    Server(EventLoop& loop, Options options, Connection::LineHandler on_line);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    const std::filesystem::path& path() const { return options_.path; }
    bool socket_activated() const { return activated_; }
    // Where clients reach us: for an activated socket, the path systemd bound.
    std::filesystem::path bound_path() const;
    // Sends a line to every subscribed client.
    void broadcast(std::string_view line);
    std::size_t subscribers() const;
    // Subscribers that ring a terminal bell on a `bell` event.
    std::size_t bell_ringers() const;

private:
    void listen_on_path();
    void accept_clients();
    void reap();
    std::size_t live_connections() const;

    EventLoop& loop_;
    Options options_;
    Connection::LineHandler on_line_;
    UniqueFd lock_fd_;
    UniqueFd listen_fd_;
    bool activated_ = false;
    bool bound_ = false;
    EventSource accept_source_;
    EventSource reaper_;
    EventSource resume_accept_;
    bool accept_paused_ = false;
    std::list<std::unique_ptr<Connection>> connections_;
};

}  // namespace stretch
