// stretchd stopping and starting again, through the state codec as the
// daemon saves and restores it: what a restart may and may not write into
// the history.

#include <doctest/doctest.h>

#include "daemon/storage/state_codec.hpp"
#include "engine_fixture.hpp"

namespace stretch {
namespace {

using namespace test;

// stretchd stops at `stop` and starts again at `start`, on the same boot.
// Like the daemon, the new engine's first call is show_again().
void restart(Sim& sim, std::string_view stop, std::string_view start) {
    sim.at(stop);
    sim.tick();
    std::string saved = encode_state(sim.engine.state(), sim.now, "boot-1");
    sim.now = Clock::at(start);
    auto restored = decode_state(saved, sim.now, "boot-1");
    REQUIRE(restored);
    sim.engine = Engine(sim.engine.config(), std::move(restored->state));
    sim.show_again();
}

}  // namespace

TEST_CASE("restarts while the user is away neither end the absence nor count it again") {
    Sim sim(default_config(), "09:00");
    sim.at("09:06").idle_since("09:05");
    sim.at("09:20");
    std::string naturals = sim.records(RecordKind::natural);
    CHECK(naturals != "");
    for (auto [stop, start] : {std::pair{"09:20", "09:21"}, {"09:30", "09:31"}, {"09:40", "09:41"}}) {
        restart(sim, stop, start);
        CHECK(sim.engine.state().restored_away);
        sim.idle_since("09:05");  // the source sees the user still idle, as X11 and GNOME say at once
        sim.settle_restored_absence();
        CHECK(sim.status().away);
    }
    sim.at("09:50").active();
    CHECK(sim.records(RecordKind::away) == "09:06");
    CHECK(sim.records(RecordKind::back, 0, true) == "09:50 45m");
    CHECK(sim.records(RecordKind::natural) == naturals);
}

TEST_CASE("a restored absence that no source confirms ends with one back, timed from when the user left") {
    Sim sim(default_config(), "09:00");
    sim.at("09:06").idle_since("09:05");
    restart(sim, "09:08", "09:09");
    sim.at("09:10");
    CHECK(sim.status().away);
    sim.settle_restored_absence();
    CHECK_FALSE(sim.status().away);
    CHECK(sim.records(RecordKind::away) == "09:06");
    CHECK(sim.records(RecordKind::back, 0, true) == "09:10 5m");
}

TEST_CASE("a lock seen after a restart holds the restored absence until unlock") {
    Sim sim(default_config(), "09:00");
    sim.at("09:06").idle_since("09:05");
    restart(sim, "09:08", "09:09");
    sim.lock();
    sim.settle_restored_absence();
    CHECK(sim.status().away);
    sim.at("09:30").unlock();
    CHECK(sim.records(RecordKind::away) == "09:06");
    CHECK(sim.records(RecordKind::back, 0, true) == "09:30 25m");
}

TEST_CASE("a user present at the stop is present after the start: no absence is restored") {
    Sim sim(default_config(), "09:00");
    restart(sim, "09:10", "09:10:30");
    CHECK_FALSE(sim.engine.state().restored_away);
    CHECK_FALSE(sim.status().away);
}

TEST_CASE("a reminder up at a restart is shown again once, as a repeat of the same reminder") {
    Sim sim(default_config(), "09:00");
    sim.at("09:31");
    CHECK(sim.reminders() == "09:30 micro #1");
    restart(sim, "09:32", "09:33");
    CHECK(sim.reminders() == "09:30 micro #1, 09:33 micro #2 (replace)");
    sim.at("09:37");
    CHECK(sim.reminders() == "09:30 micro #1, 09:33 micro #2 (replace)");
    sim.at("09:39");
    CHECK(sim.reminders() == "09:30 micro #1, 09:33 micro #2 (replace), 09:38 micro #3 (replace)");
}

TEST_CASE("standing and sitting are recorded as stood and sat, not as an absence seen by activity") {
    Sim sim(default_config(), "09:00");
    sim.at("09:10").stand();
    sim.at("09:13").sit();
    CHECK(sim.records(RecordKind::away) == "");
    CHECK(sim.records(RecordKind::back) == "");
    CHECK(sim.records(RecordKind::stood) == "09:10");
    CHECK(sim.records(RecordKind::sat, 0, true) == "09:13 3m");
}

}  // namespace stretch
