// The schedule engine, one behaviour per test case, as docs/schedule.md
// promises it. Times are written as local clock times on Monday 2024-01-01
// ("09:30"); the engine starts at 09:00 unless a test says otherwise. With the
// default config: micro every 30m (duration 30s, snooze 5m, 3 snoozes,
// remind every 5m), stretch every 1h (duration 5m, snooze 10m, 2 snoozes,
// remind every 10m); natural breaks 2m (micro) and 5m (stretch); grace 1m.

#include <doctest/doctest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "engine_fixture.hpp"

using namespace stretch;
using namespace stretch::test;
using namespace std::chrono_literals;

namespace {

// A config with reminder hours; the default rules and library.
Config hours(std::string_view days, std::string_view from, std::string_view to) {
    return config_with(fmt::format("[schedule]\ndays = {}\nfrom = \"{}\"\nto = \"{}\"\n", days, from, to));
}

// A one-rule config over a small library of seated stretches, one per
// (id, body area) pair, all tagged "t".
Config small_library(const std::vector<std::pair<std::string, std::string>>& stretches, int repeat_after) {
    std::string toml = fmt::format(R"(
[profile]
repeat_after = {}

[[break]]
name = "r"
every = "10m"
duration = "30s"
tags = ["t"]
)",
                                   repeat_after);
    for (auto& [id, area] : stretches)
        toml += fmt::format(R"(
[[stretch]]
id = "{}"
name = "{}"
steps = ["Do it."]
hold = "10s"
targets = ["{}"]
position = "seated"
tags = ["t"]
)",
                            id, id, area);
    return load_config(toml, "test.toml");
}

// The stretch shown at each first reminder of rule "r", taking every break as
// soon as it is reminded.
std::vector<std::string> shown_stretches(Sim& sim, int breaks) {
    std::vector<std::string> out;
    for (int i = 0; i < breaks; ++i) {
        auto from = sim.mark();
        sim.after(10min);
        auto shows = sim.shows(from);
        REQUIRE(shows.size() == 1);
        out.push_back(shows[0].reminder.stretch_id);
        sim.done();
    }
    return out;
}

}  // namespace

// ---- sitting time and natural breaks ------------------------------------------------

TEST_CASE("a break falls due exactly at `every` of sitting, and next_deadline points there") {
    Sim sim(default_config(), "09:00");
    CHECK(sim.deadline() == "09:30");

    sim.at("09:29:59");
    CHECK(sim.reminders() == "");
    CHECK(sim.rule("micro").due_in == 1s);
    CHECK(sim.deadline() == "09:30");

    sim.at("09:30");
    CHECK(sim.reminders() == "09:30 micro #1");
    auto shown = sim.shows().at(0).reminder;
    CHECK(shown.sitting == 30min);
    CHECK(shown.stretch_id == sim.state_of("micro").next_stretch);
    CHECK(shown.snoozes_left == 3);
    CHECK(shown.snooze == 5min);
    CHECK(shown.skippable);
    CHECK(sim.records(RecordKind::reminded) == "09:30 micro");
    // The stretch comes from the rule's pool (tag "micro").
    auto* s = sim.engine.config().find_stretch(shown.stretch_id);
    REQUIRE(s != nullptr);
    CHECK(std::count(s->tags.begin(), s->tags.end(), "micro") == 1);
}

TEST_CASE("an absence shorter than natural_break counts as sitting") {
    Sim sim(default_config(), "09:00");
    sim.at("09:20:30").idle_since("09:20");
    sim.at("09:21:30").active();  // idle 1m30s
    sim.at("09:24").lock();
    sim.at("09:25:59").unlock();  // locked 1m59s
    sim.at("09:26");

    CHECK(sim.records(RecordKind::natural) == "");
    CHECK(sim.rule("micro").sitting == 26min);
    CHECK(sim.status().sitting == 26min);
    CHECK(sim.deadline() == "09:30");
    sim.at("09:31");
    CHECK(sim.reminders() == "09:30 micro #1");
}

