// closest_match: the "did you mean" behind config errors, unknown commands
// and unknown stretch ids.

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/suggest.hpp"

namespace stretch {

const std::vector<std::string> names{"micro", "hourly", "childs-pose", "downward-dog", "quarter-dog", "hamstrings"};

TEST_CASE("a typo, a swapped pair and a unique prefix find their name") {
    CHECK(closest_match("mirco", names) == "micro");
    CHECK(closest_match("hourley", names) == "hourly");
    CHECK(closest_match("child", names) == "childs-pose");
    CHECK(closest_match("quater-dog", names) == "quarter-dog");
}

TEST_CASE("nothing close, nothing suggested") {
    CHECK_FALSE(closest_match("xyz", names));
    CHECK_FALSE(closest_match("", names));
    CHECK(did_you_mean("xyz", names).empty());
    CHECK(did_you_mean("mirco", names) == " (did you mean \"micro\"?)");
}

TEST_CASE("a huge word gets no suggestion (and no length-squared work)") {
    CHECK_FALSE(closest_match(std::string(60000, 'a'), names));
    // Just over the longest name a user could mistype: still looked at.
    CHECK(closest_match(std::string("hamstrings") + std::string(3, 's'), names) == "hamstrings");
    CHECK_FALSE(closest_match(std::string(65, 'h'), names));
}

}  // namespace stretch
