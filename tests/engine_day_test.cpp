// A simulated working day, driven the way the daemon drives the engine: time
// moves from one scripted event to the next by ticking at every
// next_deadline() on the way. Everything the engine showed is then compared
// with a timeline worked out by hand from docs/schedule.md (not from the
// engine's output), entry by entry with the reason for each.
//
// Also here: the worked example at the bottom of docs/schedule.md.

#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "engine_fixture.hpp"

using namespace stretch;
using namespace stretch::test;
using namespace std::chrono_literals;

namespace {

struct Expected {
    const char* time;
    const char* rule;
    int count;
    bool replace;
};

std::string render(const std::vector<Expected>& table) {
    std::vector<std::string> lines;
    for (auto& e : table) lines.push_back(fmt::format("{} {} #{}{}", e.time, e.rule, e.count, e.replace ? " (replace)" : ""));
    return "\n" + join(lines, "\n");
}

std::string lines(const std::vector<std::string>& items) { return "\n" + join(items, "\n"); }

}  // namespace

// The rules are the default ones; the reminder hours are a working day.
//
//   micro    every 30m, duration 30s, snooze 5m,  3 snoozes, remind every 5m,  natural break 2m
//   stretch  every 1h,  duration 5m,  snooze 10m, 2 snoozes, remind every 10m, natural break 5m
//   grace 1m; reminders Monday to Friday, 09:00 to 17:00.
TEST_CASE("a simulated eight-hour day") {
    auto config = config_with(default_rules_toml() + R"(
[tracking]
natural_break = "2m"
grace = "1m"

[schedule]
days = ["mon", "tue", "wed", "thu", "fri"]
from = "09:00"
to = "17:00"
)");
    // Monday. The machine wakes at 08:20 and the user sits down.
    Sim sim(config, "08:20");

    // 08:50 micro falls due before the hours start: not reminded.
    sim.at("09:02").done();  // the 09:00 reminder, taken

    // The morning's stretch: ignored, snoozed twice, refused a third time, skipped.
    sim.at("09:33").snooze();
    sim.at("09:45").snooze(5min);
    auto refused = sim.at("09:51").snooze();
    REQUIRE(refused.refusal);
    CHECK(refused.refusal->code == "snooze_limit");
    CHECK(refused.refusal->message.find("stretch done") != std::string::npos);
    CHECK(sim.bubble_up());
    sim.at("09:52").skip();
    CHECK(sim.status().sitting == 50min);  // a skip is no break: unbroken since 09:02

    // A long meeting, screen locked.
    sim.at("10:00").lock();
    sim.at("10:30").unlock();
    CHECK(sim.status().sitting == 0s);

    // Reading, with the mouse still for a minute or two now and then.
    sim.at("10:41").idle_since("10:40");
    sim.at("10:41:30").active();
    sim.at("10:50:30").idle_since("10:49");
    sim.at("10:50:45").active();

    sim.at("11:06").done();  // micro, reminded at 11:00 and 11:05

    // A short meeting: three minutes locked.
    sim.at("11:10").lock();
    sim.at("11:13").unlock();

    sim.at("11:31").done();  // stretch, reminded at 11:30

    // Lunch: the laptop sleeps. No ticks while asleep.
    sim.at("11:55").suspend();
    sim.asleep_until("12:40").wake(45min);

    sim.at("13:11").pause(25min);  // micro reminded at 13:10; pause closes it
    CHECK(sim.status().mode == EngineMode::paused);
    sim.at("13:38").done();  // the stretch shown at 13:37

    sim.at("14:00").pause_until("14:30");
    sim.at("14:32").done();  // micro, shown at 14:31
    sim.at("14:50").done();  // stretch, shown at 14:38 and 14:48
    sim.at("15:21").done();  // micro
    sim.at("16:02").done();  // stretch, shown at 15:50 and 16:00 (micro due under it from 15:51)
    sim.at("16:33").done();  // micro

    // The hours end at 17:00; the user keeps working.
    sim.at("17:45");

    // ---- what the user saw -------------------------------------------------------
    const std::vector<Expected> reminders = {
        // time      rule       count  replace
        {"09:00", "micro", 1, false},    // due at 08:50 (30m since 08:20), held until the hours start
        {"09:20", "stretch", 1, false},  // 1h since 08:20; micro reset at 09:02 is at 18m
        {"09:30", "stretch", 2, true},   // ignored: again after remind_every 10m
                                         // 09:32 micro due too, folded into the stretch bubble
                                         // 09:33 snooze: stretch to 09:43 (1 of 2), micro waits with it
        {"09:43", "stretch", 1, false},  // snooze over; both due, the longer wins
                                         // 09:45 snooze 5m: stretch to 09:50 (2 of 2)
        {"09:50", "stretch", 1, false},  // snooze over; 09:51 third snooze refused, 09:52 skipped
                                         // (micro folded in, reset too)
                                         // 10:00-10:30 locked: natural breaks at 10:02 (micro), 10:05 (stretch)
                                         // 10:40-10:41:30 and 10:49-10:50:45 idle: under 2m, still sitting
        {"11:00", "micro", 1, false},    // 30m since 10:30, the idle gaps included
        {"11:05", "micro", 2, true},     // ignored; 11:06 done
                                         // 11:10-11:13 locked: micro natural at 11:12; stretch goes on
        {"11:30", "stretch", 1, false},  // 1h since 10:30, the 3m lock included; 11:31 done resets both
                                         // 11:55-12:40 asleep: both reset, natural, on waking
        {"13:10", "micro", 1, false},    // 30m since 12:40; 13:11 paused until 13:36, bubble closed
                                         // 13:36 pause over: 1m grace
        {"13:37", "stretch", 1, false},  // micro is overdue, but stretch is 3m from due (under micro's
                                         // 5m snooze), so it comes forward; 13:38 done resets both
                                         // 14:00 paused until 14:30; micro due at 14:08, silent
        {"14:31", "micro", 1, false},    // 14:30 pause over + 1m grace; stretch still 7m away; 14:32 done
        {"14:38", "stretch", 1, false},  // 1h since 13:38
        {"14:48", "stretch", 2, true},   // ignored; 14:50 done resets both
        {"15:20", "micro", 1, false},    // 30m since 14:50; 15:21 done
        {"15:50", "stretch", 1, false},  // 1h since 14:50; micro due at 15:51 is folded in
        {"16:00", "stretch", 2, true},   // ignored; 16:02 done resets both
        {"16:32", "micro", 1, false},    // 16:33 done
                                         // 17:00 hours end: stretch due 17:02, micro 17:03, not reminded
    };
    CHECK(lines(sim.reminder_list()) == render(reminders));

    // ---- what was recorded --------------------------------------------------------
    CHECK(lines(sim.record_list(RecordKind::taken)) == lines({
              "09:02 micro",
              "11:06 micro",
              "11:31 stretch",
              "13:38 stretch",  // it came forward
              "14:32 micro",
              "14:50 stretch",
              "15:21 micro",
              "16:02 stretch",
              "16:33 micro",
          }));
    CHECK(lines(sim.record_list(RecordKind::natural, 0, true)) == lines({
              "10:02 micro 2m",     // the long meeting
              "10:05 stretch 5m",
              "11:12 micro 2m",     // the short one: micro only
              "12:40 micro 45m",    // lunch, seen on waking
              "12:40 stretch 45m",
          }));
    CHECK(lines(sim.record_list(RecordKind::snoozed, 0, true)) == lines({"09:33 stretch 10m", "09:45 stretch 5m"}));
    CHECK(lines(sim.record_list(RecordKind::skipped)) == lines({"09:52 stretch"}));
    CHECK(lines(sim.record_list(RecordKind::paused, 0, true)) == lines({"13:11 25m", "14:00 30m"}));
    CHECK(lines(sim.record_list(RecordKind::resumed)) == lines({"13:36", "14:30"}));  // both by the timer
    CHECK(lines(sim.close_list()) == lines({
              "09:02 micro done",
              "09:33 stretch snoozed",
              "09:45 stretch snoozed",
              "09:52 stretch skipped",
              "11:06 micro done",
              "11:31 stretch done",
              "13:11 micro paused",
              "13:38 stretch done",
              "14:32 micro done",
              "14:50 stretch done",
              "15:21 micro done",
              "16:02 stretch done",
              "16:33 micro done",
          }));

    // ---- the evening: tracking goes on, reminders do not ---------------------------
    auto status = sim.status();
    CHECK(status.mode == EngineMode::off_hours);
    CHECK(status.held == HoldReason::off_hours);
    CHECK(sim.rule("stretch").sitting == 1h + 43min);  // since 16:02
    CHECK(sim.rule("micro").sitting == 1h + 12min);    // since 16:33
    CHECK(status.sitting == 1h + 12min);
    CHECK(sim.deadline() == "tue 09:00");
}

