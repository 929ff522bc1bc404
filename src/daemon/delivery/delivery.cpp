#include "daemon/delivery/delivery.hpp"

#include <spdlog/spdlog.h>

#include "core/duration.hpp"

namespace stretch {
namespace {

constexpr std::uint64_t fullscreen_recheck_usec = 60'000'000;

std::uint64_t usec(Duration d) { return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(d).count()); }

}  // namespace

Delivery::Delivery(EventLoop& loop, Server& server, const Config& config, DisplayEnvironment& display, Listener listener)
    : loop_(loop), config_(config), listener_(std::move(listener)), fullscreen_(loop, display, [this] { changed(); }) {
    command_ = std::make_unique<CommandNotifier>(loop_, config_.notify);
    bell_ = std::make_unique<BellNotifier>(server);
    desktop_ = std::make_unique<DesktopNotifier>(
        loop_, DesktopNotifier::Listener{[this](ReminderAction a) { listener_.on_action(a); }, [this] { changed(); }});
    // Nothing announces a full-screen window closing: look again now and then while holding.
    recheck_ = loop_.add_timer(CLOCK_MONOTONIC, 0, [this] { changed(); });
    hold_timer_ = loop_.add_timer(CLOCK_MONOTONIC, 0, [this] {
        if (!held_) return;
        spdlog::info("reminder held for {} ({}) is shown anyway", format_duration(config_.notify.hold_max), held_reason_);
        // This reminder has waited its share: it and its re-reminders go out
        // even though do-not-disturb goes on.
        hold_spent_ = true;
        show(*std::exchange(held_, std::nullopt));
    });
}

std::optional<std::string> Delivery::do_not_disturb() {
    if (desktop_->do_not_disturb()) return "do_not_disturb";
    if (fullscreen_.focused_window_fullscreen()) return "fullscreen";
    return std::nullopt;
}

void Delivery::show(const Reminder& r) {
    const Notify& settings = config_.notify;
    current_ = r;
    if (auto dnd = hold_spent_ ? std::nullopt : do_not_disturb(); dnd && settings.hold_max > Duration::zero()) {
        if (!held_) {
            spdlog::info("holding the reminder for \"{}\": {}", r.rule, *dnd);
            hold_timer_.set_time(loop_.now(CLOCK_MONOTONIC) + usec(settings.hold_max));
        }
        held_ = r;
        held_reason_ = *dnd;
        if (*dnd == "fullscreen") recheck_.set_time(loop_.now(CLOCK_MONOTONIC) + fullscreen_recheck_usec);
        return;
    }
    held_.reset();
    hold_timer_.set_time(0);
    Notifier* n = preferred();
    if (shown_by_ && shown_by_ != n) shown_by_->close();
    shown_by_ = n;
    if (!n) {
        spdlog::warn("reminder for \"{}\" reached no one: none of [notify] methods is available now", r.rule);
        return;
    }
    n->show(r, config_.find_stretch(r.stretch_id), settings);
}

void Delivery::close() {
    hold_spent_ = false;
    current_.reset();
    held_.reset();
    hold_timer_.set_time(0);
    if (shown_by_) shown_by_->close();
    shown_by_ = nullptr;
}

void Delivery::changed() {
    if (hold_spent_ && !do_not_disturb()) hold_spent_ = false;  // the do-not-disturb spell is over
    if (held_) {
        if (auto dnd = do_not_disturb()) {
            held_reason_ = *dnd;
            if (*dnd == "fullscreen") recheck_.set_time(loop_.now(CLOCK_MONOTONIC) + fullscreen_recheck_usec);
        } else {
            show(*std::exchange(held_, std::nullopt));  // do-not-disturb is over
        }
    } else if (current_ && (preferred() != shown_by_ || (shown_by_ == desktop_.get() && !desktop_->showing()))) {
        // A better way appeared (a notification server started) or the one in
        // use went away or restarted: put the reminder up there.
        show(*current_);
    }
    if (listener_.on_change) listener_.on_change();
}

std::optional<std::string> Delivery::held() const {
    if (held_) return held_reason_;
    return std::nullopt;
}

Notifier* Delivery::notifier_for(Notify::Method m) const {
    switch (m) {
        case Notify::Method::desktop: return desktop_.get();
        case Notify::Method::command: return command_.get();
        case Notify::Method::bell: return bell_.get();
    }
    return nullptr;
}

Notifier* Delivery::preferred() const {
    for (auto m : config_.notify.methods)
        if (Notifier* n = notifier_for(m); n->available()) return n;
    return nullptr;
}

nlohmann::json Delivery::describe() const {
    nlohmann::json out = {{"methods", nlohmann::json::array()},
                          {"shown_by", shown_by_ ? nlohmann::json(shown_by_->describe()) : nlohmann::json(nullptr)}};
    for (auto m : config_.notify.methods) {
        Notifier* n = notifier_for(m);
        out["methods"].push_back({{"method", notify_method_name(m)}, {"available", n->available()}, {"detail", n->describe()}});
    }
    return out;
}

}  // namespace stretch