TEST_CASE("an absence at least natural_break long resets the rule, recorded `natural` once") {
    Sim sim(default_config(), "09:00");

    SUBCASE("screen locked") {
        sim.at("09:10").lock();
        CHECK(sim.deadline() == "09:12");  // micro's natural break length reached
        for (int minute = 0; minute < 10; ++minute) sim.after(1min).tick();  // ticking on changes nothing
        CHECK(sim.rule("micro").sitting == 0s);    // stays zero while the absence goes on
        CHECK(sim.rule("stretch").sitting == 0s);
        sim.unlock();
        CHECK(sim.records(RecordKind::natural, 0, true) == "09:12 micro 2m, 09:15 stretch 5m");
        CHECK(sim.records(RecordKind::back, 0, true) == "09:20 10m");
    }
    SUBCASE("idle") {
        sim.at("09:11").idle_since("09:10");
        sim.at("09:20").active();
        CHECK(sim.records(RecordKind::natural, 0, true) == "09:12 micro 2m, 09:15 stretch 5m");
    }
    SUBCASE("suspended, seen only on waking") {
        sim.at("09:10").suspend();
        sim.asleep_until("09:20").wake(10min);
        CHECK(sim.records(RecordKind::natural, 0, true) == "09:20 micro 10m, 09:20 stretch 10m");
    }
    SUBCASE("a sleep noticed only afterwards (resumed without suspended)") {
        sim.asleep_until("09:20").wake(10min);
        CHECK(sim.records(RecordKind::natural, 0, true) == "09:20 micro 10m, 09:20 stretch 10m");
    }

    // Sitting starts again from zero when the user is back.
    CHECK(sim.rule("micro").sitting == 0s);
    CHECK(sim.rule("stretch").sitting == 0s);
    CHECK(sim.status().sitting == 0s);
    CHECK(sim.deadline() == "09:50");
    sim.at("10:21");
    CHECK(sim.reminders() == "09:50 micro #1, 09:55 micro #2 (replace), 10:00 micro #3 (replace), "
                             "10:05 micro #4 (replace), 10:10 micro #5 (replace), 10:15 micro #6 (replace), "
                             // stretch did not come forward when micro was first shown (it was 30m off);
                             // it replaces micro's bubble when it falls due itself
                             "10:20 stretch #1 (replace)");
}

TEST_CASE("an absence between the two natural-break lengths resets only the shorter rule") {
    Sim sim(default_config(), "09:00");
    sim.at("09:10").lock();
    sim.at("09:13").unlock();  // 3 minutes: at least micro's 2m, under stretch's 5m
    CHECK(sim.records(RecordKind::natural) == "09:12 micro");
    CHECK(sim.rule("micro").sitting == 0s);
    CHECK(sim.rule("stretch").sitting == 13min);  // the lock counts as sitting for stretch
    CHECK(sim.deadline() == "09:43");
}

TEST_CASE("idle reported with `since` in the past counts the time already idle") {
    Sim sim(default_config(), "09:00");
    auto effects = sim.at("09:13").idle_since("09:10");
    // Three minutes idle already: micro's natural break happened, at once.
    auto natural = records_of(effects, RecordKind::natural);
    REQUIRE(natural.size() == 1);
    CHECK(natural[0].rule == "micro");
    CHECK(natural[0].amount == 3min);
    CHECK(sim.deadline() == "09:15");  // stretch's 5m, counted from 09:10
    sim.at("09:15");
    CHECK(sim.records(RecordKind::natural) == "09:13 micro, 09:15 stretch");
}

TEST_CASE("idle never starts before the user's last command") {
    Sim sim(default_config(), "09:00");
    sim.at("09:11").done();  // the user was there at 09:11
    sim.at("09:12:30").idle_since("09:10");
    CHECK(sim.records(RecordKind::natural) == "");  // 1m30s idle, not 2m30s
    CHECK(sim.deadline() == "09:13");
    sim.at("09:13");
    CHECK(sim.records(RecordKind::natural, 0, true) == "09:13 micro 2m");
}

TEST_CASE("a natural break closes the reminder of the rule it resets") {
    Sim sim(default_config(), "09:00");
    sim.at("09:31").lock();
    sim.at("09:34").unlock();
    CHECK(sim.reminders() == "09:30 micro #1");
    CHECK(sim.closes() == "09:33 micro natural");
    CHECK_FALSE(sim.bubble_up());
}

TEST_CASE("a break taken during a long absence is not recorded as a natural break again") {
    Sim sim(default_config(), "09:00");
    sim.at("09:31").stand();        // micro was reminded at 09:30
    sim.at("09:34").done("micro");  // after micro's natural break (09:33), still standing
    sim.at("09:40").sit();
    CHECK(sim.records(RecordKind::taken) == "09:34 micro");
    CHECK(sim.records(RecordKind::natural) == "09:33 micro, 09:36 stretch");
    CHECK(sim.rule("micro").sitting == 0s);
    CHECK(sim.deadline() == "10:10");
}

// ---- done and skip -------------------------------------------------------------------

TEST_CASE("a longer break taken resets the shorter ones; a shorter one taken does not reset the longer") {
    Sim sim(default_config(), "09:00");
    sim.at("09:31").done();
    CHECK(sim.rule("micro").sitting == 0s);
    CHECK(sim.rule("stretch").sitting == 31min);

    sim.at("10:00:30").done();
    CHECK(sim.reminders() == "09:30 micro #1, 10:00 stretch #1");
    CHECK(sim.records(RecordKind::taken, 0, true) == "09:31 micro 31m, 10:00:30 stretch 1h30s");
    CHECK(sim.rule("micro").sitting == 0s);
    CHECK(sim.rule("stretch").sitting == 0s);
    CHECK(sim.closes() == "09:31 micro done, 10:00:30 stretch done");
}

