#include "daemon/delivery/desktop_notifier.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <utility>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include "core/duration.hpp"
#include "core/notification_text.hpp"

namespace stretch {
namespace {

constexpr const char* service = "org.freedesktop.Notifications";
constexpr const char* object = "/org/freedesktop/Notifications";
// The installed data/stretch.desktop and its icon, so the desktop shows
// stretch's own name and icon and lists it in its notification settings.
constexpr const char* app_name = "stretch";
constexpr const char* app_icon = "stretch";
constexpr const char* desktop_entry = "stretch";

// Where servers say they hold notifications back (do not disturb), as
// boolean properties on the notification object. Servers without one answer
// Get with an error, which is the same as "no".
struct DndProperty {
    const char* interface;
    const char* name;
};
constexpr std::array<DndProperty, 2> do_not_disturb_properties = {{
    {"org.dunstproject.cmd0", "paused"},           // dunst
    {"org.freedesktop.Notifications", "Inhibited"},  // KDE Plasma
}};

// Asking a server that is still starting again: 0.25 s, doubling, at most
// this many times (about 30 s in all), then what it said last stands.
constexpr int max_asks = 7;
constexpr std::chrono::milliseconds first_ask_delay{250};

// The notification spec's urgency levels.
constexpr std::uint8_t urgency_normal = 1;
constexpr std::uint8_t urgency_critical = 2;

}  // namespace

DesktopNotifier::DesktopNotifier(EventLoop& loop)
    : ask_timer_(loop.add_timer(CLOCK_MONOTONIC, [this] { ask_server(); })),
      bus_(loop, BusLink::Kind::session, "desktop notifications",
           BusLink::Listener{[this](sd_bus* bus) { connected(bus); }, [this] { server_gone(); }, {}}) {}

BusMessage DesktopNotifier::new_call(const char* destination, const char* path, const char* interface, const char* member) {
    return bus_new_call(bus_.get(), destination, path, interface, member);
}

void DesktopNotifier::call_async(sd_bus_message* call, BusHandler on_reply) { bus_call_async(bus_.get(), call, std::move(on_reply)); }

void DesktopNotifier::match(const char* sender, const char* path, const char* interface, const char* member, BusHandler on_signal) {
    bus_match(bus_.get(), sender, path, interface, member, std::move(on_signal));
}

void DesktopNotifier::connected(sd_bus*) {
    bus_watch_owner(bus_.get(), service, [this](std::string_view old_owner, std::string_view new_owner) {
        if (!old_owner.empty()) server_gone();
        if (!new_owner.empty()) server_appeared(std::string(new_owner));
    });
    match(nullptr, object, service, "ActionInvoked", [this](sd_bus_message* m) {
        std::uint32_t id = 0;
        const char* key = nullptr;
        if (from_server(m) && sd_bus_message_read(m, "us", &id, &key) >= 0) on_action(id, key);
    });
    match(nullptr, object, service, "NotificationClosed", [this](sd_bus_message* m) {
        std::uint32_t id = 0, reason = 0;
        if (from_server(m) && sd_bus_message_read(m, "uu", &id, &reason) >= 0) on_closed(id, reason);
    });
    match(nullptr, object, "org.freedesktop.DBus.Properties", "PropertiesChanged",
          [this](sd_bus_message* m) { on_properties_changed(m); });

    auto call = new_call("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "GetNameOwner");
    if (call && sd_bus_message_append(call.get(), "s", service) >= 0)
        call_async(call.get(), [this](sd_bus_message* reply) {
            const char* owner = nullptr;
            if (bus_error_of(reply).empty() && sd_bus_message_read(reply, "s", &owner) >= 0) {
                server_appeared(owner);
            } else {
                spdlog::info("no notification server on the session bus yet; reminders use the fallbacks until one appears");
                changed();
            }
        });
}

bool DesktopNotifier::from_server(sd_bus_message* signal) const {
    const char* sender = sd_bus_message_get_sender(signal);
    return sender && !owner_.empty() && owner_ == sender;
}

void DesktopNotifier::server_appeared(std::string owner) {
    owner_ = std::move(owner);
    capabilities_.clear();
    capabilities_known_ = false;
    server_ = NotificationServer::other;
    policy_ = server_policy(server_);
    paused_ = {};
    asked_again_ = 0;
    ask_timer_.disarm();
    ask_server();
    for (std::size_t i = 0; i < do_not_disturb_properties.size(); ++i) {
        auto [interface, name] = do_not_disturb_properties[i];
        auto get = new_call(service, object, "org.freedesktop.DBus.Properties", "Get");
        if (get && sd_bus_message_append(get.get(), "ss", interface, name) >= 0)
            call_async(get.get(), [this, i](sd_bus_message* reply) {
                int value = 0;
                if (bus_error_of(reply).empty() && sd_bus_message_read(reply, "v", "b", &value) >= 0) {
                    paused_[i] = value;
                    changed();
                }
            });
    }
    changed();
}

// What the server is, then what it can do: the policy decides whether an
// answer without buttons is believed.
void DesktopNotifier::ask_server() {
    if (owner_.empty()) return;
    auto info = new_call(service, object, service, "GetServerInformation");
    if (!info) return;
    call_async(info.get(), [this, generation = server_generation_](sd_bus_message* reply) {
        on_server_information(generation, reply);
    });
}

void DesktopNotifier::on_server_information(std::uint64_t generation, sd_bus_message* reply) {
    if (generation != server_generation_) return;
    const char *name = nullptr, *vendor = nullptr, *version = nullptr, *spec = nullptr;
    if (auto error = bus_error_of(reply);
        !error.empty() || sd_bus_message_read(reply, "ssss", &name, &vendor, &version, &spec) < 0) {
        ask_again(fmt::format("GetServerInformation failed: {}", error.empty() ? "unreadable answer" : error));
        return;
    }
    server_info_ = fmt::format("{} {}", name, version);
    server_ = notification_server_from_name(name);
    policy_ = server_policy(server_);
    auto caps = new_call(service, object, service, "GetCapabilities");
    if (!caps) return;
    call_async(caps.get(), [this, generation](sd_bus_message* r) { on_capabilities(generation, r); });
}

void DesktopNotifier::on_capabilities(std::uint64_t generation, sd_bus_message* reply) {
    if (generation != server_generation_) return;
    if (auto error = bus_error_of(reply); !error.empty()) {
        ask_again(fmt::format("GetCapabilities failed: {}", error));
        return;
    }
    // Known before: a reminder may have gone out plain meanwhile.
    bool sent_plain = capabilities_known_ && !has("actions");
    capabilities_.clear();
    for (auto& c : read_strings(reply)) capabilities_.insert(c);
    capabilities_known_ = true;
    spdlog::info("notification server {}: capabilities {}", server_info_, fmt::join(capabilities_, " "));
    if (policy_.has_actions && !has("actions")) {
        ask_again(fmt::format("{} offers buttons but said it has none", notification_server_name(server_)));
        return;
    }
    asked_again_ = 0;
    // A bubble put up plain while the server was starting gets its buttons;
    // one the server refused is put up again by delivery (showing() is false).
    bool plain_bubble_up = sent_plain && has("actions") && reminder_ && !dismissed_ && (id_ != 0 || awaiting_id_);
    changed();
    if (plain_bubble_up) send_notify(full_steps_);
}

// Meanwhile reminders go out plain rather than not at all.
void DesktopNotifier::ask_again(std::string_view why) {
    capabilities_known_ = true;
    if (asked_again_ >= max_asks) {
        spdlog::warn("notification server {}: {}; sending reminders without buttons",
                     server_info_.empty() ? owner_ : server_info_, why);
    } else {
        auto delay = first_ask_delay * (1 << asked_again_);
        ++asked_again_;
        spdlog::info("notification server {}: {}; asking again in {} ms", server_info_.empty() ? owner_ : server_info_,
                     why, delay.count());
        ask_timer_.arm_in(delay);
    }
    changed();
}

void DesktopNotifier::server_gone() {
    if (!owner_.empty()) spdlog::info("notification server {} left the bus", server_info_.empty() ? owner_ : server_info_);
    owner_.clear();
    server_info_.clear();
    capabilities_.clear();
    capabilities_known_ = false;
    server_ = NotificationServer::other;
    policy_ = server_policy(server_);
    ask_timer_.disarm();
    paused_ = {};
    // Its ids mean nothing to the next server.
    id_ = 0;
    awaiting_id_ = false;
    when_id_arrives_ = WhenIdArrives::nothing;
    ++server_generation_;
    dismissed_ = false;
    changed();
}

bool DesktopNotifier::available() const { return bus_ && !owner_.empty() && capabilities_known_; }

std::string DesktopNotifier::describe() const {
    if (!bus_) return fmt::format("desktop: {}", bus_.problem());
    if (owner_.empty()) return "desktop: no notification server on the session bus";
    return fmt::format("desktop: {}{}{}", server_info_.empty() ? owner_ : server_info_, has("actions") ? "" : " (no buttons)",
                       do_not_disturb() ? " (do not disturb)" : "");
}

void DesktopNotifier::show(const Reminder& reminder, const Stretch* stretch, const Notify& settings) {
    bool same_break = reminder_ && reminder_->rule == reminder.rule;
    reminder_ = reminder;
    dismissed_ = false;
    stretch_ = stretch;
    settings_ = settings;
    if (!same_break) full_steps_ = false;
    send_notify(full_steps_);
}

void DesktopNotifier::send_notify(bool full_steps) {
    if (!available() || !reminder_) return;
    if (awaiting_id_) {
        when_id_arrives_ = WhenIdArrives::resend;
        return;
    }
    const Reminder& r = *reminder_;
    TextOptions options{has("body-markup"), has("actions"), full_steps};
    auto text = reminder_text(r, stretch_, options);

    if (id_ != 0 && !policy_.replace_in_place) {
        // This server drops a bubble's buttons when it is replaced in place.
        close_bubble();
    }
    auto call = new_call(service, object, service, "Notify");
    if (!call) return;
    sd_bus_message* m = call.get();
    bool ok = sd_bus_message_append(m, "susss", app_name, id_, app_icon, text.summary.c_str(), text.body.c_str()) >= 0;
    ok = ok && sd_bus_message_open_container(m, 'a', "s") >= 0;
    if (options.actions) {
        auto add = [&](const char* key, const std::string& label) { ok = ok && sd_bus_message_append(m, "ss", key, label.c_str()) >= 0; };
        add("done", "Done");
        if (r.snoozes_left > 0) add("snooze", fmt::format("Snooze {}", format_length(r.snooze)));
        if (r.skippable) add("skip", "Skip");
        add("default", "Show all steps");
    }
    ok = ok && sd_bus_message_close_container(m) >= 0;
    bool critical = policy_.critical || (settings_.critical_after > 0 && r.count > settings_.critical_after);
    std::uint8_t urgency = critical ? urgency_critical : urgency_normal;
    ok = ok && sd_bus_message_open_container(m, 'a', "{sv}") >= 0;
    ok = ok && sd_bus_message_append(m, "{sv}", "urgency", "y", urgency) >= 0;
    ok = ok && sd_bus_message_append(m, "{sv}", "category", "s", "x-stretch.break") >= 0;
    ok = ok && sd_bus_message_append(m, "{sv}", "desktop-entry", "s", desktop_entry) >= 0;
    ok = ok && sd_bus_message_append(m, "{sv}", "transient", "b", 0) >= 0;
    if (policy_.resident) ok = ok && sd_bus_message_append(m, "{sv}", "resident", "b", 1) >= 0;
    if (!settings_.sound.empty()) ok = ok && sd_bus_message_append(m, "{sv}", "sound-name", "s", settings_.sound.c_str()) >= 0;
    ok = ok && sd_bus_message_close_container(m) >= 0;
    // A reminder stays until it is acted on: the server must not expire it.
    ok = ok && sd_bus_message_append(m, "i", 0) >= 0;
    if (!ok) {
        spdlog::error("could not build the Notify call for break \"{}\"", r.rule);
        return;
    }
    awaiting_id_ = true;
    when_id_arrives_ = WhenIdArrives::nothing;
    call_async(m, [this, generation = server_generation_](sd_bus_message* reply) { on_notify_reply(generation, reply); });
}

void DesktopNotifier::on_notify_reply(std::uint64_t generation, sd_bus_message* reply) {
    if (generation != server_generation_) return;
    awaiting_id_ = false;
    auto then = std::exchange(when_id_arrives_, WhenIdArrives::nothing);
    std::uint32_t id = 0;
    if (auto error = bus_error_of(reply); !error.empty()) {
        spdlog::warn("the notification server refused the reminder: {}", error);
    } else if (sd_bus_message_read(reply, "u", &id) >= 0) {
        id_ = id;
    }
    if (then == WhenIdArrives::close) {
        close();
        changed();  // settled: a stop waiting for this can go on
    } else if (then == WhenIdArrives::resend) {
        send_notify(full_steps_);
    }
}

void DesktopNotifier::close() {
    reminder_.reset();
    full_steps_ = false;
    if (awaiting_id_) {
        when_id_arrives_ = WhenIdArrives::close;  // closed before the server told us its id
        return;
    }
    close_bubble();
}

void DesktopNotifier::close_bubble() {
    if (!id_ || !available()) {
        id_ = 0;
        return;
    }
    auto call = new_call(service, object, service, "CloseNotification");
    if (call && sd_bus_message_append(call.get(), "u", id_) >= 0)
        call_async(call.get(), [](sd_bus_message* reply) {
            if (auto error = bus_error_of(reply); !error.empty()) spdlog::debug("CloseNotification: {}", error);
        });
    id_ = 0;
}

void DesktopNotifier::on_action(std::uint32_t id, std::string_view key) {
    if (id == 0 || id != id_) return;  // not our bubble
    spdlog::info("notification action \"{}\"", key);
    if (key == "default") {
        // A click on the bubble: show every step so the user can follow along.
        full_steps_ = true;
        send_notify(true);
        return;
    }
    if (key == "done") acted(ReminderAction::done);
    else if (key == "snooze") acted(ReminderAction::snooze);
    else if (key == "skip") acted(ReminderAction::skip);
}

void DesktopNotifier::on_closed(std::uint32_t id, std::uint32_t reason) {
    if (id == 0 || id != id_) return;
    spdlog::debug("notification {} closed by the server (reason {})", id, reason);
    // Dismissed or expired: the break is still due, and the next re-reminder
    // opens a new bubble.
    id_ = 0;
    dismissed_ = true;
}

void DesktopNotifier::on_properties_changed(sd_bus_message* m) {
    const char* interface = nullptr;
    if (sd_bus_message_read(m, "s", &interface) < 0) return;
    if (sd_bus_message_enter_container(m, 'a', "{sv}") < 0) return;
    bool was = do_not_disturb();
    while (sd_bus_message_enter_container(m, 'e', "sv") > 0) {
        const char* key = nullptr;
        if (sd_bus_message_read(m, "s", &key) < 0) return;
        auto it = std::find_if(do_not_disturb_properties.begin(), do_not_disturb_properties.end(), [&](const DndProperty& p) {
            return std::strcmp(p.interface, interface) == 0 && std::strcmp(p.name, key) == 0;
        });
        int value = 0;
        if (it == do_not_disturb_properties.end()) {
            sd_bus_message_skip(m, "v");
        } else if (sd_bus_message_read(m, "v", "b", &value) >= 0) {
            paused_[static_cast<std::size_t>(it - do_not_disturb_properties.begin())] = value;
        } else {
            return;
        }
        sd_bus_message_exit_container(m);
    }
    if (was != do_not_disturb())
        spdlog::info("notification server: {}", do_not_disturb() ? "do not disturb: holding reminders" : "do not disturb is over");
    changed();
}

}  // namespace stretch
