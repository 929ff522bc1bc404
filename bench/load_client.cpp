// stretch_load_client: many clients on persistent connections, each sending
// its requests one after another (the next only once the reply is in, as the
// CLI does), all driven from one thread with epoll so that the client side
// costs little next to the daemon it measures.
//
//   stretch_load_client SOCKET [CLIENTS [REQUESTS [CMD]]]   (64, 1000, next)
//
// Prints one JSON object: counts, errors, requests per second and latency
// percentiles (the time from writing a request to reading its whole reply).
// An error is a reply with "ok":false or without "ok":true, a connection that
// broke with requests unanswered (each counts), or no progress for 10 s.

#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <string_view>
#include <vector>

#include "bench_util.hpp"
#include "shared/unique_fd.hpp"

namespace {

using stretch::UniqueFd;

using stretch::bench::now_ns;

[[noreturn]] void die(const char* what, const std::string& value) { stretch::bench::die_with("stretch_load_client", what, value); }

struct Client {
    UniqueFd fd;
    std::string in;
    int left = 0;  // requests not yet sent
    std::int64_t sent_at = 0;
    bool waiting = false;
};

// Blocking, so that a full listen backlog is waited out rather than refused:
// all clients are connected before the clock starts.
UniqueFd connect_to(const std::string& path) {
    UniqueFd fd(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd) die("cannot create a socket for", path);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path.size() >= sizeof addr.sun_path) die("socket path too long", path);
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    if (connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0) die("cannot connect to", path);
    if (fcntl(fd.get(), F_SETFL, O_NONBLOCK) < 0) die("cannot make non-blocking", path);
    return fd;
}

double percentile(const std::vector<std::int64_t>& sorted, double p) {
    if (sorted.empty()) return 0;
    auto i = static_cast<std::size_t>(p / 100 * static_cast<double>(sorted.size() - 1) + 0.5);
    return static_cast<double>(sorted[std::min(i, sorted.size() - 1)]) / 1e6;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2 || argc > 5) {
        std::fprintf(stderr, "usage: stretch_load_client SOCKET [CLIENTS [REQUESTS [CMD]]]\n");
        return 2;
    }
    std::string path = argv[1];
    int clients = argc > 2 ? std::atoi(argv[2]) : 64;
    int requests = argc > 3 ? std::atoi(argv[3]) : 1000;
    std::string request = std::string(R"({"v":1,"cmd":")") + (argc > 4 ? argv[4] : "next") + "\"}\n";
    if (clients < 1 || requests < 1) {
        std::fprintf(stderr, "stretch_load_client: CLIENTS and REQUESTS must be positive\n");
        return 2;
    }

    UniqueFd ep(epoll_create1(EPOLL_CLOEXEC));
    if (!ep) die("cannot create an epoll instance for", path);
    std::vector<Client> pool(static_cast<std::size_t>(clients));
    for (std::size_t i = 0; i < pool.size(); ++i) {
        pool[i].fd = connect_to(path);
        pool[i].left = requests;
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.u64 = i;
        if (epoll_ctl(ep.get(), EPOLL_CTL_ADD, pool[i].fd.get(), &ev) < 0) die("cannot watch", path);
    }

    std::vector<std::int64_t> latencies;
    latencies.reserve(static_cast<std::size_t>(clients) * static_cast<std::size_t>(requests));
    long refused = 0, unanswered = 0, broken = 0;
    int active = clients;
    // When the first and the last client got its last reply: far apart when
    // the daemon serves some connections at the expense of others.
    std::int64_t first_done = 0, last_done = 0;

    // Unix stream sockets take a short line whole or not at all while the
    // reply to the last one has been read, so a short write is a failure.
    auto send_next = [&](Client& c) {
        c.sent_at = now_ns();
        if (write(c.fd.get(), request.data(), request.size()) != static_cast<ssize_t>(request.size())) return false;
        --c.left;
        c.waiting = true;
        return true;
    };
    auto drop = [&](Client& c) {
        unanswered += c.left + (c.waiting ? 1 : 0);
        ++broken;
        c.fd.reset();
        c.waiting = false;
        c.left = 0;
        --active;
    };

    std::int64_t start = now_ns();
    for (auto& c : pool)
        if (!send_next(c)) drop(c);

    std::vector<epoll_event> events(pool.size());
    char buf[65536];
    while (active > 0) {
        int n = epoll_wait(ep.get(), events.data(), static_cast<int>(events.size()), 10'000);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) die("epoll_wait failed on", path);
        if (n == 0) {
            std::fprintf(stderr, "stretch_load_client: no reply for 10 s; giving up on %d clients\n", active);
            for (auto& c : pool)
                if (c.fd) drop(c);
            break;
        }
        for (int e = 0; e < n; ++e) {
            Client& c = pool[events[static_cast<std::size_t>(e)].data.u64];
            if (!c.fd) continue;
            ssize_t got = read(c.fd.get(), buf, sizeof buf);
            if (got < 0 && (errno == EAGAIN || errno == EINTR)) continue;
            if (got <= 0) {
                drop(c);
                continue;
            }
            c.in.append(buf, static_cast<std::size_t>(got));
            std::size_t eol;
            while ((eol = c.in.find('\n')) != std::string::npos) {
                std::string_view line(c.in.data(), eol);
                if (!c.waiting) {  // a line nobody asked for: the protocol is broken
                    ++refused;
                } else {
                    latencies.push_back(now_ns() - c.sent_at);
                    c.waiting = false;
                    bool ok = line.find(R"("ok":true)") != std::string_view::npos &&
                              line.find(R"("ok":false)") == std::string_view::npos;
                    if (!ok) ++refused;
                }
                c.in.erase(0, eol + 1);
            }
            if (c.waiting) continue;
            if (c.left == 0) {
                c.fd.reset();
                --active;
                last_done = now_ns();
                if (first_done == 0) first_done = last_done;
            } else if (!send_next(c)) {
                drop(c);
            }
        }
    }
    double seconds = static_cast<double>(now_ns() - start) / 1e9;

    std::sort(latencies.begin(), latencies.end());
    std::printf(
        "{\"clients\":%d,\"requests_each\":%d,\"cmd\":\"%s\",\"replies\":%zu,\"refused\":%ld,\"unanswered\":%ld,"
        "\"broken_connections\":%ld,\"errors\":%ld,\"seconds\":%.4f,\"requests_per_s\":%.0f,"
        "\"p50_ms\":%.4f,\"p99_ms\":%.4f,\"max_ms\":%.4f,\"first_done_s\":%.4f,\"last_done_s\":%.4f}\n",
        clients, requests, argc > 4 ? argv[4] : "next", latencies.size(), refused, unanswered, broken,
        refused + unanswered, seconds, static_cast<double>(latencies.size()) / seconds, percentile(latencies, 50),
        percentile(latencies, 99), latencies.empty() ? 0.0 : static_cast<double>(latencies.back()) / 1e6,
        first_done ? static_cast<double>(first_done - start) / 1e9 : 0.0,
        last_done ? static_cast<double>(last_done - start) / 1e9 : 0.0);
    return refused + unanswered == 0 ? 0 : 1;
}
