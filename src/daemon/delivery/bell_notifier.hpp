#pragma once
// Reminders as a line and a terminal bell for whoever runs `stretch watch`
// in a terminal: the last resort when there is no desktop to show a bubble
// on. Available only while such a terminal is subscribed (subscribe with
// "bell": true); a status bar would swallow the bell, so it does not count.

#include "core/notification_text.hpp"
#include "daemon/delivery/notifier.hpp"
#include "daemon/server/server.hpp"
#include "shared/protocol.hpp"

namespace stretch {

class BellNotifier : public Notifier {
public:
    explicit BellNotifier(Server& server) : server_(server) {}
    bool available() const override { return server_.bell_ringers() > 0; }
    void show(const Reminder& reminder, const Stretch* stretch, const Notify&) override {
        auto text = reminder_text(reminder, stretch, TextOptions{false, false, false});
        server_.broadcast(protocol::event_line("bell", {{"break", reminder.rule}, {"text", text.summary}}));
    }
    void close() override {}
    std::string describe() const override { return "bell: to the terminals running stretch watch"; }

private:
    Server& server_;
};

}  // namespace stretch
