// Delivery with do-not-disturb sources (GNOME, mako, swaync behind the
// QuietSource seam): a reminder waits while one says quiet, comes out the
// moment it stops, and hold_max still applies. Real loop, recording fakes.

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "daemon/delivery/delivery.hpp"
#include "daemon/delivery/quiet/gnome_quiet.hpp"
#include "daemon/plumbing/event_loop.hpp"
#include "fakes/fake_fullscreen_probe.hpp"
#include "fakes/fake_quiet_source.hpp"
#include "fakes/recording_notifier.hpp"

namespace stretch {
namespace {

using namespace std::chrono_literals;
using test::FakeFullscreenProbe;
using test::FakeQuietSource;
using test::RecordingNotifier;
using Shown = std::vector<std::string>;

Reminder due(std::string rule, int count = 1) {
    Reminder r;
    r.rule = std::move(rule);
    r.count = count;
    return r;
}

struct QuietRig {
    EventLoop loop;
    Config config;
    RecordingNotifier* desktop = nullptr;
    FakeQuietSource* gnome = nullptr;
    FakeQuietSource* mako = nullptr;
    int changes = 0;
    std::unique_ptr<Delivery> delivery;

    explicit QuietRig(std::chrono::milliseconds recheck_every = Delivery::fullscreen_recheck) {
        config.notify.hold_max = 1h;
        Notifiers notifiers;
        auto n = std::make_unique<RecordingNotifier>("desktop");
        desktop = n.get();
        notifiers.emplace(Notify::Method::desktop, std::move(n));
        QuietSources sources;
        auto g = std::make_unique<FakeQuietSource>("gnome");
        gnome = g.get();
        sources.push_back(std::move(g));
        auto m = std::make_unique<FakeQuietSource>("mako");
        mako = m.get();
        sources.push_back(std::move(m));
        delivery = std::make_unique<Delivery>(
            loop, config, std::move(notifiers), std::make_unique<FakeFullscreenProbe>(),
            Delivery::Listener{{}, [this] { ++changes; }}, recheck_every, std::move(sources));
    }

