// Calls in the engine (docs/schedule.md, "Calls"): a due reminder waits
// through a call and its settle, sitting time goes on, a call is no natural
// break, and `meeting start --for` ends by itself. Default config: micro
// every 30m, stretch every 1h; natural breaks 2m and 5m; [meeting] settle 1m.

#include <doctest/doctest.h>

#include "engine_fixture.hpp"

using namespace stretch;
using namespace stretch::test;
using namespace std::chrono_literals;

TEST_CASE("a reminder due mid-call waits, and shows once the call has settled, with the call's length") {
    Sim sim(default_config(), "09:00");
    sim.at("09:10").call(true);
    CHECK(sim.records(RecordKind::call_started) == "09:10");
    sim.at("09:45");
    CHECK(sim.reminders().empty());
    auto st = sim.status();
    REQUIRE(st.held);
    CHECK(*st.held == HoldReason::call);
    CHECK(st.sitting == 45min);  // a call is not a break
    REQUIRE(st.call);
    CHECK(st.call->length == 35min);
    CHECK(st.call->detected);

    sim.at("10:02").call(false);  // hung up: the settle (1m) begins
    CHECK(sim.deadline() == "10:03");
    sim.at("10:02:59");
    CHECK(sim.reminders().empty());
    REQUIRE(sim.status().call->settle_left);
    sim.at("10:03");
    CHECK(sim.reminders() == "10:03 stretch #1");
    REQUIRE(sim.shows().size() == 1);
    CHECK(sim.shows()[0].reminder.after_call == 52min);
    CHECK(sim.records(RecordKind::call, 0, true) == "10:03 52m");
    CHECK_FALSE(sim.status().call);
}

TEST_CASE("a call dropped and re-joined within the settle is one call") {
    Sim sim(default_config(), "09:00");
    sim.at("09:20").call(true);
    sim.at("09:40").call(false);
    sim.at("09:40:30").call(true);
    CHECK(sim.records(RecordKind::call_started) == "09:20");
    sim.at("10:00").call(false);
    sim.at("10:01");
    CHECK(sim.records(RecordKind::call, 0, true) == "10:01 40m");
    CHECK(sim.reminders() == "10:01 stretch #1");
}

TEST_CASE("no input during a call is no absence: the call does not turn into a natural break") {
    Sim sim(default_config(), "09:00");
    sim.at("09:10").call(true);
    sim.at("09:12").idle_since("09:11");
    sim.at("09:25");
    CHECK_FALSE(sim.status().away);
    CHECK(sim.records(RecordKind::natural).empty());
    CHECK(sim.status().sitting == 25min);
    // Hung up and still idle: the absence begins when the call is over.
    sim.at("09:25").call(false);
    sim.at("09:26");
    CHECK(sim.records(RecordKind::away) == "09:26");
    sim.at("09:27:59");
    CHECK(sim.records(RecordKind::natural).empty());
    sim.at("09:28");
    CHECK(sim.records(RecordKind::natural) == "09:28 micro");
}

TEST_CASE("a user already idle when a call begins is back: the call is presence") {
    Sim sim(default_config(), "09:00");
    sim.at("09:10").idle_since("09:10");
    sim.at("09:11").call(true);
    CHECK(sim.records(RecordKind::back, 0, true) == "09:11 1m");
    CHECK_FALSE(sim.status().away);
}

TEST_CASE("a lock during a call is still an absence") {
    Sim sim(default_config(), "09:00");
    sim.at("09:10").call(true);
    sim.at("09:20").lock();
    CHECK(sim.status().away);
    sim.at("09:23");
    CHECK(sim.records(RecordKind::natural) == "09:22 micro");
}

TEST_CASE("meeting start --for holds reminders until it runs out, with no settle after it") {
    Sim sim(default_config(), "09:00");
    auto out = sim.at("09:25").meeting_start(20min);
    CHECK_FALSE(out.refusal);
    CHECK(sim.records(RecordKind::call_started) == "09:25");
    sim.at("09:40");
    CHECK(sim.reminders().empty());
    CHECK(sim.status().call->manual_left == 5min);
    CHECK(sim.deadline() == "09:45");
    sim.at("09:45");
    CHECK(sim.reminders() == "09:45 micro #1");
    CHECK(sim.records(RecordKind::call, 0, true) == "09:45 20m");
}

TEST_CASE("meeting end ends a manual call at once; with the devices still in use, the call goes on") {
    Sim sim(default_config(), "09:00");
    sim.at("09:20").meeting_start();
    sim.at("09:35");
    CHECK(sim.reminders().empty());
    sim.at("09:40").meeting_end();
    CHECK(sim.reminders() == "09:40 micro #1");

    sim.done();
    sim.at("09:50").meeting_start();
    sim.call(true);
    sim.at("10:25").meeting_end();
    CHECK(sim.status().call);
    CHECK(sim.status().held == HoldReason::call);
    auto refused = sim.meeting_end();
    REQUIRE(refused.refusal);
    CHECK(refused.refusal->code == "no_meeting");
    CHECK(refused.refusal->message.find("camera or microphone") != std::string::npos);
}

TEST_CASE("meeting start is refused when calls are off in the config, and so are detected calls") {
    Sim sim(config_with("[meeting]\nenabled = false\n"), "09:00");
    auto out = sim.meeting_start();
    REQUIRE(out.refusal);
    CHECK(out.refusal->code == "meeting_disabled");
    sim.at("09:10").call(true);
    sim.at("09:30");
    CHECK(sim.reminders() == "09:30 micro #1");
    CHECK_FALSE(sim.status().call);
}

TEST_CASE("[meeting] hold_max shows the reminder over a long call once it has waited that long") {
    Sim sim(config_with("[meeting]\nhold_max = \"20m\"\n"), "09:00");
    sim.at("09:10").call(true);
    sim.at("09:30");
    CHECK(sim.reminders().empty());
    CHECK(sim.deadline() == "09:50");
    sim.at("09:50");
    CHECK(sim.reminders() == "09:50 micro #1");
    CHECK_FALSE(sim.shows()[0].reminder.after_call);
    // Shown during the call: its re-reminder after the call does not speak of it.
    sim.at("09:52").call(false);
    sim.at("09:55");
    CHECK(sim.reminders() == "09:50 micro #1, 09:55 micro #2 (replace)");
    CHECK_FALSE(sim.shows().back().reminder.after_call);
}

TEST_CASE("a reminder up when a call begins is taken down, and comes back when the call is over") {
    Sim sim(default_config(), "09:00");
    sim.at("09:30");
    CHECK(sim.reminders() == "09:30 micro #1");
    sim.at("09:31").call(true);
    CHECK(sim.closes() == "09:31 micro call");
    CHECK_FALSE(sim.bubble_up());
    sim.at("09:50").call(false);
    CHECK(sim.reminders() == "09:30 micro #1");
    sim.at("09:51");
    CHECK(sim.reminders() == "09:30 micro #1, 09:51 micro #1");
    CHECK(sim.shows().back().reminder.after_call == 19min);
}

TEST_CASE("meeting start --for takes 1s to 24h") {
    Sim sim(default_config(), "09:00");
    auto out = sim.meeting_start(25h);
    REQUIRE(out.refusal);
    CHECK(out.refusal->code == "bad_duration");
    CHECK(out.refusal->message == "meeting for \"25h\": expected a length from 1s to 24h");
    CHECK_FALSE(sim.status().call);
    CHECK_FALSE(sim.meeting_start(24h).refusal);
}
