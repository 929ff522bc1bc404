#include "daemon/delivery/delivery.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "core/duration.hpp"

namespace stretch {
namespace {

// held_by for a notifier's own quiet (dunst paused, KDE Inhibited).
constexpr const char* notification_server = "notification server";

}  // namespace

Delivery::Delivery(EventLoop& loop, const Config& config, Notifiers notifiers,
                   std::unique_ptr<FullscreenProbe> fullscreen, Listener listener,
                   std::chrono::milliseconds recheck_every, QuietSources quiet)
    : config_(config),
      listener_(std::move(listener)),
      notifiers_(std::move(notifiers)),
      fullscreen_(std::move(fullscreen)),
      quiet_(std::move(quiet)),
      recheck_every_(recheck_every) {
    for (auto& [method, notifier] : notifiers_)
        notifier->listen(Notifier::Listener{[this](ReminderAction a) {
                                                if (listener_.on_action) listener_.on_action(a);
                                            },
                                            [this] { changed(); }});
    fullscreen_->listen([this] { changed(); });
    for (auto& source : quiet_) source->listen([this] { changed(); });
    recheck_ = loop.add_timer(CLOCK_MONOTONIC, [this] {
        for (auto& source : quiet_) source->refresh();
        changed();
    });
    hold_timer_ = loop.add_timer(CLOCK_MONOTONIC, [this] { hold_ran_out(); });
}

std::optional<Delivery::Quiet> Delivery::do_not_disturb() {
    // Any notifier's or source's quiet counts, configured or not: a paused
    // notification server or a desktop set to do-not-disturb means the user
    // asked for quiet, whichever way reminders go.
    for (auto& [method, notifier] : notifiers_)
        if (notifier->do_not_disturb()) return Quiet{HeldReason::do_not_disturb, notification_server};
    for (auto& source : quiet_)
        if (source->quiet()) return Quiet{HeldReason::do_not_disturb, std::string(source->name())};
    if (fullscreen_->focused_window_fullscreen()) return Quiet{HeldReason::fullscreen, {}};
    return std::nullopt;
}

void Delivery::show(const Reminder& r) {
    if (!current_)
        for (auto& source : quiet_) source->refresh();
    current_ = r;
    if (!hold_spent_ && config_.notify.hold_max > Duration::zero())
        if (auto reason = do_not_disturb()) return hold(r, *reason);
    held_.reset();
    hold_timer_.disarm();
    put_up(r);
}

void Delivery::hold(const Reminder& r, const Quiet& why) {
    if (!held_) {
        spdlog::info("holding the reminder for \"{}\": {}{}", r.rule, held_reason_name(why.reason),
                     why.by.empty() ? "" : fmt::format(" ({})", why.by));
        hold_timer_.arm_in(config_.notify.hold_max);
    }
    held_ = r;
    held_reason_ = why.reason;
    held_by_ = why.by;
    // Nothing announces a full-screen window closing, nor a mode mako 1.7
    // leaves: ask again now and then while the reminder waits.
    recheck_.arm_in(recheck_every_);
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
    } else if (current_ && shown_by_ && dnd && !hold_spent_ && config_.notify.hold_max > Duration::zero() &&
               dnd->reason == HeldReason::do_not_disturb && dnd->by != notification_server) {
        // The desktop went quiet while the reminder was up (or mako 1.7,
        // which announces nothing, answered the ask made when it fell due):
        // take it down until the quiet ends, as if it had been quiet before.
        shown_by_->close();
        shown_by_ = nullptr;
        hold(*current_, *dnd);
    } else if (current_ && (preferred() != shown_by_ || (shown_by_ && !shown_by_->showing()))) {
        // A better way appeared (a notification server started) or the one in
        // use went away or lost the bubble (it restarted): put the reminder up there.
        show(*current_);
    }
    if (listener_.on_change) listener_.on_change();
}

bool Delivery::settling() const {
    for (auto& [method, notifier] : notifiers_)
        if (notifier->settling()) return true;
    return false;
}

std::optional<HeldReason> Delivery::held() const {
    if (held_) return held_reason_;
    return std::nullopt;
}

std::string Delivery::held_by() const { return held_ ? held_by_ : std::string(); }

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

nlohmann::json Delivery::describe_quiet() const {
    nlohmann::json out = {{"sources", nlohmann::json::array()}, {"warnings", nlohmann::json::array()}};
    for (auto& source : quiet_) {
        out["sources"].push_back(
            {{"source", std::string(source->name())}, {"quiet", source->quiet()}, {"detail", source->describe()}});
        if (auto w = source->warning()) out["warnings"].push_back({{"problem", w->problem}, {"fix", w->fix}});
    }
    return out;
}

}  // namespace stretch
