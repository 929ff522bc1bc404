#include "daemon/server/server.hpp"

#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "shared/paths.hpp"
#include "shared/private_path.hpp"
#include "shared/protocol.hpp"

namespace stretch {
namespace {

std::runtime_error socket_error(const std::filesystem::path& path, std::string_view what, int err) {
    return std::runtime_error(fmt::format("socket \"{}\": {}: {}", path.string(), what, std::strerror(err)));
}

sockaddr_un address_of(const std::filesystem::path& path) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    const auto& s = path.native();
    if (s.size() >= sizeof addr.sun_path)
        throw std::runtime_error(fmt::format("socket \"{}\": the path is longer than the {} bytes a Unix socket allows: "
                                             "choose a shorter one with --socket",
                                             s, sizeof addr.sun_path - 1));
    std::memcpy(addr.sun_path, s.c_str(), s.size() + 1);
    return addr;
}

// The pid of a daemon answering on `path`, or 0 if nothing answers there.
pid_t live_daemon_at(const std::filesystem::path& path) {
    UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    auto addr = address_of(path);
    if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0) return 0;
    ucred cred{};
    socklen_t len = sizeof cred;
    getsockopt(fd.get(), SOL_SOCKET, SO_PEERCRED, &cred, &len);
    return cred.pid > 0 ? cred.pid : 1;
}

// The default directory, $XDG_RUNTIME_DIR/stretch, is stretchd's own. One
// that was there before us (made by an older stretchd, by hand, or by
// another user if the runtime directory is not private) must not let anyone
// else reach or replace the socket. A directory named with --socket is the
// user's choice (it may be /tmp) and is used as it is.
bool is_own_directory(const std::filesystem::path& dir) {
    auto runtime = env("XDG_RUNTIME_DIR");
    return runtime && dir.lexically_normal() == (std::filesystem::path(*runtime) / "stretch").lexically_normal();
}

}  // namespace

Server::Server(EventLoop& loop, Options options, Connection::LineHandler on_line)
    : loop_(loop), options_(std::move(options)), on_line_(std::move(on_line)) {
    int n = sd_listen_fds(1);
    if (n > 1) throw std::runtime_error(fmt::format("systemd passed {} sockets; stretchd.socket must listen on one", n));
    if (n == 1) {
        listen_fd_.reset(SD_LISTEN_FDS_START);
        activated_ = true;
        int flags = fcntl(listen_fd_.get(), F_GETFL);
        fcntl(listen_fd_.get(), F_SETFL, flags | O_NONBLOCK);
    } else {
        listen_on_path();
    }
    accept_source_ = loop_.add_io(listen_fd_.get(), EPOLLIN, [this](std::uint32_t) { accept_clients(); });
    reaper_ = loop_.add_timer(CLOCK_MONOTONIC, 0, [this] { reap(); });
    resume_accept_ = loop_.add_timer(CLOCK_MONOTONIC, 0, [this] {
        sd_event_source_set_enabled(accept_source_.get(), SD_EVENT_ON);
        if (accept_paused_) spdlog::info("accepting clients again");
        accept_paused_ = false;
    });
}

Server::~Server() {
    // Only a socket we bound is ours to remove; systemd owns an activated one.
    if (bound_) ::unlink(options_.path.c_str());
}

