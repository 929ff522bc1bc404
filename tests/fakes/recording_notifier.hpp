#pragma once
// A Notifier that records what it was asked (show and close, in order, with
// the reminder shown) and answers available(), showing() and
// do_not_disturb() as the test sets them. Setting one of those calls the
// listener, as a real notifier does when its world changes.

#include <string>
#include <vector>

#include "daemon/delivery/notifier.hpp"

namespace stretch::test {

class RecordingNotifier : public Notifier {
public:
    struct Call {
        enum class Kind { show, close } kind;
        std::string rule;  // the reminder's break, for show
        int count = 0;     // the reminder's count, for show
        friend bool operator==(const Call&, const Call&) = default;
    };

    explicit RecordingNotifier(std::string name, bool available = true)
        : name_(std::move(name)), available_(available) {}

    bool available() const override { return available_; }
    void show(const Reminder& reminder, const Stretch*, const Notify&) override {
        calls.push_back({Call::Kind::show, reminder.rule, reminder.count});
        showing_ = true;
    }
    void close() override {
        calls.push_back({Call::Kind::close, {}, 0});
        showing_ = false;
    }
    bool showing() const override { return showing_; }
    bool do_not_disturb() const override { return do_not_disturb_; }
    std::string describe() const override { return name_ + ": recording"; }

    void set_available(bool on) {
        available_ = on;
        changed();
    }
    // The bubble lost by no act of the user (the server restarted).
    void lose_bubble() {
        showing_ = false;
        changed();
    }
    void set_do_not_disturb(bool on) {
        do_not_disturb_ = on;
        changed();
    }
    void press(ReminderAction action) const { acted(action); }

    // The reminders shown, as "rule#count", for short comparisons.
    std::vector<std::string> shown() const {
        std::vector<std::string> out;
        for (auto& c : calls)
            if (c.kind == Call::Kind::show) out.push_back(c.rule + "#" + std::to_string(c.count));
        return out;
    }
    int closes() const {
        int n = 0;
        for (auto& c : calls) n += c.kind == Call::Kind::close;
        return n;
    }

    std::vector<Call> calls;

private:
    std::string name_;
    bool available_;
    bool showing_ = false;
    bool do_not_disturb_ = false;
};

}  // namespace stretch::test
