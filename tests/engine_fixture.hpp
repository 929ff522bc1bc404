#pragma once
// Shared helpers for the engine tests: a fake clock that turns readable times
// ("09:30", "09:30:15", "tue 03:00") into consistent Now values, and Sim, a
// driver that moves time the way the daemon does (tick at every
// next_deadline()) and keeps every effect with the time it was produced, so a
// test can compare what happened against a timeline written by hand.
//
// Nothing here reads a real clock: every time is a number.

#include <doctest/doctest.h>

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <fmt/format.h>

#include "core/config.hpp"
#include "core/duration.hpp"
#include "core/engine.hpp"

namespace stretch::test {

using namespace std::chrono_literals;

// ---- the fake clock -------------------------------------------------------------
//
// Time zero is Monday 2024-01-01 00:00 local time (local = UTC here). The
// monotonic clock started three days earlier (the machine booted on Friday),
// so mono, wall and local always advance together.

inline constexpr std::int64_t monday_wall_s = 1704067200;  // 2024-01-01T00:00:00Z, a Monday
inline constexpr Duration boot_age = 72h;

// "09:30", "09:30:15", "tue 09:30" (the first such weekday, Monday being day
// 0) -> time since Monday 00:00. "24:00" is accepted as the end of a day.
inline Duration clock_time(std::string_view text) {
    int day = 0;
    if (auto space = text.find(' '); space != std::string_view::npos) {
        auto wd = parse_weekday(text.substr(0, space));
        if (!wd) throw std::invalid_argument(fmt::format("bad weekday in \"{}\"", text));
        day = *wd;
        text = text.substr(space + 1);
    }
    int seconds = 0;
    if (text.size() == 8) {
        auto s = text.substr(6);
        if (text[5] != ':' || s[0] < '0' || s[0] > '5' || s[1] < '0' || s[1] > '9')
            throw std::invalid_argument(fmt::format("bad clock time \"{}\"", text));
        seconds = (s[0] - '0') * 10 + (s[1] - '0');
        text = text.substr(0, 5);
    }
    auto hm = parse_clock(text, true);
    if (!hm) throw std::invalid_argument(fmt::format("bad clock time \"{}\"", text));
    return std::chrono::seconds(day * seconds_per_day + *hm + seconds);
}

struct Clock {
    // The Now at `since_monday` after Monday 00:00.
    static Now at(Duration since_monday) {
        auto s = std::chrono::duration_cast<std::chrono::seconds>(since_monday).count();
        Now n;
        n.mono = MonoTime{} + boot_age + since_monday;
        n.wall_s = monday_wall_s + s;
        n.local.weekday = static_cast<int>((s / seconds_per_day) % 7);
        n.local.seconds_of_day = static_cast<int>(s % seconds_per_day);
        return n;
    }
    static Now at(std::string_view text) { return at(clock_time(text)); }
    static Now at(MonoTime mono) { return at(since_monday(mono)); }

    static Duration since_monday(MonoTime mono) { return mono - (MonoTime{} + boot_age); }
    static MonoTime mono(std::string_view text) { return at(text).mono; }

    // "09:30", "09:30:15", and a weekday prefix from Tuesday on: "tue 09:30".
    static std::string format(Duration since_monday) {
        auto s = std::chrono::duration_cast<std::chrono::seconds>(since_monday).count();
        auto day = s / seconds_per_day;
        auto sod = s % seconds_per_day;
        std::string out = day > 0 ? fmt::format("{} ", weekday_name(static_cast<int>(day % 7))) : std::string{};
        out += fmt::format("{:02}:{:02}", sod / 3600, sod / 60 % 60);
        if (sod % 60) out += fmt::format(":{:02}", sod % 60);
        return out;
    }
    static std::string format(MonoTime mono) { return format(since_monday(mono)); }
};

// ---- effect filters ---------------------------------------------------------------

template <typename T>
std::vector<T> only(const Effects& effects) {
    std::vector<T> out;
    for (auto& e : effects)
        if (auto* t = std::get_if<T>(&e)) out.push_back(*t);
    return out;
}

inline std::vector<Record> records_of(const Effects& effects, RecordKind kind) {
    std::vector<Record> out;
    for (auto& r : only<Record>(effects))
        if (r.kind == kind) out.push_back(r);
    return out;
}

inline std::string describe(const ShowReminder& s) {
    return fmt::format("{} #{}{}", s.reminder.rule, s.reminder.count, s.replace ? " (replace)" : "");
}

inline std::string join(const std::vector<std::string>& items, std::string_view sep = ", ") {
    std::string out;
    for (auto& i : items) out += (out.empty() ? "" : std::string(sep)) + i;
    return out;
}

// ---- test configs -------------------------------------------------------------------

// A config over the built-in stretch library: `toml` holds the sections the
// test cares about; the rest comes from the default config.
inline Config config_with(std::string_view toml) { return load_config(toml, "test.toml", &default_config()); }

// [[break]] tables built key by key, so that a test varying one setting of
// one rule says which ("micro's max_snoozes is 1") instead of editing TOML
// text. Keys keep the order they were given in; values are written as TOML.
class BreakTables {
public:
    BreakTables& add(std::string name, std::string_view every, std::string_view duration) {
        rules_.push_back({name, {}});
        return set(name, "name", name).set(name, "every", every).set(name, "duration", duration).set(name, "tags", {name});
    }
    // Sets `key` of the rule `name`, or adds it after the rule's other keys.
    BreakTables& set(std::string_view name, std::string_view key, std::string_view text) { return raw(name, key, quoted(text)); }
    BreakTables& set(std::string_view name, std::string_view key, const char* text) { return set(name, key, std::string_view(text)); }
    BreakTables& set(std::string_view name, std::string_view key, int number) { return raw(name, key, std::to_string(number)); }
    BreakTables& set(std::string_view name, std::string_view key, bool flag) { return raw(name, key, flag ? "true" : "false"); }
    BreakTables& set(std::string_view name, std::string_view key, std::initializer_list<std::string_view> list) {
        std::string out = "[";
        for (auto& item : list) out += (out.size() > 1 ? ", " : "") + quoted(item);
        return raw(name, key, out + "]");
    }
    // The same key, with the same value, on every rule.
    template <typename T>
    BreakTables& set_all(std::string_view key, T value) {
        for (auto& rule : rules_) set(rule.name, key, value);
        return *this;
    }

