// The daemon itself, built in the test with a fake clock, a temporary socket
// and history file and the built-in config, driven through execute() as a
// client's request would be. No bus is reachable (the addresses point
// nowhere), so the presence and delivery rooms find nothing, as on a bare
// machine.

#include <doctest/doctest.h>

#include <stdlib.h>

#include <filesystem>
#include <string>

#include "daemon/commands/commands.hpp"
#include "daemon/daemon.hpp"
#include "fakes/fake_clock.hpp"
#include "shared/protocol.hpp"

namespace stretch {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

struct DaemonFixture {
    std::filesystem::path dir;
    EventLoop loop;
    // Monday 2025-11-24 09:00 UTC; BOOTTIME one hour after boot.
    FakeClock clock{Now{MonoTime(1h), 1763974800, LocalTime{0, 9 * 3600}}};
    std::unique_ptr<Daemon> daemon;

    DaemonFixture() {
        char name[] = "/tmp/stretch-daemon-test-XXXXXX";
        REQUIRE(::mkdtemp(name) != nullptr);
        dir = name;
        // Nothing outside the test: no bus, no display, no user config.
        ::setenv("DBUS_SESSION_BUS_ADDRESS", ("unix:path=" + (dir / "no-session-bus").string()).c_str(), 1);
        ::setenv("DBUS_SYSTEM_BUS_ADDRESS", ("unix:path=" + (dir / "no-system-bus").string()).c_str(), 1);
        ::setenv("XDG_RUNTIME_DIR", dir.c_str(), 1);
        ::unsetenv("DISPLAY");
        ::unsetenv("WAYLAND_DISPLAY");
        Daemon::Options options;
        options.socket = dir / "stretchd.sock";
        options.store = dir / "stretch.db";
        options.builtin_config = true;
        options.seed = 7;
        daemon = std::make_unique<Daemon>(loop, options, clock);
    }
    ~DaemonFixture() {
        daemon.reset();
        std::filesystem::remove_all(dir);
    }

    json run(std::string_view cmd, json args = json::object()) {
        try {
            return execute(*daemon, protocol::Request{std::string(cmd), std::move(args)}, "cli", nullptr);
        } catch (const protocol::Error& e) {
            return {{"refused", e.code()}};
        }
    }
};

TEST_CASE("a request reads the clock once, however much it does") {
    DaemonFixture f;
    f.clock.advance(31min);  // the micro break is due
    for (auto cmd : {"status", "next", "snooze", "stats", "history", "pause", "resume", "stand", "sit", "done", "doctor"}) {
        CAPTURE(cmd);
        f.clock.reads = 0;
        f.run(cmd);
        CHECK(f.clock.reads == 1);
    }
}

TEST_CASE("a sleep nobody reported is noticed where the next event enters, once") {
    DaemonFixture f;
    f.clock.advance(10min);
    f.clock.sleep(2h);
    auto first = f.run("status");
    CHECK(first["sitting_s"] == 0);  // two hours asleep is a natural break
    auto history = f.run("history")["events"];
    int natural = 0;
    for (auto& e : history) natural += e["kind"] == "natural";
    CHECK(natural >= 1);
    f.run("status");
    int again = 0;
    auto later = f.run("history")["events"];
    for (auto& e : later) again += e["kind"] == "natural";
    CHECK(again == natural);
}

}  // namespace
}  // namespace stretch
