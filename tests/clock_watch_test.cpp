// The clock watch with a fake clock on a real loop: it searches for the
// next change of the UTC offset when it starts and when a change happens,
// and at no other time. (The wall clock being set and a new /etc/localtime
// cannot be made to happen in a test without changing the machine.)

#include <doctest/doctest.h>

#include <vector>

#include "daemon/plumbing/clock_watch.hpp"
#include "daemon/plumbing/event_loop.hpp"
#include "fakes/fake_clock.hpp"
#include "fakes/zone_scope.hpp"

namespace stretch {
namespace {

using namespace std::chrono_literals;

Now at(std::int64_t wall_s) { return Now{MonoTime(1h), wall_s, LocalTime{0, 0}}; }

}  // namespace

TEST_CASE("the clock watch searches for the next offset change when it starts, not while other events pass") {
    ZoneScope berlin("Europe/Berlin");
    EventLoop loop;
    // 2099-03-29 01:00 UTC: 02:00 CET becomes 03:00 CEST. Far enough ahead
    // that the real timer behind the watch does not fire during the test.
    constexpr std::int64_t spring = 4078429200;
    FakeClock clock(at(spring - 12 * 3600));
    std::vector<ClockWatch::Change> changes;
    ClockWatch watch(loop, clock, [&](ClockWatch::Change c) { changes.push_back(c); });
    CHECK(watch.next_offset_change() == spring);
    CHECK(clock.reads == 1);

    int passed = 0;
    std::vector<EventSource> events;
    for (int i = 0; i < 5; ++i) events.push_back(loop.add_defer([&] { ++passed; }));  // each once
    for (int i = 0; i < 5; ++i) loop.run_once(0);
    CHECK(passed == 5);
    CHECK(clock.reads == 1);
    CHECK(changes.empty());
}

TEST_CASE("at the offset change the clock watch tells, and searches again from then") {
    ZoneScope berlin("Europe/Berlin");
    EventLoop loop;
    // 2024-03-31 01:00 UTC, long past for the real clock: the timer armed
    // for it fires at the loop's next turn, as if the time had come.
    constexpr std::int64_t spring = 1711846800;
    FakeClock clock(at(spring - 3600));
    std::vector<ClockWatch::Change> changes;
    ClockWatch watch(loop, clock, [&](ClockWatch::Change c) { changes.push_back(c); });
    REQUIRE(watch.next_offset_change() == spring);

    clock.advance(2h);
    loop.run_once(0);
    CHECK(changes == std::vector{ClockWatch::Change::offset});
    CHECK(clock.reads == 2);
    // Summer time has begun: no further change within two days.
    CHECK(watch.next_offset_change() == std::nullopt);
}

}  // namespace stretch
