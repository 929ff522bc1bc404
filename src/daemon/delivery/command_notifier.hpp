#pragma once
// Reminders through a program the user names ([notify] command): run as an
// argv array, never through a shell, with the reminder in environment
// variables; killed if it outlives command_timeout; its exit status logged.

#include <list>
#include <memory>

#include "daemon/plumbing/event_loop.hpp"
#include "daemon/delivery/notifier.hpp"

namespace stretch {

class CommandNotifier : public Notifier {
public:
    // `settings` is read at each call, so a reload takes effect at once.
    CommandNotifier(EventLoop& loop, const Notify& settings);
    bool available() const override { return !settings_.command.empty(); }
    void show(const Reminder& reminder, const Stretch* stretch, const Notify& settings) override;
    void close() override {}
    std::string describe() const override;
    std::size_t running() const { return children_.size(); }

private:
    struct Child {
        pid_t pid = 0;
        EventSource exited;
        EventSource timeout;
    };
    void reap(Child* child, const siginfo_t& info);

    EventLoop& loop_;
    const Notify& settings_;
    std::list<std::unique_ptr<Child>> children_;
    EventSource reaper_;
};

}  // namespace stretch
