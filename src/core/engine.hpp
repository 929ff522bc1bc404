#pragma once
// The schedule engine: how long the user has been sitting, which break is
// due, and what to do about it. Pure: it never reads a clock or touches the
// outside world. Every call takes the current time and returns the effects
// for the caller to carry out; next_deadline() says when to call tick().
// The semantics are written down in docs/schedule.md.
//
// Not thread-safe; the daemon owns one Engine on its event loop thread.
// Times passed in must not go backwards; a time earlier than the last one
// seen is treated as that last time.

#include <map>
#include <optional>
#include <string>

#include "core/config.hpp"
#include "core/effects.hpp"
#include "core/picker.hpp"

namespace stretch {

// Per-rule progress. Sitting time is measured on one shared counter,
// EngineState::sat, that only moves while the user is not standing; a rule's
// own sitting time is `sat - base` unless it is resting.
struct RuleState {
    Duration base{};
    bool resting = false;  // reset by a natural break that is still going on
    int snoozes = 0;
    std::optional<MonoTime> snoozed_until;
    std::string next_stretch;
    // Why the picker chose next_stretch; unset in states saved before it was kept.
    std::optional<PickWhy> next_why;
};

struct ShownReminder {
    std::string rule;
    std::string stretch;
    int count = 0;
    MonoTime last_shown{};
};

// Everything the engine knows beyond its config. Plain data, so the daemon
// can save it and restore it across restarts.
struct EngineState {
    MonoTime last{};           // the latest time seen
    Duration sat{};            // total sitting time counted so far
    Duration unbroken_base{};  // `sat` at the last break of any kind
    bool unbroken_resting = false;
    bool idle = false, locked = false, suspended = false, standing = false;
    // The user was away when stretchd last stopped: the absence goes on,
    // neither ended nor begun again, until the activity source has had its
    // say (settle_restored_absence). A restart invents no presence.
    bool restored_away = false;
    std::optional<MonoTime> away_since;
    std::optional<MonoTime> present_at;  // last command from the user: they were there
    bool paused = false;
    std::optional<MonoTime> pause_until;  // unset while paused means until resumed
    // `pause --until HH:MM`: that moment on the local clock (local_seconds),
    // so a clock, time-zone or daylight-saving change can re-derive
    // pause_until, a monotonic deadline, from it.
    std::optional<std::int64_t> pause_until_local;
    std::optional<MonoTime> quiet_until;  // grace after coming back or resuming
    std::optional<ShownReminder> shown;
    // Calls (docs/schedule.md, "Calls"). A call is on while the devices are
    // in use (call_detected) or the user said so (call_manual, until
    // call_manual_until if set); it is over once both have been off for
    // [meeting] settle, so a call dropped and re-joined is one call.
    bool call_detected = false;
    bool call_manual = false;
    std::optional<MonoTime> call_manual_until;
    std::optional<MonoTime> call_since;       // the call began; kept through the settle
    std::optional<MonoTime> call_free_since;  // both off since: the settle runs
    std::optional<MonoTime> call_hold_since;  // a due reminder first waited for this call
    std::optional<Duration> call_just_ended;  // the length of the call a reminder waited for, for its words
    std::map<std::string, RuleState> rules;
    PickerMemory picker;
};

enum class EngineMode { active, due, snoozed, paused, standing, off_hours };
std::string_view engine_mode_name(EngineMode mode);

// Why the engine holds a due reminder back (status `held`; the daemon adds
// its own: do-not-disturb, a full-screen window).
enum class HoldReason { away, off_hours, call, grace };
std::string_view hold_reason_name(HoldReason reason);

struct RuleStatus {
    std::string name;
    Duration sitting{};
    Duration every{};
    Duration due_in{};  // zero when due
    bool due = false;
    bool enabled = true;
    std::optional<Duration> snoozed_for;
    int snoozes = 0;
    int max_snoozes = 0;
    const Stretch* stretch = nullptr;
    std::optional<PickWhy> why;  // why `stretch` was chosen, when known
};

// A call under way, for status.
struct CallStatus {
    Duration length{};                   // since it began
    bool detected = false;               // the devices are in use
    bool manual = false;                 // `meeting start`
    std::optional<Duration> manual_left; // `meeting start --for`: what is left
    std::optional<Duration> settle_left; // devices free: the call is over after this
};

struct EngineStatus {
    EngineMode mode = EngineMode::active;
    Duration sitting{};  // unbroken sitting time
    bool away = false;
    bool off_hours = false;
    std::optional<Duration> paused_for;  // set and zero: paused until resumed
    std::optional<HoldReason> held;      // why a due reminder is not shown
    std::optional<ShownReminder> shown;
    std::optional<CallStatus> call;
    std::optional<RuleStatus> next;      // the break the user will meet next
    std::vector<RuleStatus> rules;
};

// A command the engine would not carry out: a stable code for the protocol
// and a message for the user that says what to do instead.
struct Refusal {
    std::string code;
    std::string message;
};

struct Outcome {
    Effects effects;
    std::optional<Refusal> refusal;
    std::string rule;  // the rule the command acted on, when it acted
};

class Engine {
public:
    Engine(Config config, std::uint64_t seed, Now now);
    // Resumes from saved state (the daemon's persistence).
    Engine(Config config, EngineState state);

