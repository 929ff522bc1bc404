#pragma once
// GNOME's do-not-disturb and GNOME's own break reminders, both in dconf:
// /org/gnome/desktop/notifications/show-banners = false is do-not-disturb
// (unset means the default, banners shown), and a non-empty
// /org/gnome/desktop/break-reminders/selected-breaks (GNOME 48+) means the
// user gets GNOME's reminders as well as ours (a warning for doctor).
//
// dconf announces each write with ca.desrt.dconf.Writer `Notify` on the
// session bus, without the value: the keys are read when a write touches
// them, and once at start.
//
// Why `dconf read` in a child (dconf-cli) and not the database itself or
// GLib: the user database is a GVDB file, overlaid by system databases and
// locks that a profile (DCONF_PROFILE, /etc/dconf/profile) composes; reading
// it right means re-implementing GVDB and the profile rules. libdconf does
// that, but pulls GLib's main loop and type system into a daemon that has
// none. A child per write that matters (rare: a user toggling a setting)
// costs a few milliseconds off the loop, reads exactly what GNOME reads,
// and its output is a line short enough to take from the pipe when it exits.

#include <sys/types.h>

#include <chrono>
#include <list>
#include <optional>
#include <string>

#include "daemon/delivery/quiet_source.hpp"
#include "daemon/plumbing/bus.hpp"
#include "daemon/plumbing/event_loop.hpp"
#include "shared/unique_fd.hpp"

namespace stretch {

class GnomeQuiet : public QuietSource {
public:
    static constexpr const char* show_banners_key = "/org/gnome/desktop/notifications/show-banners";
    static constexpr const char* selected_breaks_key = "/org/gnome/desktop/break-reminders/selected-breaks";

    // `dconf read` answers in milliseconds (it reads a file); one still
    // running after `read_limit` hangs, is killed, and its key counts as unset.
    explicit GnomeQuiet(EventLoop& loop, std::chrono::milliseconds read_limit = std::chrono::seconds(10));

    std::string_view name() const override { return "gnome"; }
    bool quiet() const override { return banners_key_.value && *banners_key_.value == "false"; }
    std::string describe() const override;
    std::optional<QuietWarning> warning() const override;

    // For setup and tests: whether a dconf value of selected-breaks names any break.
    static bool breaks_selected(std::string_view value);

private:
    struct Key {
        const char* path;
        std::optional<std::string> value;  // dconf's text; empty text: unset
        bool reading = false;
        bool again = false;  // written while being read: read once more
    };
    struct Read {
        Key* key = nullptr;
        pid_t pid = 0;
        UniqueFd out;
        EventSource exited;
        EventSource timeout;  // a dconf that hangs is killed, and the key counts as unset
    };


    void connected(sd_bus* bus);
    void on_write(sd_bus_message* m);
    void read(Key& key);
    void finished(Read* read, const siginfo_t& info);

    EventLoop& loop_;
    std::chrono::milliseconds read_limit_;
    Key banners_key_{show_banners_key, std::nullopt, false, false};
    Key breaks_key_{selected_breaks_key, std::nullopt, false, false};
    std::string problem_;  // dconf could not be run
    std::list<Read> reads_;
    EventSource start_;
    EventSource reaper_;
    BusLink bus_;  // last: its callbacks use everything above
};

}  // namespace stretch
