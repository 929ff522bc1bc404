// The [notify] command on the real loop with real child processes: it is
// killed when it outlives command_timeout, and reaped. The timeout is a
// millisecond and the loop is stepped until the child is gone, so nothing
// depends on the machine's speed.

#include <doctest/doctest.h>

#include <chrono>

#include "daemon/delivery/command_notifier.hpp"
#include "daemon/plumbing/event_loop.hpp"
#include "fakes/step_until.hpp"

namespace stretch {
namespace {

using namespace std::chrono_literals;

Reminder eyes() {
    Reminder r;
    r.rule = "eyes";
    return r;
}

}  // namespace

TEST_CASE("a command that outlives command_timeout is killed and reaped") {
    EventLoop loop;
    Notify settings;
    settings.command = {"sleep", "60"};
    settings.command_timeout = 1ms;
    CommandNotifier notifier(loop, settings);
    notifier.show(eyes(), nullptr, settings);
    REQUIRE(notifier.running() == 1);
    CHECK(step_until(loop, [&] { return notifier.running() == 0; }));
}

TEST_CASE("a command still running when a reload removes [notify] command is killed all the same") {
    EventLoop loop;
    Notify settings;
    settings.command = {"sleep", "60"};
    settings.command_timeout = 1ms;
    CommandNotifier notifier(loop, settings);
    notifier.show(eyes(), nullptr, settings);
    REQUIRE(notifier.running() == 1);
    settings = Notify{};  // a reload that drops [notify] command, before the timeout fires
    CHECK_FALSE(notifier.available());
    CHECK(step_until(loop, [&] { return notifier.running() == 0; }));
}

}  // namespace stretch
