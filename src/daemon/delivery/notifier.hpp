#pragma once
// The edge where reminders leave the daemon for the desktop. One interface,
// one real implementation per way of reaching the user (made in
// notifiers.cpp), and a recording fake in tests (tests/fakes/recording_notifier.hpp).
// Everything is called on the loop thread.

#include <functional>
#include <string>

#include "core/config.hpp"
#include "core/effects.hpp"

namespace stretch {

// A button pressed on a reminder bubble.
enum class ReminderAction { done, snooze, skip };

class Notifier {
public:
    struct Listener {
        std::function<void(ReminderAction)> on_action;  // a button on the bubble
        // available(), showing() or do_not_disturb() may have changed.
        std::function<void()> on_change;
    };

    virtual ~Notifier() = default;

    // Set once by whoever delivers through this notifier. Notifiers report
    // nothing from their constructors, so none is missed before this call.
    void listen(Listener listener) { listener_ = std::move(listener); }

    // Whether this way of notifying can reach the user right now.
    virtual bool available() const = 0;
    // Shows the reminder, replacing any bubble this notifier has up.
    virtual void show(const Reminder& reminder, const Stretch* stretch, const Notify& settings) = 0;
    // Takes the bubble down, if there is one.
    virtual void close() = 0;
    // False when the reminder last shown was lost by no act of the user (a
    // notification server restarted, or answered before it was ready) and
    // must be shown again. A notifier that fires and forgets has nothing to redo.
    virtual bool showing() const { return true; }
    // The user asked this way of notifying for quiet (a paused notification
    // server): reminders wait, at most [notify] hold_max.
    virtual bool do_not_disturb() const { return false; }
    // Something asked of the server is still on its way back (a bubble's id,
    // without which it cannot be closed): the process should not end yet.
    virtual bool settling() const { return false; }
    // One line for `stretch status` and the log.
    virtual std::string describe() const = 0;

protected:
    void acted(ReminderAction action) const {
        if (listener_.on_action) listener_.on_action(action);
    }
    void changed() const {
        if (listener_.on_change) listener_.on_change();
    }

private:
    Listener listener_;
};

}  // namespace stretch
