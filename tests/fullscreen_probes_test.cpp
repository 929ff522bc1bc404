// The composite full-screen probe: a full-screen focused window on any
// source (X11, Wayland) holds a reminder; each source's change is passed
// on; doctor sees every source, in use or off and why.

#include "daemon/delivery/fullscreen_probes.hpp"

#include <memory>
#include <vector>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "daemon/commands/views.hpp"
#include "fakes/fake_fullscreen_probe.hpp"

namespace stretch {
namespace {

using test::FakeFullscreenProbe;

struct Two {
    FakeFullscreenProbe* x11;
    FakeFullscreenProbe* wayland;
    std::unique_ptr<FullscreenProbes> probes;
    int changes = 0;

    Two() {
        auto a = std::make_unique<FakeFullscreenProbe>();
        auto b = std::make_unique<FakeFullscreenProbe>();
        x11 = a.get();
        wayland = b.get();
        a->reports = {{FullscreenSource::x11, false, "no X server answers on DISPLAY"}};
        b->reports = {
            {FullscreenSource::wlr_foreign_toplevel, true, "zwlr_foreign_toplevel_manager_v1 v3 on wayland-1"}};
        std::vector<std::unique_ptr<FullscreenProbe>> v;
        v.push_back(std::move(a));
        v.push_back(std::move(b));
        probes = std::make_unique<FullscreenProbes>(std::move(v));
        probes->listen([this] { ++changes; });
    }
};

TEST_CASE("no source full-screen: nothing is held") {
    Two t;
    CHECK_FALSE(t.probes->focused_window_fullscreen());
}

TEST_CASE("a full-screen focused window on either source counts") {
    Two t;
    t.wayland->set_quietly(true);
    CHECK(t.probes->focused_window_fullscreen());
    t.wayland->set_quietly(false);
    t.x11->set_quietly(true);
    CHECK(t.probes->focused_window_fullscreen());
}

TEST_CASE("every source is asked, also after one said yes") {
    Two t;
    t.x11->set_quietly(true);
    t.probes->focused_window_fullscreen();
    CHECK(t.x11->asked == 1);
    CHECK(t.wayland->asked == 1);
}

TEST_CASE("a change on any source is announced") {
    Two t;
    t.wayland->set(true);
    CHECK(t.changes == 1);
    t.x11->set(false);
    CHECK(t.changes == 2);
}

TEST_CASE("doctor names the sources in use and why the others are off") {
    Two t;
    auto j = fullscreen_json(t.probes->describe());
    CHECK(j["source"] == "wlr-foreign-toplevel");
    CHECK(j["in_use"] == nlohmann::json::array({"wlr-foreign-toplevel"}));
    REQUIRE(j["probes"].size() == 2);
    CHECK(j["probes"][0]["source"] == "x11");
    CHECK(j["probes"][0]["in_use"] == false);
    CHECK(j["probes"][0]["detail"] == "no X server answers on DISPLAY");
}

TEST_CASE("doctor says none when no source is in use") {
    Two t;
    t.wayland->reports[0].in_use = false;
    auto j = fullscreen_json(t.probes->describe());
    CHECK(j["source"] == "none");
    CHECK(j["in_use"].empty());
}

TEST_CASE("doctor lists a source off for a reason the user can mend among its problems, with the fix") {
    Two t;
    CHECK(fullscreen_json(t.probes->describe())["warnings"].empty());
    t.wayland->reports = {{FullscreenSource::kde_plasma_window_management, false, "KWin withholds it", "install it"}};
    auto j = fullscreen_json(t.probes->describe());
    CHECK(j["probes"][1]["fix"] == "install it");
    CHECK_FALSE(j["probes"][0].contains("fix"));
    CHECK(j["warnings"] == nlohmann::json::array({{{"problem", "full-screen windows are not seen: KWin withholds it"},
                                                   {"fix", "install it"}}}));
}

TEST_CASE("full-screen source names go both ways") {
    for (auto [source, name] : fullscreen_source_names) {
        CHECK(fullscreen_source_from_name(name) == source);
        CHECK(fullscreen_source_name(source) == name);
    }
    CHECK_FALSE(fullscreen_source_from_name("gnome").has_value());
}

}  // namespace
}  // namespace stretch