    std::string toml() const {
        std::string out;
        for (auto& rule : rules_) {
            out += "\n[[break]]\n";
            for (auto& [key, value] : rule.keys) out += fmt::format("{} = {}\n", key, value);
        }
        return out;
    }

private:
    struct Rule {
        std::string name;
        std::vector<std::pair<std::string, std::string>> keys;
    };
    static std::string quoted(std::string_view text) { return fmt::format("\"{}\"", text); }
    BreakTables& raw(std::string_view name, std::string_view key, std::string value) {
        for (auto& rule : rules_) {
            if (rule.name != name) continue;
            for (auto& [k, v] : rule.keys)
                if (k == key) {
                    v = std::move(value);
                    return *this;
                }
            rule.keys.emplace_back(key, std::move(value));
            return *this;
        }
        throw std::invalid_argument(fmt::format("no rule named \"{}\" to set {} on", name, key));
    }
    std::vector<Rule> rules_;
};

// The default config's two rules, spelled out, for a test to vary.
inline BreakTables default_rules() {
    return BreakTables()
        .add("micro", "30m", "30s")
        .set("micro", "snooze", "5m")
        .set("micro", "max_snoozes", 3)
        .set("micro", "remind_every", "5m")
        .add("stretch", "1h", "5m")
        .set("stretch", "snooze", "10m")
        .set("stretch", "max_snoozes", 2)
        .set("stretch", "remind_every", "10m");
}

// The same as TOML text, for a test to append sections to ([schedule], [tracking]).
inline std::string default_rules_toml() { return default_rules().toml(); }

// ---- the driver -----------------------------------------------------------------------

struct Timed {
    Duration at;  // since Monday 00:00
    Effect effect;
};

// Drives an Engine the way the daemon does and keeps a log of every effect.
class Sim {
public:
    explicit Sim(Config config, std::string_view start = "09:00", std::uint64_t seed = 1)
        : now(Clock::at(start)), engine(std::move(config), seed, now) {}

    Now now;
    Engine engine;
    std::vector<Timed> log;

    // Time passes up to `t`: tick at every deadline on the way, as the
    // daemon's timer would, then stand at `t` (without ticking there unless
    // a deadline falls exactly on it).
    void run_until(Duration t) {
        REQUIRE(t >= Clock::since_monday(now.mono));
        for (int guard = 0;; ++guard) {
            if (guard == 100000) FAIL("next_deadline() does not move on at " << Clock::format(now.mono));
            auto d = engine.next_deadline(now);
            if (!d || Clock::since_monday(*d) > t) break;
            if (*d <= now.mono) FAIL("next_deadline() " << Clock::format(*d) << " is not after " << Clock::format(now.mono));
            now = Clock::at(*d);
            keep(engine.tick(now));
        }
        now = Clock::at(t);
    }
    Sim& at(std::string_view t) {
        run_until(clock_time(t));
        return *this;
    }
    Sim& after(Duration d) {
        run_until(Clock::since_monday(now.mono) + d);
        return *this;
    }
    // Time passes with no ticks at all: the machine is asleep.
    Sim& asleep_until(std::string_view t) {
        REQUIRE(clock_time(t) >= Clock::since_monday(now.mono));
        now = Clock::at(t);
        return *this;
    }

