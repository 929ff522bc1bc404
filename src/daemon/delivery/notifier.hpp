#pragma once
// The edge where reminders leave the daemon for the desktop. One interface,
// one real implementation per way of reaching the user, and a recording
// fake in tests.

#include <functional>
#include <string>

#include "core/config.hpp"
#include "core/effects.hpp"

namespace stretch {

// A button pressed on a reminder bubble.
enum class ReminderAction { done, snooze, skip };

class Notifier {
public:
    virtual ~Notifier() = default;
    // Whether this way of notifying can reach the user right now.
    virtual bool available() const = 0;
    // Shows the reminder, replacing any bubble this notifier has up.
    virtual void show(const Reminder& reminder, const Stretch* stretch, const Notify& settings) = 0;
    // Takes the bubble down, if there is one.
    virtual void close() = 0;
    // One line for `stretch status` and the log.
    virtual std::string describe() const = 0;
};

}  // namespace stretch
