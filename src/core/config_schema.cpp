#include "core/config_schema.hpp"

#include <array>

namespace stretch {
namespace {

constexpr std::array keys = {
    ConfigKey{"tracking", "natural_break", "duration", "\"2m\"",
              "Away from the desk (idle, locked, suspended, standing) at least this long counts as a natural break "
              "for every rule; a rule whose duration is longer needs at least its duration."},
    ConfigKey{"tracking", "grace", "duration", "\"1m\"",
              "After you come back or resume from a pause, an overdue break is reminded only after this long."},
    ConfigKey{"tracking", "source", "string", "\"auto\"",
              "Where activity comes from: \"auto\" tries \"gnome\", \"wayland\", \"x11\" and \"logind\" in this order; "
              "\"none\" tracks sitting time by the clock alone."},
    ConfigKey{"schedule", "days", "weekday array", "[\"mon\", ..., \"sun\"]",
              "Days with reminders: \"mon\" to \"sun\". Sitting time is tracked on every day."},
    ConfigKey{"schedule", "from", "clock time", "\"00:00\"", "Reminders start at this local time."},
    ConfigKey{"schedule", "to", "clock time", "\"24:00\"",
              "Reminders stop at this local time; earlier than from means the hours span midnight."},
    ConfigKey{"profile", "equipment", "string array", "[]",
              "Equipment you have, e.g. \"foam-roller\"; stretches needing anything else are never suggested."},
    ConfigKey{"profile", "avoid", "position array", "[]",
              "Positions never suggested: \"seated\", \"standing\" or \"floor\"."},
    ConfigKey{"profile", "repeat_after", "integer", "4",
              "A stretch is not suggested again until this many others have been (when the pool allows)."},
    ConfigKey{"profile", "focus", "body-area array", "[]",
              "Body areas you want to work on, e.g. [\"hamstrings\", \"lower-back\"]: at least every other "
              "suggestion of a break that can draw them is for one of them; the other areas still take their turns."},
    ConfigKey{"notify", "methods", "string array", "[\"desktop\", \"command\", \"bell\"]",
              "How reminders reach you, in order of preference: \"desktop\" (a notification over D-Bus), \"command\" "
              "(runs the command below), \"bell\" (a line and a bell in the terminals running stretch watch). The first "
              "one available is used."},
    ConfigKey{"notify", "command", "string array", "none",
              "A program and its arguments, run without a shell for each reminder, with STRETCH_EVENT, STRETCH_BREAK, "
              "STRETCH_STRETCH_ID, STRETCH_STRETCH_NAME, STRETCH_SITTING_S, STRETCH_COUNT and STRETCH_TEXT set."},
    ConfigKey{"notify", "command_timeout", "duration", "\"10s\"", "The command is killed if it runs longer than this."},
    ConfigKey{"notify", "critical_after", "integer", "3",
              "After this many reminders of the same break, the notification's urgency is critical (0: never)."},
    ConfigKey{"notify", "hold_max", "duration", "\"30m\"",
              "While the notification server is paused (do not disturb) or a window is full-screen, a reminder waits "
              "at most this long, then is shown anyway."},
    ConfigKey{"notify", "sound", "string", "none",
              "A freedesktop sound name to play with the notification, e.g. \"bell\"; unset for silence."},
    ConfigKey{"notify", "mako_quiet_mode", "string", "\"do-not-disturb\"",
              "The mako mode that means do not disturb (makoctl mode -a NAME): while it is on, reminders wait "
              "(at most hold_max)."},
    ConfigKey{"meeting", "enabled", "boolean", "true",
              "While you are in a call (the camera or the microphone in use, or stretch meeting start), a due "
              "reminder waits until the call ends. Sitting time keeps counting through a call."},
    ConfigKey{"meeting", "camera", "boolean", "true", "The camera in use by an application counts as a call."},
    ConfigKey{"meeting", "microphone", "boolean", "true", "The microphone in use by an application counts as a call."},
    ConfigKey{"meeting", "settle", "duration", "\"1m\"",
              "A call has ended once the devices have been free this long; a call dropped and re-joined within it is "
              "one call."},
    ConfigKey{"meeting", "ignore", "string array", "[]",
              "Applications whose use of the camera or microphone is no call, e.g. a voice assistant or a level meter "
              "(names as stretch doctor shows them)."},
    ConfigKey{"meeting", "hold_max", "duration", "none",
              "Show a reminder over a call anyway once it has waited this long; unset, a call is never interrupted."},
    ConfigKey{"history", "keep_days", "integer", "365",
              "Days of history kept for stretch stats and stretch history; older events are pruned daily."},
    ConfigKey{"break", "name", "string", "", "Unique name of the rule, used by the CLI and in history."},
    ConfigKey{"break", "every", "duration", "", "Sitting time before the break is due; longer than duration."},
    ConfigKey{"break", "duration", "duration", "", "How long the break takes."},
    ConfigKey{"break", "natural_break", "duration", "max(duration, tracking.natural_break)",
              "Time away that resets this rule as a natural break."},
    ConfigKey{"break", "tags", "string array", "[]", "Suggest stretches having any of these tags."},
    ConfigKey{"break", "targets", "body-area array", "[]",
              "Also suggest stretches for any of these body areas. With tags and targets both empty, any stretch."},
    ConfigKey{"break", "snooze", "duration", "\"5m\"", "Default snooze length."},
    ConfigKey{"break", "max_snoozes", "integer", "3", "Snoozes allowed before the break must be taken or skipped."},
    ConfigKey{"break", "skippable", "boolean", "true", "Whether the break may be skipped."},
    ConfigKey{"break", "remind_every", "duration", "\"5m\"", "Remind again this often while the reminder is ignored."},
    ConfigKey{"break", "enabled", "boolean", "true", "A disabled rule is kept but never reminds."},
    ConfigKey{"stretch", "id", "string", "", "Unique id: lowercase letters, digits and '-'."},
    ConfigKey{"stretch", "name", "string", "", "Display name."},
    ConfigKey{"stretch", "steps", "string array", "", "Ordered steps, short imperative sentences."},
    ConfigKey{"stretch", "hold", "hold", "", "How long to hold: \"30s\", \"20-30s\", \"1m\", \"5 breaths\", \"5-10 breaths\"."},
    ConfigKey{"stretch", "reps", "integer or range", "1", "Repetitions: 3 or \"10-12\"."},
    ConfigKey{"stretch", "per_side", "boolean", "false", "Done once on each side."},
    ConfigKey{"stretch", "targets", "body-area array", "", "Body areas the stretch works."},
    ConfigKey{"stretch", "position", "position", "", "\"seated\", \"standing\" or \"floor\"."},
    ConfigKey{"stretch", "equipment", "string array", "[]", "Equipment needed, e.g. \"foam-roller\"."},
    ConfigKey{"stretch", "tags", "string array", "[]", "Free-form tags that break rules draw from."},
    ConfigKey{"stretch", "caution", "string", "", "A safety note shown with the steps (optional)."},
    ConfigKey{"stretch", "variation_of", "string", "",
              "Id of the harder stretch this one is an easier form of (optional); the links must not loop."},
};

}  // namespace

std::span<const ConfigKey> config_keys() { return keys; }

std::vector<std::string> config_keys_of(std::string_view section) {
    std::vector<std::string> out;
    for (const auto& k : keys)
        if (k.section == section) out.emplace_back(k.key);
    return out;
}

}  // namespace stretch
