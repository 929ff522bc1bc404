#include "daemon/delivery/server_policy.hpp"

#include <doctest/doctest.h>

using namespace stretch;

TEST_CASE("a notification server is known by the name it gives, both ways") {
    for (auto [server, name] : notification_server_names) {
        CHECK(notification_server_from_name(name) == server);
        CHECK(notification_server_name(server) == name);
    }
    CHECK(notification_server_from_name("gnome-shell") == NotificationServer::gnome_shell);
    CHECK(notification_server_from_name("SwayNotificationCenter") == NotificationServer::swaync);
}

TEST_CASE("a server not in the table is another one, with the plain policy") {
    CHECK(notification_server_from_name("") == NotificationServer::other);
    CHECK(notification_server_from_name("GNOME-Shell") == NotificationServer::other);
    CHECK(notification_server_from_name("notification-daemon") == NotificationServer::other);
    CHECK(notification_server_name(NotificationServer::other) == "other");
    auto p = server_policy(NotificationServer::other);
    CHECK_FALSE(p.critical);
    CHECK_FALSE(p.resident);
    CHECK(p.replace_in_place);
    CHECK_FALSE(p.has_actions);  // a plain server's "no buttons" is believed
}

TEST_CASE("GNOME Shell: critical so the banner stays, resident, closed and re-sent instead of replaced") {
    auto p = server_policy(NotificationServer::gnome_shell);
    CHECK(p.critical);
    CHECK(p.resident);
    CHECK_FALSE(p.replace_in_place);
    CHECK(p.has_actions);
}

TEST_CASE("the servers that keep a bubble with its buttons get normal urgency and updates in place") {
    for (auto server : {NotificationServer::plasma, NotificationServer::dunst, NotificationServer::mako,
                        NotificationServer::swaync}) {
        CAPTURE(notification_server_name(server));
        auto p = server_policy(server);
        CHECK_FALSE(p.critical);
        CHECK(p.replace_in_place);
        CHECK(p.has_actions);
    }
    CHECK(server_policy(NotificationServer::plasma).resident);
}
