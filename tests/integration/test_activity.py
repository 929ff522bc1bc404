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

from harness import Raw, config, let_pass, rule  # noqa: E402
from servers import Bus, LogindMock, MutterMock, ServerTestCase, UserManagerMock, Xvfb  # noqa: E402

# micro's natural break is the 3 s threshold; long needs its own 8 s.
# Nothing falls due during a test.
CONFIG = config(tracking={"natural_break": "3s", "source": Raw('"{source}"')}, breaks=[
    rule("micro", "1h", "1s"),
    rule("long", "2h", "8s", tags=["stretch"]),
])

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

    def presence_after_a_suspend(self, sub):
        """The presence events seen once a suspend and resume sent now have
        been handled. logind's signals reach the daemon in the order sent,
        so by then it has handled everything sent before: the barrier for a
        test that something sent earlier changed nothing. Lock and suspend
        are separate states, so a lock taken for ours would keep the resume
        from being `back` (and fail the wait)."""
        self.logind.prepare_for_sleep(True)
        self.logind.prepare_for_sleep(False)
        sub.wait_for("back")
        return [e["event"] for e in sub.seen if e.get("event") in ("away", "back", "natural_break")]

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
        # micro's natural break made 1 s long (long's stays 8 s): the only
        # wait on the clock here, as a suspend is measured only on waking.
        self.write_config(CONFIG.format(source=self.source).replace('natural_break = "3s"', 'natural_break = "1s"'))
        sub = self.start()
        self.logind.prepare_for_sleep(True)
        sub.wait_for("away")
        asleep = time.monotonic()
        let_pass(1.0, since=asleep)
        self.logind.prepare_for_sleep(False)
        events = sub.wait_for_all("natural_break", "back")
        self.assertEqual(events["natural_break"]["break"], "micro")
        self.assertGreaterEqual(events["back"]["amount_s"], 1)
        # long needs 8 s away: its sitting time goes on. Its natural break
        # would have come with micro's, before `back`.
        self.assertEqual([e["break"] for e in sub.seen if e.get("event") == "natural_break"], ["micro"], sub.seen)
        self.assertFalse(self.status()["away"])

    def test_short_suspend_is_not_a_break(self):
        sub = self.start()
        self.logind.prepare_for_sleep(True)
        sub.wait_for("away")
        self.logind.prepare_for_sleep(False)
        back = sub.wait_for("back")
        self.assertLess(back["amount_s"], 3)
        self.assertFalse([e for e in sub.seen if e.get("event") == "natural_break"], sub.seen)

    def test_lock_and_unlock(self):
        sub = self.start()
        self.logind.session_signal(self.session, "Lock")
        sub.wait_for("away")
        self.assertTrue(self.status()["away"])
        # Locked past micro's 3 s: the natural break is timed while locked.
        self.assertEqual(sub.wait_for("natural_break")["break"], "micro")
        self.logind.session_signal(self.session, "Unlock")
        self.assertGreaterEqual(sub.wait_for("back")["amount_s"], 3)

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
        self.assertEqual(self.presence_after_a_suspend(sub), ["away", "back"])
        self.assertFalse(self.status()["away"])

    def test_idle_hint_is_ignored_unless_logind_is_the_source(self):
        sub = self.start()
        self.logind.set_session(self.session, IdleSinceHintMonotonic=mono_us() - 10_000_000)
        self.logind.set_session(self.session, IdleHint=True)
        self.assertEqual(self.presence_after_a_suspend(sub), ["away", "back"])
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
        # Idle since now: the natural break is timed from IdleSinceHintMonotonic.
        self.logind.set_session(self.session, IdleSinceHintMonotonic=mono_us())
        self.logind.set_session(self.session, IdleHint=True)
        away = sub.wait_for("away")
        self.assertTrue(self.status()["away"])
        self.assertEqual(sub.wait_for("natural_break")["break"], "micro")
        self.logind.set_session(self.session, IdleHint=False)
        back = sub.wait_for("back")
        self.assertGreaterEqual(back["amount_s"], 3, (away, back))

    def test_a_short_idle_hint_is_not_reported(self):
        sub = self.start()
        self.wait_until(lambda: self.status()["activity"]["source"] == "logind", what="logind as the source")
        self.logind.set_session(self.session, IdleSinceHintMonotonic=mono_us())
        self.logind.set_session(self.session, IdleHint=True)
        self.logind.set_session(self.session, IdleHint=False)
        self.assertEqual(self.presence_after_a_suspend(sub), ["away", "back"])

    def test_idle_hint_is_ignored_unless_logind_is_the_source(self):
        # Here logind is the source; what is still ignored is the hint of
        # another session. (This name overrides LogindTest's test, which
        # does not hold here: test_idle_hint_is_honoured is its mirror.)
        sub = self.start()
        self.wait_until(lambda: self.status()["activity"]["source"] == "logind", what="logind as the source")
        other = self.logind.add_session("c9", display=False)
        self.logind.set_session(other, IdleSinceHintMonotonic=mono_us() - 10_000_000)
        self.logind.set_session(other, IdleHint=True)
        self.assertEqual(self.presence_after_a_suspend(sub), ["away", "back"])
        self.assertEqual(self.status()["activity"]["source"], "logind")

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
        # One user-active watch, added when idle began (come_back() fires none until then).
        self.assertEqual(self.wait_until(mutter.come_back, what="a user-active watch to fire"), 1)
        back = sub.wait_for("back")
        # The watch fires at the threshold: idle began 3 s before, so that was
        # a micro break, recorded when idle was seen, before `back`.
        self.assertGreaterEqual(back["amount_s"], 3)
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
