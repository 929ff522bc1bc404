// Every way a config can be wrong produces one line naming file, line,
// column, the value and what was expected. Each test's TOML is written
// inline; the helper drops the newline right after R"( so the first line of
// the raw string is line 1 of "test.toml".

#include <doctest/doctest.h>

#include <algorithm>
#include <set>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "core/config.hpp"

using namespace stretch;

namespace {

std::string_view strip_first_newline(std::string_view text) {
    if (text.starts_with('\n')) text.remove_prefix(1);
    return text;
}

// The ConfigError message for `text`; fails the test if it loads.
std::string error_of(std::string_view text, const Config* fallback = nullptr) {
    try {
        load_config(strip_first_newline(text), "test.toml", fallback);
    } catch (const ConfigError& e) {
        return e.what();
    }
    FAIL("expected a ConfigError, but the config loaded:\n" << text);
    return {};
}

Config load(std::string_view text, const Config* fallback = nullptr) {
    return load_config(strip_first_newline(text), "test.toml", fallback);
}

bool has_position(const std::vector<const Stretch*>& pool, Position p, bool without_equipment) {
    return std::any_of(pool.begin(), pool.end(),
                       [&](const Stretch* s) { return s->position == p && (!without_equipment || s->equipment.empty()); });
}

constexpr std::string_view known_areas =
    "neck, shoulders, upper-back, lower-back, chest, arms, wrists, forearms, hips, hip-flexors, glutes, hamstrings, "
    "quads, calves, ankles, eyes, circulation";

}  // namespace

// --- 1. syntax ---------------------------------------------------------------

TEST_CASE("config error: invalid TOML names the line and column") {
    // An unterminated string: toml++ reports the newline that ends the line.
    CHECK(error_of(R"(
[[break]]
name = "micro
every = "30m"
)") == "test.toml:2:14: invalid TOML: Error while parsing string: unescaped control characters other than TAB "
           "(U+0009) are explicitly prohibited");
}

// --- 2. top level ------------------------------------------------------------

TEST_CASE("config error: unknown top-level table or key") {
    CHECK(error_of(R"(
[schedule]
from = "09:00"

[trackng]
grace = "1m"
)") == "test.toml:4:2: unknown key \"trackng\" (did you mean \"tracking\"?)");

    // Nothing close: the message lists what is allowed instead.
    CHECK(error_of(R"(
[[rules]]
name = "micro"
)") == "test.toml:1:3: unknown key \"rules\": expected one of tracking, schedule, profile, notify, meeting, history, break, stretch");

    // A key that belongs in a section, written at the top.
    CHECK(error_of(R"(
natural_break = "2m"
)") == "test.toml:1:1: unknown key \"natural_break\": expected one of tracking, schedule, profile, notify, meeting, history, break, stretch");
}