TEST_CASE("done ends unbroken sitting, skip does not, and neither does a short absence") {
    Sim sim(default_config(), "09:00");
    auto out = sim.at("09:31").skip();
    CHECK(out.rule == "micro");
    CHECK(sim.records(RecordKind::skipped) == "09:31 micro");
    CHECK(sim.rule("micro").sitting == 0s);
    CHECK(sim.status().sitting == 31min);  // skipped, so still unbroken

    sim.at("09:40").lock();
    sim.at("09:41").unlock();
    CHECK(sim.status().sitting == 41min);

    sim.at("10:01").done();  // stretch, reminded at 10:00
    CHECK(sim.status().sitting == 0s);
    sim.at("10:20");
    CHECK(sim.status().sitting == 19min);

    sim.lock();
    sim.at("10:22").unlock();  // the shortest natural break length: ends it too
    CHECK(sim.status().sitting == 0s);
}

TEST_CASE("skip resets the break and the shorter ones folded into it") {
    Sim sim(default_config(), "09:00");
    sim.at("09:30").done();  // micro and stretch now fall due together at 10:00
    sim.at("10:01").skip();
    CHECK(sim.reminders() == "09:30 micro #1, 10:00 stretch #1");
    CHECK(sim.records(RecordKind::skipped) == "10:01 stretch");
    CHECK(sim.rule("micro").sitting == 0s);
    CHECK(sim.rule("stretch").sitting == 0s);
    CHECK(sim.closes() == "09:30 micro done, 10:01 stretch skipped");
}

TEST_CASE("skip is refused with not_skippable when the rule has skippable = false") {
    auto config = config_with(R"(
[[break]]
name = "micro"
every = "30m"
duration = "30s"
tags = ["micro"]
skippable = false
max_snoozes = 1
)");
    Sim sim(config, "09:00");
    auto out = sim.at("09:30").skip();
    REQUIRE(out.refusal);
    CHECK(out.refusal->code == "not_skippable");
    CHECK(out.refusal->message.find("stretch done") != std::string::npos);
    CHECK(out.rule == "");
    CHECK(sim.bubble_up());
    CHECK(sim.records(RecordKind::skipped) == "");
    CHECK(sim.closes() == "");

    // Nor is skipping offered when the snoozes run out.
    sim.snooze();
    out = sim.at("09:35").snooze();
    REQUIRE(out.refusal);
    CHECK(out.refusal->code == "snooze_limit");
    CHECK(out.refusal->message.find("stretch done") != std::string::npos);
    CHECK(out.refusal->message.find("skip") == std::string::npos);
}

// ---- reminders --------------------------------------------------------------------------

TEST_CASE("an ignored reminder is shown again every remind_every, replacing the bubble, count going up") {
    Sim sim(default_config(), "09:00");
    sim.at("09:44");
    CHECK(sim.reminders() == "09:30 micro #1, 09:35 micro #2 (replace), 09:40 micro #3 (replace)");
    auto shows = sim.shows();
    CHECK(shows[2].reminder.sitting == 40min);
    CHECK(shows[2].reminder.stretch_id == shows[0].reminder.stretch_id);  // the same suggestion
    CHECK(sim.records(RecordKind::reminded) == "09:30 micro, 09:35 micro, 09:40 micro");
    CHECK(sim.closes() == "");
    CHECK(sim.status().shown->count == 3);
    CHECK(sim.deadline() == "09:45");
}

TEST_CASE("two breaks due together: the longer wins and there is one reminder") {
    Sim sim(default_config(), "09:00");
    sim.at("09:30").done();  // micro now falls due at 10:00, with stretch
    auto from = sim.mark();
    sim.at("10:00");
    CHECK(sim.reminders(from) == "10:00 stretch #1");
    CHECK(sim.rule("micro").due);
    CHECK(sim.rule("stretch").due);

    sim.done();
    CHECK(sim.rule("micro").sitting == 0s);
    CHECK(sim.rule("stretch").sitting == 0s);
    CHECK_FALSE(sim.bubble_up());
}

TEST_CASE("a longer break that would fall due within the due one's snooze length comes forward") {
    Sim sim(default_config(), "09:00");
    sim.at("09:26").done();  // micro: due 09:56; stretch: due 10:00, 4m later, under micro's 5m snooze
    sim.at("09:56");
    CHECK(sim.reminders() == "09:56 stretch #1");
    CHECK(sim.status().next->name == "stretch");

    // Snoozing it postpones it from when it would fall due (10:00), and micro,
    // folded into it, waits with it without spending a snooze of its own.
    sim.at("09:57").snooze();
    CHECK(sim.state_of("stretch").snoozes == 1);
    CHECK(sim.state_of("micro").snoozes == 0);
    sim.at("10:11");
    CHECK(sim.reminders() == "09:56 stretch #1, 10:10 stretch #1");
}

