#pragma once
// Getting a reminder in front of the user: the first available of
// [notify] methods (desktop, command, bell), held back while the
// notification server is paused or a full-screen window is focused (for at
// most hold_max), and moved to a better way when one appears (a notification
// server starting, or restarting, while a reminder is up).

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/config.hpp"
#include "daemon/delivery/bell_notifier.hpp"
#include "daemon/delivery/command_notifier.hpp"
#include "daemon/delivery/desktop_notifier.hpp"
#include "daemon/plumbing/event_loop.hpp"
#include "daemon/delivery/x11_fullscreen.hpp"

namespace stretch {

class Delivery {
public:
    struct Listener {
        std::function<void(ReminderAction)> on_action;  // a button on the bubble
        std::function<void()> on_change;                // something for STATUS= and status to show
    };

    // `config` is read at each use, so a reload takes effect at once.
    // `display` tells the full-screen check which X display to watch.
    Delivery(EventLoop& loop, Server& server, const Config& config, DisplayEnvironment& display, Listener listener);

    void show(const Reminder& reminder);
    void close();
    // Why the reminder up is being held back, if it is.
    std::optional<std::string> held() const;
    // For `status`: each method, whether it is available, and who shows the reminder.
    nlohmann::json describe() const;
    // A way to remind may have come or gone (a notification server, a
    // terminal that rings): the reminder up moves to the best one now.
    void changed();

private:
    std::optional<std::string> do_not_disturb();
    Notifier* notifier_for(Notify::Method method) const;
    Notifier* preferred() const;

    EventLoop& loop_;
    const Config& config_;
    Listener listener_;
    std::unique_ptr<DesktopNotifier> desktop_;
    std::unique_ptr<CommandNotifier> command_;
    std::unique_ptr<BellNotifier> bell_;
    X11Fullscreen fullscreen_;

    std::optional<Reminder> current_;  // the reminder up, wherever it is shown
    Notifier* shown_by_ = nullptr;
    std::optional<Reminder> held_;     // waiting for do-not-disturb to end
    std::string held_reason_;
    bool hold_spent_ = false;          // the reminder up has been held its hold_max already
    EventSource hold_timer_;
    EventSource recheck_;
};

}  // namespace stretch
