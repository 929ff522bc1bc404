#pragma once
// The words of a reminder bubble: summary and body, in plain text or in the
// small markup subset notification servers understand. Pure, so that what
// the user reads is tested without a desktop.

#include <string>
#include <string_view>

#include "core/effects.hpp"
#include "core/stretch.hpp"

namespace stretch {

struct NotificationText {
    std::string summary;
    std::string body;
};

struct TextOptions {
    bool markup = false;      // the server has body-markup: bold names, escaped text
    bool actions = true;      // the server has buttons; without, the body names the commands
    bool full_steps = false;  // every step (after a click on the bubble)
};

// "Micro break — 30s" over the suggested stretch: its first steps, how to
// hold it and how often, and its caution.
NotificationText reminder_text(const Reminder& reminder, const Stretch* stretch, const TextOptions& options);

// "Micro break — 30s": the rule's name, capitalised, and the break's length
// when it is known.
// The first line of a reminder shown as the call it waited for ends.
std::string after_call_line(Duration call);
std::string break_title(std::string_view rule, Duration length);

// How often to do a stretch: "once", "twice", "3 times", "10-12 times",
// with " each side" for a stretch done on both sides.
std::string repetitions(const Reps& reps, bool per_side);

// Escapes &, < and > so user-written text cannot be read as markup.
std::string escape_markup(std::string_view text);

// The old name of format_elapsed (core/duration.hpp), for callers not yet moved.
std::string spoken_duration(Duration d);

}  // namespace stretch
