#pragma once
// Getting a reminder in front of the user: the first available of
// [notify] methods (desktop, command, bell), held back while a notifier
// says do not disturb or a full-screen window is focused (for at most
// hold_max), and moved to a better way when one appears (a notification
// server starting, or restarting, while a reminder is up).
//
// The notifiers, the full-screen probe and the do-not-disturb sources are
// handed in (the daemon makes the real ones; tests pass recording fakes),
// and owned from then on.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>

#include <nlohmann/json.hpp>

#include "core/config.hpp"
#include "daemon/delivery/fullscreen_probe.hpp"
#include "daemon/delivery/held_reason.hpp"
#include "daemon/delivery/notifier.hpp"
#include "daemon/delivery/notifiers.hpp"
#include "daemon/delivery/quiet_source.hpp"
#include "daemon/plumbing/event_loop.hpp"

namespace stretch {

class Delivery {
public:
    struct Listener {
        std::function<void(ReminderAction)> on_action;  // a button on the bubble
        std::function<void()> on_change;                // something for STATUS= and status to show
    };

    // Nothing announces a full-screen window closing: while a reminder waits
    // for one, the probe is asked again this often.
    static constexpr std::chrono::milliseconds fullscreen_recheck = std::chrono::minutes(1);

    // `config` is read at each use, so a reload takes effect at once.
    // `fullscreen` must not be null.
    Delivery(EventLoop& loop, const Config& config, Notifiers notifiers, std::unique_ptr<FullscreenProbe> fullscreen,
             Listener listener, std::chrono::milliseconds recheck_every = fullscreen_recheck,
             QuietSources quiet = {});

    void show(const Reminder& reminder);
    void close();
    // Why the reminder up is being held back, if it is.
    std::optional<HeldReason> held() const;
    // A notifier still waits for an answer it needs to finish (the id of a
    // bubble that close() must take down); it calls changed() when it has it.
    bool settling() const;
    // Who holds it for do-not-disturb: a quiet source's name ("gnome",
    // "mako", "swaync") or "notification server" (dunst paused, KDE
    // Inhibited); empty when nothing is held for do-not-disturb.
    std::string held_by() const;
    // For `status`: each method, whether it is available, and who shows the reminder.
    nlohmann::json describe() const;
    // For `doctor`: each do-not-disturb source, whether it says quiet, and
    // what it sees; plus warnings (GNOME's own break reminders).
    nlohmann::json describe_quiet() const;
    // A way to remind may have come or gone (a notification server, a
    // terminal that rings), or do-not-disturb begun or ended: the reminder
    // up moves to the best way now, or comes out of its hold.
    void changed();

private:
    struct Quiet {
        HeldReason reason;
        std::string by;
    };
    std::optional<Quiet> do_not_disturb();
    void hold(const Reminder& reminder, const Quiet& why);
    void hold_ran_out();
    void put_up(const Reminder& reminder);
    Notifier* notifier_for(Notify::Method method) const;
    Notifier* preferred() const;

    const Config& config_;
    Listener listener_;
    Notifiers notifiers_;
    std::unique_ptr<FullscreenProbe> fullscreen_;
    QuietSources quiet_;
    std::chrono::milliseconds recheck_every_;

    std::optional<Reminder> current_;  // the reminder up, wherever it is shown
    Notifier* shown_by_ = nullptr;
    std::optional<Reminder> held_;     // waiting for do-not-disturb to end
    HeldReason held_reason_ = HeldReason::do_not_disturb;
    std::string held_by_;
    bool hold_spent_ = false;          // the reminder up has been held its hold_max already
    EventSource hold_timer_;
    EventSource recheck_;
};

}  // namespace stretch