void Server::listen_on_path() {
    const auto& path = options_.path;
    auto dir = path.parent_path();
    if (!dir.empty() && is_own_directory(dir)) {
        try {
            if (auto tightened = make_private_directory("socket directory", dir))
                spdlog::info("{}, so that only uid {} can reach the socket", *tightened, ::getuid());
        } catch (const PrivatePathError& e) {
            throw std::runtime_error(e.full());
        }
    } else if (!dir.empty() && ::mkdir(dir.c_str(), 0700) < 0 && errno != EEXIST) {
        throw socket_error(path, fmt::format("cannot create the directory \"{}\"", dir.string()), errno);
    }

    // Two daemons starting at once must not both decide the socket is stale.
    auto lock_path = path.string() + ".lock";
    lock_fd_.reset(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
    if (!lock_fd_) throw socket_error(path, fmt::format("cannot open the lock file \"{}\"", lock_path), errno);
    if (::flock(lock_fd_.get(), LOCK_EX | LOCK_NB) < 0) {
        pid_t pid = live_daemon_at(path);
        throw std::runtime_error(fmt::format("another stretchd{} is already running on \"{}\": stop it first "
                                             "(systemctl --user stop stretchd), or give this one another --socket",
                                             pid ? fmt::format(" (pid {})", pid) : "", path.string()));
    }
    if (std::filesystem::exists(std::filesystem::symlink_status(path))) {
        if (pid_t pid = live_daemon_at(path))
            throw std::runtime_error(fmt::format("another stretchd (pid {}) is already running on \"{}\": stop it first, "
                                                 "or give this one another --socket",
                                                 pid, path.string()));
        spdlog::info("replacing the stale socket \"{}\" left by a daemon that is gone", path.string());
        ::unlink(path.c_str());
    }

    listen_fd_.reset(::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!listen_fd_) throw socket_error(path, "cannot create a socket", errno);
    auto addr = address_of(path);
    mode_t old_mask = ::umask(0177);  // born 0600, never briefly open to others
    int r = ::bind(listen_fd_.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    int bind_errno = errno;
    ::umask(old_mask);
    if (r < 0) throw socket_error(path, "cannot bind", bind_errno);
    bound_ = true;
    if (::listen(listen_fd_.get(), 128) < 0) throw socket_error(path, "cannot listen", errno);
}

std::filesystem::path Server::bound_path() const {
    if (!activated_) return options_.path;
    sockaddr_un addr{};
    socklen_t len = sizeof addr;
    if (getsockname(listen_fd_.get(), reinterpret_cast<sockaddr*>(&addr), &len) < 0 || addr.sun_path[0] == 0) return "(unnamed)";
    return addr.sun_path;
}

void Server::accept_clients() {
    for (;;) {
        UniqueFd fd(::accept4(listen_fd_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
        if (!fd) {
            if (errno == EINTR || errno == ECONNABORTED) continue;
            if (errno == EMFILE || errno == ENFILE) {
                // Out of descriptors. The pending client stays in the queue and
                // would wake us at once, forever: stop listening for a moment.
                if (!accept_paused_)
                    spdlog::warn("out of file descriptors with {} clients connected: not accepting new ones for now",
                                 live_connections());
                accept_paused_ = true;
                accept_source_.disable();
                resume_accept_.set_time(loop_.now(CLOCK_MONOTONIC) + 200'000);
                return;
            }
            if (errno != EAGAIN && errno != EWOULDBLOCK) spdlog::warn("accept on \"{}\": {}", options_.path.string(), std::strerror(errno));
            return;
        }
        auto connection = std::make_unique<Connection>(loop_, std::move(fd), options_.client_timeout, on_line_,
                                                       [this](Connection&) { reaper_.set_time(1); });
        if (connection->peer_uid() != ::getuid()) {
            spdlog::warn("refused a client of uid {} (pid {}): only uid {} may control this daemon", connection->peer_uid(),
                         connection->peer_pid(), ::getuid());
            connection->send(protocol::error_reply("permission_denied",
                                                   "this stretchd belongs to another user: start your own with "
                                                   "systemctl --user start stretchd"));
            connection->close_after_flush();
        } else if (live_connections() >= options_.max_connections) {
            spdlog::warn("refused a client (pid {}): {} connections already open", connection->peer_pid(), live_connections());
            connection->send(protocol::error_reply("too_many_connections",
                                                   fmt::format("stretchd already serves {} clients: try again shortly",
                                                               options_.max_connections)));
            connection->close_after_flush();
        }
        connections_.push_back(std::move(connection));
    }
}

void Server::reap() {
    std::erase_if(connections_, [](auto& c) { return c->dead(); });
}

void Server::broadcast(std::string_view line) {
    for (auto& c : connections_)
        if (c->subscribed() && !c->dead()) c->send(line);
}

std::size_t Server::live_connections() const {
    return static_cast<std::size_t>(std::count_if(connections_.begin(), connections_.end(), [](auto& c) { return !c->dead(); }));
}

std::size_t Server::subscribers() const {
    std::size_t n = 0;
    for (auto& c : connections_) n += c->subscribed() && !c->dead();
    return n;
}

std::size_t Server::bell_ringers() const {
    std::size_t n = 0;
    for (auto& c : connections_) n += c->subscribed() && c->rings_bell() && !c->dead();
    return n;
}

}  // namespace stretch