TEST_CASE("a longer break falling due while a shorter reminder is up replaces the bubble") {
    auto config = config_with(R"(
[[break]]
name = "micro"
every = "30m"
duration = "30s"
tags = ["micro"]
snooze = "1m"
remind_every = "20m"

[[break]]
name = "stretch"
every = "35m"
duration = "5m"
tags = ["stretch"]
)");
    Sim sim(config, "09:00");
    sim.at("09:36");
    // At 09:30 stretch is 5m off, beyond micro's 1m snooze: micro is shown. Whether stretch comes forward
    // is not asked again while micro's bubble is up (once a bug: at 09:34 it replaced the bubble, and
    // stats counted two reminders); stretch replaces it when it falls due itself.
    CHECK(sim.reminders() == "09:30 micro #1, 09:35 stretch #1 (replace)");
    CHECK(sim.closes() == "");
    CHECK(sim.status().shown->rule == "stretch");
}

// ---- snooze ------------------------------------------------------------------------------

TEST_CASE("snooze postpones the break by the rule's snooze length or the length given") {
    Sim sim(default_config(), "09:00");
    sim.at("09:31");

    SUBCASE("the rule's own length") {
        auto out = sim.snooze();
        CHECK_FALSE(out.refusal);
        CHECK(out.rule == "micro");
        sim.at("09:40");
        CHECK(sim.reminders() == "09:30 micro #1, 09:36 micro #1");
        CHECK(sim.records(RecordKind::snoozed, 0, true) == "09:31 micro 5m");
    }
    SUBCASE("a length given") {
        sim.snooze(2min);
        sim.at("09:40");
        CHECK(sim.reminders() == "09:30 micro #1, 09:33 micro #1, 09:38 micro #2 (replace)");
        CHECK(sim.records(RecordKind::snoozed, 0, true) == "09:31 micro 2m");
    }
    CHECK(sim.closes() == "09:31 micro snoozed");
    CHECK(sim.shows().at(1).reminder.snoozes_left == 2);
    CHECK(sim.state_of("micro").snoozes == 1);
}

TEST_CASE("snooze past max_snoozes is refused with snooze_limit, saying to take or skip the break") {
    Sim sim(default_config(), "09:00");
    sim.at("09:30").snooze();
    sim.at("09:35").snooze();
    sim.at("09:40").snooze();
    sim.at("09:45");
    CHECK(sim.reminders() == "09:30 micro #1, 09:35 micro #1, 09:40 micro #1, 09:45 micro #1");
    CHECK(sim.shows().back().reminder.snoozes_left == 0);

    auto before = sim.mark();
    auto out = sim.snooze();
    REQUIRE(out.refusal);
    CHECK(out.refusal->code == "snooze_limit");
    CHECK(out.refusal->message.find("stretch done") != std::string::npos);
    CHECK(out.refusal->message.find("stretch skip") != std::string::npos);
    CHECK(out.rule == "");
    CHECK(sim.bubble_up());  // the reminder stays up
    CHECK(sim.closes(before) == "");
    CHECK(sim.records(RecordKind::snoozed, before) == "");
    CHECK(sim.state_of("micro").snoozes == 3);

    // The count starts again when the rule is reset.
    sim.at("09:46").done();
    CHECK(sim.state_of("micro").snoozes == 0);
    out = sim.snooze({}, "micro");
    CHECK_FALSE(out.refusal);
}

TEST_CASE("snoozing a break that is not due yet postpones it from when it would fall due") {
    Sim sim(default_config(), "09:00");
    auto out = sim.at("09:20").snooze();
    CHECK(out.rule == "micro");  // the break falling due soonest
    CHECK(sim.records(RecordKind::snoozed, 0, true) == "09:20 micro 5m");
    CHECK(sim.closes() == "");
    sim.at("09:39");
    CHECK(sim.reminders() == "09:35 micro #1");
}

// ---- pause -------------------------------------------------------------------------------

TEST_CASE("pause for a length silences and closes the bubble, ends by itself, and an overdue break comes after grace") {
    Sim sim(default_config(), "09:00");
    auto out = sim.at("09:31").pause(20min);
    CHECK_FALSE(out.refusal);
    CHECK(sim.closes() == "09:31 micro paused");
    CHECK(sim.records(RecordKind::paused, 0, true) == "09:31 20m");
    CHECK(sim.status().mode == EngineMode::paused);
    CHECK(sim.status().paused_for == 20min);
    CHECK(sim.deadline() == "09:51");

    sim.at("09:51:30");
    CHECK(sim.records(RecordKind::resumed) == "09:51");
    auto resumed = only<Record>(sim.tick());  // (nothing new)
    CHECK(resumed.empty());
    CHECK(sim.status().mode != EngineMode::paused);
    CHECK(sim.status().held == HoldReason::grace);
    sim.at("09:53");
    CHECK(sim.reminders() == "09:30 micro #1, 09:52 micro #1");  // 09:51 + 1m grace

    // The resume was the timer's doing.
    bool by_timer = false;
    for (auto& t : sim.log)
        if (auto* r = std::get_if<Record>(&t.effect); r && r->kind == RecordKind::resumed) by_timer = r->origin == "timer";
    CHECK(by_timer);
}

