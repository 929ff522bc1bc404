// Focus areas and the reasons the picker gives (docs/schedule.md, "Choosing
// the stretch"). Pure and seeded: each suggestion is picked, then shown, as
// the engine does when every break is taken.

#include <algorithm>
#include <limits>
#include <set>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "engine_fixture.hpp"

using namespace stretch;
using namespace stretch::test;
using namespace std::chrono_literals;

namespace {

struct Entry {
    std::string id;
    std::vector<std::string> targets;
};

// One rule "r" drawing every stretch of a small library of seated ones.
Config library(std::string_view profile, const std::vector<Entry>& stretches) {
    std::string toml = fmt::format(
        "[profile]\n{}\n\n[[break]]\nname = \"r\"\nevery = \"10m\"\nduration = \"30s\"\ntags = [\"t\"]\n", profile);
    for (auto& s : stretches)
        toml += fmt::format(
            "\n[[stretch]]\nid = \"{}\"\nname = \"{}\"\nsteps = [\"Do it.\"]\nhold = \"10s\"\n"
            "targets = [\"{}\"]\nposition = \"seated\"\ntags = [\"t\"]\n",
            s.id, s.id, fmt::join(s.targets, "\", \""));
    return load_config(toml, "test.toml");
}

const std::vector<Entry> desk = {
    {"hamstring-reach", {"hamstrings", "calves"}},
    {"forward-fold", {"hamstrings", "lower-back"}},
    {"leg-raise", {"hamstrings"}},
    {"neck-tilt", {"neck"}},
    {"shoulder-roll", {"shoulders", "upper-back"}},
    {"wrist-stretch", {"wrists", "forearms"}},
    {"palming", {"eyes"}},
    {"figure-four", {"hips", "glutes"}},
    {"quad-pull", {"quads"}},
};

constexpr std::size_t kept = 8;  // as the engine keeps

// `n` suggestions of rule "r", each shown before the next is picked.
std::vector<Pick> suggestions(const Config& config, std::uint64_t seed, int n) {
    PickerMemory memory;
    memory.rng = seed;
    std::vector<Pick> out;
    std::string previous;
    for (int i = 0; i < n; ++i) {
        auto pick = pick_stretch(config, config.breaks[0], memory, {}, previous);
        REQUIRE(pick.stretch != nullptr);
        remember_shown(memory, *pick.stretch, kept);
        previous = pick.stretch->id;
        out.push_back(pick);
    }
    return out;
}

bool targets(const Stretch& s, std::string_view area) {
    return std::find(s.targets.begin(), s.targets.end(), area) != s.targets.end();
}

// The picker as it was before focus areas, kept here word for word as the
// reference that an empty focus must reproduce.
const Stretch* pick_before_focus(const Config& config, const BreakRule& rule, PickerMemory& memory) {
    auto next_random = [](std::uint64_t& state) {
        std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    };
    auto staleness = [&](const Stretch& s) {
        std::int64_t best = std::numeric_limits<std::int64_t>::max();
        for (auto& area : s.targets) {
            auto it = memory.area_seen.find(area);
            best = std::min(best, it == memory.area_seen.end() ? std::int64_t{-1} : it->second);
        }
        return best;
    };
    auto pool = config.pool(rule);
    std::size_t window = std::min<std::size_t>(static_cast<std::size_t>(config.profile.repeat_after), pool.size() - 1);
    std::vector<const Stretch*> candidates;
    auto recent_begin = memory.recent.end() - static_cast<std::ptrdiff_t>(std::min(window, memory.recent.size()));
    for (auto* s : pool)
        if (std::find(recent_begin, memory.recent.end(), s->id) == memory.recent.end()) candidates.push_back(s);
    if (candidates.empty()) candidates = pool;
    std::int64_t best = std::numeric_limits<std::int64_t>::max();
    for (auto* s : candidates) best = std::min(best, staleness(*s));
    std::erase_if(candidates, [&](auto* s) { return staleness(*s) != best; });
    return candidates[next_random(memory.rng) % candidates.size()];
}

}  // namespace

TEST_CASE("focus on hamstrings: at least every other suggestion is for them, and every other area still comes up") {
    auto config = library("focus = [\"hamstrings\"]", desk);
    std::set<std::string> pool_areas;
    for (auto* s : config.pool(config.breaks[0])) pool_areas.insert(s->targets.begin(), s->targets.end());

    for (std::uint64_t seed = 1; seed <= 20; ++seed) {
        CAPTURE(seed);
        auto picks = suggestions(config, seed, 20);
        int hamstrings = 0;
        std::set<std::string> areas;
        for (std::size_t i = 0; i < picks.size(); ++i) {
            const Stretch& s = *picks[i].stretch;
            hamstrings += targets(s, "hamstrings");
            areas.insert(s.targets.begin(), s.targets.end());
            CAPTURE(i);
            if (i > 0) CHECK((targets(s, "hamstrings") || targets(*picks[i - 1].stretch, "hamstrings")));
        }
        CHECK(hamstrings >= 10);
        CHECK(areas == pool_areas);
    }
}

TEST_CASE("a focus area's turn says so; the turn after it is the usual rotation") {
    auto config = library("focus = [\"hamstrings\", \"neck\"]", desk);
    auto picks = suggestions(config, 3, 6);
    CHECK(picks[0].why.reason == PickReason::focus);
    CHECK((picks[0].why.detail == "hamstrings" || picks[0].why.detail == "neck"));
    CHECK(pick_why_text(picks[0].why) == "focus area " + picks[0].why.detail);
    CHECK(picks[1].why.reason == PickReason::rotation);
}

