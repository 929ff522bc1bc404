#pragma once
// Reminders as freedesktop notifications (org.freedesktop.Notifications on
// the session bus), through sd-bus on the daemon's loop. Every call is
// asynchronous: a slow, absent or restarting server never stalls the loop.
//
// It copes with the world changing under it: the server can come and go
// (NameOwnerChanged; a new one's capabilities are asked again), and the
// session bus itself can be missing or go away (logged once, retried with
// back-off). ActionInvoked and NotificationClosed are taken on the same
// connection that sent Notify, since some servers send them only there, and
// only from the connection that owns the server's name now: GNOME 43 sends
// each twice, from the shell and from its helper that owns the name.
//
// A server that is still starting answers GetServerInformation or
// GetCapabilities with an error, or without "actions" though it has buttons
// (GNOME's helper before the shell is ready): they are asked again with
// back-off, a bounded number of times, and a reminder that is up is shown
// again when buttons arrive. How a reminder is shown on each server comes
// from server_policy.hpp.

#include <chrono>
#include <array>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "daemon/plumbing/bus.hpp"
#include "daemon/plumbing/event_loop.hpp"
#include "daemon/delivery/notifier.hpp"
#include "daemon/delivery/server_policy.hpp"

namespace stretch {

class DesktopNotifier : public Notifier {
public:
    explicit DesktopNotifier(EventLoop& loop);

    bool available() const override;
    void show(const Reminder& reminder, const Stretch* stretch, const Notify& settings) override;
    void close() override;
    std::string describe() const override;

    // A bubble is up, or on its way, or the user dismissed it.
    bool showing() const override { return reminder_ && (id_ != 0 || awaiting_id_ || dismissed_); }

    // The server says it is holding notifications back: dunst's
    // org.dunstproject.cmd0 `paused`, or `Inhibited` on the notification
    // interface itself (KDE Plasma's do-not-disturb).
    bool settling() const override { return awaiting_id_; }
    bool do_not_disturb() const override { return !owner_.empty() && (paused_[0] || paused_[1]); }

private:
    void connected(sd_bus* bus);
    void server_appeared(std::string owner);
    void server_gone();
    void ask_server();
    void on_server_information(std::uint64_t generation, sd_bus_message* reply);
    void on_capabilities(std::uint64_t generation, sd_bus_message* reply);
    void ask_again(std::string_view why);
    bool from_server(sd_bus_message* signal) const;
    void send_notify(bool full_steps);
    void on_notify_reply(std::uint64_t generation, sd_bus_message* reply);
    void close_bubble();
    void on_action(std::uint32_t id, std::string_view key);
    void on_closed(std::uint32_t id, std::uint32_t reason);
    void on_properties_changed(sd_bus_message* m);
    bool has(std::string_view capability) const { return capabilities_.count(std::string(capability)) > 0; }

    // On this notifier's own connection (see bus.hpp).
    void call_async(sd_bus_message* call, BusHandler on_reply);
    void match(const char* sender, const char* path, const char* interface, const char* member, BusHandler on_signal);
    BusMessage new_call(const char* destination, const char* path, const char* interface, const char* member);

    std::string owner_;  // the server's unique name; empty when none
    std::string server_info_;
    std::set<std::string> capabilities_;
    bool capabilities_known_ = false;  // we wait for them before the first Notify
    NotificationServer server_ = NotificationServer::other;
    ServerPolicy policy_ = server_policy(NotificationServer::other);
    int asked_again_ = 0;  // since the server appeared; bounded by max_asks (desktop_notifier.cpp)
    EventSource ask_timer_;
    std::array<bool, 2> paused_{};  // per entry of do_not_disturb_properties (desktop_notifier.cpp)

    // The bubble: the reminder it shows and the id the server gave it.
    std::optional<Reminder> reminder_;
    const Stretch* stretch_ = nullptr;
    Notify settings_;
    std::uint32_t id_ = 0;
    // One Notify in flight at a time: a second one sent before the first
    // is answered would carry no id to replace and open a second bubble.
    // What was asked meanwhile is done when the id arrives.
    enum class WhenIdArrives { nothing, resend, close };
    bool awaiting_id_ = false;
    WhenIdArrives when_id_arrives_ = WhenIdArrives::nothing;
    std::uint64_t server_generation_ = 0;  // a reply from a server that has gone is ignored
    bool full_steps_ = false;
    bool dismissed_ = false;  // the user closed the bubble: wait for the next reminder

    BusLink bus_;  // last: its callbacks use everything above
};

}  // namespace stretch
