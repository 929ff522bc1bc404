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
    bool full_steps = false;  // every step and the caution (after a click on the bubble)
};

// "Time to stretch — 52 min sitting" and the suggested stretch.
NotificationText reminder_text(const Reminder& reminder, const Stretch* stretch, const TextOptions& options);

// Escapes &, < and > so user-written text cannot be read as markup.
std::string escape_markup(std::string_view text);

// "52 min", "1 h 05 min": for reading, not for parsing.
std::string spoken_duration(Duration d);

}  // namespace stretch
