// Randomised event sequences against the engine's invariants. Each seed
// drives one engine through a few hundred random steps: ticks at
// next_deadline() (the daemon's path), time standing still, short and
// hours-long jumps, idle reported late, locks, suspends (and resumes with no
// suspend before them), every command with valid and invalid arguments, and
// config reloads. After every step the invariants below must hold; a failure
// names the seed, the step and the last events, so it can be replayed.

#include <doctest/doctest.h>

#include <array>
#include <deque>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "engine_fixture.hpp"

using namespace stretch;
using namespace stretch::test;
using namespace std::chrono_literals;

namespace {

// Reminder hours limited so off-hours is exercised; the variants differ in
// rules, lengths, limits and hours, and one spans midnight.
const std::array<Config, 4>& configs() {
    static const std::array<Config, 4> all = {
        config_with(default_rules_toml() + R"(
[schedule]
days = ["mon", "tue", "wed", "thu", "fri", "sat"]
from = "07:00"
to = "19:00"
)"),
        config_with(R"(
[tracking]
natural_break = "90s"
grace = "2m"

[schedule]
days = ["mon", "tue", "wed", "thu", "fri"]
from = "08:00"
to = "18:00"

[[break]]
name = "micro"
every = "25m"
duration = "30s"
tags = ["micro"]
snooze = "4m"
max_snoozes = 2
remind_every = "4m"

[[break]]
name = "stretch"
every = "50m"
duration = "5m"
tags = ["stretch"]
snooze = "10m"
max_snoozes = 1
remind_every = "7m"

[[break]]
name = "eyes"
every = "20m"
duration = "20s"
tags = ["eyes"]
snooze = "2m"
max_snoozes = 1
skippable = false
)"),
        config_with(R"(
[schedule]
days = ["mon", "tue", "wed", "thu", "fri", "sun"]
from = "21:00"
to = "06:00"

[[break]]
name = "micro"
every = "30m"
duration = "30s"
tags = ["micro"]
enabled = false

[[break]]
name = "stretch"
every = "40m"
duration = "3m"
natural_break = "4m"
tags = ["stretch"]
snooze = "3m"
max_snoozes = 3
remind_every = "2m"
)"),
        config_with(R"(
[tracking]
grace = "0s"

[schedule]
from = "09:00"
to = "17:30"

[[break]]
name = "stretch"
every = "45m"
duration = "10m"
tags = ["stretch"]
snooze = "20m"
max_snoozes = 0

[[break]]
name = "micro"
every = "15m"
duration = "1m"
tags = ["micro"]
snooze = "5m"
max_snoozes = 4
remind_every = "3m"
)"),
    };
    return all;
}

std::string describe_all(const Effects& effects) {
    std::vector<std::string> out;
    for (auto& e : effects) {
        if (auto* s = std::get_if<ShowReminder>(&e)) out.push_back("show " + test::describe(*s));
        if (auto* c = std::get_if<CloseReminder>(&e)) out.push_back(fmt::format("close {} {}", c->rule, close_reason_name(c->reason)));
        if (auto* r = std::get_if<Record>(&e)) out.push_back(fmt::format("record {} {}", record_kind_name(r->kind), r->rule));
    }
    return join(out);
}

// How much of the engine the random runs reached, so a generator that has
// drifted into doing nothing interesting is noticed.
struct Coverage {
    int shown = 0, replaced = 0, closed = 0, natural = 0, refused = 0, snooze_limit = 0, held_off_hours = 0,
        held_away = 0, paused_steps = 0, standing_steps = 0, reloads = 0;

    Coverage& operator+=(const Coverage& o) {
        shown += o.shown, replaced += o.replaced, closed += o.closed, natural += o.natural, refused += o.refused;
        snooze_limit += o.snooze_limit, held_off_hours += o.held_off_hours, held_away += o.held_away;
        paused_steps += o.paused_steps, standing_steps += o.standing_steps, reloads += o.reloads;
        return *this;
    }
};

class Run {
public:
    explicit Run(std::uint64_t seed)
        : rng_(seed),
          now_(Clock::at(std::chrono::seconds(pick(0, 7 * seconds_per_day - 1)))),
          engine_(configs()[pick(0, 3)], seed, now_) {}

    // One random step. Returns what broke, or an empty string.
    std::string step() {
        bool was_up = engine_.state().shown.has_value();
        asked_ = true;
        Effects effects = act();
        tally(effects);
        if (auto broken = check(effects, was_up); !broken.empty()) return broken;
        // The engine settles: asking again at the same moment changes nothing.
        if (asked_ && chance(0.2)) {
            was_up = engine_.state().shown.has_value();
            auto again = engine_.tick(now_);
            if (auto broken = check(again, was_up); !broken.empty()) return broken;
            if (!again.empty()) return "a second tick at the same moment had effects: " + describe_all(again);
        }
        return {};
    }

    Coverage coverage;

