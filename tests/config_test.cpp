#include <doctest/doctest.h>

#include "core/config.hpp"

using namespace stretch;

TEST_CASE("the built-in default config loads and is valid") {
    const Config& c = default_config();
    CHECK(c.breaks.size() == 2);
    CHECK(c.stretches.size() >= 20);
    for (auto& rule : c.breaks) CHECK_MESSAGE(!c.pool(rule).empty(), rule.name);
}