TEST_CASE("pause until HH:MM lasts until the clock next shows that time") {
    Sim sim(default_config(), "09:00");

    SUBCASE("later today") {
        sim.at("09:10").pause_until("09:45");
        CHECK(sim.status().paused_for == 35min);
        CHECK(sim.records(RecordKind::paused, 0, true) == "09:10 35m");
        sim.at("09:50");
        CHECK(sim.records(RecordKind::resumed) == "09:45");
        CHECK(sim.reminders() == "09:46 micro #1");
    }
    SUBCASE("a time already past today means tomorrow") {
        sim.at("10:00").pause_until("09:00");
        auto from = sim.mark();
        CHECK(sim.status().paused_for == 23h);
        sim.at("tue 08:59");
        CHECK(sim.reminders(from) == "");
        CHECK(sim.status().mode == EngineMode::paused);
        sim.at("tue 09:01");
        CHECK(sim.records(RecordKind::resumed) == "tue 09:00");
        CHECK(sim.reminders(from) == "tue 09:01 stretch #1");  // after 1m grace
    }
}

TEST_CASE("pause without a length lasts until resume, and an overdue break comes after grace") {
    Sim sim(default_config(), "09:00");
    sim.at("09:25").pause();
    CHECK(sim.status().paused_for == 0s);  // set and zero: until resumed
    CHECK(sim.records(RecordKind::paused, 0, true) == "09:25 0s");
    sim.at("11:00");
    CHECK(sim.reminders() == "");
    CHECK(sim.rule("stretch").due);

    auto out = sim.resume();
    CHECK_FALSE(out.refusal);
    CHECK(sim.records(RecordKind::resumed) == "11:00");
    sim.at("11:02");
    CHECK(sim.reminders() == "11:01 stretch #1");
}

TEST_CASE("resume when not paused is refused with not_paused") {
    Sim sim(default_config(), "09:00");
    auto out = sim.at("09:10").resume();
    REQUIRE(out.refusal);
    CHECK(out.refusal->code == "not_paused");
    CHECK(sim.records(RecordKind::resumed) == "");
}

// ---- standing ----------------------------------------------------------------------------

TEST_CASE("standing stops sitting time") {
    Sim sim(default_config(), "09:00");
    sim.at("09:10").stand();
    CHECK(sim.status().mode == EngineMode::standing);
    sim.at("09:11");
    CHECK(sim.rule("micro").sitting == 10min);
    CHECK(sim.status().sitting == 10min);
    sim.sit();  // stood a minute: not a break, but not sitting either
    CHECK(sim.records(RecordKind::stood) == "09:10");
    CHECK(sim.records(RecordKind::sat) == "09:11");
    CHECK(sim.records(RecordKind::natural) == "");
    CHECK(sim.deadline() == "09:31");
    sim.at("09:32");
    CHECK(sim.reminders() == "09:31 micro #1");
}

TEST_CASE("standing at least natural_break long resets a rule like any other absence") {
    Sim sim(default_config(), "09:00");
    sim.at("09:10").stand();
    sim.at("09:13").sit();
    CHECK(sim.records(RecordKind::natural) == "09:12 micro");
    CHECK(sim.rule("micro").sitting == 0s);
    CHECK(sim.rule("stretch").sitting == 10min);  // the three minutes standing do not count
    CHECK(sim.deadline() == "09:43");
}

TEST_CASE("standing closes the bubble and holds reminders; sitting down again, an overdue break comes after grace") {
    Sim sim(default_config(), "09:00");
    sim.at("09:31").stand();
    CHECK(sim.closes() == "09:31 micro standing");
    sim.at("09:32").sit();
    CHECK(sim.rule("micro").due);
    sim.at("09:40");
    CHECK(sim.reminders() == "09:30 micro #1, 09:33 micro #1, 09:38 micro #2 (replace)");
}

TEST_CASE("stand twice is refused with already_standing; sit when not standing with not_standing") {
    Sim sim(default_config(), "09:00");
    auto out = sim.at("09:05").sit();
    REQUIRE(out.refusal);
    CHECK(out.refusal->code == "not_standing");
    CHECK_FALSE(sim.stand().refusal);
    out = sim.at("09:06").stand();
    REQUIRE(out.refusal);
    CHECK(out.refusal->code == "already_standing");
    CHECK(sim.records(RecordKind::stood) == "09:05");
}

// ---- reminder hours and grace -----------------------------------------------------------

TEST_CASE("outside the reminder hours nothing is shown and tracking goes on; a break still due comes when they start") {
    Sim sim(hours(R"(["mon", "tue", "wed", "thu", "fri"])", "09:00", "17:00"), "08:20");
    sim.at("08:55");
    CHECK(sim.reminders() == "");
    auto status = sim.status();
    CHECK(status.mode == EngineMode::off_hours);
    CHECK(status.off_hours);
    CHECK(status.held == HoldReason::off_hours);
    CHECK(sim.rule("micro").due);
    CHECK(sim.rule("micro").sitting == 35min);
    CHECK(sim.deadline() == "09:00");  // the hours starting

    sim.at("09:00");
    CHECK(sim.reminders() == "09:00 micro #1");
    CHECK(sim.shows().at(0).reminder.sitting == 40min);
}

