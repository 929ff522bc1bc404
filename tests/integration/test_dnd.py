"""Integration tests: do-not-disturb kept by the desktop, outside the
notification server: GNOME's show-banners in the real dconf, swaync's and
mako's under a real headless sway. A due reminder is held while quiet
(status `held`, `held_by`) and shown when quiet ends; the time from the end
to the reminder is reported, never asserted. Run:
STRETCHD=... STRETCH=... /usr/bin/python3 tests/integration/test_dnd.py -v
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import json  # noqa: E402
import pty  # noqa: E402
import select  # noqa: E402
import subprocess  # noqa: E402
import unittest  # noqa: E402

from harness import EVENT_TIMEOUT, STRETCH, config, rule  # noqa: E402
from servers import Bus, DconfService, Mako, NotifyMock, ServerTestCase, Sway, Swaync  # noqa: E402

SHOW_BANNERS = "/org/gnome/desktop/notifications/show-banners"
SELECTED_BREAKS = "/org/gnome/desktop/break-reminders/selected-breaks"

# One "micro" break, due 3 s after the start: time to go quiet first.
DND_CONFIG = config(tracking={"natural_break": "30s"}, breaks=[
    rule("micro", "3s", "1s", snooze="5m", max_snoozes=2, remind_every="1m"),
], notify={"methods": ["desktop"]})


def report(what, seconds):
    sys.stderr.write(f"\n  [{what}: reminder {seconds * 1000:.0f} ms after quiet ended] ")


class DndTestCase(ServerTestCase):
    config_text = DND_CONFIG

    def bus(self):
        return self.serve(Bus(self.tmp))

    def start_stretchd(self, env):
        self.env = env
        self.daemon = self.new_daemon(env=env).start()
        return self.daemon

    def status_json(self):
        st = json.loads(self.cli_ok("--json", "status").stdout)
        self.assertTrue(st["ok"], st)
        return st

    def doctor_json(self):
        return json.loads(self.cli_ok("--json", "doctor").stdout)

    def quiet_source(self, name):
        for s in self.doctor_json()["quiet"]["sources"]:
            if s["source"] == name:
                return s
        self.fail(f"no quiet source {name} in doctor")

    def wait_held_by(self, name):
        return self.wait_until(lambda: (s := self.status_json())["held"] == "do_not_disturb"
                               and s["held_by"] == name and s, what=f"held by {name}")


class GnomeDndTest(DndTestCase):
    """GNOME's do-not-disturb is show-banners = false in dconf: the real
    dconf-service on the private bus, toggled with `dconf write`."""

    needs = ServerTestCase.needs + ("dconf", "/usr/libexec/dconf-service")

    def setUp(self):
        super().setUp()
        self.b = self.bus()
        self.dconf = self.serve(DconfService(self.b, self.tmp, self.env))
        self.mock = self.serve(NotifyMock(self.b, self.tmp, "body actions persistence"))

    def test_banners_off_holds_the_reminder_and_on_shows_it(self):
        self.dconf.write(SHOW_BANNERS, "false")
        self.start_stretchd(self.b.env(self.env))
        self.wait_until(lambda: self.quiet_source("gnome")["quiet"], what="GNOME quiet seen")
        sub = self.subscriber()
        sub.wait_for("reminder")
        st = self.wait_held_by("gnome")
        self.assertEqual(st["state"], "due", st)
        self.assertEqual(self.mock.notify_calls(), [])
        self.assertIn("show-banners false", self.quiet_source("gnome")["detail"])

        self.dconf.write(SHOW_BANNERS, "true")
        ended = time.monotonic()
        self.wait_until(lambda: self.mock.notify_calls(), what="the reminder shown")
        report("gnome", time.monotonic() - ended)
        st = self.status_json()
        self.assertIsNone(st["held"], st)
        self.assertIsNone(st["held_by"], st)

    def test_banners_turned_off_while_running_hold_the_next_reminder(self):
        self.start_stretchd(self.b.env(self.env))
        self.wait_until(lambda: "unset" in self.quiet_source("gnome")["detail"], what="show-banners read, unset")
        self.dconf.write(SHOW_BANNERS, "false")
        self.wait_until(lambda: self.quiet_source("gnome")["quiet"], what="the write heard")
        self.wait_held_by("gnome")
        self.assertEqual(self.mock.notify_calls(), [])
        self.dconf.run("reset", SHOW_BANNERS)  # unset: the default, banners shown
        self.wait_until(lambda: self.mock.notify_calls(), what="the reminder shown")

    def test_doctor_warns_about_gnome_own_break_reminders(self):
        self.start_stretchd(self.b.env(self.env))
        self.wait_until(lambda: "unset" in self.quiet_source("gnome")["detail"], what="show-banners read")
        self.assertEqual(self.doctor_json()["quiet"]["warnings"], [])
        self.dconf.write(SELECTED_BREAKS, "['movement', 'eyesight']")

        def warned():
            d = self.doctor_json()
            return [p for p in d["problems"] if "GNOME's own break reminders" in p["problem"]]
        problems = self.wait_until(warned, what="the warning")
        self.assertIn("gsettings set org.gnome.desktop.break-reminders selected-breaks", problems[0]["fix"])
        self.assertIn("GNOME's own break reminders are on", self.cli_ok("doctor").stdout)
        self.dconf.write(SELECTED_BREAKS, "@as []")
        self.wait_until(lambda: not warned(), what="the warning gone")

    def test_setup_without_a_terminal_says_how_to_keep_one(self):
        self.dconf.write(SELECTED_BREAKS, "['movement']")
        env = self.b.env(self.env)
        text = self.cli_ok("setup", env=env).stdout
        self.assertIn("GNOME's own break reminders are on", text)
        self.assertIn("Not asked (no terminal)", text)
        self.assertIn('gsettings set org.gnome.desktop.break-reminders selected-breaks "[]"', text)
        self.assertEqual(json.loads(self.cli_ok("--json", "setup", env=env).stdout)["gnome_break_reminders"],
                         "['movement']")
        self.dconf.write(SELECTED_BREAKS, "@as []")
        self.assertNotIn("GNOME's own break reminders", self.cli_ok("setup", env=env).stdout)

    def setup_in_a_terminal(self, answer):
        """`stretch setup` with a pseudo-terminal for stdin and stdout: waits
        for the question, types `answer`, returns all it printed."""
        master, slave = pty.openpty()
        env = self.b.env(self.cli_env())
        p = subprocess.Popen([STRETCH, "setup"], env=env, stdin=slave, stdout=slave, stderr=slave)
        os.close(slave)
        self.children.append(p)
        text, answered = b"", False
        deadline = time.monotonic() + EVENT_TIMEOUT
        try:
            while True:
                self.assertLess(time.monotonic(), deadline, f"setup did not finish; printed so far: {text!r}")
                r, _, _ = select.select([master], [], [], 0.2)
                if r:
                    try:
                        chunk = os.read(master, 4096)
                    except OSError:  # EIO: the terminal's other side is closed, setup is done
                        break
                    if not chunk:
                        break
                    text += chunk
                if not answered and b"Keep which?" in text:
                    os.write(master, answer.encode() + b"\n")
                    answered = True
            self.assertEqual(p.wait(EVENT_TIMEOUT), 0, text)
        finally:
            os.close(master)
        self.assertTrue(answered, f"setup never asked: {text!r}")
        return text.decode()

    def test_setup_in_a_terminal_asks_which_to_keep(self):
        self.dconf.write(SELECTED_BREAKS, "['movement']")
        text = self.setup_in_a_terminal("b")
        self.assertIn("Both stay on", text)
        self.assertEqual(self.dconf.run("read", SELECTED_BREAKS), "['movement']")

        text = self.setup_in_a_terminal("g")
        self.assertIn("systemctl --user disable --now stretchd.socket stretchd.service", text)
        self.assertEqual(self.dconf.run("read", SELECTED_BREAKS), "['movement']")

        text = self.setup_in_a_terminal("s")
        self.assertIn("GNOME's break reminders are off; stretch reminds you.", text)
        self.assertEqual(self.dconf.run("read", SELECTED_BREAKS), "@as []")


class SwayncDndTest(DndTestCase):
    """swaync 0.7.3 under headless sway, the notification server, toggled
    with `swaync-client --toggle-dnd`."""

    needs = ServerTestCase.needs + ("sway", "swaync", "swaync-client", "setpriv", "/usr/libexec/dconf-service")

    def test_dnd_holds_the_reminder_and_its_end_shows_it(self):
        b = self.bus()
        sway = self.serve(Sway(self.tmp))
        sn = Swaync(b, sway, self.tmp)
        self.serve(DconfService(b, self.tmp, sn.client_env(), name="swaync-dconf"))
        self.serve(sn)
        self.start_stretchd(b.env(self.env))
        self.wait_until(lambda: self.quiet_source("swaync")["detail"] == "swaync: do not disturb is off",
                        what="swaync found")
        sn.set_dnd(True)
        self.wait_until(lambda: self.quiet_source("swaync")["quiet"], what="swaync's dnd heard")
        sub = self.subscriber()
        sub.wait_for("reminder")
        self.wait_held_by("swaync")
        self.assertEqual(sn.count(), 0)

        sn.set_dnd(False)
        ended = time.monotonic()
        self.wait_until(lambda: sn.count() > 0, what="the reminder in swaync")
        report("swaync", time.monotonic() - ended)
        self.assertIsNone(self.status_json()["held"])


class MakoDndTest(DndTestCase):
    """mako 1.7 under headless sway. It announces no mode change (only the
    SetMode call crosses the bus), so stretchd overhears those calls with a
    bus monitor. Here: a mode set before stretchd starts holds the reminder,
    and mako restarting without it releases the reminder; a mode set and
    left while stretchd runs is seen at once, through the monitor."""

    needs = ServerTestCase.needs + ("sway", "mako", "makoctl", "setpriv")

    def test_mode_holds_the_reminder_and_a_mako_without_it_shows_it(self):
        b = self.bus()
        sway = self.serve(Sway(self.tmp))
        mako = self.serve(Mako(b, sway, self.tmp))
        mako.ctl("set-mode", "do-not-disturb")
        self.start_stretchd(b.env(self.env))
        self.wait_until(lambda: self.quiet_source("mako")["quiet"], what="mako's mode seen")
        sub = self.subscriber()
        sub.wait_for("reminder")
        self.wait_held_by("mako")
        self.assertEqual(mako.notifications(), [])

        mako.stop()
        self.servers.remove(mako)
        mako2 = self.serve(Mako(b, sway, self.tmp, name="mako2"))
        ended = time.monotonic()
        self.wait_until(lambda: mako2.notifications(), what="the reminder in mako")
        report("mako (restart)", time.monotonic() - ended)
        self.assertIsNone(self.status_json()["held"])

    def test_mode_set_and_left_while_running_is_overheard(self):
        b = self.bus()
        sway = self.serve(Sway(self.tmp))
        mako = self.serve(Mako(b, sway, self.tmp))
        self.start_stretchd(b.env(self.env))
        self.wait_until(lambda: "overheard" in self.quiet_source("mako")["detail"], what="the monitor granted")
        mako.ctl("set-mode", "do-not-disturb")
        self.wait_until(lambda: self.quiet_source("mako")["quiet"], what="the mode seen without a break due")
        sub = self.subscriber()
        sub.wait_for("reminder")
        self.wait_held_by("mako")
        self.assertEqual(mako.notifications(), [])

        mako.ctl("set-mode", "default")
        ended = time.monotonic()
        self.wait_until(lambda: mako.notifications(), what="the reminder in mako")
        report("mako (mode left)", time.monotonic() - ended)
        self.assertIsNone(self.status_json()["held"])

    def test_mode_set_after_start_is_seen_when_the_break_falls_due(self):
        b = self.bus()
        sway = self.serve(Sway(self.tmp))
        mako = self.serve(Mako(b, sway, self.tmp))
        self.start_stretchd(b.env(self.env))
        self.wait_until(lambda: "is off" in self.quiet_source("mako")["detail"], what="mako found")
        mako.ctl("set-mode", "do-not-disturb")  # mako 1.7 announces nothing
        sub = self.subscriber()
        sub.wait_for("reminder")
        # Asked when the break fell due; a bubble put up before the answer is taken down.
        self.wait_held_by("mako")
        self.wait_until(lambda: mako.notifications() == [], what="no reminder left in mako")


if __name__ == "__main__":
    unittest.main()
