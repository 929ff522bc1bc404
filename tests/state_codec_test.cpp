// The engine's live state through the state codec, as the daemon saves it at
// every event and restores it at start (docs/schedule.md, "Restarts"): on the
// same boot every field comes back as it was; on another boot the monotonic
// times move onto the new boot's clock by the wall-clock gap; what the codec
// does not understand is refused, never half-read.

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "daemon/storage/state_codec.hpp"

namespace stretch {
namespace {

using namespace std::chrono_literals;

MonoTime mono(Duration d) { return MonoTime(d); }

// A state with every field set away from its default.
EngineState full_state() {
    EngineState s;
    s.last = mono(10h);
    s.sat = 3h + 7s;
    s.unbroken_base = 2h + 500ms;
    s.unbroken_resting = true;
    s.standing = true;
    s.away_since = mono(9h + 50min);
    s.present_at = mono(9h + 59min);
    s.paused = true;
    s.pause_until = mono(11h);
    s.pause_until_local = 12 * 3600 + 30 * 60;
    s.quiet_until = mono(10h + 1min);
    s.shown = ShownReminder{"micro", "neck-side-tilt", 3, mono(9h + 58min)};
    s.call_manual = true;
    s.call_manual_until = mono(10h + 30min);
    s.call_since = mono(9h + 40min);
    s.call_free_since = mono(9h + 59min);
    s.call_hold_since = mono(9h + 45min);
    s.call_just_ended = 12min;
    RuleState micro;
    micro.base = 2h + 40min;
    micro.resting = true;
    micro.snoozes = 2;
    micro.snoozed_until = mono(10h + 5min);
    micro.next_stretch = "chin-tuck";
    micro.next_why = PickWhy{PickReason::focus, "neck", -1};
    s.rules["micro"] = micro;
    RuleState stretch;
    stretch.base = 1h;
    stretch.next_stretch = "childs-pose";
    stretch.next_why = PickWhy{PickReason::not_recent, "", 5};
    s.rules["stretch"] = stretch;
    s.picker.recent = {"neck-side-tilt", "chin-tuck"};
    s.picker.area_seen = {{"neck", 7}, {"back", 4}};
    s.picker.sequence = 8;
    s.picker.rng = 0x9e3779b97f4a7c15ull;
    return s;
}

Now at(Duration mono_time, std::int64_t wall_s) {
    Now n;
    n.mono = mono(mono_time);
    n.wall_s = wall_s;
    return n;
}

// Every field but the monotonic times, which the caller checks against the shift it expects.
void check_same_apart_from_times(const EngineState& got, const EngineState& want) {
    CHECK(got.sat == want.sat);
    CHECK(got.unbroken_base == want.unbroken_base);
    CHECK(got.unbroken_resting == want.unbroken_resting);
    CHECK(got.standing == want.standing);
    CHECK(got.paused == want.paused);
    CHECK(got.pause_until_local == want.pause_until_local);
    CHECK(got.call_manual == want.call_manual);
    CHECK(got.call_just_ended == want.call_just_ended);
    CHECK_FALSE(got.call_detected);  // the devices are reported afresh
    REQUIRE(got.shown.has_value() == want.shown.has_value());
    if (want.shown) {
        CHECK(got.shown->rule == want.shown->rule);
        CHECK(got.shown->stretch == want.shown->stretch);
        CHECK(got.shown->count == want.shown->count);
    }
    REQUIRE(got.rules.size() == want.rules.size());
    for (const auto& [name, w] : want.rules) {
        REQUIRE(got.rules.count(name) == 1);
        const auto& g = got.rules.at(name);
        CHECK(g.base == w.base);
        CHECK(g.resting == w.resting);
        CHECK(g.snoozes == w.snoozes);
        CHECK(g.snoozed_until.has_value() == w.snoozed_until.has_value());
        CHECK(g.next_stretch == w.next_stretch);
        CHECK(g.next_why == w.next_why);
    }
    CHECK(got.picker.recent == want.picker.recent);
    CHECK(got.picker.area_seen == want.picker.area_seen);
    CHECK(got.picker.sequence == want.picker.sequence);
    CHECK(got.picker.rng == want.picker.rng);
}

// The monotonic times of `got` are those of `want` moved by `shift`.
void check_times_moved(const EngineState& got, const EngineState& want, Duration shift) {
    auto moved = [&](std::optional<MonoTime> t) { return t ? std::optional<MonoTime>(*t + shift) : std::nullopt; };
    CHECK(got.last == want.last + shift);
    CHECK(got.away_since == moved(want.away_since));
    CHECK(got.present_at == moved(want.present_at));
    CHECK(got.pause_until == moved(want.pause_until));
    CHECK(got.quiet_until == moved(want.quiet_until));
    CHECK(got.call_manual_until == moved(want.call_manual_until));
    CHECK(got.call_since == moved(want.call_since));
    CHECK(got.call_free_since == moved(want.call_free_since));
    CHECK(got.call_hold_since == moved(want.call_hold_since));
    if (want.shown && got.shown) CHECK(got.shown->last_shown == want.shown->last_shown + shift);
    for (const auto& [name, w] : want.rules)
        if (got.rules.count(name)) CHECK(got.rules.at(name).snoozed_until == moved(w.snoozed_until));
}

constexpr std::int64_t wall = 1'700'000'000;

TEST_CASE("on the same boot every field comes back as it was saved") {
    EngineState saved = full_state();
    std::string text = encode_state(saved, at(10h, wall), "boot-1");
    auto restored = decode_state(text, at(10h + 2min, wall + 120), "boot-1");
    REQUIRE(restored);
    check_same_apart_from_times(restored->state, saved);
    check_times_moved(restored->state, saved, Duration::zero());
    CHECK(restored->downtime == 2min);
    // Standing is an absence the user declared: it goes on, with its start.
    CHECK_FALSE(restored->state.restored_away);
}

TEST_CASE("on the same boot the monotonic clock tells the downtime, whatever the wall clock did") {
    EngineState saved = full_state();
    std::string text = encode_state(saved, at(10h, wall), "boot-1");
    // The wall clock was set back an hour while stretchd was down.
    auto restored = decode_state(text, at(10h + 5min, wall - 3600), "boot-1");
    REQUIRE(restored);
    check_times_moved(restored->state, saved, Duration::zero());
    CHECK(restored->downtime == 5min);
}

TEST_CASE("on another boot every monotonic time moves by the wall-clock gap onto the new boot's clock") {
    EngineState saved = full_state();
    std::string text = encode_state(saved, at(10h, wall), "boot-1");
    // The new boot's monotonic clock starts near zero; the machine was off 8 hours.
    Now now = at(90s, wall + 8 * 3600);
    auto restored = decode_state(text, now, "boot-2");
    REQUIRE(restored);
    // Saved at 10h, restored 8 h later at 90 s: a time x before the save is x before (now - 8 h).
    Duration shift = (90s - 8h) - 10h;
    check_same_apart_from_times(restored->state, saved);
    check_times_moved(restored->state, saved, shift);
    CHECK(restored->downtime == 8h);
}

TEST_CASE("a state saved without a boot id is taken as from another boot") {
    EngineState saved = full_state();
    std::string text = encode_state(saved, at(10h, wall), "");
    auto restored = decode_state(text, at(10h + 1min, wall + 600), "");
    REQUIRE(restored);
    check_times_moved(restored->state, saved, (10h + 1min) - (10h + 10min));
    CHECK(restored->downtime == 10min);
}

TEST_CASE("on another boot a wall clock that went back counts as no downtime") {
    EngineState saved = full_state();
    std::string text = encode_state(saved, at(10h, wall), "boot-1");
    auto restored = decode_state(text, at(30s, wall - 3600), "boot-2");
    REQUIRE(restored);
    check_times_moved(restored->state, saved, 30s - 10h);
    CHECK(restored->downtime == Duration::zero());
}

TEST_CASE("idle, lock and suspend are not restored: an absence under way goes on as a restored one") {
    EngineState saved = full_state();
    saved.standing = false;
    for (int which = 0; which < 3; ++which) {
        saved.idle = which == 0;
        saved.locked = which == 1;
        saved.suspended = which == 2;
        auto restored = decode_state(encode_state(saved, at(10h, wall), "b"), at(10h, wall), "b");
        REQUIRE(restored);
        CHECK_FALSE(restored->state.idle);
        CHECK_FALSE(restored->state.locked);
        CHECK_FALSE(restored->state.suspended);
        CHECK(restored->state.restored_away);
        CHECK(restored->state.away_since == saved.away_since);
    }
}

TEST_CASE("a user present at the stop has no absence restored, and no away_since") {
    EngineState saved = full_state();
    saved.standing = false;
    auto restored = decode_state(encode_state(saved, at(10h, wall), "b"), at(10h, wall), "b");
    REQUIRE(restored);
    CHECK_FALSE(restored->state.restored_away);
    CHECK_FALSE(restored->state.away_since);
}

TEST_CASE("an absence without its start is not restored") {
    EngineState saved = full_state();
    saved.standing = false;
    saved.idle = true;
    saved.away_since.reset();
    auto restored = decode_state(encode_state(saved, at(10h, wall), "b"), at(10h, wall), "b");
    REQUIRE(restored);
    CHECK_FALSE(restored->state.restored_away);
}

TEST_CASE("empty optionals come back empty") {
    EngineState saved;
    saved.last = mono(1h);
    auto restored = decode_state(encode_state(saved, at(1h, wall), "b"), at(1h, wall), "b");
    REQUIRE(restored);
    CHECK_FALSE(restored->state.away_since);
    CHECK_FALSE(restored->state.present_at);
    CHECK_FALSE(restored->state.pause_until);
    CHECK_FALSE(restored->state.pause_until_local);
    CHECK_FALSE(restored->state.quiet_until);
    CHECK_FALSE(restored->state.shown);
    CHECK(restored->state.rules.empty());
}

TEST_CASE("a state saved before pause --until followed the local clock has no local pause end") {
    auto j = nlohmann::json::parse(encode_state(full_state(), at(10h, wall), "b"));
    j.erase("pause_until_local");
    auto restored = decode_state(j.dump(), at(10h, wall), "b");
    REQUIRE(restored);
    CHECK_FALSE(restored->state.pause_until_local);
    CHECK(restored->state.pause_until == mono(11h));
}

TEST_CASE("a call seen on the devices when stretchd stopped is settling when it starts again") {
    EngineState saved = full_state();
    saved.call_manual = false;
    saved.call_manual_until.reset();
    saved.call_detected = true;
    saved.call_free_since.reset();
    auto restored = decode_state(encode_state(saved, at(10h, wall), "b"), at(10h + 1s, wall + 1), "b");
    REQUIRE(restored);
    CHECK(restored->state.call_since == saved.call_since);
    CHECK(restored->state.call_free_since == saved.last);
}

TEST_CASE("a state saved before calls were followed has no call") {
    auto j = nlohmann::json::parse(encode_state(full_state(), at(10h, wall), "b"));
    j.erase("call");
    auto restored = decode_state(j.dump(), at(10h, wall), "b");
    REQUIRE(restored);
    CHECK_FALSE(restored->state.call_since);
    CHECK_FALSE(restored->state.call_manual);
}

TEST_CASE("a state saved before the picker's reasons were kept has none, and the rest as saved") {
    auto j = nlohmann::json::parse(encode_state(full_state(), at(10h, wall), "b"));
    for (auto& [name, rule] : j.at("rules").items()) rule.erase("next_why");
    // A reason from a newer version is dropped, not guessed.
    j["rules"]["stretch"]["next_why"] = {{"reason", "moon_phase"}, {"detail", ""}, {"count", -1}};
    auto restored = decode_state(j.dump(), at(10h, wall), "b");
    REQUIRE(restored);
    CHECK_FALSE(restored->state.rules.at("micro").next_why);
    CHECK_FALSE(restored->state.rules.at("stretch").next_why);
    CHECK(restored->state.rules.at("micro").next_stretch == "chin-tuck");
}

TEST_CASE("a state from a newer or unknown format, or text that is not one, is refused") {
    auto j = nlohmann::json::parse(encode_state(full_state(), at(10h, wall), "b"));
    Now now = at(10h, wall);
    for (auto format : {nlohmann::json(2), nlohmann::json(0), nlohmann::json("1"), nlohmann::json(nullptr)}) {
        auto other = j;
        other["format"] = format;
        CHECK_FALSE(decode_state(other.dump(), now, "b"));
    }
    auto without = j;
    without.erase("format");
    CHECK_FALSE(decode_state(without.dump(), now, "b"));

    for (const char* field : {"last", "sat", "rules", "picker", "saved_mono", "shown"}) {
        auto missing = j;
        missing.erase(field);
        CHECK_MESSAGE(!decode_state(missing.dump(), now, "b"), field);
    }
    auto wrong_type = j;
    wrong_type["sat"] = "three hours";
    CHECK_FALSE(decode_state(wrong_type.dump(), now, "b"));

    std::string text = j.dump();
    CHECK_FALSE(decode_state(text.substr(0, text.size() / 2), now, "b"));
    CHECK_FALSE(decode_state("", now, "b"));
    CHECK_FALSE(decode_state("[1,2,3]", now, "b"));
    CHECK_FALSE(decode_state("\xff\xfe garbage", now, "b"));
}

}  // namespace
}  // namespace stretch