TEST_CASE("a focus area the pool cannot draw leaves the usual rotation") {
    // The rule draws tag "t"; the only hamstring stretch lacks it.
    auto config = load_config(R"(
[profile]
focus = ["hamstrings"]
repeat_after = 0
[[break]]
name = "r"
every = "10m"
duration = "30s"
tags = ["t"]
[[stretch]]
id = "neck-tilt"
name = "Neck tilt"
steps = ["Tilt."]
hold = "10s"
targets = ["neck"]
position = "seated"
tags = ["t"]
[[stretch]]
id = "palming"
name = "Palming"
steps = ["Cup."]
hold = "10s"
targets = ["eyes"]
position = "seated"
tags = ["t"]
[[stretch]]
id = "leg-raise"
name = "Leg raise"
steps = ["Raise."]
hold = "10s"
targets = ["hamstrings"]
position = "seated"
)",
                              "test.toml");
    for (auto& pick : suggestions(config, 5, 6)) CHECK(pick.why.reason == PickReason::rotation);
}

TEST_CASE("with no focus the picker chooses exactly as before focus areas") {
    auto config = library("repeat_after = 3", desk);
    for (std::uint64_t seed = 1; seed <= 20; ++seed) {
        CAPTURE(seed);
        PickerMemory now, before;
        now.rng = before.rng = seed;
        std::string previous;
        for (int i = 0; i < 30; ++i) {
            auto pick = pick_stretch(config, config.breaks[0], now, {}, previous);
            auto* want = pick_before_focus(config, config.breaks[0], before);
            REQUIRE(pick.stretch == want);
            CHECK(pick.why.reason != PickReason::focus);
            remember_shown(now, *pick.stretch, kept);
            remember_shown(before, *want, kept);
            previous = pick.stretch->id;
        }
        CHECK(now.rng == before.rng);
    }
}

TEST_CASE("the reason names the step that decided") {
    SUBCASE("rotation: an area not stretched yet, then the one gone longest") {
        auto config = library("repeat_after = 0", {{"neck-tilt", {"neck"}}, {"palming", {"eyes"}}});
        auto picks = suggestions(config, 1, 3);
        CHECK(picks[0].why.reason == PickReason::rotation);
        CHECK(pick_why_text(picks[0].why) == picks[0].why.detail + " has not been stretched yet (rotation)");
        CHECK(pick_why_text(picks[2].why) == picks[2].why.detail + " has gone longest without a stretch (rotation)");
    }
    SUBCASE("only choice") {
        auto config = library("", {{"neck-tilt", {"neck"}}});
        auto picks = suggestions(config, 1, 2);
        CHECK(picks[1].why.reason == PickReason::only_choice);
        CHECK(pick_why_text(picks[1].why) == "the only stretch this break can suggest");
    }
    SUBCASE("not recent: the others were shown since") {
        auto config = library("repeat_after = 2", {{"a", {"neck"}}, {"b", {"neck"}}, {"c", {"neck"}}});
        auto picks = suggestions(config, 1, 4);
        CHECK(picks[2].why.reason == PickReason::not_recent);
        CHECK(pick_why_text(picks[2].why) == "the others were shown more recently");  // never shown yet
        CHECK(picks[3].why.reason == PickReason::not_recent);
        CHECK(picks[3].stretch == picks[0].stretch);
        CHECK(pick_why_text(picks[3].why) == "not shown for 2 suggestions; the others were shown more recently");
    }
    SUBCASE("other break: the other choice is already suggested elsewhere") {
        auto config = library("", {{"a", {"neck"}}, {"b", {"neck"}}});
        PickerMemory memory;
        auto pick = pick_stretch(config, config.breaks[0], memory, "a");
        CHECK(pick.stretch->id == "b");
        CHECK(pick.why.reason == PickReason::other_break);
        CHECK(pick_why_text(pick.why) == "the other choice, a, is already suggested for another break");
    }
}

TEST_CASE("pick reasons have one name each, both ways") {
    for (auto r : {PickReason::only_choice, PickReason::not_recent, PickReason::other_break, PickReason::focus,
                   PickReason::rotation}) {
        CAPTURE(pick_reason_name(r));
        CHECK(parse_pick_reason(pick_reason_name(r)) == r);
    }
    CHECK(parse_pick_reason("luck") == std::nullopt);
}

TEST_CASE("the engine keeps the reason beside the next stretch and status carries it") {
    Sim sim(library("focus = [\"hamstrings\"]", desk), "09:00", 4);
    auto why = sim.rule("r").why;
    REQUIRE(why.has_value());
    CHECK(why->reason == PickReason::focus);
    CHECK(why == sim.state_of("r").next_why);
    // Every break taken: at least every other one is for the focus area.
    std::vector<std::string> shown;
    for (int i = 0; i < 10; ++i) {
        auto from = sim.mark();
        sim.after(10min);
        auto shows = sim.shows(from);
        REQUIRE(shows.size() == 1);
        shown.push_back(shows[0].reminder.stretch_id);
        sim.done();
    }
    auto& config = sim.engine.config();
    for (std::size_t i = 1; i < shown.size(); ++i) {
        CAPTURE(i);
        CHECK((targets(*config.find_stretch(shown[i]), "hamstrings") ||
               targets(*config.find_stretch(shown[i - 1]), "hamstrings")));
    }
}
