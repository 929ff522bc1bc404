#pragma once
// The validated configuration. A Config that exists is fully valid: every
// duration is positive, every break rule can draw at least one stretch given
// the profile, every reference resolves. load_config() is the only way to
// make one from text, and the only place that throws ConfigError.

#include <array>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/activity_source_name.hpp"
#include "core/stretch.hpp"
#include "core/time.hpp"

namespace stretch {

// A config that cannot be used. what() is one line shaped
// `FILE:LINE:COL: CONTEXT: KEY = VALUE: expected WHAT`, ready to print.
class ConfigError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct Tracking {
    Duration natural_break = std::chrono::minutes(2);
    Duration grace = std::chrono::minutes(1);
    // Where activity comes from: "auto" (the first that works, in the order
    // of activity_source_names), one of those names, or "none" (timer only).
    std::string source = "auto";
    friend bool operator==(const Tracking&, const Tracking&) = default;
};


struct Schedule {
    std::array<bool, 7> days{true, true, true, true, true, true, true};
    int from_s = 0;                // seconds of day the reminder hours start
    int to_s = seconds_per_day;    // and end; to_s < from_s spans midnight

    bool active_at(LocalTime t) const;
    // Seconds until active_at() next changes value; nullopt if it never does
    // (all days, all hours).
    std::optional<int> seconds_until_change(LocalTime t) const;
    friend bool operator==(const Schedule&, const Schedule&) = default;
};

struct Profile {
    std::vector<std::string> equipment;
    std::vector<Position> avoid;
    int repeat_after = 4;
    // Body areas to work on: every other suggestion of a rule that can
    // draw them is for one of them (docs/schedule.md). Each is targeted by
    // some stretch the profile allows.
    std::vector<std::string> focus;
    friend bool operator==(const Profile&, const Profile&) = default;
};

// How reminders reach the user. `methods` is an ordered fallback list: the
// first one available at the time is used.
struct Notify {
    enum class Method { desktop, command, bell };
    std::vector<Method> methods{Method::desktop, Method::command, Method::bell};
    std::vector<std::string> command;  // argv, run without a shell
    Duration command_timeout = std::chrono::seconds(10);
    int critical_after = 3;            // reminders ignored before urgency turns critical
    Duration hold_max = std::chrono::minutes(30);  // longest do-not-disturb hold
    std::string sound;                 // freedesktop sound-name hint; empty: none
    std::string mako_quiet_mode = "do-not-disturb";  // the mako mode that means do not disturb
    friend bool operator==(const Notify&, const Notify&) = default;
};

std::string_view notify_method_name(Notify::Method m);

// Calls: while the camera or the microphone is in use (or the user said
// `stretch meeting start`), a due reminder waits until the call has ended
// and stayed ended for `settle`. docs/schedule.md has the semantics.
struct Meeting {
    bool enabled = true;
    bool camera = true;      // the camera in use counts as a call
    bool microphone = true;  // the microphone in use counts as a call
    Duration settle = std::chrono::minutes(1);  // a call dropped and re-joined within this is one call
    std::vector<std::string> ignore;  // applications whose capture is no call (a voice assistant, a level meter)
    // Show the reminder over a call anyway once it has waited this long;
    // unset (the default): never interrupt a call.
    std::optional<Duration> hold_max;
    friend bool operator==(const Meeting&, const Meeting&) = default;
};

struct History {
    int keep_days = 365;  // events older than this are pruned, daily
    friend bool operator==(const History&, const History&) = default;
};

struct BreakRule {
    std::string name;
    Duration every{};          // sitting time before the break is due
    Duration duration{};       // how long the break itself takes
    Duration natural_break{};  // resolved: away at least this long resets the rule
    std::optional<Duration> natural_break_set;  // as written, if it was
    std::vector<std::string> tags;     // draw stretches with any of these tags...
    std::vector<std::string> targets;  // ...or any of these body areas; both empty: all
    Duration snooze{};
    int max_snoozes = 3;
    bool skippable = true;
    Duration remind_every{};
    bool enabled = true;
};

struct Config {
    Tracking tracking;
    Schedule schedule;
    Profile profile;
    Notify notify;
    Meeting meeting;
    History history;
    std::vector<BreakRule> breaks;
    std::vector<Stretch> stretches;

    const Stretch* find_stretch(std::string_view id) const;
    const BreakRule* find_break(std::string_view name) const;
    // Whether the profile allows the stretch (equipment owned, position not avoided).
    bool allows(const Stretch& s) const;
    // The stretches a rule may suggest, in library order.
    std::vector<const Stretch*> pool(const BreakRule& rule) const;
    // The activity threshold: the shortest natural break of the enabled rules.
    Duration shortest_natural_break() const;
};

// Parses and validates TOML text. `source_name` is used in error messages
// (normally the file's path). Sections the text leaves out come from
// `fallback` (normally the built-in default config): a file with no
// [[stretch]] keeps the built-in library, one with no [[break]] keeps the
// built-in breaks. Without a fallback, built-in key defaults apply and at
// least one [[break]] and one [[stretch]] are required.
Config load_config(std::string_view text, std::string_view source_name, const Config* fallback = nullptr);

// The default config, built into the binary from config/stretch.toml.
std::string_view default_config_text();
const Config& default_config();

}  // namespace stretch
