#!/usr/bin/python3
"""Activity, lock and suspend from real D-Bus peers: a private system bus
with python3-dbusmock's logind template, GNOME's idle monitor mocked on a
private session bus, the systemd user manager's environment, and `stretch
doctor` explaining what it found.

The X11 and Wayland sources have their own files (test_activity_x11.py,
test_activity_wayland.py), with real X and Wayland servers."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import time  # noqa: E402
import unittest  # noqa: E402

from servers import Bus, LogindMock, MutterMock, ServerTestCase, UserManagerMock, Xvfb  # noqa: E402

# micro's natural break is the 3 s threshold; long needs its own 8 s.
# Nothing falls due during a test.
CONFIG = """\
[tracking]
natural_break = "3s"
grace = "0s"
source = "{source}"

[[break]]
name = "micro"
every = "1h"
duration = "1s"
tags = ["micro"]

[[break]]
name = "long"
every = "2h"
duration = "8s"
tags = ["stretch"]
"""

SOURCE_DIR = os.environ.get("STRETCH_SOURCE_DIR") or os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
MUTTER_TEMPLATE = os.path.join(SOURCE_DIR, "tests", "fixtures", "mutter_idle_template.py")

def mono_us():
    return int(time.clock_gettime(time.CLOCK_MONOTONIC) * 1_000_000)


class LogindTest(ServerTestCase):
    """Suspend, lock and IdleHint from logind on a private system bus."""

    source = "none"

    def setUp(self):
        super().setUp()
        self.write_config(CONFIG.format(source=self.source))
        self.system_bus = self.serve(Bus(self.tmp, "system-bus"))
        self.logind = self.serve(LogindMock(self.system_bus, self.tmp))
        self.env["DBUS_SYSTEM_BUS_ADDRESS"] = self.system_bus.address

    def start(self, session=True, env=None):
        self.session = self.logind.add_session("c1") if session else None
        self.daemon = self.new_daemon(env=env or self.env).start()
        if session:
            self.wait_until(lambda: self.session in self.doctor()["logind"]["detail"], what="the session resolved")
        return self.subscriber()

    def doctor(self):
        reply = self.request("doctor")
        self.assertTrue(reply["ok"], reply)
        return reply

    def test_session_is_resolved_to_its_real_path(self):
        self.start()
        logind = self.doctor()["logind"]
        self.assertTrue(logind["ok"])
        self.assertIn("/org/freedesktop/login1/session/c1", logind["detail"])
        self.assertIn("display session", logind["detail"])

    def test_session_from_xdg_session_id(self):
        env = dict(self.env, XDG_SESSION_ID="c2")
        self.logind.add_session("c2", display=False)
        self.start(session=False, env=env)
        self.wait_until(lambda: "session/c2" in self.doctor()["logind"]["detail"], what="session c2")
        self.assertIn("XDG_SESSION_ID=c2", self.doctor()["logind"]["detail"])

    def test_long_suspend_is_a_natural_break(self):
        sub = self.start()
        self.logind.prepare_for_sleep(True)
        sub.wait_for("away")
        time.sleep(4)
        self.logind.prepare_for_sleep(False)
        events = sub.wait_for_all("natural_break", "back")
        self.assertEqual(events["natural_break"]["break"], "micro")
        self.assertGreaterEqual(events["back"]["amount_s"], 4)
        # long needs 8 s away: its sitting time goes on.
        later = sub.drain(0.5)
        self.assertFalse([e for e in later if e.get("event") == "natural_break"], later)
        self.assertFalse(self.status()["away"])

    def test_short_suspend_is_not_a_break(self):
        sub = self.start()
        self.logind.prepare_for_sleep(True)
        sub.wait_for("away")
        time.sleep(1)
        self.logind.prepare_for_sleep(False)
        back = sub.wait_for("back")
        self.assertLess(back["amount_s"], 3)
        self.assertFalse([e for e in sub.seen if e.get("event") == "natural_break"], sub.seen)

    def test_lock_and_unlock(self):
        sub = self.start()
        self.logind.session_signal(self.session, "Lock")
        sub.wait_for("away")
        self.assertTrue(self.status()["away"])
        time.sleep(3.5)
        self.logind.session_signal(self.session, "Unlock")
        events = sub.wait_for_all("natural_break", "back")
        self.assertEqual(events["natural_break"]["break"], "micro")

    def test_short_lock_is_not_a_break(self):
        sub = self.start()
        self.logind.session_signal(self.session, "Lock")
        sub.wait_for("away")
        self.logind.session_signal(self.session, "Unlock")
        sub.wait_for("back")
        self.assertFalse([e for e in sub.seen if e.get("event") == "natural_break"], sub.seen)

    def test_locked_hint(self):
        sub = self.start()
        self.logind.set_session(self.session, LockedHint=True)
        sub.wait_for("away")
        self.logind.set_session(self.session, LockedHint=False)
        sub.wait_for("back")

    def test_signals_of_another_session_are_ignored(self):
        sub = self.start()
        other = self.logind.add_session("c9", display=False)
        self.logind.session_signal(other, "Lock")
        self.logind.set_session(other, LockedHint=True)
        self.assertFalse([e for e in sub.drain(1.0) if e.get("event") == "away"])
        self.assertFalse(self.status()["away"])

    def test_idle_hint_is_ignored_unless_logind_is_the_source(self):
        sub = self.start()
        self.logind.set_session(self.session, IdleSinceHintMonotonic=mono_us() - 10_000_000)
        self.logind.set_session(self.session, IdleHint=True)
        self.assertFalse([e for e in sub.drain(1.0) if e.get("event") == "away"])
        self.assertEqual(self.status()["activity"]["source"], "none")

    def test_no_session_is_explained(self):
        self.start(session=False)
        self.wait_until(lambda: not self.doctor()["logind"]["ok"] and "no session" in self.doctor()["logind"]["detail"],
                        what="logind without a session")
        problems = self.doctor()["problems"]
        self.assertTrue(any("locking is not seen" in p["problem"] and p["fix"] for p in problems), problems)

    def test_doctor_in_the_terminal(self):
        self.start()
        out = self.cli_ok("doctor").stdout
        self.assertIn("Activity: not tracked", out)
        self.assertIn("session/c1", out)
        for source in ("gnome", "wayland", "x11", "logind"):
            self.assertIn(source, out)


class LogindIdleHintTest(LogindTest):
    """logind's IdleHint as the activity source."""

    source = "logind"

    def test_idle_hint_is_honoured(self):
        sub = self.start()
        self.wait_until(lambda: self.status()["activity"]["source"] == "logind", what="logind as the source")
        # Idle began when logind says it did, 4 s before the hint was set (and
        # after stretchd started: idle never begins before that).
        time.sleep(4)
        self.logind.set_session(self.session, IdleSinceHintMonotonic=mono_us() - 4_000_000)
        self.logind.set_session(self.session, IdleHint=True)
        away = sub.wait_for("away")
        self.assertTrue(self.status()["away"])
        self.logind.set_session(self.session, IdleHint=False)
        back = sub.wait_for("back")
        self.assertGreaterEqual(back["amount_s"], 4, (away, back))
        sub.drain(0.5)
        self.assertTrue([e for e in sub.seen if e.get("event") == "natural_break"], sub.seen)

    def test_a_short_idle_hint_is_not_reported(self):
        sub = self.start()
        self.wait_until(lambda: self.status()["activity"]["source"] == "logind", what="logind as the source")
        self.logind.set_session(self.session, IdleSinceHintMonotonic=mono_us())
        self.logind.set_session(self.session, IdleHint=True)
        self.logind.set_session(self.session, IdleHint=False)
        self.assertFalse([e for e in sub.drain(1.0) if e.get("event") in ("away", "back")])

    def test_idle_hint_is_ignored_unless_logind_is_the_source(self):
        pass  # here it is the source

    def test_doctor_in_the_terminal(self):
        self.start()
        self.wait_until(lambda: self.status()["activity"]["source"] == "logind", what="logind as the source")
        out = self.cli_ok("doctor").stdout
        self.assertIn("Activity: logind", out)
        self.assertIn("IdleHint", out)