    bool step_until_shown() {
        for (int i = 0; i < 200 && desktop->shown().empty(); ++i) loop.run_once(5'000'000);
        return !desktop->shown().empty();
    }
};

}  // namespace

TEST_CASE("a reminder is held while a do-not-disturb source is quiet, and shown the moment it ends") {
    QuietRig rig;
    rig.gnome->set(true);
    rig.delivery->show(due("micro"));
    CHECK(rig.desktop->calls.empty());
    CHECK(rig.delivery->held() == HeldReason::do_not_disturb);
    CHECK(rig.delivery->held_by() == "gnome");

    rig.gnome->set(false);
    CHECK(rig.desktop->shown() == Shown{"micro#1"});
    CHECK_FALSE(rig.delivery->held());
    CHECK(rig.delivery->held_by().empty());
}

TEST_CASE("a reminder stays held while any source is quiet, and names the one that holds it now") {
    QuietRig rig;
    rig.gnome->set(true);
    rig.mako->set(true);
    rig.delivery->show(due("micro"));
    CHECK(rig.delivery->held_by() == "gnome");
    rig.gnome->set(false);
    CHECK(rig.desktop->calls.empty());
    CHECK(rig.delivery->held_by() == "mako");
    rig.mako->set(false);
    CHECK(rig.desktop->shown() == Shown{"micro#1"});
}

TEST_CASE("a paused notification server is named as such, before the sources") {
    QuietRig rig;
    rig.desktop->set_do_not_disturb(true);
    rig.mako->set(true);
    rig.delivery->show(due("micro"));
    CHECK(rig.delivery->held_by() == "notification server");
}

TEST_CASE("a source going quiet while nothing is due changes nothing but is reported") {
    QuietRig rig;
    int before = rig.changes;
    rig.mako->set(true);
    CHECK(rig.changes == before + 1);
    CHECK(rig.desktop->calls.empty());
    CHECK_FALSE(rig.delivery->held());
}

TEST_CASE("a source going quiet while the reminder is up takes it down until the quiet ends") {
    QuietRig rig;
    rig.delivery->show(due("micro"));
    REQUIRE(rig.desktop->shown() == Shown{"micro#1"});
    rig.gnome->set(true);
    CHECK(rig.desktop->calls.back().kind == RecordingNotifier::Call::Kind::close);
    CHECK(rig.delivery->held_by() == "gnome");
    rig.gnome->set(false);
    CHECK(rig.desktop->shown() == Shown{"micro#1", "micro#1"});
    CHECK_FALSE(rig.delivery->held());
}

TEST_CASE("a notification server pausing while the reminder is up leaves it to the server, as before") {
    QuietRig rig;
    rig.delivery->show(due("micro"));
    rig.desktop->set_do_not_disturb(true);
    CHECK(rig.desktop->calls.size() == 1);
    CHECK_FALSE(rig.delivery->held());
}

TEST_CASE("hold_max applies to a quiet source: the reminder is shown anyway when it runs out") {
    QuietRig rig;
    rig.config.notify.hold_max = 1ms;
    rig.mako->set(true);
    rig.delivery->show(due("micro"));
    REQUIRE(rig.step_until_shown());
    CHECK(rig.desktop->shown() == Shown{"micro#1"});
    // Its re-reminder, in the same quiet spell, is not held again.
    rig.delivery->show(due("micro", 2));
    CHECK(rig.desktop->shown() == Shown{"micro#1", "micro#2"});
}

TEST_CASE("describe_quiet() lists each source with its state and passes on warnings") {
    QuietRig rig;
    rig.mako->set(true);
    rig.gnome->set_warning(QuietWarning{"GNOME's own break reminders are on", "turn one off"});
    auto d = rig.delivery->describe_quiet();
    REQUIRE(d["sources"].size() == 2);
    CHECK(d["sources"][0] == nlohmann::json{{"source", "gnome"}, {"quiet", false}, {"detail", "gnome: not quiet"}});
    CHECK(d["sources"][1]["source"] == "mako");
    CHECK(d["sources"][1]["quiet"] == true);
    CHECK(d["warnings"] ==
          nlohmann::json::array({{{"problem", "GNOME's own break reminders are on"}, {"fix", "turn one off"}}}));
}

TEST_CASE("sources are asked again when a reminder falls due and while it waits, for those that hear no change") {
    QuietRig rig(1ms);
    rig.delivery->show(due("micro"));
    CHECK(rig.mako->refreshed == 1);
    rig.delivery->close();
    rig.mako->set(true);
    rig.delivery->show(due("micro"));
    CHECK(rig.mako->refreshed == 2);
    int before = rig.mako->refreshed;
    for (int i = 0; i < 200 && rig.mako->refreshed == before; ++i) rig.loop.run_once(5'000'000);
    CHECK(rig.mako->refreshed > before);
    CHECK(rig.delivery->held_by() == "mako");
    // A re-reminder of the same break is not a new fall due.
    rig.delivery->show(due("micro", 2));
    CHECK(rig.mako->refreshed == before + 1);
}

TEST_CASE("GNOME's break reminders count as on only when a break is selected") {
    CHECK_FALSE(GnomeQuiet::breaks_selected(""));
    CHECK_FALSE(GnomeQuiet::breaks_selected("@as []"));
    CHECK_FALSE(GnomeQuiet::breaks_selected("[]"));
    CHECK(GnomeQuiet::breaks_selected("['movement', 'eyesight']"));
}

TEST_CASE("[notify] mako_quiet_mode names the mako mode that means do not disturb") {
    CHECK(default_config().notify.mako_quiet_mode == "do-not-disturb");
    Config c = load_config("[notify]\nmako_quiet_mode = \"dnd\"\n", "t.toml", &default_config());
    CHECK(c.notify.mako_quiet_mode == "dnd");
    CHECK_THROWS_AS(load_config("[notify]\nmako_quiet_mode = \"\"\n", "t.toml", &default_config()), ConfigError);
}

}  // namespace stretch