// docs/schedule.md, "A worked example", with the default config.
TEST_CASE("the worked example in docs/schedule.md holds") {
    Sim sim(default_config(), "09:00");
    // 09:00 active: both rules at 0; next deadline 09:30.
    sim.active();
    CHECK(sim.rule("micro").sitting == 0s);
    CHECK(sim.rule("stretch").sitting == 0s);
    CHECK(sim.deadline() == "09:30");

    // 09:20-09:21 idle for 1 min: under 2m, counts as sitting.
    sim.at("09:20:30").idle_since("09:20");
    sim.at("09:21").active();
    CHECK(sim.records(RecordKind::natural) == "");
    CHECK(sim.rule("micro").sitting == 21min);

    // 09:30 micro due: reminder (micro, with a micro stretch).
    sim.at("09:30");
    CHECK(sim.reminders() == "09:30 micro #1");
    auto* s = default_config().find_stretch(sim.shows().at(0).reminder.stretch_id);
    REQUIRE(s != nullptr);
    CHECK(std::count(s->tags.begin(), s->tags.end(), "micro") == 1);

    // 09:31 done: micro reset, recorded taken; next deadline 10:00.
    sim.at("09:31").done();
    CHECK(sim.records(RecordKind::taken) == "09:31 micro");
    CHECK(sim.rule("micro").sitting == 0s);
    CHECK(sim.deadline() == "10:00");

    // 09:40-09:43 screen locked 3 min: micro resets (natural, >= 2m); stretch does not (< 5m).
    sim.at("09:40").lock();
    sim.at("09:43").unlock();
    CHECK(sim.records(RecordKind::natural) == "09:42 micro");
    CHECK(sim.rule("micro").sitting == 0s);
    CHECK(sim.rule("stretch").sitting == 43min);

    // 10:00 stretch due at 1h of sitting: reminded (micro is at 17m, not due).
    auto from = sim.mark();
    sim.at("10:00");
    CHECK(sim.reminders(from) == "10:00 stretch #1");
    CHECK(sim.rule("micro").sitting == 17min);
    CHECK_FALSE(sim.rule("micro").due);

    // 10:10 re-reminder: same bubble, count 2.
    sim.at("10:10");
    CHECK(sim.reminders(from) == "10:00 stretch #1, 10:10 stretch #2 (replace)");

    // 10:11 snooze: stretch snoozed 10m (1 of 2), until 10:21.
    auto out = sim.at("10:11").snooze();
    CHECK(out.rule == "stretch");
    CHECK(sim.records(RecordKind::snoozed, 0, true) == "10:11 stretch 10m");
    CHECK(sim.state_of("stretch").snoozes == 1);
    CHECK(sim.rule("stretch").snoozed_for == 10min);

    // 10:13 micro due; stretch is snoozed, so micro is shown.
    sim.at("10:13");
    CHECK(sim.reminders(from) == "10:00 stretch #1, 10:10 stretch #2 (replace), 10:13 micro #1");

    // 10:14 done on micro: micro reset; stretch still snoozed.
    out = sim.at("10:14").done();
    CHECK(out.rule == "micro");
    CHECK(sim.rule("micro").sitting == 0s);
    CHECK(sim.rule("stretch").snoozed_for == 7min);

    // 10:21 stretch reminded again.
    sim.at("10:21");
    CHECK(sim.reminders(from) == "10:00 stretch #1, 10:10 stretch #2 (replace), 10:13 micro #1, 10:21 stretch #1");

    // 10:22 done: stretch and micro reset.
    out = sim.at("10:22").done();
    CHECK(out.rule == "stretch");
    CHECK(sim.rule("stretch").sitting == 0s);
    CHECK(sim.rule("micro").sitting == 0s);
    CHECK(sim.records(RecordKind::taken) == "09:31 micro, 10:14 micro, 10:22 stretch");
}
