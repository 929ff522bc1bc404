#pragma once
// Where the desktop keeps do-not-disturb outside the notification server:
// GNOME's show-banners setting, mako's modes, swaync's panel. Delivery asks
// each source before a reminder goes up and holds it while any is quiet (at
// most [notify] hold_max). Real sources live in delivery/quiet/; tests use
// tests/fakes/fake_quiet_source.hpp. Everything is called on the loop thread.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace stretch {

// A problem a source sees that the user can fix, for `doctor`.
struct QuietWarning {
    std::string problem;
    std::string fix;
    friend bool operator==(const QuietWarning&, const QuietWarning&) = default;
};

class QuietSource {
public:
    virtual ~QuietSource() = default;

    // Set once by delivery. A source calls it whenever quiet() (or its
    // description) may have changed; sources learn of changes from signals.
    void listen(std::function<void()> on_change) { on_change_ = std::move(on_change); }

    // The `held_by` of `status` and the name in `doctor`: "gnome", "mako", "swaync".
    virtual std::string_view name() const = 0;
    // The user asked for quiet here. False when the server is absent or has
    // not answered yet: a reminder is never held for a setting nobody keeps.
    virtual bool quiet() const = 0;
    // One line for `doctor`: what is watched and what it says now.
    virtual std::string describe() const = 0;
    // Something the user should know and can fix (GNOME's own break
    // reminders on as well), with the fix; for `doctor`.
    virtual std::optional<QuietWarning> warning() const { return std::nullopt; }
    // Ask the desktop again; the answer comes later, through the listener.
    // Delivery calls it when a reminder becomes due and while one waits, for
    // sources that cannot hear every change (mako 1.7); the rest ignore it.
    virtual void refresh() {}

protected:
    void changed() const {
        if (on_change_) on_change_();
    }

private:
    std::function<void()> on_change_;
};

using QuietSources = std::vector<std::unique_ptr<QuietSource>>;

}  // namespace stretch
