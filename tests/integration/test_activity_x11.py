#!/usr/bin/python3
"""Activity from a real X server: stretchd's XSync IDLETIME alarms under an
Xvfb that each test starts for itself, with xdotool as the user.

The thresholds are seconds long; the tests wait *up to* generous bounds and
never assert how fast something happens. How long the user was idle is read
from what the daemon reports (the `back` event's amount_s, the counter value
it logs), not from the test's own clock.

The idle wake-up count (once QuietTest here, a minute of watching an idle
stretchd) is measured by bench/idle.sh, with buses and without. Run:
STRETCHD=... STRETCH=... /usr/bin/python3 tests/integration/test_activity_x11.py -v
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import json  # noqa: E402
import re  # noqa: E402
import select  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import time  # noqa: E402
import unittest  # noqa: E402

import harness  # noqa: E402
from harness import EVENT_TIMEOUT, Raw, fullscreen_config, rule  # noqa: E402
from servers import READY_TIMEOUT, Bus, NotifyMock, ServerTestCase, UserManagerMock, Xvfb  # noqa: E402

# The threshold is the shortest natural break: max(duration, natural_break)
# of each rule, so `natural` alone decides it. Nothing falls due in a test.
CONFIG = harness.config(tracking={"natural_break": Raw('"{natural}"'), "source": Raw('"{source}"')}, breaks=[
    rule("micro", "1h", "1s", snooze="1m", max_snoozes=2, remind_every="5m"),
    rule("long", "2h", "1s", tags=["stretch"], snooze="5m", max_snoozes=1, remind_every="5m"),
])

# The activity manager notices a new X socket with inotify, then tries again
# after 0.25, 1, 3 and 10 s.
COMEBACK_TIMEOUT = 20.0


def config(natural="2s", source="x11"):
    return CONFIG.format(natural=natural, source=source)


class XvfbOn(Xvfb):
    """Xvfb on a display number of the test's choosing (to bring a server
    back where DISPLAY already points), else on the one Xvfb picks."""

    def __init__(self, tmp, number=None, name="xvfb"):
        super().__init__(tmp, name)
        self.number = number

    def start(self, timeout=READY_TIMEOUT):
        if self.number is None:
            super().start(timeout)
            self.number = int(self.display[1:])
            return self
        r, w = os.pipe()
        try:
            env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
            # With an explicit number, -displayfd still says when the server is ready.
            self.popen(["Xvfb", f":{self.number}", "-displayfd", str(w), "-noreset", "-nolisten", "tcp",
                        "-screen", "0", "1280x800x24"], env, pass_fds=(w,))
            os.close(w)
            w = None
            # Read up to the newline: Xvfb writes the number and the newline
            # apart, and dies ("Cannot write display number") if the pipe is
            # closed between the two.
            out = b""
            deadline = time.monotonic() + timeout
            while b"\n" not in out:
                ready, _, _ = select.select([r], [], [], max(0.0, deadline - time.monotonic()))
                chunk = os.read(r, 64) if ready else b""
                if not chunk:
                    raise AssertionError(f"Xvfb :{self.number} did not start within {timeout} s:\n{self.log()}")
                out += chunk
            self.display = f":{self.number}"
        finally:
            os.close(r)
            if w is not None:
                os.close(w)
        return self


class DisplayHold:
    """Keeps an X display number free of other servers while ours is down:
    an X server skips a number whose abstract socket (@/tmp/.X11-unix/XN) is
    taken, and, since nothing listens on it, a client is refused at once."""

    def __init__(self, number):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            self.sock.bind(b"\0/tmp/.X11-unix/X%d" % number)
        except OSError:
            self.sock.close()
            raise

    def release(self):
        self.sock.close()


def hold_unused_display():
    """(number, hold) for a display number no server can take during the test."""
    for number in range(4801, 4901):
        if os.path.exists(f"/tmp/.X11-unix/X{number}"):
            continue
        try:
            return number, DisplayHold(number)
        except OSError:
            continue
    raise AssertionError("no free X display number in 4801..4900")


class X11TestCase(ServerTestCase):
    """An Xvfb, then stretchd with DISPLAY pointing at it."""

    needs = ("Xvfb", "xdotool")
    natural = "2s"
    source = "x11"

    def setUp(self):
        super().setUp()
        self.write_config(config(self.natural, self.source))
        self.moves = 0
        self.holds = []
        self.addCleanup(lambda: [h.release() for h in self.holds])

    def xvfb(self, number=None):
        return self.serve(XvfbOn(self.tmp, number, name=f"xvfb{len(self.servers)}"))

    def start_stretchd(self, display):
        self.env["DISPLAY"] = display
        self.daemon = self.new_daemon(env=self.env).start()
        return self.daemon

    def activity(self):
        return self.status()["activity"]

    def wait_source(self, name, timeout=EVENT_TIMEOUT):
        return self.wait_until(lambda: (a := self.activity())["source"] == name and a, timeout,
                               what=f"activity source {name!r}")

    # ---- the user ----

    def move_mouse(self, x):
        # To a new place each time: a move to where the pointer is makes no input.
        self.moves += 1
        x.run("xdotool", "mousemove", str(10 + 10 * (self.moves % 2)), "10")
        return time.monotonic()

    def press_key(self, x):
        x.run("xdotool", "key", "shift")
        return time.monotonic()

    # ---- what the daemon said ----

    def idle_counts_ms(self):
        """The IDLETIME values the daemon's alarms fired at, from its log."""
        return [int(m) for m in re.findall(r"x11: idle for (\d+) ms", self.daemon.log())]