    // Time passes. Call at next_deadline(), or at any time.
    Effects tick(Now now);
    // After a restart: the reminder that was up (closed when stretchd
    // stopped) is shown again now if still due, as a repeat of the same one.
    Effects show_again(Now now);

    // Activity, from whichever source the daemon has.
    Effects user_idle(Now now, MonoTime since);
    Effects user_active(Now now);
    Effects screen_locked(Now now);
    Effects screen_unlocked(Now now);
    Effects suspended(Now now);
    // `slept` is used when no suspended() came first (sleep noticed only
    // afterwards): the machine is taken to have been away for that long.
    Effects resumed(Now now, Duration slept);
    // Whether the camera or the microphone is in use by a call (the daemon's
    // detectors, after [meeting] camera, microphone and ignore).
    Effects call_devices(Now now, bool in_use);
    // The activity source has confirmed or denied an absence restored from
    // before a restart (EngineState::restored_away): it ends now, with a
    // `back`, unless idle, a lock or standing still holds it.
    Effects settle_restored_absence(Now now);

    // Commands. An empty `rule` means the current one: the reminder being
    // shown, else the break due next.
    Outcome done(Now now, std::string_view rule, std::string_view origin);
    Outcome snooze(Now now, std::optional<Duration> length, std::string_view rule, std::string_view origin);
    Outcome skip(Now now, std::string_view rule, std::string_view origin);
    Outcome pause(Now now, std::optional<Duration> length, std::optional<int> until_clock, std::string_view origin);
    Outcome resume(Now now, std::string_view origin);
    Outcome stand(Now now, std::string_view origin);
    Outcome sit(Now now, std::string_view origin);
    // A call the devices cannot reveal; `length` unset: until meeting_end.
    Outcome meeting_start(Now now, std::optional<Duration> length, std::string_view origin);
    Outcome meeting_end(Now now, std::string_view origin);
    Effects replace_config(Now now, Config config);
    // The wall clock was set, the time zone changed, or daylight saving began
    // or ended: `now.local` no longer follows `now.mono` as it did. The
    // schedule hours are read afresh at every call anyway; this re-derives
    // the end of a `pause --until` from the local clock.
    Effects clock_changed(Now now);

    std::optional<MonoTime> next_deadline(Now now) const;
    EngineStatus status(Now now) const;
    const Config& config() const { return config_; }
    const EngineState& state() const { return state_; }

private:
    Effects finish(Now now);
    void advance(Now now);
    void evaluate(Now now);
    void set_away(Now now, bool& flag, bool value, MonoTime since, bool recorded = true);
    void presence_changed(Now now, bool was_away, MonoTime since, bool recorded = true);
    void call_changed(Now now, std::string_view origin);
    void end_call(std::string_view origin);
    void end_away(Now now, bool recorded);
    void reset_rule(const BreakRule& rule, RuleState& rs, Now now);
    void close_reminder(CloseReason reason);
    void repick(const BreakRule& rule, RuleState& rs);

    Duration rule_sitting(const BreakRule& rule) const;
    bool is_due(const BreakRule& rule) const;
    bool is_snoozed(const BreakRule& rule, MonoTime at) const;
    // A call (with [meeting] on) is presence: no input during one is not an absence.
    bool in_call() const { return config_.meeting.enabled && state_.call_since.has_value(); }
    bool is_away() const {
        return (state_.idle && !in_call()) || state_.locked || state_.suspended || state_.standing ||
               state_.restored_away;
    }
    bool coming_forward_decided(const BreakRule& due) const;
    const BreakRule* winner(Now now) const;
    const BreakRule* current_rule(Now now, std::string_view name, Refusal& refusal) const;
    std::optional<HoldReason> hold_reason(Now now) const;
    RuleStatus rule_status(const BreakRule& rule, Now now) const;

    Config config_;
    EngineState state_;
    Effects effects_;  // collected during one call, handed back by finish()
};

}  // namespace stretch
