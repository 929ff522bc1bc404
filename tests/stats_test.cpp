// The figures of `stretch stats` from a history written by hand. Every
// expected number is worked out in the comments from the definitions in
// src/core/stats.hpp, not from the code's output.

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include <fmt/format.h>

#include "core/config.hpp"
#include "core/duration.hpp"
#include "core/stats.hpp"

using namespace stretch;

namespace {

constexpr std::int64_t monday = 1704067200;  // 2024-01-01 00:00 (UTC here), a Monday
constexpr std::int64_t day = 24 * 60 * 60;
constexpr std::int64_t minute = 60;

// "mon 09:25", "tue 13:00" -> Unix seconds; "sun" is the day before Monday.
std::int64_t at(std::string_view text) {
    auto wd = text.substr(0, 3) == "sun" ? std::optional(-1) : parse_weekday(text.substr(0, 3));
    auto hm = parse_clock(text.substr(4), true);
    REQUIRE_MESSAGE((wd && hm), "bad time ", text);
    return monday + *wd * day + *hm;
}

HistoryEvent ev(std::string_view time, std::string kind, std::string rule = {}, std::string stretch = {},
                std::int64_t amount_s = 0, std::int64_t count = 0, std::string detail = {}) {
    auto parsed = parse_record_kind(kind);
    REQUIRE_MESSAGE(parsed, "no record kind \"" << kind << "\"");
    return {at(time), *parsed, std::move(rule), std::move(stretch), amount_s, count, "test", std::move(detail)};
}

LocalDay local(std::string date, std::int64_t start) { return {std::move(date), start, start + day}; }

const std::vector<LocalDay> two_days = {local("2024-01-01", monday), local("2024-01-02", monday + day)};

std::string tops(const DayStats& d) {
    std::string out;
    for (auto& s : d.top_stretches) out += fmt::format("{}{}={}", out.empty() ? "" : " ", s.id, s.count);
    return out;
}

}  // namespace

