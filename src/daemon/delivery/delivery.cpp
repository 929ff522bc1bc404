#include "daemon/delivery/delivery.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "core/duration.hpp"

namespace stretch {

Delivery::Delivery(EventLoop& loop, const Config& config, Notifiers notifiers,
                   std::unique_ptr<FullscreenProbe> fullscreen, Listener listener,
                   std::chrono::milliseconds recheck_every)
    : config_(config),
      listener_(std::move(listener)),
      notifiers_(std::move(notifiers)),
      fullscreen_(std::move(fullscreen)),
      recheck_every_(recheck_every) {
    for (auto& [method, notifier] : notifiers_)
        notifier->listen(Notifier::Listener{[this](ReminderAction a) {
                                                if (listener_.on_action) listener_.on_action(a);
                                            },
                                            [this] { changed(); }});
    fullscreen_->listen([this] { changed(); });
    recheck_ = loop.add_timer(CLOCK_MONOTONIC, [this] { changed(); });
    hold_timer_ = loop.add_timer(CLOCK_MONOTONIC, [this] { hold_ran_out(); });
}

std::optional<HeldReason> Delivery::do_not_disturb() {
    // Any notifier's quiet counts, configured or not: a paused notification
    // server means the user asked for quiet, whichever way reminders go.
    for (auto& [method, notifier] : notifiers_)
        if (notifier->do_not_disturb()) return HeldReason::do_not_disturb;
    if (fullscreen_->focused_window_fullscreen()) return HeldReason::fullscreen;
    return std::nullopt;
}

void Delivery::show(const Reminder& r) {
    current_ = r;
    if (!hold_spent_ && config_.notify.hold_max > Duration::zero())
        if (auto reason = do_not_disturb()) return hold(r, *reason);
    held_.reset();
    hold_timer_.disarm();
    put_up(r);
}

void Delivery::hold(const Reminder& r, HeldReason reason) {
    if (!held_) {
        spdlog::info("holding the reminder for \"{}\": {}", r.rule, held_reason_name(reason));
        hold_timer_.arm_in(config_.notify.hold_max);
    }
    held_ = r;
    held_reason_ = reason;
    if (reason == HeldReason::fullscreen) recheck_.arm_in(recheck_every_);
}

void Delivery::hold_ran_out() {
    if (!held_) return;
    spdlog::info("reminder held for {} ({}) is shown anyway", format_duration(config_.notify.hold_max),
                 held_reason_name(held_reason_));
    // This reminder has waited its share: it and its re-reminders go out
    // even though do-not-disturb goes on.
    hold_spent_ = true;
    show(*std::exchange(held_, std::nullopt));
}

void Delivery::put_up(const Reminder& r) {
    Notifier* n = preferred();
    if (shown_by_ && shown_by_ != n) shown_by_->close();
    shown_by_ = n;
    if (!n) {
        spdlog::warn("reminder for \"{}\" reached no one: none of [notify] methods is available now", r.rule);
        return;
    }
    n->show(r, config_.find_stretch(r.stretch_id), config_.notify);
}

void Delivery::close() {
    hold_spent_ = false;
    current_.reset();
    held_.reset();
    hold_timer_.disarm();
    if (shown_by_) shown_by_->close();
    shown_by_ = nullptr;
}

void Delivery::changed() {
    auto dnd = do_not_disturb();
    if (hold_spent_ && !dnd) hold_spent_ = false;  // the do-not-disturb spell is over
    if (held_) {
        if (dnd)
            hold(*held_, *dnd);
        else
            show(*std::exchange(held_, std::nullopt));  // do-not-disturb is over
    } else if (current_ && (preferred() != shown_by_ || (shown_by_ && !shown_by_->showing()))) {
        // A better way appeared (a notification server started) or the one in
        // use went away or lost the bubble (it restarted): put the reminder up there.
        show(*current_);
    }
    if (listener_.on_change) listener_.on_change();
}

std::optional<HeldReason> Delivery::held() const {
    if (held_) return held_reason_;
    return std::nullopt;
}

Notifier* Delivery::notifier_for(Notify::Method m) const {
    auto it = notifiers_.find(m);
    return it == notifiers_.end() ? nullptr : it->second.get();
}

Notifier* Delivery::preferred() const {
    for (auto m : config_.notify.methods)
        if (Notifier* n = notifier_for(m); n && n->available()) return n;
    return nullptr;
}

nlohmann::json Delivery::describe() const {
    nlohmann::json out = {{"methods", nlohmann::json::array()},
                          {"shown_by", shown_by_ ? nlohmann::json(shown_by_->describe()) : nlohmann::json(nullptr)}};
    for (auto m : config_.notify.methods) {
        Notifier* n = notifier_for(m);
        out["methods"].push_back(
            {{"method", notify_method_name(m)},
             {"available", n && n->available()},
             {"detail", n ? n->describe() : fmt::format("{}: not built in", notify_method_name(m))}});
    }
    return out;
}

}  // namespace stretch