class GnomeTest(ServerTestCase):
    """GNOME's idle monitor on a private session bus."""

    def setUp(self):
        super().setUp()
        self.write_config(CONFIG.format(source="auto"))
        self.bus = self.serve(Bus(self.tmp))
        self.env = self.bus.env(self.env)

    def start_mutter(self):
        return self.serve(MutterMock(self.bus, self.tmp, MUTTER_TEMPLATE))

    def wait_source(self, name):
        self.wait_until(lambda: self.status()["activity"]["source"] == name, what=f"{name} as the activity source")

    def test_watches_idle_and_active(self):
        mutter = self.start_mutter()
        self.daemon = self.new_daemon(env=self.env).start()
        self.wait_source("gnome")
        self.wait_until(lambda: list(mutter.idle_watches().values()) == [3000], what="one idle watch at the threshold")
        sub = self.subscriber()
        mutter.go_idle()
        sub.wait_for("away")
        time.sleep(0.5)
        self.assertEqual(mutter.come_back(), 1)  # one user-active watch, added when idle began
        back = sub.wait_for("back")
        # The watch fires at the threshold: idle began 3 s before, so that was a micro break.
        self.assertGreaterEqual(back["amount_s"], 3)
        sub.drain(0.5)
        self.assertEqual([e["break"] for e in sub.seen if e.get("event") == "natural_break"], ["micro"])

    def test_reload_rearms_the_threshold(self):
        mutter = self.start_mutter()
        self.daemon = self.new_daemon(env=self.env).start()
        self.wait_source("gnome")
        self.write_config(CONFIG.format(source="auto").replace('natural_break = "3s"', 'natural_break = "5s"'))
        self.assertTrue(self.request("reload")["ok"])
        self.wait_until(lambda: list(mutter.idle_watches().values()) == [5000], what="the idle watch moved to 5 s")

    def test_mutter_restarting_and_starting_late(self):
        # Started before GNOME: no source, then GNOME appears and is used.
        self.daemon = self.new_daemon(env=self.env).start()
        self.wait_until(lambda: self.request("doctor")["probes"][0]["state"] == "failed", what="gnome probed and absent")
        self.assertEqual(self.status()["activity"]["source"], "none")
        mutter = self.start_mutter()
        self.wait_source("gnome")
        self.wait_until(lambda: len(mutter.idle_watches()) == 1, what="an idle watch")
        # GNOME Shell restarts: the watches are registered with the new one.
        mutter.stop()
        self.wait_source("none")
        self.assertTrue(self.status()["ok"])
        mutter = self.start_mutter()
        self.wait_source("gnome")
        self.wait_until(lambda: len(mutter.idle_watches()) == 1, what="an idle watch on the new monitor")
        sub = self.subscriber()
        mutter.go_idle()
        sub.wait_for("away")