// Monday, a working day with every kind of event; then the evening and
// Tuesday, with a run across midnight and a crash.
//
// Presence (start/back/sat to away/stood/stop) and break points (*):
//
//   mon 08:55  start *                  present from 08:55
//       09:25  reminded micro #1        counted
//       09:30  reminded micro #2        a re-reminder: not counted
//       09:31  snoozed micro 5m
//       09:36  reminded micro #1        shown anew after the snooze: counted
//       09:37  taken micro neck-turn *
//       09:55  reminded stretch #1      counted
//       10:00  away                     run 08:55-10:00 = 65m
//       10:02  natural micro *          an absence long enough: natural 1
//       10:05  natural stretch *        the same absence: not counted again
//       10:40  back (away 40m)          the absence began 10:00; present from 10:40
//       11:10  reminded micro #1        counted
//       11:12  skipped micro
//       11:40  reminded stretch #1      counted
//       11:41  taken stretch downward-dog *
//       12:00  stood *, away            run 10:40-12:00 = 80m
//       12:30  sat, back (away 30m)     present from 12:30
//       12:40  taken micro neck-turn *  (no reminder: done early)
//       13:00  paused 1h                still present: a pause is not a break
//       13:20  away                     run 12:30-13:20 = 50m
//       13:21  back (away 1m)           a short absence: present from 13:21
//       14:00  resumed
//       14:30  reminded micro #1        counted
//       14:31  taken micro chin-tuck *
//       15:00  away, natural micro *, natural stretch *, back (away 15m):
//              a suspend noticed on waking; it began at 14:45, so the run
//              is 13:21-14:45 = 84m; natural 1 more; present from 15:00
//       16:00  stop *                   run 15:00-16:00 = 60m
//       22:00  start *                  present from 22:00
//   tue 00:30  reminded micro #1        counted
//       00:31  taken micro eyes-20-20-20 *
//       01:00  stop *                   run mon 22:00-tue 01:00 = 180m
//       09:00  start *                  present from 09:00
//       09:40  reminded micro #1        counted
//       09:50  snoozed micro 5m
//              (stretchd crashes: no stop)
//       13:00  start *                  a crash: the run ends at the last event
//                                       before it, 09:50: run 09:00-09:50 = 50m
//       13:00  away, natural micro *, natural stretch *, back (away 3h10m):
//              the restart replaying the downtime; natural 1
//       13:30  taken stretch walk-around *
//       14:00  now                      run 13:00-14:00 = 60m, still open
TEST_CASE("a two-day history gives the figures worked out by hand") {
    std::vector<HistoryEvent> events = {
        ev("mon 08:55", "start"),
        ev("mon 09:25", "reminded", "micro", "neck-turn", 30 * minute, 1),
        ev("mon 09:30", "reminded", "micro", "neck-turn", 35 * minute, 2),
        ev("mon 09:31", "snoozed", "micro", "neck-turn", 5 * minute, 1),
        ev("mon 09:36", "reminded", "micro", "neck-turn", 41 * minute, 1),
        ev("mon 09:37", "taken", "micro", "neck-turn", 42 * minute),
        ev("mon 09:55", "reminded", "stretch", "childs-pose", 60 * minute, 1),
        ev("mon 10:00", "away"),
        ev("mon 10:02", "natural", "micro", "shoulder-rolls", 2 * minute),
        ev("mon 10:05", "natural", "stretch", "childs-pose", 5 * minute),
        ev("mon 10:40", "back", "", "", 40 * minute),
        ev("mon 11:10", "reminded", "micro", "shoulder-rolls", 30 * minute, 1),
        ev("mon 11:12", "skipped", "micro", "shoulder-rolls", 32 * minute),
        ev("mon 11:40", "reminded", "stretch", "downward-dog", 60 * minute, 1),
        ev("mon 11:41", "taken", "stretch", "downward-dog", 61 * minute),
        ev("mon 12:00", "stood"),
        ev("mon 12:00", "away"),
        ev("mon 12:30", "sat"),
        ev("mon 12:30", "back", "", "", 30 * minute),
        ev("mon 12:40", "taken", "micro", "neck-turn", 10 * minute),
        ev("mon 13:00", "paused", "", "", 60 * minute),
        ev("mon 13:20", "away"),
        ev("mon 13:21", "back", "", "", 1 * minute),
        ev("mon 14:00", "resumed"),
        ev("mon 14:30", "reminded", "micro", "chin-tuck", 30 * minute, 1),
        ev("mon 14:31", "taken", "micro", "chin-tuck", 31 * minute),
        ev("mon 15:00", "away"),
        ev("mon 15:00", "natural", "micro", "neck-side-tilt", 15 * minute),
        ev("mon 15:00", "natural", "stretch", "seated-twist", 15 * minute),
        ev("mon 15:00", "back", "", "", 15 * minute),
        ev("mon 16:00", "stop"),
        ev("mon 22:00", "start"),
        ev("tue 00:30", "reminded", "micro", "eyes-20-20-20", 30 * minute, 1),
        ev("tue 00:31", "taken", "micro", "eyes-20-20-20", 31 * minute),
        ev("tue 01:00", "stop"),
        ev("tue 09:00", "start"),
        ev("tue 09:40", "reminded", "micro", "neck-side-tilt", 30 * minute, 1),
        ev("tue 09:50", "snoozed", "micro", "neck-side-tilt", 5 * minute, 1),
        ev("tue 13:00", "start"),
        ev("tue 13:00", "away"),
        ev("tue 13:00", "natural", "micro", "neck-side-tilt", 190 * minute),
        ev("tue 13:00", "natural", "stretch", "walk-around", 190 * minute),
        ev("tue 13:00", "back", "", "", 190 * minute),
        ev("tue 13:30", "taken", "stretch", "walk-around", 30 * minute),
    };
    Stats s = compute_stats(events, at("sun 00:00"), at("tue 14:00"), two_days, default_config());
    REQUIRE(s.days.size() == 2);

    SUBCASE("Monday") {
        const DayStats& mon = s.days[0];
        CHECK(mon.date == "2024-01-01");
        // Runs 65 + 80 + 50 + 84 + 60 = 339m, and 22:00-24:00 = 120m of the
        // run across midnight: 459m.
        CHECK(mon.sitting_s == 459 * minute);
        // Present time between break points:
        //   08:55-09:37 42m | 09:37-10:02 23m | 10:02-10:05 0 | 10:05-11:41 61m
        //   11:41-12:00 19m | 12:00-12:40 10m | 12:40-14:31 40m + 70m = 110m
        //   (the 13:20 absence is not counted, nor does it end the run)
        //   14:31-15:00 14m | 15:00-16:00 60m | 22:00-24:00 120m (clipped to the day)
        CHECK(mon.longest_sitting_s == 120 * minute);
        CHECK(mon.reminded == 6);  // 09:25 09:36 09:55 11:10 11:40 14:30
        CHECK(mon.taken == 4);     // 09:37 11:41 12:40 14:31
        CHECK(mon.natural == 2);   // the absences at 10:00 and 14:45
        CHECK(mon.snoozed == 1);
        CHECK(mon.skipped == 1);
        REQUIRE(mon.share_taken);
        CHECK(*mon.share_taken == doctest::Approx(4.0 / 5.0));  // 4 ÷ (4 + 1)
        // neck-turn: neck; downward-dog: hamstrings, calves, shoulders,
        // lower-back; chin-tuck: neck, upper-back. In body_areas() order:
        CHECK(mon.areas ==
              std::vector<std::string>{"neck", "shoulders", "upper-back", "lower-back", "hamstrings", "calves"});
        // neck-turn twice; chin-tuck and downward-dog once, by id.
        CHECK(tops(mon) == "neck-turn=2 chin-tuck=1 downward-dog=1");
        CHECK(mon.top_stretches[0].name == "Neck Turn");
    }

    SUBCASE("Tuesday") {
        const DayStats& tue = s.days[1];
        CHECK(tue.date == "2024-01-02");
        // 00:00-01:00 60m, 09:00-09:50 50m, 13:00-14:00 60m.
        CHECK(tue.sitting_s == 170 * minute);
        // 00:00-00:31 31m | 00:31-01:00 29m | 09:00-13:00 50m | 13:00-13:30 30m | 13:30-14:00 30m
        CHECK(tue.longest_sitting_s == 50 * minute);
        CHECK(tue.reminded == 2);
        CHECK(tue.taken == 2);
        CHECK(tue.natural == 1);
        CHECK(tue.snoozed == 1);
        CHECK(tue.skipped == 0);
        REQUIRE(tue.share_taken);
        CHECK(*tue.share_taken == doctest::Approx(1.0));  // 2 ÷ (2 + 0)
        CHECK(tue.areas == std::vector<std::string>{"eyes", "circulation"});
        CHECK(tops(tue) == "eyes-20-20-20=1 walk-around=1");
    }

    SUBCASE("the two days as one span") {
        const DayStats& total = s.total;
        CHECK(total.date.empty());
        CHECK(total.sitting_s == (459 + 170) * minute);
        // Unclipped, the run from Monday 22:00 to the taken at 00:31 is 151m.
        CHECK(total.longest_sitting_s == 151 * minute);
        CHECK(total.reminded == 8);
        CHECK(total.taken == 6);
        CHECK(total.natural == 3);
        CHECK(total.snoozed == 2);
        CHECK(total.skipped == 1);
        REQUIRE(total.share_taken);
        CHECK(*total.share_taken == doctest::Approx(6.0 / 7.0));
        CHECK(total.areas == std::vector<std::string>{"neck", "shoulders", "upper-back", "lower-back", "hamstrings",
                                                      "calves", "eyes", "circulation"});
        CHECK(tops(total) == "neck-turn=2 chin-tuck=1 downward-dog=1");
    }
}

