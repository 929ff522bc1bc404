#include "cli/client.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "shared/protocol.hpp"

namespace stretch {
namespace {

// A daemon that does not answer within this long is treated as gone.
constexpr int reply_timeout_s = 10;

}  // namespace

Client::Client(const std::filesystem::path& path) : path_(path) {
    fd_.reset(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path.native().size() >= sizeof addr.sun_path) throw std::runtime_error(fmt::format("socket path \"{}\" is too long", path.string()));
    std::memcpy(addr.sun_path, path.c_str(), path.native().size() + 1);
    if (::connect(fd_.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0) {
        int err = errno;
        if (err == ENOENT || err == ECONNREFUSED)
            throw DaemonNotRunning(fmt::format("stretchd is not running (nothing listens on \"{}\")", path.string()));
        throw DaemonNotRunning(fmt::format("cannot reach stretchd on \"{}\": {}", path.string(), std::strerror(err)));
    }
    timeval tv{reply_timeout_s, 0};
    setsockopt(fd_.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}

void Client::wait_forever() {
    timeval tv{0, 0};
    setsockopt(fd_.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}

std::optional<nlohmann::json> Client::read_line() {
    for (;;) {
        if (auto nl = buffer_.find('\n'); nl != std::string::npos) {
            auto line = buffer_.substr(0, nl);
            buffer_.erase(0, nl + 1);
            auto parsed = nlohmann::json::parse(line, nullptr, false);
            if (parsed.is_discarded()) throw std::runtime_error("stretchd sent a line that is not JSON");
            return parsed;
        }
        char chunk[8192];
        ssize_t n = ::recv(fd_.get(), chunk, sizeof chunk, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            throw DaemonNotRunning(fmt::format("stretchd on \"{}\" did not answer within {} s", path_.string(), reply_timeout_s));
        if (n <= 0) return std::nullopt;
        buffer_.append(chunk, static_cast<std::size_t>(n));
    }
}

nlohmann::json Client::call(std::string_view cmd, nlohmann::json args) {
    std::string line = protocol::request_line(cmd, std::move(args));
    for (std::size_t sent = 0; sent < line.size();) {
        ssize_t n = ::send(fd_.get(), line.data() + sent, line.size() - sent, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            // The daemon may have refused us (another uid, too many clients)
            // and closed before we wrote: its reason is waiting to be read.
            int err = errno;
            if (auto refusal = read_line()) return *refusal;
            throw DaemonNotRunning(fmt::format("lost the connection to stretchd: {}", std::strerror(err)));
        }
        sent += static_cast<std::size_t>(n);
    }
    auto reply = read_line();
    if (!reply) throw DaemonNotRunning("stretchd closed the connection without answering");
    return *reply;
}

nlohmann::json Client::request(std::string_view cmd, nlohmann::json args) {
    auto reply = call(cmd, std::move(args));
    if (!reply.value("ok", false)) {
        auto error = reply.value("error", nlohmann::json::object());
        throw DaemonRefused(error.value("code", "unknown"), error.value("message", "stretchd refused the request"));
    }
    return reply;
}

}  // namespace stretch