    // Events, each logged at the current time.
    Effects tick() { return keep(engine.tick(now)); }
    Effects show_again() { return keep(engine.show_again(now)); }
    Effects settle_restored_absence() { return keep(engine.settle_restored_absence(now)); }
    Effects idle_since(std::string_view since) { return keep(engine.user_idle(now, Clock::mono(since))); }
    Effects active() { return keep(engine.user_active(now)); }
    Effects lock() { return keep(engine.screen_locked(now)); }
    Effects unlock() { return keep(engine.screen_unlocked(now)); }
    Effects suspend() { return keep(engine.suspended(now)); }
    Effects wake(Duration slept = {}) { return keep(engine.resumed(now, slept)); }
    Outcome done(std::string_view rule = {}) { return keep(engine.done(now, rule, "cli")); }
    Outcome snooze(std::optional<Duration> length = {}, std::string_view rule = {}) {
        return keep(engine.snooze(now, length, rule, "cli"));
    }
    Outcome skip(std::string_view rule = {}) { return keep(engine.skip(now, rule, "cli")); }
    Outcome pause(std::optional<Duration> length = {}) { return keep(engine.pause(now, length, std::nullopt, "cli")); }
    Outcome pause_until(std::string_view hhmm) {
        auto seconds = std::chrono::duration_cast<std::chrono::seconds>(clock_time(hhmm)).count();
        return keep(engine.pause(now, std::nullopt, static_cast<int>(seconds), "cli"));
    }
    Outcome resume() { return keep(engine.resume(now, "cli")); }
    Outcome stand() { return keep(engine.stand(now, "cli")); }
    Outcome sit() { return keep(engine.sit(now, "cli")); }
    Effects call(bool in_use) { return keep(engine.call_devices(now, in_use)); }
    Outcome meeting_start(std::optional<Duration> length = {}) { return keep(engine.meeting_start(now, length, "cli")); }
    Outcome meeting_end() { return keep(engine.meeting_end(now, "cli")); }
    Effects reload(Config config) { return keep(engine.replace_config(now, std::move(config))); }

    // Questions.
    EngineStatus status() const { return engine.status(now); }
    std::string deadline() const {
        auto d = engine.next_deadline(now);
        return d ? Clock::format(*d) : "none";
    }
    RuleStatus rule(std::string_view name) const {
        for (auto& r : status().rules)
            if (r.name == name) return r;
        FAIL("no rule named " << name);
        return {};
    }
    const RuleState& state_of(std::string_view name) const { return engine.state().rules.at(std::string(name)); }
    bool bubble_up() const { return engine.state().shown.has_value(); }

    // What happened, from log position `from` on (see mark()).
    std::size_t mark() const { return log.size(); }

    // "09:30 micro #1, 09:35 micro #2 (replace)"
    std::vector<std::string> reminder_list(std::size_t from = 0) const {
        std::vector<std::string> out;
        for (std::size_t i = from; i < log.size(); ++i)
            if (auto* s = std::get_if<ShowReminder>(&log[i].effect))
                out.push_back(fmt::format("{} {}", Clock::format(log[i].at), describe(*s)));
        return out;
    }
    std::string reminders(std::size_t from = 0) const { return join(reminder_list(from)); }

    std::vector<ShowReminder> shows(std::size_t from = 0) const {
        std::vector<ShowReminder> out;
        for (std::size_t i = from; i < log.size(); ++i)
            if (auto* s = std::get_if<ShowReminder>(&log[i].effect)) out.push_back(*s);
        return out;
    }

    // "09:31 micro" (with " 3m" when `amount` is set: time away, snooze length...)
    std::vector<std::string> record_list(RecordKind kind, std::size_t from = 0, bool amount = false) const {
        std::vector<std::string> out;
        for (std::size_t i = from; i < log.size(); ++i)
            if (auto* r = std::get_if<Record>(&log[i].effect); r && r->kind == kind) {
                std::string line = Clock::format(log[i].at);
                if (!r->rule.empty()) line += " " + r->rule;
                if (amount) line += " " + format_duration(r->amount);
                out.push_back(line);
            }
        return out;
    }
    std::string records(RecordKind kind, std::size_t from = 0, bool amount = false) const {
        return join(record_list(kind, from, amount));
    }

    // "09:31 micro done"
    std::vector<std::string> close_list(std::size_t from = 0) const {
        std::vector<std::string> out;
        for (std::size_t i = from; i < log.size(); ++i)
            if (auto* c = std::get_if<CloseReminder>(&log[i].effect))
                out.push_back(fmt::format("{} {} {}", Clock::format(log[i].at), c->rule, close_reason_name(c->reason)));
        return out;
    }
    std::string closes(std::size_t from = 0) const { return join(close_list(from)); }

private:
    Effects keep(Effects effects) {
        auto at = Clock::since_monday(now.mono);
        for (auto& e : effects) log.push_back({at, e});
        return effects;
    }
    Outcome keep(Outcome outcome) {
        keep(Effects(outcome.effects));
        return outcome;
    }
};

}  // namespace stretch::test