TEST_CASE("a day with nothing recorded has zero figures and no share taken") {
    Stats s = compute_stats({}, at("sun 00:00"), at("tue 14:00"), two_days, default_config());
    for (auto& d : s.days) {
        CHECK(d.sitting_s == 0);
        CHECK(d.longest_sitting_s == 0);
        CHECK(d.reminded + d.taken + d.natural + d.snoozed + d.skipped == 0);
        CHECK_FALSE(d.share_taken);
        CHECK(d.areas.empty());
        CHECK(d.top_stretches.empty());
    }
}

TEST_CASE("a first event that ends presence means the user was present since the history begins") {
    // Read from Sunday 20:00: the user was at the desk then, and went away
    // Monday 08:00 (a machine left on overnight). Monday: 8h.
    Stats s = compute_stats({ev("mon 08:00", "away")}, at("sun 20:00"), at("tue 14:00"), two_days, default_config());
    CHECK(s.days[0].sitting_s == 8 * 60 * minute);
    CHECK(s.days[0].longest_sitting_s == 8 * 60 * minute);

    // A first event that begins presence means the user was away before it.
    s = compute_stats({ev("mon 08:00", "back", "", "", 10 * 60 * minute)}, at("sun 20:00"), at("mon 09:00"), two_days,
                      default_config());
    CHECK(s.days[0].sitting_s == 60 * minute);
    CHECK(s.days[1].sitting_s == 0);  // the open run ends at now, Monday 09:00
}

TEST_CASE("taking a stretch no longer in the library counts, with its id for a name and no areas") {
    Stats s = compute_stats({ev("mon 10:00", "taken", "micro", "gone-stretch")}, at("sun 00:00"), at("tue 14:00"),
                            two_days, default_config());
    CHECK(s.days[0].taken == 1);
    CHECK(s.days[0].areas.empty());
    REQUIRE(s.days[0].top_stretches.size() == 1);
    CHECK(s.days[0].top_stretches[0].name == "gone-stretch");
}

TEST_CASE("time in calls: each call from its start for its length, split at midnight, one still going until now") {
    // Monday 10:00 a 52-minute call (its row written after the 1m settle);
    // 23:30 one of 1h (to Tuesday 00:30); Tuesday 13:30 one still going at
    // now (14:00); and a `call` row whose start was pruned: 20m ending 11:40.
    std::vector<HistoryEvent> events = {
        ev("mon 10:00", "call_started"), ev("mon 10:53", "call", "", "", 52 * minute),
        ev("mon 11:40", "call", "", "", 20 * minute),
        ev("mon 23:30", "call_started"), ev("tue 00:31", "call", "", "", 60 * minute),
        ev("tue 13:30", "call_started"),
    };
    Stats s = compute_stats(events, at("sun 00:00"), at("tue 14:00"), two_days, default_config());
    CHECK(s.days[0].call_s == (52 + 20 + 30) * minute);
    CHECK(s.days[1].call_s == (30 + 30) * minute);
    CHECK(s.total.call_s == (52 + 20 + 60 + 30) * minute);
}
