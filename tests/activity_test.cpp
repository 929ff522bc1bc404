// Choosing the activity source: best first, falling back when the one in
// use dies, moving up when a better one appears. Activity runs on the real
// sd-event loop with fake sources (tests/fakes/fake_activity_source.hpp);
// the loop is stepped until a condition holds, and the retry delays are
// zero, so nothing waits for the clock.

#include "daemon/presence/activity.hpp"

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "core/config.hpp"
#include "daemon/plumbing/event_loop.hpp"
#include "fakes/fake_activity_source.hpp"

namespace doctest {
template <>
struct StringMaker<std::vector<std::string>> {
    static String convert(const std::vector<std::string>& v) {
        std::string out = "{";
        for (auto& s : v) out += "\"" + s + "\", ";
        return (out + "}").c_str();
    }
};
}  // namespace doctest

namespace stretch {
namespace {

using namespace std::chrono_literals;
using S = ActivitySourceName;

struct Fixture {
    explicit Fixture(std::string source = "auto") {
        config = default_config();
        config.tracking.source = std::move(source);
    }

    // Starts Activity and steps the loop until the first round is over.
    void start(Activity::Delays delays = {0ms, 0ms}) {
        activity = std::make_unique<Activity>(
            loop, config, sources.factory(),
            Activity::Listener{
                [this](MonoTime since) { heard.push_back(fmt::format("idle {}", since.time_since_epoch().count())); },
                [this] { heard.push_back("active"); }, [this] { ++changes; }, nullptr},
            std::move(delays));
        settle();
    }

    // Steps the loop until nothing is waiting: the deferred calls and
    // zero-length timers have all run.
    void settle() {
        for (int i = 0; i < 100; ++i) loop.run_once(0);
    }

    std::string source() const {
        auto s = activity->status().source;
        return s ? std::string(activity_source_name(*s)) : "none";
    }

    std::string threshold() const {
        return fmt::format(
            "{}ms", std::chrono::duration_cast<std::chrono::milliseconds>(config.shortest_natural_break()).count());
    }

    std::string start_of(S name) const { return fmt::format("start {} {}", activity_source_name(name), threshold()); }

    std::string probe_state(S name) const {
        for (auto& p : activity->report().probes)
            if (p.source == name) {
                switch (p.state) {
                    case ActivityProbe::State::active:
                        return "active";
                    case ActivityProbe::State::probing:
                        return "probing";
                    case ActivityProbe::State::available:
                        return "available";
                    case ActivityProbe::State::failed:
                        return "failed";
                    case ActivityProbe::State::not_used:
                        return "not_used";
                    case ActivityProbe::State::skipped:
                        return "skipped";
                }
            }
        return "missing";
    }