class EdgesTest(X11TestCase):

    def test_no_input_for_the_threshold_is_away_and_the_mouse_or_a_key_brings_the_user_back(self):
        x = self.xvfb()
        self.start_stretchd(x.display)
        self.assertEqual(self.wait_source("x11")["detail"], f"XSync IDLETIME on {x.display}")
        sub = self.subscriber()
        self.move_mouse(x)
        away = sub.wait_for("away")
        self.assertEqual(away.get("origin"), "activity", away)
        # A 2 s threshold is also the natural break of both rules.
        sub.wait_for("natural_break")
        self.assertTrue(self.status()["away"])

        self.move_mouse(x)
        back = sub.wait_for("back")
        self.assertEqual(back.get("origin"), "activity", back)
        self.assertFalse(self.status()["away"])

        sub.wait_for("away")
        self.press_key(x)
        sub.wait_for("back")

        # Each alarm fired once per edge: no storm of events while idle.
        edges = [e["event"] for e in sub.seen if e.get("event") in ("away", "back")]
        self.assertEqual(edges, ["away", "back", "away", "back"], sub.seen)
        self.assertTrue(all(ms >= 2000 for ms in self.idle_counts_ms()), self.idle_counts_ms())

    def test_the_time_away_counts_from_the_last_input_not_from_the_alarm(self):
        self.write_config(config(natural="3s"))
        x = self.xvfb()
        self.start_stretchd(x.display)
        self.wait_source("x11")
        sub = self.subscriber()
        last_input = self.move_mouse(x)
        sub.wait_for("away")
        # Back at once: "since the alarm" would be about 0 s, "since the
        # input" is at least the 3 s threshold.
        returned = self.move_mouse(x)
        back = sub.wait_for("back")
        real_s = returned - last_input
        # amount_s is whole seconds, cut off.
        self.assertGreaterEqual(back["amount_s"], int(real_s) - 1, (back, real_s))
        self.assertLessEqual(back["amount_s"], real_s + 1, (back, real_s))

    def test_a_reload_with_a_shorter_natural_break_rearms_the_alarm(self):
        self.write_config(config(natural="30s"))
        x = self.xvfb()
        self.start_stretchd(x.display)
        self.wait_source("x11")
        sub = self.subscriber()
        self.move_mouse(x)
        self.write_config(config(natural="2s"))
        self.ok("reload")
        sub.wait_for("away")
        self.assertTrue(self.idle_counts_ms(), self.daemon.log())
        self.assertTrue(all(2000 <= ms < 30000 for ms in self.idle_counts_ms()), self.idle_counts_ms())

    def test_a_reload_with_a_longer_natural_break_waits_for_it(self):
        x = self.xvfb()
        self.start_stretchd(x.display)
        self.wait_source("x11")
        sub = self.subscriber()
        self.move_mouse(x)
        sub.wait_for("away")
        self.write_config(config(natural="6s"))
        self.ok("reload")
        # Changed while idle: the new threshold counts from the next input.
        self.move_mouse(x)
        sub.wait_for("back")
        sub.wait_for("away", timeout=EVENT_TIMEOUT + 6)
        counts = self.idle_counts_ms()
        self.assertEqual(len(counts), 2, counts)
        self.assertLess(counts[0], 6000, counts)
        self.assertGreaterEqual(counts[1], 6000, counts)