TEST_CASE("a break falling due after the hours end is not reminded until the next working day") {
    Sim sim(hours(R"(["mon", "tue", "wed", "thu", "fri"])", "09:00", "17:00"), "16:20");
    sim.at("16:50").done();  // micro reminded at 16:50 and taken
    sim.at("23:00");
    CHECK(sim.reminders() == "16:50 micro #1");
    CHECK(sim.rule("stretch").sitting == 6h + 40min);
    CHECK(sim.rule("micro").sitting == 6h + 10min);
    CHECK(sim.deadline() == "tue 09:00");
    sim.at("tue 09:00");
    CHECK(sim.reminders() == "16:50 micro #1, tue 09:00 stretch #1");
}

TEST_CASE("reminder hours may span midnight: the early hours belong to the previous day's shift") {
    Sim sim(hours(R"(["fri"])", "22:00", "06:00"), "fri 21:45");
    sim.at("fri 21:59");
    CHECK(sim.status().off_hours);
    sim.at("fri 22:15");
    CHECK(sim.reminders() == "fri 22:15 micro #1");
    sim.done();

    sim.at("sat 03:00");
    CHECK_FALSE(sim.status().off_hours);  // Friday's shift
    sim.done("stretch");                  // resets both
    auto from = sim.mark();
    sim.at("sat 03:30");
    CHECK(sim.reminders(from) == "sat 03:30 micro #1");
    sim.done();

    sim.at("sat 05:59");
    CHECK_FALSE(sim.status().off_hours);
    from = sim.mark();
    sim.at("sat 06:00");
    CHECK(sim.status().off_hours);
    sim.at("sat 23:00");  // Saturday is not a working day, at any hour
    CHECK(sim.status().off_hours);
    CHECK(sim.reminders(from) == "");
    CHECK(sim.deadline() == "fri 22:00");  // next week

    // Friday's early hours belong to Thursday's shift, which is not worked.
    Sim early(hours(R"(["fri"])", "22:00", "06:00"), "fri 03:00");
    CHECK(early.status().off_hours);
    early.at("fri 05:00");
    CHECK(early.reminders() == "");
    CHECK(early.deadline() == "fri 22:00");
}

TEST_CASE("after coming back, an overdue break is reminded only after grace") {
    Sim sim(default_config(), "09:00");
    sim.at("09:29").lock();
    sim.at("09:30:30").unlock();  // 1m30s: not a break; micro fell due meanwhile
    CHECK(sim.reminders() == "");
    CHECK(sim.status().held == HoldReason::grace);
    CHECK(sim.deadline() == "09:31:30");
    sim.at("09:32");
    CHECK(sim.reminders() == "09:31:30 micro #1");
}

TEST_CASE("while away, a bubble already up stays and nothing new is shown") {
    Sim sim(default_config(), "09:00");
    sim.at("09:34").lock();
    sim.at("09:35:30");  // the 09:35 re-reminder is held
    CHECK(sim.reminders() == "09:30 micro #1");
    CHECK(sim.status().held == std::nullopt);  // a bubble is up: nothing held back
    CHECK(sim.bubble_up());
    sim.unlock();
    CHECK(sim.closes() == "");
    CHECK(sim.reminders() == "09:30 micro #1, 09:35:30 micro #2 (replace)");
}

// ---- config reload -----------------------------------------------------------------------

TEST_CASE("replacing the config keeps the progress of kept rules, starts new ones at zero, closes a removed rule's reminder") {
    Sim sim(default_config(), "09:00");
    sim.at("09:30").done();
    sim.at("10:05");
    CHECK(sim.reminders() == "09:30 micro #1, 10:00 stretch #1");

    auto from = sim.mark();
    sim.reload(config_with(BreakTables().add("micro", "30m", "30s").add("eyes", "20m", "20s").toml()));
    CHECK(sim.closes(from) == "10:05 stretch config");
    CHECK(sim.records(RecordKind::config_reloaded, from) == "10:05");
    CHECK(sim.rule("micro").sitting == 35min);  // kept
    CHECK(sim.rule("eyes").sitting == 0s);      // new
    CHECK(sim.status().rules.size() == 2);
    CHECK(sim.reminders(from) == "10:05 micro #1");  // micro was due under the stretch bubble
    sim.at("10:06").skip();  // micro only: eyes is not due
    sim.at("10:26");
    CHECK(sim.reminders(from) == "10:05 micro #1, 10:25 eyes #1");  // eyes: 20m since the reload
}

