// Delivery with recording notifiers and a fake full-screen probe on the real
// loop: which way a reminder takes, when it moves, and the do-not-disturb
// hold. Holds that must run out use a hold_max of a millisecond and step
// the loop until the reminder is out, so nothing depends on the machine's speed.

#include <doctest/doctest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "daemon/delivery/delivery.hpp"
#include "daemon/plumbing/event_loop.hpp"
#include "fakes/fake_fullscreen_probe.hpp"
#include "fakes/recording_notifier.hpp"
#include "fakes/step_until.hpp"

namespace stretch {
namespace {

using namespace std::chrono_literals;
using test::FakeFullscreenProbe;
using test::RecordingNotifier;
using Shown = std::vector<std::string>;

Reminder reminder(std::string rule, int count = 1) {
    Reminder r;
    r.rule = std::move(rule);
    r.count = count;
    return r;
}

// Steps the loop until `done` holds or 200 steps pass (each waits at most 5 s).
struct Rig {
    EventLoop loop;
    Config config;
    RecordingNotifier* desktop = nullptr;
    RecordingNotifier* command = nullptr;
    RecordingNotifier* bell = nullptr;
    FakeFullscreenProbe* fullscreen = nullptr;
    std::vector<ReminderAction> actions;
    int changes = 0;
    std::unique_ptr<Delivery> delivery;

    explicit Rig(std::chrono::milliseconds recheck_every = Delivery::fullscreen_recheck) {
        config.notify.hold_max = 1h;
        Notifiers notifiers;
        desktop = add(notifiers, Notify::Method::desktop, "desktop");
        command = add(notifiers, Notify::Method::command, "command");
        bell = add(notifiers, Notify::Method::bell, "bell");
        auto probe = std::make_unique<FakeFullscreenProbe>();
        fullscreen = probe.get();
        delivery = std::make_unique<Delivery>(
            loop, config, std::move(notifiers), std::move(probe),
            Delivery::Listener{[this](ReminderAction a) { actions.push_back(a); }, [this] { ++changes; }},
            recheck_every);
    }

