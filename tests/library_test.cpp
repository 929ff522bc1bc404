// The built-in library (config/stretch.toml) as a specification: every
// common desk area has an easier and a harder form, linked by variation_of
// from the easier form to the harder one, so feedback ("hard", "easy") has
// somewhere to go.

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include <doctest/doctest.h>

#include "core/config.hpp"

using namespace stretch;

namespace {

const std::vector<std::string> desk_areas{"hamstrings", "lower-back", "hips",   "neck",
                                          "shoulders",  "upper-back", "wrists", "calves"};

bool targets(const Stretch& s, const std::string& area) {
    return std::find(s.targets.begin(), s.targets.end(), area) != s.targets.end();
}

}  // namespace

TEST_CASE("every common desk area has an easier form linked to a harder one") {
    const Config& c = default_config();
    for (const auto& area : desk_areas) {
        CAPTURE(area);
        bool linked = std::any_of(c.stretches.begin(), c.stretches.end(), [&](const Stretch& easier) {
            if (!easier.variation_of) return false;
            const Stretch* harder = c.find_stretch(*easier.variation_of);
            return harder && targets(easier, area) && targets(*harder, area);
        });
        CHECK_MESSAGE(linked,
                      "no stretch for " << area << " has a variation_of whose harder form works " << area << " too");
    }
}

TEST_CASE("the built-in variation links, easier form first") {
    const Config& c = default_config();
    // Each pair with the areas both forms work; the article's Quarter Dog first.
    const std::vector<std::pair<std::string, std::string>> links{
        {"quarter-dog", "downward-dog"},                      // hamstrings, calves, shoulders (floor)
        {"seated-hamstring-reach", "standing-forward-fold"},  // hamstrings
        {"seated-forward-bend", "standing-forward-fold"},     // lower back
        {"seated-knee-hug", "seated-figure-four"},            // hips, lower back
        {"neck-side-tilt", "neck-diagonal-stretch"},          // neck
        {"upper-back-hug", "cross-body-shoulder"},            // shoulders, upper back
        {"wrist-flexor-stretch", "desk-wrist-stretch"},       // wrists
        {"seated-calf-stretch", "wall-calf-stretch"},         // calves
    };
    // Not a structured binding: clang before 16 cannot capture one (CAPTURE does).
    for (const auto& link : links) {
        const std::string& easier = link.first;
        const std::string& harder = link.second;
        CAPTURE(easier);
        const Stretch* s = c.find_stretch(easier);
        REQUIRE(s);
        CHECK(s->variation_of == harder);
        REQUIRE(c.find_stretch(harder));
        CHECK_FALSE(c.find_stretch(harder)->variation_of);  // each of these is the hardest of its chain
    }
}

TEST_CASE("every variation link joins two forms of the same stretch: they share a body area") {
    const Config& c = default_config();
    int links = 0;
    for (const auto& s : c.stretches) {
        if (!s.variation_of) continue;
        ++links;
        CAPTURE(s.id);
        const Stretch* harder = c.find_stretch(*s.variation_of);
        REQUIRE(harder);
        CHECK(std::any_of(s.targets.begin(), s.targets.end(), [&](auto& area) { return targets(*harder, area); }));
    }
    CHECK(links >= 8);
}

TEST_CASE("off the floor and without equipment, the longer break still reaches every desk area") {
    Config c = load_config("[profile]\navoid = [\"floor\"]\nequipment = []\n", "test.toml", &default_config());
    for (const auto& rule : c.breaks) CHECK_MESSAGE(!c.pool(rule).empty(), rule.name);
    const BreakRule* rule = c.find_break("stretch");
    REQUIRE(rule);
    auto pool = c.pool(*rule);
    for (const auto& area : desk_areas) {
        CAPTURE(area);
        CHECK(std::any_of(pool.begin(), pool.end(), [&](const Stretch* s) { return targets(*s, area); }));
    }
}