    EventLoop loop;
    Config config;
    FakeSources sources;
    std::unique_ptr<Activity> activity;
    std::vector<std::string> heard;
    int changes = 0;
};

TEST_CASE("the best source that works is used, after the better ones were tried") {
    Fixture f;
    f.sources.answer(S::x11, Probe::ready("XSync IDLETIME on :1"));
    f.sources.answer(S::logind, Probe::ready("IdleHint"));
    f.start();
    CHECK(f.source() == "x11");
    CHECK(f.activity->status().detail == "XSync IDLETIME on :1");
    CHECK(f.sources.calls() == std::vector<std::string>{f.start_of(S::gnome), "drop gnome", f.start_of(S::wayland),
                                                        "drop wayland", f.start_of(S::x11)});
    CHECK(f.probe_state(S::gnome) == "not_used");
    CHECK(f.probe_state(S::x11) == "active");
    CHECK(f.probe_state(S::logind) == "skipped");
    CHECK(f.changes >= 1);
}

TEST_CASE("the first round starts from the loop, not inside the constructor") {
    Fixture f;
    f.sources.answer(S::gnome, Probe::ready("idle monitor"));
    Activity activity(f.loop, f.config, f.sources.factory(),
                      Activity::Listener{[](MonoTime) {}, [] {}, [] {}, nullptr});
    CHECK(f.sources.calls().empty());
    CHECK(activity.status().detail == "looking for a source");
    f.settle();
    CHECK(f.sources.calls() == std::vector<std::string>{f.start_of(S::gnome)});
    CHECK(activity.status().source == S::gnome);
}

TEST_CASE("a pending probe waits for its answer: ready is used, lost moves on to the next") {
    Fixture f;
    f.sources.answer(S::gnome, Probe::pending("asking GNOME"));
    f.sources.answer(S::wayland, Probe::pending("asking"));
    f.start();
    CHECK(f.source() == "none");
    CHECK(f.probe_state(S::gnome) == "probing");
    CHECK(f.sources.calls() == std::vector<std::string>{f.start_of(S::gnome)});

    f.sources.live(S::gnome).listener.lost(Probe::failed("no idle monitor"));
    f.settle();
    CHECK_FALSE(f.sources.any_alive(S::gnome));
    CHECK(f.probe_state(S::wayland) == "probing");

    f.sources.live(S::wayland).listener.ready("org_kde_kwin_idle on wayland-1");
    f.settle();
    CHECK(f.source() == "wayland");
    CHECK(f.activity->status().detail == "org_kde_kwin_idle on wayland-1");
    CHECK(f.probe_state(S::gnome) == "not_used");
}

TEST_CASE("when the source in use dies the next one is used, and an idle user counts as back") {
    Fixture f;
    f.sources.answer(S::x11, Probe::ready("XSync IDLETIME on :1"));
    f.sources.answer(S::logind, Probe::ready("IdleHint of logind session c1"));
    f.start();
    REQUIRE(f.source() == "x11");
    f.sources.live(S::x11).listener.idle(MonoTime(42ms));
    CHECK(f.heard == std::vector<std::string>{"idle 42"});

    f.sources.answer(S::x11, Probe::failed(":1 went away"));
    f.sources.clear_calls();
    f.sources.live(S::x11).listener.lost(Probe::failed(":1 went away"));
    // Unknown is treated as present: sitting time keeps counting.
    CHECK(f.heard == std::vector<std::string>{"idle 42", "active"});
    CHECK(f.source() == "none");
    f.settle();
    CHECK(f.source() == "logind");
    std::vector<std::string> expected = {"drop x11",     f.start_of(S::gnome), "drop gnome", f.start_of(S::wayland),
                                         "drop wayland", f.start_of(S::x11),   "drop x11",   f.start_of(S::logind)};
    auto calls = f.sources.calls();
    REQUIRE(calls.size() >= expected.size());
    CHECK(std::vector<std::string>(calls.begin(), calls.begin() + static_cast<long>(expected.size())) == expected);
    // Then, since the same server may come back, the better ones are looked
    // at again after each retry delay, and logind stays in use meanwhile.
    CHECK(calls.size() == expected.size() + 2 * 6);
    CHECK(std::count(calls.begin(), calls.end(), f.start_of(S::logind)) == 1);
    CHECK(f.probe_state(S::x11) == "not_used");
}

TEST_CASE("a dropped source's late reports are ignored") {
    Fixture f;
    f.sources.answer(S::wayland, Probe::pending("asking"));
    f.sources.answer(S::x11, Probe::ready("XSync IDLETIME on :1"));
    f.start();
    auto wayland = f.sources.live(S::wayland).listener;
    wayland.lost(Probe::failed("no compositor"));
    f.settle();
    REQUIRE(f.source() == "x11");
    wayland.ready("too late");
    wayland.idle(MonoTime(1ms));
    f.settle();
    CHECK(f.source() == "x11");
    CHECK(f.heard.empty());
}

TEST_CASE("a better source that appears is switched to, and the old one dropped") {
    Fixture f;
    f.sources.answer(S::x11, Probe::ready("XSync IDLETIME on :1"));
    f.start();
    REQUIRE(f.source() == "x11");
    f.sources.clear_calls();

    f.sources.answer(S::gnome, Probe::ready("Mutter's idle monitor"));
    f.activity->maybe_better();
    f.settle();
    CHECK(f.source() == "gnome");
    // Only the better ones are probed; the one in use is not started again.
    CHECK(f.sources.calls() == std::vector<std::string>{f.start_of(S::gnome), "drop x11"});
    CHECK_FALSE(f.sources.any_alive(S::x11));
    CHECK(f.probe_state(S::x11) == "available");  // it works; a better one is in use

    // Nothing is better than the best: no more probes.
    f.sources.clear_calls();
    f.activity->maybe_better();
    f.settle();
    CHECK(f.sources.calls().empty());
}

TEST_CASE("looking again stops after the retries when nothing better appears") {
    Fixture f;
    f.sources.answer(S::logind, Probe::ready("IdleHint"));
    f.start({0ms, 0ms, 0ms});
    f.sources.clear_calls();
    f.activity->maybe_better();
    f.settle();
    auto starts = [&] {
        int n = 0;
        for (auto& c : f.sources.calls()) n += c.rfind("start", 0) == 0;
        return n;
    };
    CHECK(starts() == 3 * 3);  // three retries, each of gnome, wayland, x11
    CHECK(f.source() == "logind");
}

TEST_CASE("a reload re-arms the source in use with the new threshold") {
    Fixture f;
    f.sources.answer(S::x11, Probe::ready("XSync IDLETIME on :1"));
    f.start();
    f.config.tracking.natural_break = 7min;
    f.sources.clear_calls();
    f.activity->reload();
    f.settle();
    REQUIRE_FALSE(f.sources.calls().empty());
    CHECK(f.sources.calls()[0] == fmt::format("threshold x11 {}", f.threshold()));
    CHECK(f.source() == "x11");
}

TEST_CASE("one configured source is the only one tried; none tries none") {
    Fixture one("logind");
    one.sources.answer(S::x11, Probe::ready("XSync"));
    one.start();
    CHECK(one.sources.calls() == std::vector<std::string>{one.start_of(S::logind), "drop logind"});
    CHECK(one.source() == "none");
    CHECK(one.probe_state(S::x11) == "skipped");
    CHECK(one.probe_state(S::logind) == "failed");

    Fixture none("none");
    none.sources.answer(S::x11, Probe::ready("XSync"));
    none.start();
    CHECK(none.sources.calls().empty());
    CHECK(none.activity->status().detail == "not tracked ([tracking] source = \"none\")");
}

TEST_CASE("a reload to another source drops the one in use") {
    Fixture f;
    f.sources.answer(S::x11, Probe::ready("XSync"));
    f.sources.answer(S::logind, Probe::ready("IdleHint"));
    f.start();
    REQUIRE(f.source() == "x11");
    f.config.tracking.source = "logind";
    f.activity->reload();
    f.settle();
    CHECK(f.source() == "logind");
    CHECK_FALSE(f.sources.any_alive(S::x11));
}

TEST_CASE("activity source names go both ways through one table") {
    for (const auto& row : activity_source_table) {
        CHECK(activity_source_name(row.source) == row.name);
        CHECK(activity_source_from_name(row.name) == row.source);
    }
    CHECK(activity_source_names == std::array<std::string_view, 4>{"gnome", "wayland", "x11", "logind"});
    CHECK_FALSE(activity_source_from_name("auto"));
}

}  // namespace
}  // namespace stretch
