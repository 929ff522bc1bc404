// BusMonitor against a real, private dbus-daemon: once the bus grants the
// monitor, a call between two other connections that its rules match is
// copied to it, and a call they do not match is not.

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "daemon/plumbing/bus_monitor.hpp"
#include "fakes/private_bus.hpp"
#include "fakes/step_until.hpp"
#include "fakes/temp_dir.hpp"

namespace stretch {
namespace {

// A call from `from` to `to` that wants no reply (`to` never answers here).
void send_call(sd_bus* from, const char* to, const char* member) {
    sd_bus_message* m = nullptr;
    REQUIRE(sd_bus_message_new_method_call(from, &m, to, "/org/example/Thing", "org.example.Thing", member) >= 0);
    REQUIRE(sd_bus_message_set_expect_reply(m, 0) >= 0);
    REQUIRE(sd_bus_send(from, m, nullptr) >= 0);
    sd_bus_message_unref(m);
    REQUIRE(sd_bus_flush(from) >= 0);
}

}  // namespace

TEST_CASE("a bus monitor overhears the calls its rules match, and only those") {
    TempDir dir("monitor");
    PrivateBus daemon(dir.path());
    ClientBus peer(daemon.connect(), sd_bus_flush_close_unref);
    ClientBus server(daemon.connect(), sd_bus_flush_close_unref);
    ClientBus caller(daemon.connect(), sd_bus_flush_close_unref);
    REQUIRE(peer);
    REQUIRE(server);
    REQUIRE(caller);
    const char* server_name = nullptr;
    REQUIRE(sd_bus_get_unique_name(server.get(), &server_name) >= 0);

    EventLoop loop;
    std::vector<std::string> heard;
    BusMonitor monitor(loop, peer.get(), {"type='method_call',interface='org.example.Thing',member='SetMode'"},
                       [&](sd_bus_message* m) { heard.emplace_back(sd_bus_message_get_member(m)); });
    step_until(loop, [&] { return monitor.active() || !monitor.problem().empty(); });
    REQUIRE(monitor.active());
    CHECK(monitor.problem().empty());

    send_call(caller.get(), server_name, "SetMode");
    send_call(caller.get(), server_name, "ListModes");  // not matched
    send_call(caller.get(), server_name, "SetMode");
    step_until(loop, [&] { return heard.size() >= 2; });
    // The bus copies in order: had ListModes reached the monitor, it would
    // have come before the second SetMode.
    CHECK(heard == std::vector<std::string>{"SetMode", "SetMode"});
}

TEST_CASE("a bus monitor without a bus says so and never becomes active") {
    EventLoop loop;
    BusMonitor monitor(loop, nullptr, {}, [](sd_bus_message*) { FAIL("nothing can be heard"); });
    CHECK_FALSE(monitor.active());
    CHECK(monitor.problem() == "no address for the bus");
}

}  // namespace stretch