    static RecordingNotifier* add(Notifiers& notifiers, Notify::Method method, std::string name) {
        auto n = std::make_unique<RecordingNotifier>(std::move(name));
        RecordingNotifier* raw = n.get();
        notifiers.emplace(method, std::move(n));
        return raw;
    }
};

}  // namespace

TEST_CASE("held reasons have one name each, both ways, as status shows them") {
    CHECK(held_reason_name(HeldReason::do_not_disturb) == "do_not_disturb");
    CHECK(held_reason_name(HeldReason::fullscreen) == "fullscreen");
    for (auto [reason, name] : held_reason_names) CHECK(held_reason_from_name(name) == reason);
    CHECK_FALSE(held_reason_from_name("away"));
}

TEST_CASE("a reminder goes to the first available of [notify] methods, in their order") {
    Rig rig;
    rig.desktop->set_available(false);
    rig.delivery->show(reminder("eyes"));
    CHECK(rig.command->shown() == Shown{"eyes#1"});
    CHECK(rig.desktop->calls.empty());
    CHECK(rig.bell->calls.empty());

    rig.delivery->close();
    rig.config.notify.methods = {Notify::Method::bell, Notify::Method::desktop};  // a reload: read at the next use
    rig.desktop->set_available(true);
    rig.delivery->show(reminder("legs"));
    CHECK(rig.bell->shown() == Shown{"legs#1"});
    CHECK(rig.desktop->calls.empty());
}

TEST_CASE("a method left out of [notify] methods is never used") {
    Rig rig;
    rig.config.notify.methods = {Notify::Method::desktop};
    rig.desktop->set_available(false);
    rig.delivery->show(reminder("eyes"));
    CHECK(rig.command->calls.empty());
    CHECK(rig.bell->calls.empty());
    CHECK(rig.delivery->describe()["shown_by"].is_null());
}

TEST_CASE("with no way available the reminder waits, and goes out when a way appears") {
    Rig rig;
    for (auto* n : {rig.desktop, rig.command, rig.bell}) n->set_available(false);
    rig.delivery->show(reminder("eyes"));
    CHECK(rig.delivery->describe()["shown_by"].is_null());
    CHECK_FALSE(rig.delivery->held());

    rig.bell->set_available(true);  // a terminal that rings subscribed
    CHECK(rig.bell->shown() == Shown{"eyes#1"});
    CHECK(rig.delivery->describe()["shown_by"] == "bell: recording");
}

TEST_CASE("the reminder moves to a better way when one appears, and the old way takes its bubble down") {
    Rig rig;
    rig.desktop->set_available(false);
    rig.delivery->show(reminder("eyes", 2));
    REQUIRE(rig.command->shown() == Shown{"eyes#2"});

    rig.desktop->set_available(true);  // a notification server started
    CHECK(rig.desktop->shown() == Shown{"eyes#2"});
    CHECK(rig.command->calls == std::vector<RecordingNotifier::Call>{{RecordingNotifier::Call::Kind::show, "eyes", 2},
                                                                     {RecordingNotifier::Call::Kind::close, "", 0}});

    rig.command->set_available(false);  // a worse way going changes nothing
    CHECK(rig.desktop->shown() == Shown{"eyes#2"});
}

TEST_CASE("when the way in use goes away the reminder moves to the next one") {
    Rig rig;
    rig.delivery->show(reminder("eyes"));
    REQUIRE(rig.desktop->shown() == Shown{"eyes#1"});
    rig.desktop->set_available(false);  // the notification server left
    CHECK(rig.command->shown() == Shown{"eyes#1"});
    CHECK(rig.delivery->describe()["shown_by"] == "command: recording");
}

TEST_CASE("a bubble the notifier lost is shown again by the same notifier") {
    Rig rig;
    rig.delivery->show(reminder("eyes"));
    rig.desktop->lose_bubble();  // the server restarted under it
    CHECK(rig.desktop->shown() == Shown{"eyes#1", "eyes#1"});
    CHECK(rig.desktop->closes() == 0);
    CHECK(rig.command->calls.empty());
}

TEST_CASE("close() takes down the bubble of the notifier that showed it, and only that one") {
    Rig rig;
    rig.desktop->set_available(false);
    rig.delivery->show(reminder("eyes"));
    rig.delivery->close();
    CHECK(rig.command->closes() == 1);
    CHECK(rig.desktop->closes() == 0);
    CHECK(rig.bell->closes() == 0);
    CHECK(rig.delivery->describe()["shown_by"].is_null());

    rig.desktop->set_available(true);  // nothing is up any more: nothing to move
    CHECK(rig.desktop->calls.empty());
}

TEST_CASE("a button pressed on a bubble reaches the listener, and every change is reported") {
    Rig rig;
    rig.delivery->show(reminder("eyes"));
    rig.desktop->press(ReminderAction::snooze);
    CHECK(rig.actions == std::vector<ReminderAction>{ReminderAction::snooze});
    int before = rig.changes;
    rig.bell->set_available(false);
    CHECK(rig.changes == before + 1);
}

TEST_CASE("a reminder is held while the desktop says do not disturb, and shown when it ends") {
    Rig rig;
    rig.desktop->set_do_not_disturb(true);
    rig.delivery->show(reminder("eyes"));
    CHECK(rig.delivery->held() == HeldReason::do_not_disturb);
    rig.delivery->show(reminder("eyes", 2));  // a re-reminder while held replaces the one waiting
    CHECK(rig.delivery->held() == HeldReason::do_not_disturb);
    for (auto* n : {rig.desktop, rig.command, rig.bell}) CHECK(n->calls.empty());
    CHECK(rig.delivery->describe()["shown_by"].is_null());

    rig.desktop->set_do_not_disturb(false);
    CHECK_FALSE(rig.delivery->held());
    CHECK(rig.desktop->shown() == Shown{"eyes#2"});
}

TEST_CASE("a reminder is held while a full-screen window is focused, and shown when the probe says it left") {
    Rig rig;
    rig.fullscreen->set(true);
    rig.delivery->show(reminder("eyes"));
    CHECK(rig.delivery->held() == HeldReason::fullscreen);
    CHECK(rig.desktop->calls.empty());
    rig.fullscreen->set(false);
    CHECK_FALSE(rig.delivery->held());
    CHECK(rig.desktop->shown() == Shown{"eyes#1"});
}

TEST_CASE("a full-screen window that leaves unannounced is noticed when the probe is asked again") {
    Rig rig(1ms);
    rig.fullscreen->set_quietly(true);
    rig.delivery->show(reminder("eyes"));
    REQUIRE(rig.delivery->held() == HeldReason::fullscreen);
    int asked = rig.fullscreen->asked;
    REQUIRE(step_until(rig.loop, [&] { return rig.fullscreen->asked > asked + 1; }));
    CHECK(rig.delivery->held() == HeldReason::fullscreen);  // asked again, still full-screen: still held
    CHECK(rig.desktop->calls.empty());

    rig.fullscreen->set_quietly(false);
    REQUIRE(step_until(rig.loop, [&] { return !rig.desktop->calls.empty(); }));
    CHECK(rig.desktop->shown() == Shown{"eyes#1"});
    CHECK_FALSE(rig.delivery->held());
}

TEST_CASE("the desktop's do not disturb is named before a full-screen window, and the reason follows what remains") {
    Rig rig;
    rig.fullscreen->set(true);
    rig.desktop->set_do_not_disturb(true);
    rig.delivery->show(reminder("eyes"));
    CHECK(rig.delivery->held() == HeldReason::do_not_disturb);
    rig.desktop->set_do_not_disturb(false);
    CHECK(rig.delivery->held() == HeldReason::fullscreen);
    rig.fullscreen->set(false);
    CHECK(rig.desktop->shown() == Shown{"eyes#1"});
}

TEST_CASE("do not disturb from a notifier not in [notify] methods still holds the reminder") {
    Rig rig;
    rig.config.notify.methods = {Notify::Method::command};
    rig.desktop->set_do_not_disturb(true);  // the user paused their notification server
    rig.delivery->show(reminder("eyes"));
    CHECK(rig.delivery->held() == HeldReason::do_not_disturb);
    CHECK(rig.command->calls.empty());
}

TEST_CASE("after hold_max a held reminder is shown anyway, and not held again in the same do-not-disturb spell") {
    Rig rig;
    rig.config.notify.hold_max = 1ms;
    rig.desktop->set_do_not_disturb(true);
    rig.delivery->show(reminder("eyes"));
    REQUIRE(rig.delivery->held() == HeldReason::do_not_disturb);
    REQUIRE(step_until(rig.loop, [&] { return !rig.desktop->calls.empty(); }));
    CHECK(rig.desktop->shown() == Shown{"eyes#1"});
    CHECK_FALSE(rig.delivery->held());

    rig.delivery->show(reminder("eyes", 2));  // its re-reminder: out at once
    CHECK(rig.desktop->shown() == Shown{"eyes#1", "eyes#2"});
    rig.desktop->set_do_not_disturb(true);  // news from the server that changes nothing
    rig.delivery->show(reminder("eyes", 3));
    CHECK(rig.desktop->shown() == Shown{"eyes#1", "eyes#2", "eyes#3"});
    CHECK_FALSE(rig.delivery->held());

    // The spell ends and a new one begins: the next re-reminder waits again.
    rig.desktop->set_do_not_disturb(false);
    rig.desktop->set_do_not_disturb(true);
    rig.delivery->show(reminder("eyes", 4));
    CHECK(rig.delivery->held() == HeldReason::do_not_disturb);
    CHECK(rig.desktop->shown() == Shown{"eyes#1", "eyes#2", "eyes#3"});
}

TEST_CASE("the next break after one that waited its hold_max is held again") {
    Rig rig;
    rig.config.notify.hold_max = 1ms;
    rig.desktop->set_do_not_disturb(true);
    rig.delivery->show(reminder("eyes"));
    REQUIRE(step_until(rig.loop, [&] { return !rig.desktop->calls.empty(); }));
    rig.delivery->close();
    rig.config.notify.hold_max = 1h;
    rig.delivery->show(reminder("legs"));
    CHECK(rig.delivery->held() == HeldReason::do_not_disturb);
    CHECK(rig.desktop->shown() == Shown{"eyes#1"});
}

TEST_CASE("a hold_max of zero never holds") {
    Rig rig;
    rig.config.notify.hold_max = 0ms;
    rig.desktop->set_do_not_disturb(true);
    rig.fullscreen->set(true);
    rig.delivery->show(reminder("eyes"));
    CHECK_FALSE(rig.delivery->held());
    CHECK(rig.desktop->shown() == Shown{"eyes#1"});
}

TEST_CASE("describe() lists [notify] methods in their order with what each says, and who shows the reminder") {
    Rig rig;
    rig.config.notify.methods = {Notify::Method::command, Notify::Method::desktop};
    rig.command->set_available(false);
    CHECK(rig.delivery->describe() == nlohmann::json::parse(R"({
        "methods": [
            {"method": "command", "available": false, "detail": "command: recording"},
            {"method": "desktop", "available": true, "detail": "desktop: recording"}],
        "shown_by": null})"));
    rig.delivery->show(reminder("eyes"));
    CHECK(rig.delivery->describe()["shown_by"] == "desktop: recording");
}

}  // namespace stretch