class ServerComingAndGoingTest(X11TestCase):
    source = "auto"

    def test_the_x_server_going_away_falls_back_and_its_return_is_picked_up(self):
        x = self.xvfb()
        self.start_stretchd(x.display)
        self.wait_source("x11", timeout=COMEBACK_TIMEOUT)
        sub = self.subscriber()

        x.stop()
        # Nobody else's server may take the number while ours is down.
        try:
            self.holds.append(DisplayHold(x.number))
        except OSError:
            self.skipTest(f"another X server took {x.display} as soon as ours stopped")
        # No session bus and no system bus: nothing else to fall back to.
        self.wait_source("none")
        self.assertRegex(self.daemon.log(), rf'the X server on "{x.display}" went away')
        self.assertTrue(self.daemon.alive())

        self.holds.pop().release()
        again = self.xvfb(x.number)
        self.assertEqual(again.display, x.display)
        self.assertEqual(self.wait_source("x11", timeout=COMEBACK_TIMEOUT)["detail"], f"XSync IDLETIME on {x.display}")
        # And it works: the new server's alarms come through.
        self.move_mouse(again)
        sub.wait_for("away")
        self.move_mouse(again)
        sub.wait_for("back")


class NoServerTest(X11TestCase):

    def test_a_display_without_a_server_is_explained_and_the_daemon_carries_on(self):
        number, hold = hold_unused_display()
        self.holds.append(hold)
        self.start_stretchd(f":{number}")
        self.wait_until(lambda: self.activity()["detail"] != "looking for a source", what="the probe's end")
        self.assertEqual(self.activity()["source"], "none")
        probe = self.x11_probe()
        self.assertEqual(probe["state"], "failed", probe)
        self.assertEqual(probe["detail"], f'cannot connect to the X server on ":{number}"', probe)
        self.assertIn("DISPLAY", probe.get("fix", ""), probe)
        self.ok("version")
        self.assertTrue(self.daemon.alive())

    def test_no_display_at_all_says_how_to_hand_it_over(self):
        self.env.pop("DISPLAY", None)
        self.daemon = self.new_daemon(env=self.env).start()
        self.wait_until(lambda: self.activity()["detail"] != "looking for a source", what="the probe's end")
        probe = self.x11_probe()
        self.assertEqual(probe["detail"], "DISPLAY is not set", probe)
        self.assertIn("import-environment DISPLAY", probe.get("fix", ""), probe)

    # Once a bug (issue 12): on an X11 desktop, doctor flagged Wayland as failed, with a fix nobody needed.
    def test_on_an_x11_desktop_the_wayland_source_is_not_used_and_no_problem(self):
        self.write_config(config(self.natural, "auto"))
        x = self.xvfb()
        self.env.pop("WAYLAND_DISPLAY", None)
        self.start_stretchd(x.display)
        self.wait_source("x11")
        doctor = self.ok("doctor")
        wayland = next(p for p in doctor["probes"] if p["source"] == "wayland")
        self.assertEqual(wayland["state"], "not_used", wayland)
        self.assertNotIn("fix", wayland)
        text = self.cli_ok("doctor").stdout
        self.assertRegex(text, r"(?m)^  · wayland +not used ")
        self.assertNotIn("✗", text)

    def x11_probe(self):
        doctor = self.ok("doctor")
        probes = [p for p in doctor["probes"] if p["source"] == "x11"]
        self.assertEqual(len(probes), 1, doctor)
        return probes[0]



class RestartWhileAwayTest(X11TestCase):

    def history(self):
        return json.loads(self.cli_ok("history", "--json").stdout)["events"]

    def presence(self):
        return [e["kind"] for e in self.history() if e["kind"] in ("away", "back", "natural")]

    # Once a bug (issue 12): each start replayed the time down as an absence that ended (a `back` the user
    # never made), then the source said idle again: after three idle restarts `stretch stats` counted
    # six natural breaks for three absences.
    def test_restarts_while_the_user_is_away_write_one_absence(self):
        x = self.xvfb()
        self.start_stretchd(x.display)
        self.wait_source("x11")
        self.move_mouse(x)
        self.wait_until(lambda: self.presence() == ["away", "natural", "natural"], what="away, and both rules' natural break")
        for _ in range(3):
            self.assertEqual(self.daemon.stop(), 0, self.daemon.log())
            self.start_stretchd(x.display)
            # The new daemon's alarm fires at once: the user is still idle.
            self.wait_until(lambda: self.idle_counts_ms(), what="the idle alarm of the new daemon")
            self.assertTrue(self.status()["away"])
        self.move_mouse(x)
        self.wait_until(lambda: self.presence()[-1:] == ["back"], what="back")
        self.assertEqual(self.presence(), ["away", "natural", "natural", "back"], self.history())
        self.assertIn("natural 1 ", self.cli_ok("stats").stdout)



