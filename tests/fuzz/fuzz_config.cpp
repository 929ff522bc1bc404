// The config loader and validator, on any text. load_config() promises that
// a Config it returns is fully valid and that anything else is one
// ConfigError line naming file, line and column; this holds it to both, then
// runs the engine on each accepted config for a few deadlines, since a
// validator that lets through what the engine cannot use is no validator.

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>
#include <variant>

#include "core/config.hpp"
#include "core/engine.hpp"

using namespace stretch;

namespace {

constexpr std::string_view source_name = "fuzz.toml";

void check(bool ok, std::string_view what, std::string_view detail = {}) {
    if (ok) return;
    std::fprintf(stderr, "property violated: %.*s\n%.*s\n", static_cast<int>(what.size()), what.data(),
                 static_cast<int>(detail.size()), detail.data());
    std::abort();
}

bool is_area(const std::string& area) {
    return std::find(body_areas().begin(), body_areas().end(), area) != body_areas().end();
}

void check_stretches(const Config& c) {
    check(!c.stretches.empty(), "there is at least one stretch");
    std::set<std::string> ids;
    for (auto& s : c.stretches) {
        check(!s.id.empty() && s.id.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") == std::string::npos,
              "a stretch id is lowercase letters, digits and '-'");
        check(ids.insert(s.id).second, "stretch ids are unique");
        check(!s.name.empty(), "a stretch has a name");
        check(!s.steps.empty() && std::none_of(s.steps.begin(), s.steps.end(), [](auto& step) { return step.empty(); }),
              "a stretch has steps, none empty");
        check(!s.targets.empty() && std::all_of(s.targets.begin(), s.targets.end(), is_area),
              "a stretch targets known body areas");
        check(s.hold.min > 0 && s.hold.min <= s.hold.max, "a hold is a range above zero");
        check(s.reps.min > 0 && s.reps.min <= s.reps.max && s.reps.max <= 100, "reps are a range from 1 to 100");
    }
    for (auto& s : c.stretches)
        if (s.variation_of)
            check(*s.variation_of != s.id && c.find_stretch(*s.variation_of), "variation_of names another stretch");
}

void check_breaks(const Config& c) {
    check(!c.breaks.empty(), "there is at least one break rule");
    std::set<std::string> names;
    for (auto& b : c.breaks) {
        check(!b.name.empty() && names.insert(b.name).second, "break names are non-empty and unique");
        check(b.duration > Duration::zero() && b.every > b.duration, "a break comes round only after it ends");
        check(b.natural_break > Duration::zero() && b.snooze > Duration::zero() && b.remind_every > Duration::zero(),
              "a break's lengths are positive");
        check(b.max_snoozes >= 0 && b.max_snoozes <= 100, "max_snoozes is from 0 to 100");
        check(std::all_of(b.targets.begin(), b.targets.end(), is_area), "a break targets known body areas");
        check(!b.enabled || !c.pool(b).empty(), "an enabled break can suggest a stretch");
    }
}

void check_rest(const Config& c) {
    const auto& t = c.tracking;
    check(t.natural_break > Duration::zero() && t.grace >= Duration::zero(), "tracking lengths are in range");
    check(t.source == "auto" || t.source == "none" ||
              std::find(activity_source_names.begin(), activity_source_names.end(), t.source) !=
                  activity_source_names.end(),
          "tracking source is a known one");
    const auto& s = c.schedule;
    check(s.from_s >= 0 && s.from_s < seconds_per_day && s.to_s > 0 && s.to_s <= seconds_per_day,
          "schedule hours are in the day");
    check(s.from_s != s.to_s % seconds_per_day || s.to_s == seconds_per_day, "schedule hours are not empty");
    check(std::find(s.days.begin(), s.days.end(), true) != s.days.end(), "the schedule has a day");
    check(c.notify.command_timeout > Duration::zero() && c.notify.hold_max >= Duration::zero(),
          "notify lengths are in range");
    check(c.history.keep_days >= 1, "history is kept at least a day");
}

// The error contract: "fuzz.toml:LINE:COL: ..." on one line.
void check_error(const ConfigError& e) {
    std::string_view message = e.what();
    check(message.starts_with(source_name) && message.substr(source_name.size()).starts_with(':'),
          "an error starts with the file name", message);
    auto rest = message.substr(source_name.size() + 1);
    for (int field = 0; field < 2; ++field) {
        auto digits = rest.find_first_not_of("0123456789");
        check(digits > 0 && digits != std::string_view::npos && rest[digits] == ':', "an error names line and column",
              message);
        rest.remove_prefix(digits + 1);
    }
    check(rest.starts_with(' ') && rest.size() > 1, "an error says what is wrong", message);
    check(message.find('\n') == std::string_view::npos, "an error is one line", message);
}

Now at(Duration since_start) {
    // A Monday at 08:00, so that hour limits in the schedule come into play.
    auto s = std::chrono::duration_cast<std::chrono::seconds>(since_start).count();
    std::int64_t of_week = 8 * 3600 + s;
    return Now{MonoTime(std::chrono::hours(1) + since_start), 1'700'000'000 + s,
               LocalTime{static_cast<int>(of_week / seconds_per_day % 7), static_cast<int>(of_week % seconds_per_day)}};
}

// A short day at the desk: follow the deadlines, take every other reminder
// and snooze the rest.
void run_engine(const Config& c) {
    Duration elapsed{};
    Engine engine(c, 1, at(elapsed));
    bool take = false;
    auto apply = [&](const Effects& effects) {
        for (auto& effect : effects) {
            auto* show = std::get_if<ShowReminder>(&effect);
            if (!show) continue;
            auto* rule = c.find_break(show->reminder.rule);
            check(rule && rule->enabled, "a reminder is for an enabled rule");
            auto* s = c.find_stretch(show->reminder.stretch_id);
            auto pool = c.pool(*rule);
            check(s && std::find(pool.begin(), pool.end(), s) != pool.end(),
                  "a reminder suggests a stretch from the rule's pool");
        }
    };
    apply(engine.tick(at(elapsed)));
    for (int step = 0; step < 12; ++step) {
        auto deadline = engine.next_deadline(at(elapsed));
        if (!deadline) break;
        check(*deadline > at(elapsed).mono, "the next deadline is in the future");
        elapsed = *deadline - at(Duration::zero()).mono;
        apply(engine.tick(at(elapsed)));
        if (engine.state().shown) {
            take = !take;
            auto outcome =
                take ? engine.done(at(elapsed), "", "fuzz") : engine.snooze(at(elapsed), std::nullopt, "", "fuzz");
            apply(outcome.effects);
        }
        (void)engine.status(at(elapsed));
    }
}

void load(std::string_view text, const Config* fallback) {
    try {
        Config c = load_config(text, source_name, fallback);
        check_stretches(c);
        check_breaks(c);
        check_rest(c);
        run_engine(c);
    } catch (const ConfigError& e) {
        check_error(e);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    load(text, nullptr);
    load(text, &default_config());
    return 0;
}
