// A connection on the real loop over a socketpair: how many requests it
// serves per turn, and what happens when the client stops sending. The loop
// is stepped one dispatch at a time, so the assertions count turns, never
// time: they hold on a loaded machine and under valgrind alike.

#include <doctest/doctest.h>

#include <sys/socket.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "daemon/server/connection.hpp"
#include "daemon/plumbing/event_loop.hpp"
#include "shared/unique_fd.hpp"

namespace stretch {
namespace {

using namespace std::chrono_literals;

struct Client {
    UniqueFd mine;  // the test's end
    std::unique_ptr<Connection> connection;
    std::vector<std::string> lines;
    bool died = false;

    explicit Client(EventLoop& loop) {
        int fds[2];
        REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) == 0);
        mine.reset(fds[0]);
        connection = std::make_unique<Connection>(
            loop, UniqueFd(fds[1]), 60s, [this](Connection& c, std::string_view line) {
                lines.emplace_back(line);
                c.send("{}\n");
            },
            [this](Connection&) { died = true; });
    }

    void write(const std::string& data) const {
        REQUIRE(::send(mine.get(), data.data(), data.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(data.size()));
    }
};

std::string requests(int count) {
    std::string out;
    for (int i = 0; i < count; ++i) out += "{\"v\":1,\"cmd\":\"status\"}\n";
    return out;
}

// Steps the loop until `done` holds; a step that finds nothing to do waits
// at most a second, and a few thousand steps are far more than any case needs.
void step_until(EventLoop& loop, const std::function<bool()>& done) {
    for (int i = 0; i < 5000 && !done(); ++i) loop.run_once(1'000'000);
    REQUIRE(done());
}

}  // namespace

TEST_CASE("a chunk of many requests is served a few per turn, and another client is served between turns") {
    EventLoop loop;
    Client flood(loop);
    Client other(loop);
    flood.write(requests(500));  // one read takes all of it
    step_until(loop, [&] { return !flood.lines.empty(); });
    CHECK(flood.lines.size() == 16);

    other.write(requests(1));
    step_until(loop, [&] { return !other.lines.empty(); });
    CHECK(flood.lines.size() <= 32);

    step_until(loop, [&] { return flood.lines.size() == 500; });
    CHECK_FALSE(flood.died);
}

TEST_CASE("a client that shuts down its sending side gets every reply, the last line without its newline too") {
    EventLoop loop;
    Client client(loop);
    client.write(requests(100) + "{\"v\":1,\"cmd\":\"version\"}");
    REQUIRE(::shutdown(client.mine.get(), SHUT_WR) == 0);
    step_until(loop, [&] { return client.died; });
    REQUIRE(client.lines.size() == 101);
    CHECK(client.lines.back() == "{\"v\":1,\"cmd\":\"version\"}");

    std::string replies;
    char buffer[4096];
    for (ssize_t n; (n = ::recv(client.mine.get(), buffer, sizeof buffer, 0)) > 0;) replies.append(buffer, static_cast<std::size_t>(n));
    std::string expected;
    for (int i = 0; i < 101; ++i) expected += "{}\n";
    CHECK(replies == expected);
}

TEST_CASE("an over-long line is refused once the limit is passed, and the connection closes") {
    EventLoop loop;
    Client client(loop);
    client.write(std::string(70 * 1024, 'x'));
    step_until(loop, [&] { return client.died; });
    CHECK(client.lines.empty());
}

}  // namespace stretch
