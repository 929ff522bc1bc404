// bus_watch_owner against a real, private dbus-daemon: the watcher hears
// when its name changes hands, and the bus itself keeps every other name's
// comings and goings away from it (on a desktop session bus they are many,
// and each would wake the daemon).

#include <doctest/doctest.h>

#include <string>
#include <utility>
#include <vector>

#include "daemon/plumbing/bus.hpp"
#include "fakes/private_bus.hpp"
#include "fakes/step_until.hpp"
#include "fakes/temp_dir.hpp"

namespace stretch {

TEST_CASE("a name's owner is watched through the bus's own filter: other names never reach the watcher") {
    TempDir dir("owner");
    PrivateBus daemon(dir.path());
    ClientBus watcher(daemon.connect(), sd_bus_flush_close_unref);
    ClientBus other(daemon.connect(), sd_bus_flush_close_unref);
    REQUIRE(watcher);
    REQUIRE(other);
    EventLoop loop;
    REQUIRE(sd_bus_attach_event(watcher.get(), loop.get(), 0) >= 0);

    std::vector<std::pair<std::string, std::string>> seen;
    REQUIRE(bus_watch_owner(watcher.get(), "org.example.Watched",
                            [&](std::string_view old_owner, std::string_view new_owner) { seen.emplace_back(old_owner, new_owner); }));
    // A call answered after the AddMatch the watch sent: the bus has the rule.
    sd_bus_message* reply = nullptr;
    REQUIRE(sd_bus_call_method(watcher.get(), "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "GetId",
                               nullptr, &reply, "") >= 0);
    sd_bus_message_unref(reply);

    const char* other_name = nullptr;
    REQUIRE(sd_bus_get_unique_name(other.get(), &other_name) >= 0);
    REQUIRE(sd_bus_request_name(other.get(), "org.example.Unwatched", 0) >= 0);
    REQUIRE(sd_bus_request_name(other.get(), "org.example.Watched", 0) >= 0);
    REQUIRE(sd_bus_release_name(other.get(), "org.example.Unwatched") >= 0);
    REQUIRE(sd_bus_release_name(other.get(), "org.example.Watched") >= 0);

    step_until(loop, [&] { return seen.size() >= 2; });
    // The Unwatched name changed hands twice, before and between these: the
    // watcher heard neither.
    std::vector<std::pair<std::string, std::string>> expected{{"", other_name}, {other_name, ""}};
    CHECK(seen == expected);
    sd_bus_detach_event(watcher.get());
}

}  // namespace stretch
