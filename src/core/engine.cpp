#include "core/engine.hpp"

#include <algorithm>
#include <utility>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/duration.hpp"

namespace stretch {
namespace {

constexpr Duration max_snooze = std::chrono::hours(12);
constexpr Duration max_pause = std::chrono::hours(24 * 7);
constexpr Duration max_meeting = std::chrono::hours(24);
// How many shown stretches the picker keeps in mind.
constexpr std::size_t recent_kept = 32;

Duration from_seconds(int s) { return std::chrono::seconds(s); }

}  // namespace

std::string_view record_kind_name(RecordKind kind) {
    switch (kind) {
        case RecordKind::reminded: return "reminded";
        case RecordKind::taken: return "taken";
        case RecordKind::natural: return "natural";
        case RecordKind::snoozed: return "snoozed";
        case RecordKind::skipped: return "skipped";
        case RecordKind::paused: return "paused";
        case RecordKind::resumed: return "resumed";
        case RecordKind::stood: return "stood";
        case RecordKind::sat: return "sat";
        case RecordKind::away: return "away";
        case RecordKind::back: return "back";
        case RecordKind::config_reloaded: return "config_reloaded";
        case RecordKind::call_started: return "call_started";
        case RecordKind::call: return "call";
        case RecordKind::felt: return "felt";
        case RecordKind::progressed: return "progressed";
        case RecordKind::guided: return "guided";
        case RecordKind::start: return "start";
        case RecordKind::stop: return "stop";
    }
    return "unknown";
}

std::optional<RecordKind> parse_record_kind(std::string_view name) {
    for (int k = 0; k <= static_cast<int>(RecordKind::stop); ++k)
        if (record_kind_name(static_cast<RecordKind>(k)) == name) return static_cast<RecordKind>(k);
    return std::nullopt;
}

std::string_view close_reason_name(CloseReason reason) {
    switch (reason) {
        case CloseReason::done: return "done";
        case CloseReason::skipped: return "skipped";
        case CloseReason::snoozed: return "snoozed";
        case CloseReason::natural: return "natural";
        case CloseReason::paused: return "paused";
        case CloseReason::standing: return "standing";
        case CloseReason::resolved: return "resolved";
        case CloseReason::config: return "config";
        case CloseReason::call: return "call";
    }
    return "unknown";
}

std::string_view hold_reason_name(HoldReason reason) {
    switch (reason) {
        case HoldReason::away: return "away";
        case HoldReason::off_hours: return "off_hours";
        case HoldReason::call: return "call";
        case HoldReason::grace: return "grace";
    }
    return "unknown";
}

std::string_view engine_mode_name(EngineMode mode) {
    switch (mode) {
        case EngineMode::active: return "active";
        case EngineMode::due: return "due";
        case EngineMode::snoozed: return "snoozed";
        case EngineMode::paused: return "paused";
        case EngineMode::standing: return "standing";
        case EngineMode::off_hours: return "off_hours";
    }
    return "active";
}

Engine::Engine(Config config, std::uint64_t seed, Now now) : config_(std::move(config)) {
    state_.last = now.mono;
    state_.picker.rng = seed;
    for (auto& rule : config_.breaks) repick(rule, state_.rules[rule.name]);
}

Engine::Engine(Config config, EngineState state) : config_(std::move(config)), state_(std::move(state)) {
    // The saved state may predate a config change made while the daemon was down.
    for (auto& rule : config_.breaks) {
        auto [it, inserted] = state_.rules.try_emplace(rule.name);
        if (inserted) it->second.base = state_.sat;
        if (!config_.find_stretch(it->second.next_stretch)) repick(rule, it->second);
    }
    std::erase_if(state_.rules, [&](auto& entry) { return !config_.find_break(entry.first); });
    if (state_.shown && !config_.find_break(state_.shown->rule)) state_.shown.reset();
}

// ---- time passing -----------------------------------------------------------

void Engine::advance(Now now) {
    MonoTime t = std::max(now.mono, state_.last);
    if (!state_.standing) state_.sat += t - state_.last;
    state_.last = t;

    if (state_.paused && state_.pause_until && *state_.pause_until <= t) {
        state_.paused = false;
        state_.pause_until.reset();
        state_.pause_until_local.reset();
        state_.quiet_until = t + config_.tracking.grace;
        effects_.push_back(Record{RecordKind::resumed, {}, {}, {}, 0, "timer", {}});
    }
    for (auto& rule : config_.breaks) {
        auto& rs = state_.rules[rule.name];
        if (rs.snoozed_until && *rs.snoozed_until <= t) rs.snoozed_until.reset();
    }
    if (state_.quiet_until && *state_.quiet_until <= t) state_.quiet_until.reset();
    if (state_.call_manual && state_.call_manual_until && *state_.call_manual_until <= t) {
        state_.call_manual = false;
        state_.call_manual_until.reset();
        if (!state_.call_detected && state_.call_since) {
            bool was = is_away();
            end_call("timer");  // the length the user gave is up: no settle after it
            presence_changed(now, was, state_.last);
        }
    }
    if (state_.call_free_since && *state_.call_free_since + config_.meeting.settle <= t) {
        bool was = is_away();
        end_call("call");
        presence_changed(now, was, state_.last);
    }

    if (!state_.away_since) return;
    Duration away = t - *state_.away_since;
    for (auto& rule : config_.breaks) {
        auto& rs = state_.rules[rule.name];
        if (rs.resting || away < rule.natural_break) continue;
        std::string stretch = rs.next_stretch;
        reset_rule(rule, rs, now);
        rs.resting = true;
        effects_.push_back(Record{RecordKind::natural, rule.name, stretch, away, 0, "activity", {}});
        if (state_.shown && state_.shown->rule == rule.name) close_reminder(CloseReason::natural);
    }
    if (away >= config_.shortest_natural_break()) state_.unbroken_resting = true;
}

void Engine::evaluate(Now now) {
    if (state_.paused || state_.standing) {
        if (state_.shown) close_reminder(state_.paused ? CloseReason::paused : CloseReason::standing);
        return;
    }
    const BreakRule* w = winner(now);
    if (!w) {
        if (state_.shown) close_reminder(CloseReason::resolved);
        return;
    }
    if (in_call() && !state_.call_hold_since) state_.call_hold_since = state_.last;
    if (auto held = hold_reason(now)) {
        // A bubble over a call (a shared screen, a critical banner that stays)
        // goes; the reminder comes back when the call is over. Otherwise what
        // is up stays, and nothing new is shown.
        if (*held == HoldReason::call && state_.shown) close_reminder(CloseReason::call);
        return;
    }

    auto& rs = state_.rules[w->name];
    int count = 1;
    bool replace = false;
    if (state_.shown && state_.shown->rule == w->name) {
        if (state_.last < state_.shown->last_shown + w->remind_every) return;
        count = state_.shown->count + 1;
        replace = true;
    } else if (state_.shown) {
        replace = true;  // a longer break folds the shorter one in
    }
    if (count == 1)
        if (auto* s = config_.find_stretch(rs.next_stretch)) remember_shown(state_.picker, *s, recent_kept);

    state_.shown = ShownReminder{w->name, rs.next_stretch, count, state_.last};
    Reminder r{w->name, rs.next_stretch, rule_sitting(*w), count, std::max(0, w->max_snoozes - rs.snoozes), w->snooze, w->skippable,
               w->duration, std::exchange(state_.call_just_ended, std::nullopt)};
    effects_.push_back(ShowReminder{r, replace});
    effects_.push_back(Record{RecordKind::reminded, w->name, rs.next_stretch, r.sitting, count, "timer", {}});
}

Effects Engine::finish(Now now) {
    evaluate(now);
    return std::exchange(effects_, {});
}

Effects Engine::tick(Now now) {
    advance(now);
    return finish(now);
}

Effects Engine::show_again(Now now) {
    advance(now);
    if (state_.shown)
        if (auto* rule = config_.find_break(state_.shown->rule))
            state_.shown->last_shown = std::min(state_.shown->last_shown, state_.last - rule->remind_every);
    return finish(now);
}

// ---- presence ---------------------------------------------------------------

// `recorded`: the edges are history entries of their own (away, back); a
// command that already says it (stood, sat) passes false.
void Engine::set_away(Now now, bool& flag, bool value, MonoTime since, bool recorded) {
    bool was = is_away();
    flag = value;
    presence_changed(now, was, since, recorded);
}

void Engine::presence_changed(Now now, bool was, MonoTime since, bool recorded) {
    if (!was && is_away()) {
        state_.away_since = since;
        if (recorded) effects_.push_back(Record{RecordKind::away, {}, {}, {}, 0, "activity", {}});
        advance(now);  // `since` may lie in the past: some thresholds may be crossed already
    } else if (was && !is_away()) {
        end_away(now, recorded);
    }
}

void Engine::end_away(Now now, bool recorded) {
    Duration away = state_.last - *state_.away_since;
    for (auto& [name, rs] : state_.rules)
        if (rs.resting) {
            rs.base = state_.sat;
            rs.resting = false;
        }
    if (state_.unbroken_resting) {
        state_.unbroken_base = state_.sat;
        state_.unbroken_resting = false;
    }
    state_.away_since.reset();
    if (recorded) effects_.push_back(Record{RecordKind::back, {}, {}, away, 0, "activity", {}});
    bool overdue = std::any_of(config_.breaks.begin(), config_.breaks.end(), [&](auto& r) { return is_due(r); });
    if (overdue && !state_.shown) state_.quiet_until = now.mono + config_.tracking.grace;
}

Effects Engine::user_idle(Now now, MonoTime since) {
    advance(now);
    if (!state_.idle) {
        // Idle cannot have begun before the user last spoke to us, nor in the future.
        since = std::min(std::max(since, state_.present_at.value_or(since)), state_.last);
        set_away(now, state_.idle, true, since);
    }
    return finish(now);
}

Effects Engine::user_active(Now now) {
    advance(now);
    set_away(now, state_.idle, false, state_.last);
    return finish(now);
}

Effects Engine::screen_locked(Now now) {
    advance(now);
    set_away(now, state_.locked, true, state_.last);
    return finish(now);
}

Effects Engine::screen_unlocked(Now now) {
    advance(now);
    set_away(now, state_.locked, false, state_.last);
    return finish(now);
}

Effects Engine::suspended(Now now) {
    advance(now);
    set_away(now, state_.suspended, true, state_.last);
    return finish(now);
}

Effects Engine::settle_restored_absence(Now now) {
    advance(now);
    set_away(now, state_.restored_away, false, state_.last);
    return finish(now);
}

// ---- calls ------------------------------------------------------------------

Effects Engine::call_devices(Now now, bool in_use) {
    advance(now);
    if (state_.call_detected != in_use) {
        state_.call_detected = in_use;
        call_changed(now, "call");
    }
    return finish(now);
}

// A call begins when either cause comes on with no call going (one that is
// settling goes on instead), and starts settling when both are off.
void Engine::call_changed(Now now, std::string_view origin) {
    bool was = is_away();
    if (state_.call_detected || state_.call_manual) {
        state_.call_free_since.reset();
        if (!state_.call_since) {
            state_.call_since = state_.last;
            state_.call_just_ended.reset();
            effects_.push_back(Record{RecordKind::call_started, {}, {}, {}, 0, std::string(origin), {}});
        }
    } else if (state_.call_since && !state_.call_free_since) {
        state_.call_free_since = state_.last;
    }
    presence_changed(now, was, state_.last);
    advance(now);  // a settle of zero ends the call at once
}

void Engine::end_call(std::string_view origin) {
    MonoTime end = state_.call_free_since.value_or(state_.last);
    Duration length = end - *state_.call_since;
    effects_.push_back(Record{RecordKind::call, {}, {}, length, 0, std::string(origin), {}});
    // The reminder that waited for it says so; one due later, or one that
    // [meeting] hold_max already showed during the call, would not.
    if (state_.call_hold_since && !state_.shown) state_.call_just_ended = length;
    state_.call_since.reset();
    state_.call_free_since.reset();
    state_.call_hold_since.reset();
}

Outcome Engine::meeting_start(Now now, std::optional<Duration> length, std::string_view origin) {
    advance(now);
    state_.present_at = state_.last;
    if (!config_.meeting.enabled)
        return {finish(now),
                Refusal{"meeting_disabled",
                        "calls are off in your config ([meeting] enabled = false): set it to true, then stretch reload"},
                {}};
    if (length && (*length <= Duration::zero() || *length > max_meeting))
        return {finish(now),
                Refusal{"bad_duration", fmt::format("meeting for \"{}\": expected a length from 1s to {}",
                                                    format_duration(*length), format_duration(max_meeting))},
                {}};
    state_.call_manual = true;
    state_.call_manual_until = length ? std::optional(state_.last + *length) : std::nullopt;
    call_changed(now, origin);
    return {finish(now), std::nullopt, {}};
}

Outcome Engine::meeting_end(Now now, std::string_view origin) {
    advance(now);
    state_.present_at = state_.last;
    if (!state_.call_manual) {
        std::string message = state_.call_detected
                                  ? "this call is seen on your camera or microphone, and ends when they are free "
                                    "(stretch doctor says which application holds them)"
                                  : "no meeting is on: stretch meeting start begins one";
        return {finish(now), Refusal{"no_meeting", std::move(message)}, {}};
    }
    state_.call_manual = false;
    state_.call_manual_until.reset();
    if (!state_.call_detected) {
        // The user says it is over: no settle to wait for.
        bool was = is_away();
        end_call(origin);
        presence_changed(now, was, state_.last);
    }
    return {finish(now), std::nullopt, {}};
}

Effects Engine::resumed(Now now, Duration slept) {
    advance(now);
    if (!state_.suspended && slept > Duration::zero()) {
        // Sleep noticed only now: replay it as an absence that just ended.
        MonoTime since = std::max(state_.last - slept, state_.present_at.value_or(MonoTime{}));
        set_away(now, state_.suspended, true, std::min(since, state_.last));
    }
    set_away(now, state_.suspended, false, state_.last);
    return finish(now);
}

// ---- commands -----------------------------------------------------------------

const BreakRule* Engine::current_rule(Now now, std::string_view name, Refusal& refusal) const {
    if (!name.empty()) {
        if (auto* rule = config_.find_break(name)) return rule;
        std::vector<std::string> names;
        for (auto& r : config_.breaks) names.push_back(r.name);
        refusal = {"unknown_break", fmt::format("no break rule named \"{}\": the rules are {}", name, fmt::join(names, ", "))};
        return nullptr;
    }
    if (state_.shown) return config_.find_break(state_.shown->rule);
    if (auto* w = winner(now)) return w;
    const BreakRule* soonest = nullptr;
    Duration soonest_in{};
    for (auto& rule : config_.breaks) {
        if (!rule.enabled) continue;
        Duration in = rule.every - rule_sitting(rule);
        if (!soonest || in < soonest_in || (in == soonest_in && rule.duration > soonest->duration)) {
            soonest = &rule;
            soonest_in = in;
        }
    }
    if (!soonest) refusal = {"no_breaks", "no break rule is enabled: set enabled = true on one in the config"};
    return soonest;
}

Outcome Engine::done(Now now, std::string_view name, std::string_view origin) {
    advance(now);
    state_.present_at = state_.last;
    Outcome out;
    Refusal refusal;
    const BreakRule* target = current_rule(now, name, refusal);
    if (!target) return {finish(now), refusal, {}};
    std::string stretch = state_.shown && state_.shown->rule == target->name ? state_.shown->stretch
                                                                               : state_.rules[target->name].next_stretch;
    effects_.push_back(Record{RecordKind::taken, target->name, stretch, rule_sitting(*target), 0, std::string(origin), {}});
    // A longer break taken covers the shorter ones.
    for (auto& rule : config_.breaks)
        if (rule.duration <= target->duration) reset_rule(rule, state_.rules[rule.name], now);
    state_.unbroken_base = state_.sat;
    state_.unbroken_resting = false;
    if (state_.shown && config_.find_break(state_.shown->rule)->duration <= target->duration) close_reminder(CloseReason::done);
    return {finish(now), std::nullopt, target->name};
}

Outcome Engine::snooze(Now now, std::optional<Duration> length, std::string_view name, std::string_view origin) {
    advance(now);
    state_.present_at = state_.last;
    Refusal refusal;
    const BreakRule* target = current_rule(now, name, refusal);
    if (!target) return {finish(now), refusal, {}};
    auto& rs = state_.rules[target->name];
    if (rs.snoozes >= target->max_snoozes)
        return {finish(now),
                Refusal{"snooze_limit",
                        fmt::format("break \"{}\" has been snoozed {} of {} times: take it with \"stretch done\"{}",
                                    target->name, rs.snoozes, target->max_snoozes,
                                    target->skippable ? " or skip it with \"stretch skip\"" : "")},
                {}};
    Duration d = length.value_or(target->snooze);
    if (d <= Duration::zero() || d > max_snooze)
        return {finish(now),
                Refusal{"bad_duration", fmt::format("snooze for \"{}\": expected a length from 1s to {}", format_duration(d),
                                                    format_duration(max_snooze))},
                {}};
    // Snoozing a break that is not due yet postpones it from when it would be.
    MonoTime from = state_.last;
    if (!is_due(*target) && !rs.resting && !state_.standing) from += target->every - rule_sitting(*target);
    rs.snoozed_until = from + d;
    ++rs.snoozes;
    // Shorter breaks folded into this one wait with it, without using up their own snoozes.
    bool shown_affected = state_.shown && state_.shown->rule == target->name;
    for (auto& rule : config_.breaks) {
        auto& other = state_.rules[rule.name];
        if (rule.duration < target->duration && is_due(rule)) {
            other.snoozed_until = std::max(other.snoozed_until.value_or(MonoTime{}), *rs.snoozed_until);
            shown_affected |= state_.shown && state_.shown->rule == rule.name;
        }
    }
    effects_.push_back(Record{RecordKind::snoozed, target->name, rs.next_stretch, d, rs.snoozes, std::string(origin), {}});
    if (shown_affected) close_reminder(CloseReason::snoozed);
    return {finish(now), std::nullopt, target->name};
}

Outcome Engine::skip(Now now, std::string_view name, std::string_view origin) {
    advance(now);
    state_.present_at = state_.last;
    Refusal refusal;
    const BreakRule* target = current_rule(now, name, refusal);
    if (!target) return {finish(now), refusal, {}};
    if (!target->skippable)
        return {finish(now),
                Refusal{"not_skippable", fmt::format("break \"{}\" cannot be skipped (skippable = false): take it with "
                                                     "\"stretch done\" or snooze it with \"stretch snooze\"",
                                                     target->name)},
                {}};
    auto& rs = state_.rules[target->name];
    effects_.push_back(Record{RecordKind::skipped, target->name, rs.next_stretch, rule_sitting(*target), 0, std::string(origin), {}});
    bool shown_affected = false;
    for (auto& rule : config_.breaks)
        if (&rule == target || (rule.duration < target->duration && is_due(rule))) {
            reset_rule(rule, state_.rules[rule.name], now);
            shown_affected |= state_.shown && state_.shown->rule == rule.name;
        }
    if (shown_affected) close_reminder(CloseReason::skipped);
    return {finish(now), std::nullopt, target->name};
}

Outcome Engine::pause(Now now, std::optional<Duration> length, std::optional<int> until_clock, std::string_view origin) {
    advance(now);
    state_.present_at = state_.last;
    Duration amount{};
    if (length) {
        if (*length <= Duration::zero() || *length > max_pause)
            return {finish(now),
                    Refusal{"bad_duration", fmt::format("pause for \"{}\": expected a length from 1s to {}",
                                                        format_duration(*length), format_duration(max_pause))},
                    {}};
        amount = *length;
    } else if (until_clock) {
        amount = from_seconds(seconds_until_clock(now.local, *until_clock));
    }
    state_.paused = true;
    state_.pause_until = amount > Duration::zero() ? std::optional(state_.last + amount) : std::nullopt;
    state_.pause_until_local.reset();
    if (!length && until_clock)
        state_.pause_until_local = local_seconds(now) + std::chrono::duration_cast<std::chrono::seconds>(amount).count();
    effects_.push_back(Record{RecordKind::paused, {}, {}, amount, 0, std::string(origin), {}});
    return {finish(now), std::nullopt, {}};
}

Outcome Engine::resume(Now now, std::string_view origin) {
    advance(now);
    state_.present_at = state_.last;
    if (!state_.paused) return {finish(now), Refusal{"not_paused", "reminders are not paused: nothing to resume"}, {}};
    state_.paused = false;
    state_.pause_until.reset();
    state_.pause_until_local.reset();
    state_.quiet_until = state_.last + config_.tracking.grace;
    effects_.push_back(Record{RecordKind::resumed, {}, {}, {}, 0, std::string(origin), {}});
    return {finish(now), std::nullopt, {}};
}

Outcome Engine::stand(Now now, std::string_view origin) {
    advance(now);
    state_.present_at = state_.last;
    if (state_.standing)
        return {finish(now), Refusal{"already_standing", "already standing: run \"stretch sit\" when you sit down again"}, {}};
    effects_.push_back(Record{RecordKind::stood, {}, {}, {}, 0, std::string(origin), {}});
    set_away(now, state_.standing, true, state_.last, false);
    return {finish(now), std::nullopt, {}};
}

Outcome Engine::sit(Now now, std::string_view origin) {
    advance(now);
    state_.present_at = state_.last;
    if (!state_.standing)
        return {finish(now), Refusal{"not_standing", "not standing: run \"stretch stand\" when you stand up"}, {}};
    // Time away, as a `back` would say: standing, and any absence it began in.
    Duration away = state_.away_since ? state_.last - *state_.away_since : Duration::zero();
    effects_.push_back(Record{RecordKind::sat, {}, {}, away, 0, std::string(origin), {}});
    set_away(now, state_.standing, false, state_.last, false);
    return {finish(now), std::nullopt, {}};
}

Effects Engine::replace_config(Now now, Config config) {
    advance(now);
    config_ = std::move(config);
    std::map<std::string, RuleState> rules;
    for (auto& rule : config_.breaks) {
        auto old = state_.rules.find(rule.name);
        RuleState rs;
        if (old != state_.rules.end()) rs = old->second;
        else rs.base = state_.sat;
        rs.snoozes = std::min(rs.snoozes, rule.max_snoozes);  // the limit may have been lowered
        auto pool = config_.pool(rule);
        bool still_drawn = std::any_of(pool.begin(), pool.end(), [&](auto* s) { return s->id == rs.next_stretch; });
        if (!still_drawn) repick(rule, rs);
        rules[rule.name] = std::move(rs);
    }
    state_.rules = std::move(rules);
    advance(now);  // an absence under way may already be a natural break by the new rules' lengths
    if (state_.shown) {
        auto* rule = config_.find_break(state_.shown->rule);
        if (!rule || !rule->enabled) close_reminder(CloseReason::config);
    }
    effects_.push_back(Record{RecordKind::config_reloaded, {}, {}, {}, 0, "reload", {}});
    return finish(now);
}

Effects Engine::clock_changed(Now now) {
    advance(now);
    if (state_.paused && state_.pause_until_local) {
        // What is left is what the local clock has left to run; the local
        // clock may have been moved past the time asked for, ending the pause.
        std::int64_t left = std::max<std::int64_t>(0, *state_.pause_until_local - local_seconds(now));
        state_.pause_until = state_.last + std::chrono::seconds(left);
        advance(now);
    }
    return finish(now);
}

// ---- helpers --------------------------------------------------------------------

void Engine::reset_rule(const BreakRule& rule, RuleState& rs, Now) {
    rs.base = state_.sat;
    // Reset during an absence already long enough for a natural break: it
    // keeps resting until the user is back, and is not counted again.
    rs.resting = state_.away_since && state_.last - *state_.away_since >= rule.natural_break;
    rs.snoozes = 0;
    rs.snoozed_until.reset();
    repick(rule, rs);
}

void Engine::repick(const BreakRule& rule, RuleState& rs) {
    std::string other;
    for (auto& [name, s] : state_.rules)
        if (name != rule.name && !s.next_stretch.empty()) other = s.next_stretch;
    // The rule's previous suggestion decides whether a focus area has its turn.
    auto pick = pick_stretch(config_, rule, state_.picker, other, rs.next_stretch);
    if (pick.stretch) {
        rs.next_stretch = pick.stretch->id;
        rs.next_why = std::move(pick.why);
    }
}

void Engine::close_reminder(CloseReason reason) {
    effects_.push_back(CloseReminder{state_.shown->rule, reason});
    state_.shown.reset();
}

Duration Engine::rule_sitting(const BreakRule& rule) const {
    auto it = state_.rules.find(rule.name);
    if (it == state_.rules.end() || it->second.resting) return Duration::zero();
    return state_.sat - it->second.base;
}

bool Engine::is_due(const BreakRule& rule) const { return rule.enabled && rule_sitting(rule) >= rule.every; }

bool Engine::is_snoozed(const BreakRule& rule, MonoTime at) const {
    auto it = state_.rules.find(rule.name);
    return it != state_.rules.end() && it->second.snoozed_until && *it->second.snoozed_until > at;
}

const BreakRule* Engine::winner(Now now) const {
    MonoTime t = std::max(now.mono, state_.last);
    const BreakRule* w = nullptr;
    for (auto& rule : config_.breaks)
        if (is_due(rule) && !is_snoozed(rule, t) && (!w || rule.duration > w->duration)) w = &rule;
    if (!w || state_.standing || coming_forward_decided(*w)) return w;
    // A longer break that would fall due within the due one's snooze length
    // comes forward and takes its place: snoozing would only have led to it.
    const BreakRule* due = w;
    for (auto& rule : config_.breaks) {
        if (!rule.enabled || rule.duration <= w->duration || is_snoozed(rule, t)) continue;
        auto it = state_.rules.find(rule.name);
        if (it == state_.rules.end() || it->second.resting) continue;
        if (rule.every - rule_sitting(rule) <= due->snooze) w = &rule;
    }
    return w;
}

// Whether a longer break comes forward is decided once, when the due one's
// reminder is first shown; with it up, a longer break replaces it only by
// falling due itself. Else a bubble could be replaced a moment after it
// appeared, as the longer break's due time slid into the snooze window.
bool Engine::coming_forward_decided(const BreakRule& due) const { return state_.shown && state_.shown->rule == due.name; }

std::optional<HoldReason> Engine::hold_reason(Now now) const {
    if (is_away()) return HoldReason::away;
    if (!config_.schedule.active_at(now.local)) return HoldReason::off_hours;
    if (in_call()) {
        auto& limit = config_.meeting.hold_max;
        MonoTime t = std::max(now.mono, state_.last);
        if (!limit || !state_.call_hold_since || *state_.call_hold_since + *limit > t) return HoldReason::call;
    }
    if (state_.quiet_until && *state_.quiet_until > std::max(now.mono, state_.last)) return HoldReason::grace;
    return std::nullopt;
}

std::optional<MonoTime> Engine::next_deadline(Now now) const {
    MonoTime t = std::max(now.mono, state_.last);
    std::optional<MonoTime> best;
    auto consider = [&](std::optional<MonoTime> at) {
        if (at && *at > t && (!best || *at < *best)) best = at;
    };
    consider(state_.pause_until);
    consider(state_.quiet_until);
    if (state_.call_manual) consider(state_.call_manual_until);
    if (state_.call_free_since) consider(*state_.call_free_since + config_.meeting.settle);
    if (in_call() && state_.call_hold_since && config_.meeting.hold_max)
        consider(*state_.call_hold_since + *config_.meeting.hold_max);
    // Sitting accrues from state_.last, which may lie before t.
    Duration pending = state_.standing ? Duration::zero() : t - state_.last;
    for (auto& rule : config_.breaks) {
        auto it = state_.rules.find(rule.name);
        if (it == state_.rules.end()) continue;
        const auto& rs = it->second;
        consider(rs.snoozed_until);
        if (state_.away_since && !rs.resting) consider(*state_.away_since + rule.natural_break);
        if (rule.enabled && !rs.resting && !state_.standing) {
            Duration left = rule.every - (rule_sitting(rule) + pending);
            if (left > Duration::zero()) consider(t + left);
        }
    }
    if (state_.shown)
        if (auto* rule = config_.find_break(state_.shown->rule)) consider(state_.shown->last_shown + rule->remind_every);
    // A longer rule comes forward once it is within the due rule's snooze length.
    if (const BreakRule* due = winner(now); due && !state_.standing && !coming_forward_decided(*due))
        for (auto& rule : config_.breaks) {
            auto it = state_.rules.find(rule.name);
            if (!rule.enabled || rule.duration <= due->duration || it == state_.rules.end() || it->second.resting) continue;
            Duration left = rule.every - (rule_sitting(rule) + pending) - due->snooze;
            if (left > Duration::zero()) consider(t + left);
        }
    if (auto change = config_.schedule.seconds_until_change(now.local)) consider(t + from_seconds(*change));
    return best;
}

// ---- status ---------------------------------------------------------------------

RuleStatus Engine::rule_status(const BreakRule& rule, Now now) const {
    MonoTime t = std::max(now.mono, state_.last);
    Duration pending = state_.standing ? Duration::zero() : t - state_.last;
    const auto& rs = state_.rules.at(rule.name);
    bool resting = rs.resting || (state_.away_since && t - *state_.away_since >= rule.natural_break);
    RuleStatus out;
    out.name = rule.name;
    out.every = rule.every;
    out.enabled = rule.enabled;
    out.sitting = resting ? Duration::zero() : state_.sat + pending - rs.base;
    out.due = rule.enabled && out.sitting >= rule.every;
    out.due_in = std::max(Duration::zero(), rule.every - out.sitting);
    if (rs.snoozed_until && *rs.snoozed_until > t) {
        out.snoozed_for = *rs.snoozed_until - t;
        out.due_in = std::max(out.due_in, *out.snoozed_for);
    }
    out.snoozes = rs.snoozes;
    out.max_snoozes = rule.max_snoozes;
    out.stretch = config_.find_stretch(rs.next_stretch);
    out.why = rs.next_why;
    return out;
}

EngineStatus Engine::status(Now now) const {
    MonoTime t = std::max(now.mono, state_.last);
    EngineStatus out;
    Duration pending = state_.standing ? Duration::zero() : t - state_.last;
    bool unbroken_resting =
        state_.unbroken_resting || (state_.away_since && t - *state_.away_since >= config_.shortest_natural_break());
    out.sitting = unbroken_resting ? Duration::zero() : state_.sat + pending - state_.unbroken_base;
    out.away = is_away();
    out.off_hours = !config_.schedule.active_at(now.local);
    if (state_.paused) out.paused_for = state_.pause_until ? *state_.pause_until - t : Duration::zero();
    out.shown = state_.shown;
    if (in_call()) {
        CallStatus call;
        call.length = t - *state_.call_since;
        call.detected = state_.call_detected;
        call.manual = state_.call_manual;
        if (state_.call_manual && state_.call_manual_until) call.manual_left = *state_.call_manual_until - t;
        if (state_.call_free_since)
            call.settle_left = std::max(Duration::zero(), *state_.call_free_since + config_.meeting.settle - t);
        out.call = call;
    }

    bool any_snoozed = false, any_due = false;
    for (auto& rule : config_.breaks) {
        auto rs = rule_status(rule, now);
        any_snoozed |= rs.snoozed_for.has_value();
        any_due |= rs.due && !rs.snoozed_for;
        if (rule.enabled) {
            bool better = !out.next || rs.due_in < out.next->due_in ||
                          (rs.due_in == out.next->due_in && rule.duration > config_.find_break(out.next->name)->duration);
            if (state_.shown ? rule.name == state_.shown->rule : better) out.next = rs;
        }
        out.rules.push_back(std::move(rs));
    }
    if (!state_.shown)
        if (auto* w = winner(now)) out.next = rule_status(*w, now);
    if (any_due && !state_.shown && !state_.paused && !state_.standing) out.held = hold_reason(now);

    if (state_.paused) out.mode = EngineMode::paused;
    else if (state_.standing) out.mode = EngineMode::standing;
    else if (out.off_hours) out.mode = EngineMode::off_hours;
    else if (state_.shown || any_due) out.mode = EngineMode::due;
    else if (any_snoozed) out.mode = EngineMode::snoozed;
    else out.mode = EngineMode::active;
    return out;
}

}  // namespace stretch