class LateSessionTest(ServerTestCase):
    """A service started before the graphical session: DISPLAY arrives later
    through the systemd user manager's environment."""

    needs = ("Xvfb", "dbus-daemon", "dbus", "dbusmock")

    def test_display_imported_after_start(self):
        self.write_config(CONFIG.format(source="auto"))
        bus = self.serve(Bus(self.tmp))
        manager = self.serve(UserManagerMock(bus, self.tmp), ["HOME=/nowhere", "LANG=C.UTF-8"])
        env = bus.env(self.env)
        self.daemon = self.new_daemon(env=env).start()
        self.wait_until(lambda: self.request("doctor")["environment"]["user_manager"], what="the user manager asked")
        doctor = self.request("doctor")
        self.assertEqual(doctor["active"]["source"], "none")
        self.assertTrue(any("import-environment DISPLAY WAYLAND_DISPLAY" in p["fix"] for p in doctor["problems"]),
                        doctor["problems"])
        out = self.cli_ok("doctor").stdout
        self.assertIn("systemctl --user import-environment DISPLAY WAYLAND_DISPLAY", out)

        xvfb = self.serve(Xvfb(self.tmp))
        manager.import_environment("HOME=/nowhere", "LANG=C.UTF-8", f"DISPLAY={xvfb.display}")
        self.wait_until(lambda: self.status()["activity"]["source"] == "x11", timeout=15, what="x11 picked up")
        doctor = self.request("doctor")
        self.assertEqual(doctor["environment"]["DISPLAY"], xvfb.display)
        self.assertIn(xvfb.display, doctor["active"]["detail"])


if __name__ == "__main__":
    unittest.main()
