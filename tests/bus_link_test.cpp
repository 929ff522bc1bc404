// BusLink without its bus, on the real sd-event loop and sd-bus, pointed by
// DBUS_SYSTEM_BUS_ADDRESS at a socket path in a temporary directory: it
// waits for the socket to appear instead of polling (an inotify watch on the
// nearest directory that exists, following the path down as it is made),
// tries a socket that refuses a bounded number of times, and connects when
// a listening socket appears. The "bus" here is a bare listening socket: sd-bus
// connects to it (authentication would come later), which is all a link
// needs to call connected(). The loop is stepped until a condition holds.

#include <doctest/doctest.h>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>

#include <spdlog/spdlog.h>

#include "daemon/plumbing/bus.hpp"
#include "shared/unique_fd.hpp"
#include "fakes/env_scope.hpp"
#include "fakes/step_until.hpp"
#include "fakes/temp_dir.hpp"

namespace stretch {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// A unix socket bound at `path`: listening, or (listen = false) one that
// refuses every connection, as a bus's socket left behind by a dead bus does.
UniqueFd bound_socket(const fs::path& path, bool listen) {
    UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    REQUIRE(fd);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    REQUIRE(path.string().size() < sizeof addr.sun_path);
    path.string().copy(addr.sun_path, sizeof addr.sun_path - 1);
    REQUIRE(::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    if (listen) REQUIRE(::listen(fd.get(), 16) == 0);
    return fd;
}

struct QuietLog {
    QuietLog() : old_(spdlog::get_level()) { spdlog::set_level(spdlog::level::off); }
    ~QuietLog() { spdlog::set_level(old_); }
    spdlog::level::level_enum old_;
};

struct Counts {
    int connected = 0, lost = 0, failed = 0;
};

BusLink::Listener counting(Counts& c) {
    return {[&c](sd_bus*) { ++c.connected; }, [&c] { ++c.lost; }, [&c](const std::string&) { ++c.failed; }};
}

TEST_CASE("the bus socket is read from the address as sd-bus reads it") {
    {
        EnvScope system("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/tmp/a%20b/bus,guid=0123;unix:path=/elsewhere");
        CHECK(bus_socket_path(BusKind::system) == fs::path("/tmp/a b/bus"));
    }
    {
        EnvScope system("DBUS_SYSTEM_BUS_ADDRESS", "unix:guid=0123,path=/run/x");
        CHECK(bus_socket_path(BusKind::system) == fs::path("/run/x"));
    }
    for (const char* unwatchable : {"unix:abstract=/tmp/dbus-x", "tcp:host=localhost,port=1", "unixexec:path=/bin/x"}) {
        EnvScope system("DBUS_SYSTEM_BUS_ADDRESS", unwatchable);
        CHECK_FALSE(bus_socket_path(BusKind::system));
    }
    {
        EnvScope system("DBUS_SYSTEM_BUS_ADDRESS", std::nullopt);
        CHECK(bus_socket_path(BusKind::system) == fs::path("/run/dbus/system_bus_socket"));
    }
    {
        EnvScope session("DBUS_SESSION_BUS_ADDRESS", std::nullopt);
        EnvScope runtime("XDG_RUNTIME_DIR", "/run/user/1000");
        CHECK(bus_socket_path(BusKind::session) == fs::path("/run/user/1000/bus"));
    }
    {
        EnvScope session("DBUS_SESSION_BUS_ADDRESS", std::nullopt);
        EnvScope runtime("XDG_RUNTIME_DIR", std::nullopt);
        CHECK_FALSE(bus_socket_path(BusKind::session));
    }
}

TEST_CASE("a missing bus is waited for, not polled: the link follows its path down and connects when it listens") {
    QuietLog quiet;
    TempDir tmp("bus");
    auto dir = tmp.path() / "run" / "dbus";
    auto socket = dir / "system_bus_socket";
    EnvScope address("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=" + socket.string());
    EventLoop loop;
    Counts counts;
    BusLink link(loop, BusKind::system, "test", counting(counts), BusRetry{1ms, 4ms, 3});

    REQUIRE(step_until(loop, [&] { return counts.failed == 1; }));
    // Neither the socket nor its directories exist: the nearest parent is watched, and no timer is armed.
    CHECK(link.watching() == tmp.path());
    CHECK_FALSE(link.retrying());
    CHECK(link.problem().find("no system bus") == 0);

    fs::create_directory(tmp.path() / "run");
    REQUIRE(step_until(loop, [&] { return link.watching() == tmp.path() / "run"; }));
    fs::create_directory(dir);
    REQUIRE(step_until(loop, [&] { return link.watching() == dir; }));
    CHECK_FALSE(link.retrying());
    int failed = counts.failed;

    // A socket left by a bus that died refuses: tried a bounded number of times, then waited for again.
    UniqueFd stale = bound_socket(socket, false);
    REQUIRE(step_until(loop, [&] { return counts.failed == failed + 1 + 3; }));
    CHECK_FALSE(link.retrying());
    CHECK(link.watching() == dir);
    CHECK(counts.connected == 0);

    // The bus starts: it makes its socket anew, and the link connects.
    fs::remove(socket);
    stale.reset();
    UniqueFd bus = bound_socket(socket, true);
    REQUIRE(step_until(loop, [&] { return counts.connected == 1; }));
    CHECK(link);
    CHECK(link.problem().empty());
    CHECK(link.watching().empty());
    CHECK_FALSE(link.retrying());

    // The bus goes away: lost, and waited for again (the socket is gone with it).
    fs::remove(socket);
    bus.reset();
    REQUIRE(step_until(loop, [&] { return counts.lost == 1 && !link.watching().empty(); }));
    CHECK(link.watching() == dir);
    CHECK_FALSE(link.retrying());
}

TEST_CASE("with no session bus address at all nothing is retried") {
    QuietLog quiet;
    EnvScope session("DBUS_SESSION_BUS_ADDRESS", std::nullopt);
    EnvScope runtime("XDG_RUNTIME_DIR", std::nullopt);
    EventLoop loop;
    Counts counts;
    BusLink link(loop, BusKind::session, "test", counting(counts));
    REQUIRE(step_until(loop, [&] { return counts.failed == 1; }));
    CHECK_FALSE(link.retrying());
    CHECK(link.watching().empty());
    CHECK(link.problem().find("XDG_RUNTIME_DIR") != std::string::npos);
}

TEST_CASE("an address that names no file is retried with back-off") {
    QuietLog quiet;
    EnvScope address("DBUS_SYSTEM_BUS_ADDRESS", "unix:abstract=/stretch-test-no-such-bus-7f3a");
    EventLoop loop;
    Counts counts;
    BusLink link(loop, BusKind::system, "test", counting(counts), BusRetry{1ms, 2ms, 3});
    REQUIRE(step_until(loop, [&] { return counts.failed == 3; }));
    CHECK(link.retrying());
    CHECK(link.watching().empty());
}

}  // namespace
}  // namespace stretch