    std::string history() const { return join(std::vector<std::string>(history_.begin(), history_.end()), "\n  "); }

private:
    int pick(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
    bool chance(double p) { return std::bernoulli_distribution(p)(rng_); }
    Duration seconds(int lo, int hi) { return std::chrono::seconds(pick(lo, hi)); }

    void note(std::string what) {
        history_.push_back(fmt::format("{} {}", Clock::format(now_.mono), what));
        if (history_.size() > 16) history_.pop_front();
    }

    std::string any_rule() {
        static const std::array<const char*, 6> names = {"", "", "", "micro", "stretch", "eyes"};
        return chance(0.03) ? "nope" : names[static_cast<std::size_t>(pick(0, 5))];
    }

    Effects act() {
        // Time moves on: to the next deadline (and a tick there, as the
        // daemon does), not at all, a little, or a lot.
        int how = pick(0, 99);
        if (how < 35) {
            if (auto d = engine_.next_deadline(now_)) {
                now_ = Clock::at(*d);
                note("tick at deadline");
                return engine_.tick(now_);
            }
        }
        Duration step{};
        if (how < 45) step = 0s;
        else if (how < 80) step = seconds(1, 180);
        else if (how < 95) step = seconds(180, 3600);
        else step = seconds(3600, 14 * 3600);
        now_ = Clock::at(Clock::since_monday(now_.mono) + step);

        auto outcome = [&](Outcome o, std::string what) {
            note(what + (o.refusal ? " -> " + o.refusal->code : ""));
            coverage.refused += o.refusal.has_value();
            coverage.snooze_limit += o.refusal && o.refusal->code == "snooze_limit";
            return o.effects;
        };
        // Events that bring the user back or undo a state are likelier than
        // those that start one, so most steps find someone sitting, working.
        enum Event { tick, idle, active, lock, unlock, suspend, resume_from_sleep, done, snooze, skip, pause, resume, stand, sit, reload, look };
        static const std::array<double, 16> weights = {6, 2, 5, 2, 5, 1, 3, 4, 5, 2, 1.5, 3, 1, 4, 1, 1};
        switch (static_cast<Event>(std::discrete_distribution<int>(weights.begin(), weights.end())(rng_))) {
            case tick: note("tick"); return engine_.tick(now_);
            case idle: {
                auto back = seconds(0, 600);
                note(fmt::format("idle since {} ago", format_duration(back)));
                return engine_.user_idle(now_, now_.mono - back);
            }
            case active: note("active"); return engine_.user_active(now_);
            case lock: note("locked"); return engine_.screen_locked(now_);
            case unlock: note("unlocked"); return engine_.screen_unlocked(now_);
            case suspend: note("suspended"); return engine_.suspended(now_);
            case resume_from_sleep: {
                // Also without suspended() first: a sleep noticed only afterwards.
                auto slept = chance(0.5) ? Duration{} : seconds(0, 3 * 3600);
                note(fmt::format("resumed, slept {}", format_duration(slept)));
                return engine_.resumed(now_, slept);
            }
            case done: {
                auto rule = any_rule();
                return outcome(engine_.done(now_, rule, "cli"), "done " + rule);
            }
            case snooze: {
                std::optional<Duration> length;
                if (chance(0.4)) length = chance(0.05) ? (chance(0.5) ? 0s : Duration(13h)) : seconds(1, 1800);
                auto rule = any_rule();
                return outcome(engine_.snooze(now_, length, rule, "cli"),
                               fmt::format("snooze {} {}", length ? format_duration(*length) : "default", rule));
            }
            case skip: {
                auto rule = any_rule();
                return outcome(engine_.skip(now_, rule, "cli"), "skip " + rule);
            }
            case pause: {
                std::optional<Duration> length;
                std::optional<int> until;
                int kind = pick(0, 19);
                if (kind < 10) length = seconds(1, 3 * 3600);  // for a length
                else if (kind < 16) until = pick(0, seconds_per_day - 1);  // until HH:MM
                else if (kind == 19) length = 0s;  // refused; otherwise until resumed
                return outcome(engine_.pause(now_, length, until, "cli"),
                               fmt::format("pause {} until {}", length ? format_duration(*length) : "-",
                                           until ? format_clock(*until) : "-"));
            }
            case resume: return outcome(engine_.resume(now_, "cli"), "resume");
            case stand: return outcome(engine_.stand(now_, "cli"), "stand");
            case sit: return outcome(engine_.sit(now_, "cli"), "sit");
            case reload: {
                auto which = static_cast<std::size_t>(pick(0, 3));
                note(fmt::format("config replaced by variant {}", which));
                ++coverage.reloads;
                return engine_.replace_config(now_, configs()[which]);
            }
            case look: break;
        }
        // Only looks: the engine has not been told the time.
        note("status");
        asked_ = false;
        (void)engine_.status(now_);
        return {};
    }

    void tally(const Effects& effects) {
        for (auto& e : effects) {
            if (auto* s = std::get_if<ShowReminder>(&e)) ++(s->replace ? coverage.replaced : coverage.shown);
            if (std::holds_alternative<CloseReminder>(e)) ++coverage.closed;
            if (auto* r = std::get_if<Record>(&e); r && r->kind == RecordKind::natural) ++coverage.natural;
        }
        auto status = engine_.status(now_);
        coverage.held_off_hours += status.held == HoldReason::off_hours;
        coverage.held_away += status.held == HoldReason::away;
        coverage.paused_steps += engine_.state().paused;
        coverage.standing_steps += engine_.state().standing;
    }

    std::string check(const Effects& effects, bool up) const {
        const auto& st = engine_.state();
        const auto& config = engine_.config();
        auto status = engine_.status(now_);
        bool away = st.idle || st.locked || st.suspended || st.standing;

        if (status.sitting < 0s) return "unbroken sitting time is negative";
        for (auto& r : status.rules)
            if (r.sitting < 0s) return fmt::format("rule {}: sitting time is negative", r.name);

        for (auto& e : effects) {
            if (auto* c = std::get_if<CloseReminder>(&e)) {
                if (!up) return fmt::format("CloseReminder ({}, {}) with no reminder up", c->rule, close_reason_name(c->reason));
                up = false;
            } else if (auto* s = std::get_if<ShowReminder>(&e)) {
                auto what = fmt::format("ShowReminder {}", describe(*s));
                if (s->replace && !up) return what + " replaces nothing";
                if (!s->replace && up) return what + " opens a second bubble";
                if (!s->replace && s->reminder.count != 1) return what + ": a new bubble with count above 1";
                if (st.paused) return what + " while paused";
                if (st.standing) return what + " while standing";
                if (away) return what + " while away";
                if (!config.schedule.active_at(now_.local)) return what + " outside the reminder hours";
                if (st.quiet_until && *st.quiet_until > now_.mono) return what + " within grace";
                auto* rule = config.find_break(s->reminder.rule);
                if (!rule || !rule->enabled) return what + " for a rule not in the config or disabled";
                auto& rs = st.rules.at(rule->name);
                if (rs.snoozed_until && *rs.snoozed_until > now_.mono) return what + " for a snoozed rule";
                up = true;
            }
        }
        if (up != st.shown.has_value()) return "the effects and the engine disagree about whether a bubble is up";

        for (auto& rule : config.breaks)
            if (st.rules.at(rule.name).snoozes > rule.max_snoozes)
                return fmt::format("rule {}: snoozed {} times, max_snoozes {}", rule.name, st.rules.at(rule.name).snoozes,
                                   rule.max_snoozes);

        if (auto d = engine_.next_deadline(now_); d && *d <= now_.mono)
            return fmt::format("next_deadline {} is not after now", Clock::format(*d));

        if (st.paused != (status.mode == EngineMode::paused)) return "paused, but mode is not paused (or the reverse)";
        if (!st.paused && st.standing && status.mode != EngineMode::standing) return "standing, but mode is not standing";
        if (st.paused != status.paused_for.has_value()) return "paused_for disagrees with paused";
        return {};
    }

    std::mt19937_64 rng_;
    Now now_;
    Engine engine_;
    std::deque<std::string> history_;
    bool asked_ = false;  // the last step told the engine the time
};

}  // namespace

TEST_CASE("random event sequences keep the engine's invariants") {
    constexpr std::uint64_t seeds = 200;
    constexpr int steps = 500;
    int broken_seeds = 0;
    Coverage total;
    for (std::uint64_t seed = 1; seed <= seeds; ++seed) {
        CAPTURE(seed);
        Run run(seed);
        for (int step = 0; step < steps; ++step) {
            auto broken = run.step();
            if (broken.empty()) continue;
            CAPTURE(step);
            auto last_events = run.history();
            CAPTURE(last_events);
            FAIL_CHECK(broken);
            ++broken_seeds;
            break;
        }
        total += run.coverage;
    }
    CHECK(broken_seeds == 0);

    INFO("reminders shown " << total.shown << ", replaced " << total.replaced << ", closed " << total.closed
                            << "; natural breaks " << total.natural << "; refusals " << total.refused << " ("
                            << total.snooze_limit << " snooze_limit); steps held off-hours " << total.held_off_hours
                            << ", away " << total.held_away << "; paused " << total.paused_steps << ", standing "
                            << total.standing_steps << "; reloads " << total.reloads);
    CHECK(total.shown > 1000);
    CHECK(total.replaced > 1000);
    CHECK(total.closed > 1000);
    CHECK(total.natural > 1000);
    CHECK(total.snooze_limit > 100);
    CHECK(total.held_off_hours > 1000);
    CHECK(total.held_away > 300);
    CHECK(total.paused_steps > 1000);
    CHECK(total.standing_steps > 1000);
    CHECK(total.reloads > 300);
}
