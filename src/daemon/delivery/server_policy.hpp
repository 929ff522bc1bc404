#pragma once
// How a reminder is shown on each notification server, chosen by the name
// the server gives in GetServerInformation. Servers differ in what keeps a
// reminder on screen with its buttons until the user answers it, and in
// whether a bubble replaced in place keeps them; docs/desktops.md says why
// each entry is what it is. One table, both directions, as held_reason.hpp.

#include <array>
#include <string_view>
#include <utility>

namespace stretch {

enum class NotificationServer { gnome_shell, plasma, dunst, mako, swaync, other };

// The names servers give as the first field of GetServerInformation.
inline constexpr std::array<std::pair<NotificationServer, std::string_view>, 5> notification_server_names = {{
    {NotificationServer::gnome_shell, "gnome-shell"},
    {NotificationServer::plasma, "Plasma"},
    {NotificationServer::dunst, "dunst"},
    {NotificationServer::mako, "mako"},
    {NotificationServer::swaync, "SwayNotificationCenter"},
}};

constexpr NotificationServer notification_server_from_name(std::string_view name) {
    for (auto [server, n] : notification_server_names)
        if (n == name) return server;
    return NotificationServer::other;
}

constexpr std::string_view notification_server_name(NotificationServer server) {
    for (auto [s, name] : notification_server_names)
        if (s == server) return name;
    return "other";
}

struct ServerPolicy {
    // Send every reminder as critical: the only urgency whose banner stays
    // up (with its buttons) until answered, where normal ones hide.
    bool critical = false;
    // Send the `resident` hint: the bubble survives a press of its body or
    // a button, so "Show all steps" updates it instead of losing it.
    bool resident = false;
    // Updating a bubble with replaces_id keeps its buttons; where it does
    // not, the old bubble is closed and a new one sent.
    bool replace_in_place = true;
    // The server is known to offer buttons: a capability list without
    // "actions" from it is an answer given too early, asked again.
    bool has_actions = false;
};

constexpr ServerPolicy server_policy(NotificationServer server) {
    switch (server) {
        case NotificationServer::gnome_shell:
            return {.critical = true, .resident = true, .replace_in_place = false, .has_actions = true};
        case NotificationServer::plasma:
            return {.critical = false, .resident = true, .replace_in_place = true, .has_actions = true};
        case NotificationServer::dunst:
        case NotificationServer::mako:
        case NotificationServer::swaync:
            return {.critical = false, .resident = false, .replace_in_place = true, .has_actions = true};
        case NotificationServer::other:
            break;
    }
    return {};
}

}  // namespace stretch