TEST_CASE("replacing the config with a lower max_snoozes caps the snoozes already spent") {
    Sim sim(default_config(), "09:00");
    sim.at("09:30").snooze();
    sim.at("09:35").snooze();  // 2 of 3
    sim.at("09:36").reload(config_with(default_rules().set("micro", "max_snoozes", 1).toml()));
    CHECK(sim.state_of("micro").snoozes == 1);
    CHECK(sim.rule("micro").snoozes == 1);
    CHECK(sim.rule("micro").max_snoozes == 1);

    sim.at("09:40");  // the snooze taken before the reload still runs its course
    CHECK(sim.reminders() == "09:30 micro #1, 09:35 micro #1, 09:40 micro #1");
    auto out = sim.snooze();
    REQUIRE(out.refusal);
    CHECK(out.refusal->code == "snooze_limit");
    CHECK(out.refusal->message.find("snoozed 1 of 1 times") != std::string::npos);
}

TEST_CASE("a config replaced during an absence applies its natural-break lengths at once") {
    Sim sim(default_config(), "09:00");
    sim.at("09:10").lock();
    auto effects = sim.at("09:14").reload(config_with(default_rules().set("stretch", "natural_break", "3m").toml()));
    auto natural = records_of(effects, RecordKind::natural);
    REQUIRE(natural.size() == 1);  // micro's came at 09:12
    CHECK(natural[0].rule == "stretch");
    CHECK(natural[0].amount == 4min);
    CHECK(sim.records(RecordKind::natural) == "09:12 micro, 09:14 stretch");
}

TEST_CASE("replacing the config closes the reminder of a rule it disables") {
    Sim sim(default_config(), "09:00");
    sim.at("09:31");
    sim.reload(config_with(default_rules().set("micro", "enabled", false).toml()));
    CHECK(sim.closes() == "09:31 micro config");
    sim.at("10:30");
    CHECK(sim.reminders() == "09:30 micro #1, 10:00 stretch #1, 10:10 stretch #2 (replace), 10:20 stretch #3 (replace), "
                             "10:30 stretch #4 (replace)");
}

TEST_CASE("replacing the config replaces a suggested stretch no longer in its rule's pool") {
    Sim sim(default_config(), "09:00");
    auto config = config_with(default_rules().set("micro", "tags", std::initializer_list<std::string_view>{"eyes"}).toml());
    REQUIRE(config.find_break("micro")->tags == std::vector<std::string>{"eyes"});
    sim.at("09:10").reload(config);
    auto* s = sim.engine.config().find_stretch(sim.state_of("micro").next_stretch);
    REQUIRE(s != nullptr);
    CHECK(std::count(s->tags.begin(), s->tags.end(), "eyes") == 1);
    CHECK(sim.rule("micro").sitting == 10min);
}

// ---- the stretch picker ------------------------------------------------------------------

TEST_CASE("the picker never suggests a stretch the profile excludes") {
    auto config = config_with(R"(
[profile]
equipment = []
avoid = ["floor"]
)");
    // The library has floor and equipment stretches tagged for the stretch rule.
    auto& library = config.stretches;
    auto drawn = [](const Stretch& s) { return std::count(s.tags.begin(), s.tags.end(), "stretch") == 1; };
    CHECK(std::any_of(library.begin(), library.end(), [&](auto& s) { return drawn(s) && s.position == Position::floor; }));
    CHECK(std::any_of(library.begin(), library.end(), [&](auto& s) { return drawn(s) && !s.equipment.empty(); }));

    Sim sim(config, "09:00", 3);
    std::set<std::string> seen;
    for (int hour = 0; hour < 40; ++hour) {
        sim.after(1h);
        for (auto& rule : {"micro", "stretch"}) seen.insert(sim.state_of(rule).next_stretch);
        sim.done();
    }
    for (auto& show : sim.shows()) seen.insert(show.reminder.stretch_id);
    CHECK(seen.size() > 10);
    for (auto& id : seen) {
        CAPTURE(id);
        auto* s = config.find_stretch(id);
        REQUIRE(s != nullptr);
        CHECK(s->position != Position::floor);
        CHECK(s->equipment.empty());
    }
}

TEST_CASE("the picker does not repeat one of the last repeat_after stretches shown") {
    SUBCASE("a pool big enough") {
        Sim sim(small_library({{"a", "neck"}, {"b", "neck"}, {"c", "neck"}, {"d", "neck"}, {"e", "neck"}}, 3), "09:00", 5);
        auto shown = shown_stretches(sim, 40);
        for (std::size_t i = 1; i < shown.size(); ++i)
            for (std::size_t back = 1; back <= std::min<std::size_t>(3, i); ++back) {
                CAPTURE(i);
                CHECK(shown[i] != shown[i - back]);
            }
    }
    SUBCASE("a pool too small: the window shrinks to leave a choice") {
        Sim sim(small_library({{"a", "neck"}, {"b", "neck"}, {"c", "neck"}}, 4), "09:00", 5);
        auto shown = shown_stretches(sim, 12);
        for (std::size_t i = 2; i < shown.size(); ++i) {
            CAPTURE(i);
            CHECK(std::set<std::string>{shown[i], shown[i - 1], shown[i - 2]}.size() == 3);
        }
    }
}