TEST_CASE("config error: single and double brackets mixed up") {
    CHECK(error_of(R"(
[break]
name = "micro"
every = "30m"
duration = "30s"
)", &default_config()) == "test.toml:1:1: config: [break]: expected [[break]], in double brackets, once per break");

    CHECK(error_of(R"(
[[tracking]]
grace = "1m"
)") == "test.toml:1:1: config: [[tracking]]: expected a single [tracking] table, in single brackets");

    CHECK(error_of(R"(
tracking = 5
)") == "test.toml:1:12: config: tracking = 5: expected a table: [tracking]");
}

// --- 3. unknown keys in sections -----------------------------------------------

TEST_CASE("config error: unknown key inside each section, with did-you-mean") {
    CHECK(error_of(R"(
[tracking]
grace = "1m"
natral_break = "2m"
)") == "test.toml:3:1: [tracking]: unknown key \"natral_break\" (did you mean \"natural_break\"?)");

    CHECK(error_of(R"(
[schedule]
dys = ["mon"]
)") == "test.toml:2:1: [schedule]: unknown key \"dys\" (did you mean \"days\"?)");

    CHECK(error_of(R"(
[profile]
equipement = ["foam-roller"]
)") == "test.toml:2:1: [profile]: unknown key \"equipement\" (did you mean \"equipment\"?)");

    CHECK(error_of(R"(
[[break]]
name = "micro"
evry = "30m"
duration = "30s"

[[stretch]]
id = "neck-tilt"
name = "Neck Tilt"
steps = ["Tilt."]
hold = "20s"
targets = ["neck"]
position = "seated"
)") == "test.toml:3:1: break #1: unknown key \"evry\" (did you mean \"every\"?)");

    CHECK(error_of(R"(
[[stretch]]
id = "neck-tilt"
name = "Neck Tilt"
steps = ["Tilt."]
hold = "20s"
target = ["neck"]
position = "seated"
)") == "test.toml:6:1: stretch #1: unknown key \"target\" (did you mean \"targets\"?)");
}

TEST_CASE("config error: unknown key with no close match lists the allowed keys") {
    CHECK(error_of(R"(
[[stretch]]
id = "neck-tilt"
name = "Neck Tilt"
steps = ["Tilt."]
hold = "20s"
targets = ["neck"]
position = "seated"

[[break]]
name = "micro"
every = "30m"
duration = "30s"
colour = "red"
)") == "test.toml:13:1: break #1: unknown key \"colour\": expected one of name, every, duration, natural_break, tags, "
           "targets, snooze, max_snoozes, skippable, remind_every, enabled");

    CHECK(error_of(R"(
[schedule]
weekends = false
)") == "test.toml:2:1: [schedule]: unknown key \"weekends\": expected one of days, from, to");
}

// --- 4. wrong types ------------------------------------------------------------

TEST_CASE("config error: wrong value type") {
    CHECK(error_of(R"(
[tracking]
grace = 5
)") == "test.toml:2:9: [tracking]: grace = 5: expected a duration like \"30m\" or \"1h15m\"");

    constexpr std::string_view stretch = R"(
[[stretch]]
id = "neck-tilt"
name = "Neck Tilt"
steps = ["Tilt."]
hold = "20s"
targets = ["neck"]
position = "seated"
tags = ["micro"]
)";
    CHECK(error_of(std::string(R"(
[[break]]
name = "micro"
every = "30m"
duration = "30s"
skippable = "yes"
)") + std::string(stretch)) == "test.toml:5:13: break \"micro\": skippable = \"yes\": expected true or false");

    CHECK(error_of(std::string(R"(
[[break]]
name = "micro"
every = "30m"
duration = "30s"
max_snoozes = "3"
)") + std::string(stretch)) == "test.toml:5:15: break \"micro\": max_snoozes = \"3\": expected a whole number from 0 to 100");

    CHECK(error_of(std::string(R"(
[[break]]
name = "micro"
every = "30m"
duration = "30s"
tags = "micro"
)") + std::string(stretch)) ==
          "test.toml:5:8: break \"micro\": tags = \"micro\": expected an array of strings, e.g. [\"a\", \"b\"]");

    CHECK(error_of(std::string(R"(
[[break]]
name = 7
)") + std::string(stretch)) == "test.toml:2:8: break #1: name = 7: expected a string in double quotes");
}

// --- 5. durations ------------------------------------------------------------

TEST_CASE("config error: bad duration string") {
    CHECK(error_of(R"(
[[stretch]]
id = "neck-tilt"
name = "Neck Tilt"
steps = ["Tilt."]
hold = "20s"
targets = ["neck"]
position = "seated"

[[break]]
name = "micro"
every = "30x"
duration = "30s"
)") == "test.toml:11:9: break \"micro\": every = \"30x\": expected a duration like \"30m\" or \"1h15m\"");

    // A value with a newline in it still makes a one-line message.
    CHECK(error_of(R"(
[tracking]
natural_break = """2
m"""
)") == "test.toml:2:17: [tracking]: natural_break = \"2\\nm\": expected a duration like \"30m\" or \"1h15m\"");
}

TEST_CASE("config error: durations must be longer than zero") {
    constexpr std::string_view head = R"(
[[stretch]]
id = "neck-tilt"
name = "Neck Tilt"
steps = ["Tilt."]
hold = "20s"
targets = ["neck"]
position = "seated"
)";
    CHECK(error_of(std::string(head) + R"(
[[break]]
name = "micro"
every = "0s"
duration = "30s"
)") == "test.toml:11:9: break \"micro\": every = \"0s\": expected a duration longer than zero");

    CHECK(error_of(std::string(head) + R"(
[[break]]
name = "micro"
every = "30m"
duration = "0m"
)") == "test.toml:12:12: break \"micro\": duration = \"0m\": expected a duration longer than zero");

    CHECK(error_of(R"(
[tracking]
natural_break = "0s"
)") == "test.toml:2:17: [tracking]: natural_break = \"0s\": expected a duration longer than zero");
}

// --- 7. every vs duration --------------------------------------------------------

TEST_CASE("config error: every must be longer than duration") {
    CHECK(error_of(R"(
[[break]]
name = "long"
every = "10m"
duration = "15m"

[[stretch]]
id = "neck-tilt"
name = "Neck Tilt"
steps = ["Tilt."]
hold = "20s"
targets = ["neck"]
position = "seated"
)") == "test.toml:3:9: break \"long\": every = \"10m\": expected more than duration = \"15m\": a break cannot come "
           "round before it ends");
}

// --- 8. clock times ------------------------------------------------------------

TEST_CASE("config error: bad clock times and hours that leave no time") {
    CHECK(error_of(R"(
[schedule]
from = "25:00"
)") == "test.toml:2:8: [schedule]: from = \"25:00\": expected a clock time from \"00:00\" to \"23:59\"");

    CHECK(error_of(R"(
[schedule]
from = "09:00"
to = "9:00"
)") == "test.toml:3:6: [schedule]: to = \"9:00\": expected a clock time from \"00:00\" to \"24:00\"");

    CHECK(error_of(R"(
[schedule]
from = "24:00"
)") == "test.toml:2:8: [schedule]: from = \"24:00\": expected a clock time from \"00:00\" to \"23:59\"");

    CHECK(error_of(R"(
[schedule]
days = ["mon"]
from = "09:00"
to = "09:00"
)") == "test.toml:4:6: [schedule]: from = \"09:00\" and to = \"09:00\" leave no hours: make them differ, or use "
           "from = \"00:00\", to = \"24:00\" for all day");
}

// --- 9. weekdays -------------------------------------------------------------

TEST_CASE("config error: bad weekday") {
    // Full names are not close enough to the three-letter ones for a suggestion,
    // but the message shows the form.
    CHECK(error_of(R"(
[schedule]
days = ["mon", "tuesday"]
)") == "test.toml:2:16: [schedule]: days = \"tuesday\": expected a weekday: \"mon\" ... \"sun\"");

    CHECK(error_of(R"(
[schedule]
days = ["mon", "tues"]
)") == "test.toml:2:16: [schedule]: days = \"tues\": expected a weekday: \"mon\" ... \"sun\" (did you mean \"tue\"?)");

    CHECK(error_of(R"(
[schedule]
days = ["Mon"]
)") == "test.toml:2:9: [schedule]: days = \"Mon\": expected a weekday: \"mon\" ... \"sun\" (did you mean \"mon\"?)");

    CHECK(error_of(R"(
[schedule]
days = []
)") == "test.toml:2:8: [schedule]: days = []: expected at least one weekday, e.g. [\"mon\", \"tue\", \"wed\", \"thu\", "
           "\"fri\"]");
}

// --- 10, 11. break references ----------------------------------------------------------

TEST_CASE("config error: break names a tag no stretch has") {
    constexpr std::string_view stretches = R"(
[[stretch]]
id = "neck-tilt"
name = "Neck Tilt"
steps = ["Tilt."]
hold = "20s"
targets = ["neck"]
position = "seated"
tags = ["micro", "eyes"]
)";
    CHECK(error_of(std::string(stretches) + R"(
[[break]]
name = "micro"
every = "30m"
duration = "30s"
tags = ["micros"]
)") == "test.toml:14:9: break \"micro\": tags = \"micros\": expected a tag some stretch has (did you mean \"micro\"?); "
           "known tags: micro, eyes");

    // Two neighbouring letters swapped is one typing slip.
    CHECK(error_of(std::string(stretches) + R"(
[[break]]
name = "micro"
every = "30m"
duration = "30s"
tags = ["eyes", "mirco"]
)") == "test.toml:14:17: break \"micro\": tags = \"mirco\": expected a tag some stretch has (did you mean \"micro\"?); known tags: micro, eyes");
}

TEST_CASE("config error: break names an unknown body area in targets") {
    constexpr std::string_view stretches = R"(
[[stretch]]
id = "hamstring-reach"
name = "Hamstring Reach"
steps = ["Reach."]
hold = "20s"
targets = ["hamstrings"]
position = "seated"
)";
    CHECK(error_of(std::string(stretches) + R"(
[[break]]
name = "legs"
every = "1h"
duration = "5m"
targets = ["hamstring"]
)") == "test.toml:13:12: break \"legs\": targets = \"hamstring\": expected a body area (did you mean \"hamstrings\"?); "
           "known areas: " + std::string(known_areas));

    // A real area, but no stretch works it: the rule could never suggest it.
    CHECK(error_of(std::string(stretches) + R"(
[[break]]
name = "legs"
every = "1h"
duration = "5m"
targets = ["hamstrings", "quads"]
)") == "test.toml:13:26: break \"legs\": targets = \"quads\": expected a body area some stretch targets");
}

// --- 12. empty pools -------------------------------------------------------------

TEST_CASE("config error: a break that can draw no stretch for this profile") {
    CHECK(error_of(R"(
[profile]
avoid = ["floor"]

[[break]]
name = "floor-time"
every = "2h"
duration = "10m"
tags = ["floor"]

[[stretch]]
id = "childs-pose"
name = "Child's Pose"
steps = ["Kneel.", "Sink back."]
hold = "5-10 breaths"
targets = ["lower-back"]
position = "floor"
tags = ["floor"]

[[stretch]]
id = "neck-tilt"
name = "Neck Tilt"
steps = ["Tilt."]
hold = "20s"
targets = ["neck"]
position = "seated"
)") == "test.toml:4:1: break \"floor-time\": no stretch can be suggested: every stretch it draws from needs equipment "
           "not in [profile] equipment or a position in [profile] avoid; widen its tags or targets, or relax the profile");

    CHECK(error_of(R"(
[[break]]
name = "roll"
every = "2h"
duration = "10m"
targets = ["hamstrings"]

[[stretch]]
id = "foam-roll-hamstrings"
name = "Foam-Roll Hamstrings"
steps = ["Roll."]
hold = "5s"
targets = ["hamstrings"]
position = "floor"
equipment = ["foam-roller"]
)") == "test.toml:1:1: break \"roll\": no stretch can be suggested: every stretch it draws from needs equipment "
           "not in [profile] equipment or a position in [profile] avoid; widen its tags or targets, or relax the profile");

    // The built-in breaks, emptied by the user's profile: the message points at avoid.
    CHECK(error_of(R"(
[profile]
avoid = ["seated", "standing"]
)", &default_config()) == "test.toml:2:9: break \"micro\": no stretch can be suggested: every stretch it draws from needs "
                          "equipment not in [profile] equipment or a position in [profile] avoid; widen its tags or "
                          "targets, or relax the profile");

    // The built-in breaks with a user library they match, but all of it needs
    // equipment the profile lacks: the profile is to blame, not the tags.
    CHECK(error_of(R"(
[[stretch]]
id = "foam-roll-calves"
name = "Foam-Roll Calves"
steps = ["Roll."]
hold = "5s"
targets = ["calves"]
position = "floor"
equipment = ["foam-roller"]
tags = ["micro", "stretch"]
)", &default_config()) == "test.toml:1:1: break \"micro\": no stretch can be suggested: every stretch it draws from needs "
                          "equipment not in [profile] equipment or a position in [profile] avoid; widen its tags or "
                          "targets, or relax the profile");

    // The built-in breaks with a user library that has none of their tags.
    CHECK(error_of(R"(
[[stretch]]
id = "neck-tilt"
name = "Neck Tilt"
steps = ["Tilt."]
hold = "20s"
targets = ["neck"]
position = "seated"
tags = ["neck"]
)", &default_config()) == "test.toml:1:1: built-in break \"micro\" draws from tags = [\"micro\"]: expected one of your "
                          "[[stretch]] entries to match, or your own [[break]] rules");
}

// --- 13. missing keys -----------------------------------------------------------

TEST_CASE("config error: missing required key") {
    CHECK(error_of(R"(
[[stretch]]
id = "neck-tilt"
name = "Neck Tilt"
steps = ["Tilt."]
hold = "20s"
targets = ["neck"]
position = "seated"

[[break]]
name = "micro"
duration = "30s"
)") == "test.toml:9:1: break \"micro\": missing key \"every\"");

    CHECK(error_of(R"(
[[stretch]]
id = "neck-tilt"
name = "Neck Tilt"
hold = "20s"
targets = ["neck"]
position = "seated"
)") == "test.toml:1:1: stretch \"neck-tilt\": missing key \"steps\"");

    CHECK(error_of(R"(
[[stretch]]
name = "Neck Tilt"
)") == "test.toml:1:1: stretch #1: missing key \"id\"");
}

// --- 14. duplicates ----------------------------------------------------------------

TEST_CASE("config error: duplicate stretch id and duplicate break name") {
    constexpr std::string_view two_stretches = R"(
[[stretch]]
id = "neck-tilt"
name = "Neck Tilt"
steps = ["Tilt."]
hold = "20s"
targets = ["neck"]
position = "seated"

[[stretch]]
id = "neck-tilt"
name = "Neck Tilt Again"
steps = ["Tilt."]
hold = "20s"
targets = ["neck"]
position = "standing"
)";
    CHECK(error_of(two_stretches) ==
          "test.toml:10:6: stretch \"neck-tilt\": id = \"neck-tilt\": expected a unique id: another stretch has it");

    CHECK(error_of(R"(
[[break]]
name = "micro"
every = "30m"
duration = "30s"

[[break]]
name = "micro"
every = "1h"
duration = "5m"

[[stretch]]
id = "neck-tilt"
name = "Neck Tilt"
steps = ["Tilt."]
hold = "20s"
targets = ["neck"]
position = "seated"
)") == "test.toml:7:8: break \"micro\": name = \"micro\": expected a unique name: another [[break]] has it");
}

// --- 15. stretch fields ----------------------------------------------------------

TEST_CASE("config error: stretch with an unknown body area") {
    CHECK(error_of(R"(
[[stretch]]
id = "hamstring-reach"
name = "Hamstring Reach"
steps = ["Reach."]
hold = "20s"
targets = ["calves", "hamstring"]
position = "seated"
)") == "test.toml:6:22: stretch \"hamstring-reach\": targets = \"hamstring\": expected a body area (did you mean "
           "\"hamstrings\"?); known areas: " + std::string(known_areas));

    CHECK(error_of(R"(
[[stretch]]
id = "hamstring-reach"
name = "Hamstring Reach"
steps = ["Reach."]
hold = "20s"
targets = []
position = "seated"
)") == "test.toml:6:11: stretch \"hamstring-reach\": targets = []: expected at least one body area");
}

TEST_CASE("config error: stretch with a bad position") {
    CHECK(error_of(R"(
[[stretch]]
id = "neck-tilt"
name = "Neck Tilt"
steps = ["Tilt."]
hold = "20s"
targets = ["neck"]
position = "sitting"
)") == "test.toml:7:12: stretch \"neck-tilt\": position = \"sitting\": expected \"seated\", \"standing\" or \"floor\"");
}

TEST_CASE("config error: stretch with a bad hold") {
    CHECK(error_of(R"(
[[stretch]]
id = "neck-tilt"
name = "Neck Tilt"
steps = ["Tilt."]
hold = "5 minutes"
targets = ["neck"]
position = "seated"
)") == "test.toml:5:8: stretch \"neck-tilt\": hold = \"5 minutes\": expected a hold like \"30s\", \"20-30s\", \"1m\" "
           "or \"5-10 breaths\"");

    CHECK(error_of(R"(
[[stretch]]
id = "neck-tilt"
name = "Neck Tilt"
steps = ["Tilt."]
hold = 30
targets = ["neck"]
position = "seated"
)") == "test.toml:5:8: stretch \"neck-tilt\": hold = 30: expected a hold like \"30s\", \"20-30s\", \"1m\" "
           "or \"5-10 breaths\"");
}

TEST_CASE("config error: stretch with bad reps") {
    CHECK(error_of(R"(
[[stretch]]
id = "neck-tilt"
name = "Neck Tilt"
steps = ["Tilt."]
hold = "20s"
reps = "lots"
targets = ["neck"]
position = "seated"
)") == "test.toml:6:8: stretch \"neck-tilt\": reps = \"lots\": expected a count from 1 to 100 or a range like \"10-12\"");

    CHECK(error_of(R"(
[[stretch]]
id = "neck-tilt"
name = "Neck Tilt"
steps = ["Tilt."]
hold = "20s"
reps = 0
targets = ["neck"]
position = "seated"
)") == "test.toml:6:8: stretch \"neck-tilt\": reps = 0: expected a count from 1 to 100 or a range like \"10-12\"");

    CHECK(error_of(R"(
[[stretch]]
id = "neck-tilt"
name = "Neck Tilt"
steps = ["Tilt."]
hold = "20s"
reps = "12-10"
targets = ["neck"]
position = "seated"
)") == "test.toml:6:8: stretch \"neck-tilt\": reps = \"12-10\": expected a count from 1 to 100 or a range like \"10-12\"");
}

TEST_CASE("config error: stretch with no steps") {
    CHECK(error_of(R"(
[[stretch]]
id = "neck-tilt"
name = "Neck Tilt"
steps = []
hold = "20s"
targets = ["neck"]
position = "seated"
)") == "test.toml:4:9: stretch \"neck-tilt\": steps = []: expected at least one step");

    CHECK(error_of(R"(
[[stretch]]
id = "neck-tilt"
name = "Neck Tilt"
steps = ["Tilt.", ""]
hold = "20s"
targets = ["neck"]
position = "seated"
)") == "test.toml:4:19: stretch \"neck-tilt\": steps = \"\": expected non-empty steps");
}

TEST_CASE("config error: stretch id with uppercase or spaces") {
    CHECK(error_of(R"(
[[stretch]]
id = "Neck Tilt"
name = "Neck Tilt"
steps = ["Tilt."]
hold = "20s"
targets = ["neck"]
position = "seated"
)") == "test.toml:2:6: stretch \"Neck Tilt\": id = \"Neck Tilt\": expected lowercase letters, digits and '-' only");
}

TEST_CASE("config error: variation_of naming an unknown stretch") {
    constexpr std::string_view base = R"(
[[stretch]]
id = "neck-side-tilt"
name = "Neck Side Tilt"
steps = ["Tilt."]
hold = "20s"
targets = ["neck"]
position = "seated"

[[stretch]]
id = "deep-neck-tilt"
name = "Deep Neck Tilt"
steps = ["Tilt further."]
hold = "20s"
targets = ["neck"]
position = "seated"
)";
    CHECK(error_of(std::string(base) + R"(variation_of = "neck-side-tilts"
)") == "test.toml:16:16: stretch \"deep-neck-tilt\": variation_of = \"neck-side-tilts\": expected the id of another "
           "stretch (did you mean \"neck-side-tilt\"?)");

    // Its own id: the suggestion must not be the same id back.
    CHECK(error_of(std::string(base) + R"(variation_of = "deep-neck-tilt"
)") == "test.toml:16:16: stretch \"deep-neck-tilt\": variation_of = \"deep-neck-tilt\": expected the id of another "
           "stretch");
}

TEST_CASE("config error: variation_of links that loop, named at the first stretch of the loop") {
    // Two stretches, each the easier form of the other.
    CHECK(error_of(R"(
[[stretch]]
id = "a"
name = "A"
steps = ["Tilt."]
hold = "20s"
targets = ["neck"]
position = "seated"
variation_of = "b"

[[stretch]]
id = "b"
name = "B"
steps = ["Tilt further."]
hold = "20s"
targets = ["neck"]
position = "seated"
variation_of = "a"
)") == "test.toml:8:16: stretch \"a\": variation_of = \"b\": a cycle (a → b → a): one of them must be the harder form");

    // A longer loop, led into by a stretch outside it ("lead" is fine; the loop
    // is reported where it begins in the file, at "x").
    CHECK(error_of(R"(
[[stretch]]
id = "lead"
name = "Lead"
steps = ["Tilt."]
hold = "20s"
targets = ["neck"]
position = "seated"
variation_of = "y"

[[stretch]]
id = "x"
name = "X"
steps = ["Tilt."]
hold = "20s"
targets = ["neck"]
position = "seated"
variation_of = "y"

[[stretch]]
id = "y"
name = "Y"
steps = ["Tilt."]
hold = "20s"
targets = ["neck"]
position = "seated"
variation_of = "z"

[[stretch]]
id = "z"
name = "Z"
steps = ["Tilt."]
hold = "20s"
targets = ["neck"]
position = "seated"
variation_of = "x"
)") == "test.toml:17:16: stretch \"x\": variation_of = \"y\": a cycle (x → y → z → x): one of them must be the harder "
       "form");
}

TEST_CASE("variation_of chains and shared harder forms load") {
    // easy → medium → hard, and a second easier form of hard: no loop.
    auto config = load(R"(
[[stretch]]
id = "easy"
name = "Easy"
steps = ["Tilt."]
hold = "20s"
targets = ["neck"]
position = "seated"
variation_of = "medium"

[[stretch]]
id = "medium"
name = "Medium"
steps = ["Tilt."]
hold = "20s"
targets = ["neck"]
position = "seated"
variation_of = "hard"

[[stretch]]
id = "other-easy"
name = "Other Easy"
steps = ["Tilt."]
hold = "20s"
targets = ["neck"]
position = "standing"
variation_of = "hard"

[[stretch]]
id = "hard"
name = "Hard"
steps = ["Tilt."]
hold = "20s"
targets = ["neck"]
position = "seated"

[[break]]
name = "micro"
every = "30m"
duration = "30s"
)");
    CHECK(config.find_stretch("easy")->variation_of == "medium");
    CHECK(config.find_stretch("other-easy")->variation_of == "hard");
    CHECK_FALSE(config.find_stretch("hard")->variation_of);
}

// --- 16. profile --------------------------------------------------------------

TEST_CASE("config error: profile with an unknown position or repeat_after out of range") {
    CHECK(error_of(R"(
[profile]
avoid = ["floor", "sofa"]
)") == "test.toml:2:19: [profile]: avoid = \"sofa\": expected a position: \"seated\", \"standing\" or \"floor\"");

    CHECK(error_of(R"(
[profile]
avoid = ["flor"]
)") == "test.toml:2:10: [profile]: avoid = \"flor\": expected a position: \"seated\", \"standing\" or \"floor\" "
           "(did you mean \"floor\"?)");

    CHECK(error_of(R"(
[profile]
repeat_after = 101
)") == "test.toml:2:16: [profile]: repeat_after = 101: expected a whole number from 0 to 100");

    CHECK(error_of(R"(
[profile]
repeat_after = -1
)") == "test.toml:2:16: [profile]: repeat_after = -1: expected a whole number from 0 to 100");
}

TEST_CASE("config error: a focus area that is no body area, or that no stretch can serve") {
    CHECK(error_of(R"(
[profile]
focus = ["hamstrings", "hamstring"]
)", &default_config()) == fmt::format("test.toml:2:24: [profile]: focus = \"hamstring\": expected a body area (did you mean "
                                      "\"hamstrings\"?); known areas: {}", known_areas));

    CHECK(error_of(R"(
[profile]
focus = [3]
)", &default_config()) == "test.toml:2:10: [profile]: focus = 3: expected an array of strings, e.g. [\"a\", \"b\"]");

    // No stretch in this library targets the area at all.
    CHECK(error_of(R"(
[profile]
focus = ["neck", "eyes"]
[[break]]
name = "r"
every = "10m"
duration = "30s"
[[stretch]]
id = "neck-tilt"
name = "Neck tilt"
steps = ["Tilt."]
hold = "10s"
targets = ["neck"]
position = "seated"
)") == "test.toml:2:18: [profile]: focus = \"eyes\": no stretch in the library targets it; add a [[stretch]] for it "
       "or choose another area");

    // The library has them, but the profile rules every one out.
    CHECK(error_of(R"(
[profile]
avoid = ["floor"]
focus = ["neck"]
[[break]]
name = "r"
every = "10m"
duration = "30s"
[[stretch]]
id = "palming"
name = "Palming"
steps = ["Cup your eyes."]
hold = "10s"
targets = ["eyes"]
position = "seated"
[[stretch]]
id = "neck-lie"
name = "Neck release, lying"
steps = ["Lie down."]
hold = "10s"
targets = ["neck"]
position = "floor"
)") == "test.toml:3:10: [profile]: focus = \"neck\": every stretch for it needs equipment not in [profile] equipment "
       "or a position in [profile] avoid; relax the profile or choose another area");
}

TEST_CASE("config: focus areas are read in order, and empty by default") {
    CHECK(default_config().profile.focus.empty());
    auto c = load(R"(
[profile]
focus = ["hamstrings", "lower-back"]
)", &default_config());
    CHECK(c.profile.focus == std::vector<std::string>{"hamstrings", "lower-back"});
}

// --- 17. nothing to do -----------------------------------------------------------

TEST_CASE("config error: no breaks or no stretches without a fallback") {
    CHECK(error_of("") == "test.toml:1:1: no [[stretch]] entries: add at least one stretch");

    CHECK(error_of(R"(
[tracking]
grace = "1m"
)") == "test.toml:1:1: no [[stretch]] entries: add at least one stretch");

    CHECK(error_of(R"(
[[stretch]]
id = "neck-tilt"
name = "Neck Tilt"
steps = ["Tilt."]
hold = "20s"
targets = ["neck"]
position = "seated"
)") == "test.toml:1:1: no [[break]] rules: add at least one, e.g. name = \"micro\", every = \"30m\"");
}

// --- the valid side ----------------------------------------------------------------

TEST_CASE("config: the built-in default config offers seated and standing stretches for every break") {
    const Config& c = default_config();
    REQUIRE_FALSE(c.breaks.empty());
    std::set<std::string> ids;
    for (auto& s : c.stretches) CHECK_MESSAGE(ids.insert(s.id).second, "duplicate stretch id ", s.id);
    std::set<std::string> names;
    for (auto& rule : c.breaks) {
        CAPTURE(rule.name);
        CHECK(names.insert(rule.name).second);
        if (!rule.enabled) continue;
        auto pool = c.pool(rule);
        CHECK_FALSE(pool.empty());
        CHECK(has_position(pool, Position::seated, true));
        CHECK(has_position(pool, Position::standing, true));
    }
    // The text it was built from reads back the same.
    CHECK(load(default_config_text()).stretches.size() == c.stretches.size());
}

TEST_CASE("config: a user file with only a profile keeps the built-in breaks and library") {
    const Config& d = default_config();
    Config c = load(R"(
[profile]
avoid = ["floor"]
)", &d);
    REQUIRE(c.breaks.size() == d.breaks.size());
    for (std::size_t i = 0; i < c.breaks.size(); ++i) CHECK(c.breaks[i].name == d.breaks[i].name);
    CHECK(c.stretches.size() == d.stretches.size());
    REQUIRE(c.profile.avoid.size() == 1);
    CHECK(c.profile.avoid[0] == Position::floor);
    for (auto& rule : c.breaks) {
        CAPTURE(rule.name);
        auto pool = c.pool(rule);
        CHECK_FALSE(pool.empty());
        CHECK_FALSE(has_position(pool, Position::floor, false));
    }
    // The default library does have floor stretches, so the profile did something.
    CHECK(std::any_of(d.stretches.begin(), d.stretches.end(), [](auto& s) { return s.position == Position::floor; }));
}

TEST_CASE("config: a user file with only a schedule keeps the built-in stretches") {
    const Config& d = default_config();
    Config c = load(R"(
[schedule]
days = ["mon", "tue", "wed", "thu", "fri"]
from = "09:00"
to = "17:30"
)", &d);
    CHECK(c.stretches.size() == d.stretches.size());
    CHECK(c.breaks.size() == d.breaks.size());
    CHECK(c.schedule.from_s == 9 * 3600);
    CHECK(c.schedule.to_s == 17 * 3600 + 30 * 60);
    CHECK(c.schedule.days == std::array<bool, 7>{true, true, true, true, true, false, false});
}

TEST_CASE("config: user breaks may draw on the built-in library's tags") {
    const Config& d = default_config();
    Config c = load(R"(
[[break]]
name = "eyes"
every = "20m"
duration = "20s"
tags = ["eyes"]

[[break]]
name = "legs"
every = "2h"
duration = "5m"
targets = ["calves"]
)", &d);
    REQUIRE(c.breaks.size() == 2);
    CHECK(c.stretches.size() == d.stretches.size());
    auto eyes = c.pool(c.breaks[0]);
    REQUIRE_FALSE(eyes.empty());
    for (auto* s : eyes) CHECK(s->targets == std::vector<std::string>{"eyes"});
    CHECK_FALSE(c.pool(c.breaks[1]).empty());
    // natural_break defaults to the longer of the rule's duration and [tracking].
    CHECK(c.breaks[0].natural_break == d.tracking.natural_break);
    CHECK(c.breaks[1].natural_break == std::chrono::minutes(5));
}

// --- schedule --------------------------------------------------------------------

namespace {

Schedule schedule_of(std::string_view text) { return load(text, &default_config()).schedule; }

constexpr int h(int hours, int minutes = 0) { return hours * 3600 + minutes * 60; }
enum Day { mon, tue, wed, thu, fri, sat, sun };
LocalTime at(Day d, int seconds) { return LocalTime{d, seconds}; }

}  // namespace

TEST_CASE("config: schedule with normal working hours") {
    Schedule s = schedule_of(R"(
[schedule]
days = ["mon", "tue", "wed", "thu", "fri"]
from = "09:00"
to = "17:30"
)");
    CHECK_FALSE(s.active_at(at(mon, h(9) - 1)));
    CHECK(s.active_at(at(mon, h(9))));
    CHECK(s.active_at(at(wed, h(17, 30) - 1)));
    CHECK_FALSE(s.active_at(at(wed, h(17, 30))));
    CHECK_FALSE(s.active_at(at(sat, h(12))));

    CHECK(s.seconds_until_change(at(mon, h(8))) == h(1));
    CHECK(s.seconds_until_change(at(mon, h(12))) == h(5, 30));
    CHECK(s.seconds_until_change(at(mon, h(17, 30))) == h(15, 30));  // to tuesday 09:00
    CHECK(s.seconds_until_change(at(fri, h(18))) == h(6) + 2 * h(24) + h(9));  // to monday 09:00
}

TEST_CASE("config: schedule all day, every day, never changes") {
    Schedule s = schedule_of(R"(
[schedule]
from = "00:00"
to = "24:00"
)");
    for (Day d : {mon, thu, sun})
        for (int t : {0, h(12), h(24) - 1}) CHECK(s.active_at(at(d, t)));
    CHECK(s.seconds_until_change(at(wed, h(10))) == std::nullopt);

    // The built-in default is the same.
    CHECK(default_config().schedule.seconds_until_change(at(sun, 0)) == std::nullopt);
}

TEST_CASE("config: schedule all day on weekdays only") {
    Schedule s = schedule_of(R"(
[schedule]
days = ["mon", "tue", "wed", "thu", "fri"]
)");
    CHECK(s.active_at(at(mon, 0)));
    CHECK(s.active_at(at(fri, h(24) - 1)));
    CHECK_FALSE(s.active_at(at(sat, 0)));
    CHECK_FALSE(s.active_at(at(sun, h(24) - 1)));

    CHECK(s.seconds_until_change(at(fri, h(23))) == h(1));          // saturday 00:00
    CHECK(s.seconds_until_change(at(sat, h(12))) == h(12) + h(24));  // monday 00:00
    CHECK(s.seconds_until_change(at(tue, h(12))) == h(12) + 3 * h(24));  // saturday 00:00
}

TEST_CASE("config: schedule hours spanning midnight") {
    Schedule s = schedule_of(R"(
[schedule]
days = ["mon", "tue", "wed", "thu", "fri"]
from = "22:00"
to = "06:00"
)");
    CHECK(s.active_at(at(mon, h(23))));
    CHECK(s.active_at(at(tue, h(3))));          // monday night's shift
    CHECK_FALSE(s.active_at(at(tue, h(6))));
    CHECK_FALSE(s.active_at(at(mon, h(3))));    // sunday night has no shift
    CHECK(s.active_at(at(sat, h(5, 59))));      // friday night's shift
    CHECK_FALSE(s.active_at(at(sat, h(23))));
    CHECK_FALSE(s.active_at(at(sun, h(3))));
    CHECK_FALSE(s.active_at(at(wed, h(12))));

    CHECK(s.seconds_until_change(at(mon, h(23))) == h(7));   // across midnight to tuesday 06:00
    CHECK(s.seconds_until_change(at(tue, h(6))) == h(16));   // tuesday 22:00
    CHECK(s.seconds_until_change(at(sat, h(6))) == 2 * h(24) + h(16));  // monday 22:00
    CHECK(s.seconds_until_change(at(sun, h(12))) == h(12) + h(22));     // monday 22:00
}

TEST_CASE("config error: [notify] values") {
    CHECK(error_of(R"(
[notify]
methods = ["desktop", "bel"]
)", &default_config()) == "test.toml:2:23: [notify]: methods = \"bel\": expected \"desktop\", \"command\" or \"bell\" (did you mean \"bell\"?)");
    CHECK(error_of(R"(
[notify]
command = []
)", &default_config()) == "test.toml:2:11: [notify]: command = []: expected a program and its arguments, e.g. [\"notify-send\", \"Stretch\"]");
    CHECK(error_of(R"(
[notify]
command_timeout = "0s"
)", &default_config()) == "test.toml:2:19: [notify]: command_timeout = \"0s\": expected a duration longer than zero");
}

TEST_CASE("[notify] keys are read, and kept from the built-in config when absent") {
    auto c = load_config(R"(
[notify]
methods = ["command"]
command = ["notify-send", "Stretch"]
critical_after = 0
sound = "bell"
)", "test.toml", &default_config());
    CHECK(c.notify.methods == std::vector{Notify::Method::command});
    CHECK(c.notify.command == std::vector<std::string>{"notify-send", "Stretch"});
    CHECK(c.notify.critical_after == 0);
    CHECK(c.notify.sound == "bell");
    CHECK(c.notify.hold_max == std::chrono::minutes(30));
    auto d = load_config("[profile]\navoid = [\"floor\"]\n", "test.toml", &default_config());
    CHECK(d.notify.methods.size() == 3);
}

TEST_CASE("a rule's own natural_break survives when its rules come from the fallback") {
    auto base = load_config(default_config_text(), "base.toml");
    auto with_own = load_config(R"(
[[break]]
name = "micro"
every = "30m"
duration = "30s"
natural_break = "7m"
tags = ["micro"]
)", "own.toml", &base);
    auto user = load_config("[tracking]\nnatural_break = \"3m\"\n", "user.toml", &with_own);
    CHECK(user.breaks.at(0).natural_break == std::chrono::minutes(7));
    auto plain = load_config("[tracking]\nnatural_break = \"3m\"\n", "user.toml", &default_config());
    CHECK(plain.find_break("micro")->natural_break == std::chrono::minutes(3));
    CHECK(plain.find_break("stretch")->natural_break == std::chrono::minutes(5));
}
