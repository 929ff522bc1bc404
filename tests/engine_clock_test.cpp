// The local clock moving under a running engine: set by hand, a new time
// zone, daylight saving. Sitting time runs on the monotonic clock and does
// not care; what follows the local clock (pause --until, schedule hours) must.

#include "engine_fixture.hpp"

namespace stretch::test {
namespace {

// `n` with the local clock moved by `shift`; Unix time moves too when the
// clock itself was set, and stays when only the offset changed (time zone,
// daylight saving). The monotonic clock never moves.
Now local_moved(Now n, Duration shift, bool unix_time_moves) {
    auto s = std::chrono::duration_cast<std::chrono::seconds>(shift).count();
    if (unix_time_moves) n.wall_s += s;
    std::int64_t sod = n.local.seconds_of_day + s;
    std::int64_t days = sod >= 0 ? sod / seconds_per_day : (sod - seconds_per_day + 1) / seconds_per_day;
    n.local.seconds_of_day = static_cast<int>(sod - days * seconds_per_day);
    n.local.weekday = static_cast<int>(((n.local.weekday + days) % 7 + 7) % 7);
    return n;
}

Now offset_by(Now n, Duration offset) { return local_moved(n, offset, false); }

}  // namespace

TEST_CASE("local_seconds is Unix time plus the UTC offset, whichever side of midnight") {
    Now utc = Clock::at("09:00");
    CHECK(local_seconds(utc) == utc.wall_s);
    CHECK(local_seconds(offset_by(utc, 2h)) == utc.wall_s + 2 * 3600);
    CHECK(local_seconds(offset_by(utc, -5h)) == utc.wall_s - 5 * 3600);

    Now late = Clock::at("23:30");  // Monday in UTC, Tuesday 00:30 at +1h
    CHECK(local_seconds(offset_by(late, 1h)) == late.wall_s + 3600);
    Now early = Clock::at("tue 00:30");  // Tuesday in UTC, Monday 19:30 at -5h
    CHECK(local_seconds(offset_by(early, -5h)) == early.wall_s - 5 * 3600);

    // +13h and -11h show the same time of day; the weekday tells them apart.
    Now noon = Clock::at("tue 12:00");
    CHECK(local_seconds(offset_by(noon, 13h)) == noon.wall_s + 13 * 3600);
    CHECK(local_seconds(offset_by(noon, -11h)) == noon.wall_s - 11 * 3600);
}

TEST_CASE("pause --until follows the local clock when it is set, the zone changes or daylight saving shifts") {
    Sim sim(default_config(), "09:00");
    sim.at("09:10").pause_until("11:00");
    REQUIRE(sim.status().paused_for == 110min);
    sim.at("09:20");
    Engine& e = sim.engine;

    SUBCASE("the clock set back an hour: an hour longer") {
        Now n = local_moved(sim.now, -1h, true);
        e.clock_changed(n);
        CHECK(e.status(n).paused_for == 160min);
        CHECK(e.state().pause_until == n.mono + 160min);
    }
    SUBCASE("the clock set forward an hour: an hour shorter") {
        Now n = local_moved(sim.now, 1h, true);
        e.clock_changed(n);
        CHECK(e.status(n).paused_for == 40min);
    }
    SUBCASE("the clock set forward past the time asked for: the pause is over") {
        Now n = local_moved(sim.now, 2h, true);
        auto effects = e.clock_changed(n);
        CHECK(e.status(n).mode != EngineMode::paused);
        auto resumed = records_of(effects, RecordKind::resumed);
        REQUIRE(resumed.size() == 1);
        CHECK(resumed[0].origin == "timer");
    }
    SUBCASE("daylight saving begins (local clock +1h, Unix time goes on): an hour shorter") {
        Now n = offset_by(sim.now, 1h);
        e.clock_changed(n);
        CHECK(e.status(n).paused_for == 40min);
    }
    SUBCASE("daylight saving begins and skips the time asked for: the pause is over") {
        Sim short_pause(default_config(), "09:00");
        short_pause.at("09:10").pause_until("09:45");
        short_pause.at("09:30");
        Now n = offset_by(short_pause.now, 1h);  // 09:30 becomes 10:30
        short_pause.engine.clock_changed(n);
        CHECK(short_pause.engine.status(n).mode != EngineMode::paused);
    }
    SUBCASE("daylight saving ends (local clock -1h): an hour longer") {
        Now n = offset_by(sim.now, -1h);
        e.clock_changed(n);
        CHECK(e.status(n).paused_for == 160min);
    }
    SUBCASE("a change that moves nothing changes nothing") {
        e.clock_changed(sim.now);
        CHECK(e.status(sim.now).paused_for == 100min);
    }
}

TEST_CASE("a pause for a length is a length: clock changes leave it alone") {
    Sim sim(default_config(), "09:00");
    sim.at("09:10").pause(30min);
    sim.at("09:20");
    Now n = local_moved(sim.now, 3h, true);
    sim.engine.clock_changed(n);
    CHECK(sim.engine.status(n).paused_for == 20min);
}

TEST_CASE("schedule hours are read from the local clock at each change") {
    // Reminders from 09:00 to 17:00; micro (every 30m) falls due at 17:15,
    // after hours, and is held.
    Sim sim(config_with(R"(
[schedule]
from = "09:00"
to = "17:00"
)"),
            "16:45");
    sim.at("17:20");
    REQUIRE(sim.status().mode == EngineMode::off_hours);
    REQUIRE(sim.status().held == HoldReason::off_hours);
    REQUIRE(!sim.bubble_up());

    // The zone moves an hour west: 16:20 local, within hours again. Only the
    // clock change event can show the held reminder now; status() alone
    // would report hours but keep the bubble down until the next deadline.
    Now n = offset_by(sim.now, -1h);
    auto shows = only<ShowReminder>(sim.engine.clock_changed(n));
    REQUIRE(shows.size() == 1);
    CHECK(describe(shows[0]) == "micro #1");
    CHECK(sim.engine.state().shown.has_value());
    CHECK(sim.engine.status(n).mode == EngineMode::due);
    CHECK(!sim.engine.status(n).off_hours);
}

}  // namespace stretch::test