TEST_CASE("the picker rotates over body areas") {
    Sim sim(small_library({{"a", "neck"}, {"b", "wrists"}, {"c", "eyes"}, {"d", "calves"}}, 0), "09:00", 9);
    auto shown = shown_stretches(sim, 12);
    // Every area once before any comes round again, then the same round.
    CHECK(std::set<std::string>(shown.begin(), shown.begin() + 4).size() == 4);
    for (std::size_t i = 4; i < shown.size(); ++i) {
        CAPTURE(i);
        CHECK(shown[i] == shown[i - 4]);
    }
}

TEST_CASE("the picker is deterministic for a seed") {
    auto day = [](std::uint64_t seed) {
        Sim sim(default_config(), "09:00", seed);
        std::vector<std::string> picks;
        for (int i = 0; i < 16; ++i) {
            sim.after(30min);
            picks.push_back(sim.state_of("micro").next_stretch + "/" + sim.state_of("stretch").next_stretch);
            sim.done();
        }
        return join(picks);
    };
    CHECK(day(7) == day(7));
    int differ = 0;
    for (std::uint64_t seed = 1; seed <= 10; ++seed) differ += day(seed) != day(7);
    CHECK(differ > 0);
}

// ---- commands, status --------------------------------------------------------------------

TEST_CASE("status().next names the break the user meets next, its stretch and when it is due") {
    Sim sim(default_config(), "09:00");
    sim.at("09:10");
    auto next = sim.status().next;
    REQUIRE(next);
    CHECK(next->name == "micro");
    CHECK(next->due_in == 20min);
    REQUIRE(next->stretch != nullptr);
    CHECK(next->stretch->id == sim.state_of("micro").next_stretch);

    sim.at("09:30").done();  // both now fall due at 10:00: the longer is next
    sim.at("09:40");
    next = sim.status().next;
    REQUIRE(next);
    CHECK(next->name == "stretch");
    CHECK(next->due_in == 20min);
    CHECK(next->stretch->id == sim.state_of("stretch").next_stretch);

    sim.at("10:00");  // shown: the one reminded is next
    CHECK(sim.status().next->name == "stretch");
    CHECK(sim.status().next->due);
    CHECK(sim.status().mode == EngineMode::due);
}

TEST_CASE("commands act on the reminder shown, else the break due, else the one falling due soonest") {
    Sim sim(default_config(), "09:00");
    CHECK(sim.at("09:10").done().rule == "micro");      // the soonest (09:30, stretch 10:00)
    CHECK(sim.at("09:30").done().rule == "micro");      // soonest again (09:40); now both fall due at 10:00
    CHECK(sim.at("09:40").snooze().rule == "stretch");  // a tie goes to the longer: snoozed to 10:10
    sim.at("10:05");
    CHECK(sim.reminders() == "10:00 micro #1, 10:05 micro #2 (replace)");
    CHECK(sim.done().rule == "micro");  // the one shown, not the longer one snoozed
}

TEST_CASE("a command naming an unknown break is refused with unknown_break") {
    Sim sim(default_config(), "09:00");
    for (auto out : {sim.done("lunch"), sim.snooze({}, "lunch"), sim.skip("lunch")}) {
        REQUIRE(out.refusal);
        CHECK(out.refusal->code == "unknown_break");
        CHECK(out.refusal->message.find("micro, stretch") != std::string::npos);
    }
    CHECK(sim.records(RecordKind::taken) == "");
}

TEST_CASE("named commands act on the rule named") {
    Sim sim(default_config(), "09:00");
    sim.at("09:30");
    auto out = sim.skip("stretch");
    CHECK(out.rule == "stretch");
    CHECK(sim.rule("stretch").sitting == 0s);
    CHECK(sim.rule("micro").sitting == 0s);  // micro was due, so folded in
    CHECK(sim.closes() == "09:30 micro skipped");
}

TEST_CASE("next_deadline is empty when nothing will happen without an event") {
    Sim sim(config_with(default_rules().set_all("enabled", false).toml()), "09:00");
    CHECK(sim.deadline() == "none");
    sim.at("12:00");
    CHECK(sim.reminders() == "");
    auto out = sim.done();
    REQUIRE(out.refusal);
    CHECK(out.refusal->code == "no_breaks");
}

TEST_CASE("a command on a rule other than the one shown leaves that bubble alone") {
    Sim sim(default_config(), "09:00");
    sim.at("10:00");  // both due: the stretch bubble is up, micro folded in
    REQUIRE(sim.status().shown->rule == "stretch");
    auto before = sim.mark();
    sim.at("10:01").done("micro");
    CHECK(sim.closes(before) == "");
    CHECK(sim.reminders(before) == "");
    CHECK(sim.status().shown->rule == "stretch");
}
