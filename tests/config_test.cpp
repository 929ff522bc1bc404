#include <doctest/doctest.h>

#include "core/config.hpp"
#include "core/config_schema.hpp"

using namespace stretch;

TEST_CASE("the built-in default config loads and is valid") {
    const Config& c = default_config();
    CHECK(c.breaks.size() == 2);
    CHECK(c.stretches.size() >= 20);
    for (auto& rule : c.breaks) CHECK_MESSAGE(!c.pool(rule).empty(), rule.name);
}

// stretch.toml(5) lists each key's default from config_schema.cpp. Writing
// that default into a user file must change nothing, or the page is wrong.
TEST_CASE("every default the man page documents is the built-in config's own") {
    const Config& builtin = default_config();
    int checked = 0;
    for (const auto& k : config_keys()) {
        // Required, unset by default, or abridged: nothing to write down.
        if (k.fallback.empty() || k.fallback == "none" || k.fallback.find("...") != std::string_view::npos) continue;
        if (k.section == "break" || k.section == "stretch") continue;  // per entry, not one value
        std::string text = std::string("[") + std::string(k.section) + "]\n" + std::string(k.key) + " = " + std::string(k.fallback) + "\n";
        CAPTURE(text);
        Config c = load_config(text, "schema.toml", &builtin);
        CHECK(c.tracking == builtin.tracking);
        CHECK(c.schedule == builtin.schedule);
        CHECK(c.profile == builtin.profile);
        CHECK(c.notify == builtin.notify);
        CHECK(c.history == builtin.history);
        ++checked;
    }
    CHECK(checked >= 13);  // the loop above really ran over the documented defaults
}