class FullscreenCheckTest(ServerTestCase):
    """The full-screen check on the display the daemon learns from the systemd
    user manager, kept current by X events and never waiting for the X server.

    The break falls due only once the test resumes a schedule that an earlier
    life of the daemon paused: by then the daemon has its answer from the X
    server (its log says so), whatever the machine's speed."""

    needs = ("Xvfb", "xprop", "xwininfo", "dbus-daemon", "dbus", "dbusmock")

    def setUp(self):
        super().setUp()
        self.bus = self.serve(Bus(self.tmp))
        self.notify = self.serve(NotifyMock(self.bus, self.tmp))
        self.x = self.serve(Xvfb(self.tmp))
        # A daemon that has never heard of the display pauses the schedule.
        self.write_config(fullscreen_config("1h"))
        first = self.new_daemon(env=self.env).start()
        self.assertIn("paused_for_s", self.ok("pause"))
        self.assertEqual(first.stop(), 0, first.log())
        self.write_config(fullscreen_config("2s"))

    def start_stretchd(self, manager_env=None):
        """With `manager_env`, stretchd without DISPLAY: the display is known
        only through the user manager, as for a service started before the
        session imported it. Else with DISPLAY in its own environment."""
        env = self.bus.env(self.env)
        if manager_env is None:
            env = self.x.env(env)
        else:
            self.serve(UserManagerMock(self.bus, self.tmp), list(manager_env))
            self.assertNotIn("DISPLAY", env)
        self.daemon = self.new_daemon(env=env).start()
        self.env = env  # the CLI's too
        return self.daemon

    def answers(self, fullscreen):
        word = "" if fullscreen else "not "
        return self.daemon.log().count(f"full-screen check: the focused window on {self.x.display} is {word}full-screen")

    def wait_answer(self, fullscreen, count=1):
        self.wait_until(lambda: self.answers(fullscreen) >= count,
                        what=f"the full-screen check's answer ({'' if fullscreen else 'not '}full-screen, #{count})")

    def test_a_full_screen_window_on_the_user_managers_display_holds_the_reminder_until_it_ends(self):
        self.x.set_root_fullscreen()
        self.start_stretchd(["HOME=/nowhere", f"DISPLAY={self.x.display}"])
        self.wait_until(lambda: self.request("doctor")["environment"]["DISPLAY"] == self.x.display,
                        what="the user manager's DISPLAY")
        self.wait_answer(True)
        sub = self.subscriber()
        self.ok("resume")
        self.assertEqual(sub.wait_for("reminder")["break"], "micro")
        st = self.wait_until(lambda: (s := self.status())["held"] == "fullscreen" and s, what="held for the full-screen window")
        self.assertEqual(st["state"], "due", st)
        self.assertEqual(self.notify.notify_calls(), [])

        # The window leaves full screen: the X event alone brings the reminder out.
        self.x.run("xprop", "-root", "-remove", "_NET_WM_STATE")
        self.wait_until(lambda: self.notify.notify_calls(), what="the reminder shown once full screen ended")
        self.assertIsNone(self.status()["held"])
        self.wait_answer(False)

        # And back into full screen: seen again, from the event.
        self.x.set_root_fullscreen()
        self.wait_answer(True, count=2)

    def test_the_daemon_answers_while_the_x_server_does_not(self):
        self.start_stretchd()
        self.wait_answer(False)
        # The X server stops answering (stopped, as a hung server would be);
        # a reminder falls due and is shown without asking it anything.
        self.x.proc.send_signal(signal.SIGSTOP)
        self.addCleanup(lambda: self.x.proc.send_signal(signal.SIGCONT) if self.x.alive() else None)
        sub = self.subscriber()
        self.ok("resume")
        self.assertEqual(sub.wait_for("reminder")["break"], "micro")
        self.wait_until(lambda: self.notify.notify_calls(), what="the reminder shown")
        st = self.status()
        self.assertIsNone(st["held"], st)
        self.assertEqual(st["state"], "due", st)


if __name__ == "__main__":
    unittest.main()
