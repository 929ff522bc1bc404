#!/usr/bin/python3
"""The full-screen check on Wayland against real compositors:

- sway 1.7 headless (as nobody, see servers.Sway), which announces each
  window's states in zwlr_foreign_toplevel_manager_v1. The window is a real
  client, weston-flower (package weston), made full-screen with swaymsg. No
  X display: only Wayland can see it. Sway starts once for the class; each
  test opens its own window and closes it.
- KWin 5.27 `--virtual` (see test_activity_wayland.Kwin: run from a copy of
  the binary, on a private bus of its own), which offers KDE's window list,
  org_kde_plasma_window_management, and not the wlr one. KWin offers that
  list only to programs whose desktop file asks for it: the first class
  starts KWin with KWIN_WAYLAND_NO_PERMISSION_CHECKS=1, which lifts the
  restriction, the second without it, to check what doctor says then and
  that a desktop file naming the daemon's path is what KWin wants. The
  window is tests/tools/wayland_fullscreen_window, a plain xdg-shell client
  that asks to be full-screen itself (`fullscreen`/`windowed` on its stdin).
- weston headless, which offers neither list: the check is off, doctor says
  why, and reminders go out as before.

Reminders go to python3-dbusmock's notification server on a private bus.
The break falls due only when the test resumes a schedule that an earlier
life of the daemon paused, so the daemon has the compositor's answer by
then (its log says so) whatever the machine's speed. Nothing waits on the
clock; how long the reminder took after full screen ended is printed.
Run:
STRETCHD=... STRETCH=... STRETCH_BUILD_DIR=... /usr/bin/python3 tests/integration/test_fullscreen_wayland.py -v
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import shutil  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import unittest  # noqa: E402

from harness import ROOT, STRETCHD, fullscreen_config  # noqa: E402
from servers import READY_TIMEOUT, Bus, NotifyMock, ServerTestCase, Sway, clean_env, missing_tools, wait_for  # noqa: E402
from test_activity_wayland import Kwin, Weston  # noqa: E402

CLIENT = "weston-flower"
APP_ID = "org.freedesktop.weston.flower"
BUILD_DIR = os.environ.get("STRETCH_BUILD_DIR") or os.path.join(ROOT, "build")
SOURCE_DIR = os.environ.get("STRETCH_SOURCE_DIR") or ROOT
WINDOW = os.path.join(BUILD_DIR, "tests", "tools", "wayland_fullscreen_window")
KDE = "kde-plasma-window-management"


class FullscreenWaylandCase(ServerTestCase):
    needs = ("dbus-daemon", "dbus", "dbusmock")

    def setUp(self):
        super().setUp()
        self.bus = self.serve(Bus(self.tmp))
        self.notify = self.serve(NotifyMock(self.bus, self.tmp))
        # A daemon that never saw the compositor pauses the schedule.
        self.write_config(fullscreen_config("1h"))
        first = self.new_daemon(env=self.env).start()
        self.assertIn("paused_for_s", self.ok("pause"))
        self.assertEqual(first.stop(), 0, first.log())
        self.write_config(fullscreen_config("2s"))

    def start_stretchd(self, compositor_env):
        env = compositor_env(self.bus.env(self.env))
        env.pop("DISPLAY", None)  # no X11: only Wayland can answer
        self.env = env  # the CLI's too
        self.daemon = self.new_daemon(env=env).start()
        return self.daemon

    def fullscreen(self):
        return self.ok("doctor")["fullscreen"]

    def check_held_until_full_screen_ends(self, set_fullscreen, how):
        """The due break is held while the window is full-screen; the
        compositor's event alone brings it out; back in full screen, it is
        seen again. The subclass's wait_answer() follows the answer."""
        sub = self.subscriber()
        self.ok("resume")
        self.assertEqual(sub.wait_for("reminder")["break"], "micro")
        st = self.wait_until(lambda: (s := self.status())["held"] == "fullscreen" and s, what="held for the full-screen window")
        self.assertEqual(st["state"], "due", st)
        self.assertEqual(self.notify.notify_calls(), [])

        left = time.monotonic()
        set_fullscreen(False)
        self.wait_until(lambda: self.notify.notify_calls(), what="the reminder shown once full screen ended")
        sys.stderr.write(f"\n[shown {time.monotonic() - left:.3f} s after {how}] ")
        self.assertIsNone(self.status()["held"])
        self.wait_answer(False)

        set_fullscreen(True)
        self.wait_answer(True, count=2)

    def probe(self, source):
        for p in self.fullscreen()["probes"]:
            if p["source"] == source:
                return p
        self.fail(f"no full-screen probe {source!r} in {self.fullscreen()!r}")


class SwayFullscreenTest(FullscreenWaylandCase):
    needs = FullscreenWaylandCase.needs + ("sway", "swaymsg", "setpriv", CLIENT)

    @classmethod
    def setUpClass(cls):
        if missing_tools(*cls.needs):
            return  # setUp skips each test
        cls.class_tmp = tempfile.mkdtemp(prefix="stretch-fs-")
        cls.sway = Sway(cls.class_tmp).start()

    @classmethod
    def tearDownClass(cls):
        if getattr(cls, "sway", None):
            cls.sway.stop()
            shutil.rmtree(cls.sway.dir, ignore_errors=True)
            shutil.rmtree(cls.class_tmp, ignore_errors=True)

    def setUp(self):
        super().setUp()
        self.open_window()

    def open_window(self):
        env = self.sway.env(clean_env())
        env["HOME"] = self.tmp
        log = open(os.path.join(self.tmp, "client.log"), "w")
        self.addCleanup(log.close)
        client = subprocess.Popen([CLIENT], env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log)

        def close():
            client.terminate()
            client.wait(5)
        self.addCleanup(close)

        def mapped():
            return APP_ID in self.sway.swaymsg("-t", "get_tree").stdout
        wait_for(mapped, f"{CLIENT}'s window", proc=client)

    def set_fullscreen(self, on):
        self.sway.swaymsg(f"[app_id={APP_ID}]", "fullscreen", "enable" if on else "disable")

    def answers(self, fullscreen):
        word = "" if fullscreen else "not "
        return self.daemon.log().count(f"full-screen check: the focused window on {self.sway.display} is {word}full-screen")

    def wait_answer(self, fullscreen, count=1):
        self.wait_until(lambda: self.answers(fullscreen) >= count,
                        what=f"the Wayland full-screen answer ({'' if fullscreen else 'not '}full-screen, #{count})")

    def test_a_full_screen_window_holds_the_reminder_until_it_leaves_full_screen(self):
        self.set_fullscreen(True)
        self.start_stretchd(self.sway.env)
        self.wait_answer(True)
        fs = self.fullscreen()
        self.assertEqual(fs["source"], "wlr-foreign-toplevel", fs)
        self.assertIn(f"zwlr_foreign_toplevel_manager_v1 v3 on {self.sway.display}", self.probe("wlr-foreign-toplevel")["detail"])
        self.assertFalse(self.probe("x11")["in_use"])
        self.assertIn("not needed", self.probe(KDE)["detail"])
        self.assertFalse(self.probe(KDE)["in_use"])

        self.check_held_until_full_screen_ends(self.set_fullscreen, "`fullscreen disable`")

    def test_closing_the_full_screen_window_releases_the_reminder(self):
        self.set_fullscreen(True)
        self.start_stretchd(self.sway.env)
        self.wait_answer(True)
        sub = self.subscriber()
        self.ok("resume")
        sub.wait_for("reminder")
        self.wait_until(lambda: self.status()["held"] == "fullscreen", what="held")
        self.sway.swaymsg(f"[app_id={APP_ID}]", "kill")
        self.wait_until(lambda: self.notify.notify_calls(), what="the reminder shown once the window closed")
        self.assertIsNone(self.status()["held"])

    def test_a_window_that_is_not_full_screen_holds_nothing(self):
        self.start_stretchd(self.sway.env)
        self.wait_until(lambda: self.fullscreen()["source"] == "wlr-foreign-toplevel", what="the toplevel list in use")
        sub = self.subscriber()
        self.ok("resume")
        sub.wait_for("reminder")
        self.wait_until(lambda: self.notify.notify_calls(), what="the reminder shown")
        self.assertIsNone(self.status()["held"])


class KwinWindow:
    """tests/tools/wayland_fullscreen_window on KWin: full-screen when it
    asks, windowed when it asks; its stdout (a line per configure drawn) goes
    to a file the test reads."""

    def __init__(self, test, kwin, fullscreen):
        self.out_path = os.path.join(test.tmp, "window.out")
        out = open(self.out_path, "w")
        test.addCleanup(out.close)
        self.proc = subprocess.Popen([WINDOW] + (["--fullscreen"] if fullscreen else []), env=kwin.client_env(),
                                     stdin=subprocess.PIPE, stdout=out, stderr=out, text=True)
        test.addCleanup(self.close)
        self.wait_configured(fullscreen)

    def output(self):
        with open(self.out_path) as f:
            return f.read()

    def wait_configured(self, fullscreen, count=1):
        word = "fullscreen" if fullscreen else "windowed"
        wait_for(lambda: self.output().count(f"configured {word} ") >= count, f"the test window {word}",
                 proc=self.proc, log=self.output)

    def set_fullscreen(self, on):
        self.proc.stdin.write("fullscreen\n" if on else "windowed\n")
        self.proc.stdin.flush()

    def close(self):
        """Ends its input: it destroys its window and exits."""
        if self.proc.poll() is None:
            self.proc.stdin.close()
            self.proc.wait(10)


class KwinFullscreenCase(FullscreenWaylandCase):
    """KWin started once for the class; each test opens its own window."""

    needs = FullscreenWaylandCase.needs + ("kwin_wayland", "wayland-info")

    @classmethod
    def setUpClass(cls):
        if missing_tools(*cls.needs):
            return  # setUp skips each test
        cls.class_tmp = tempfile.mkdtemp(prefix="stretch-fs-kwin-")
        cls.kwin = cls.make_kwin(cls.class_tmp).start()

    @classmethod
    def make_kwin(cls, tmp):
        return Kwin(tmp)

    @classmethod
    def tearDownClass(cls):
        if getattr(cls, "kwin", None):
            cls.kwin.stop()
            shutil.rmtree(cls.class_tmp, ignore_errors=True)

    def setUp(self):
        super().setUp()
        if not os.access(WINDOW, os.X_OK):
            self.fail(f"{WINDOW} is not built (the normal build makes it when STRETCH_TESTS is on)")

    def answers(self, fullscreen):
        word = "" if fullscreen else "not "
        return self.daemon.log().count(f"full-screen check: the focused window on {self.kwin.socket} is {word}full-screen")

    def wait_answer(self, fullscreen, count=1):
        self.wait_until(lambda: self.answers(fullscreen) >= count,
                        what=f"the KWin full-screen answer ({'' if fullscreen else 'not '}full-screen, #{count})")


class KwinFullscreenTest(KwinFullscreenCase):
    """KWin with KWIN_WAYLAND_NO_PERMISSION_CHECKS=1 (as Kwin starts it): its
    window list is offered to any client, as it is to one that its desktop
    file names."""

    def test_a_full_screen_window_holds_the_reminder_until_it_leaves_full_screen(self):
        window = KwinWindow(self, self.kwin, fullscreen=True)
        self.start_stretchd(self.kwin.env)
        self.wait_answer(True)
        fs = self.fullscreen()
        self.assertEqual(fs["source"], KDE, fs)
        self.assertEqual(fs["in_use"], [KDE], fs)
        self.assertIn(f"org_kde_plasma_window_management v16 on {self.kwin.socket}", self.probe(KDE)["detail"])
        self.assertIn("does not offer zwlr_foreign_toplevel_manager_v1", self.probe("wlr-foreign-toplevel")["detail"])
        self.assertIn(f"Full screen: seen through {KDE}", self.cli_ok("doctor").stdout)

        self.check_held_until_full_screen_ends(window.set_fullscreen, "the window asked to leave full screen")

    def test_closing_the_full_screen_window_releases_the_reminder(self):
        window = KwinWindow(self, self.kwin, fullscreen=True)
        self.start_stretchd(self.kwin.env)
        self.wait_answer(True)
        sub = self.subscriber()
        self.ok("resume")
        sub.wait_for("reminder")
        self.wait_until(lambda: self.status()["held"] == "fullscreen", what="held")
        window.close()
        self.wait_until(lambda: self.notify.notify_calls(), what="the reminder shown once the window closed")
        self.assertIsNone(self.status()["held"])

    def test_a_window_that_is_not_full_screen_holds_nothing(self):
        KwinWindow(self, self.kwin, fullscreen=False)
        self.start_stretchd(self.kwin.env)
        self.wait_until(lambda: self.fullscreen()["source"] == KDE, what="KDE's window list in use")
        sub = self.subscriber()
        self.ok("resume")
        sub.wait_for("reminder")
        self.wait_until(lambda: self.notify.notify_calls(), what="the reminder shown")
        self.assertIsNone(self.status()["held"])


class RestrictedKwin(Kwin):
    """KWin as users run it: org_kde_plasma_window_management only for a
    program that a desktop file in its data directories names by path. With
    `stretchd`, those directories hold data/stretchd.desktop.in made for that
    path, as the install makes it for the installed daemon."""

    def __init__(self, tmp, stretchd=None):
        super().__init__(tmp)
        self.data = os.path.join(tmp, "kwin-data")
        os.makedirs(os.path.join(self.data, "applications"))
        if stretchd:
            with open(os.path.join(SOURCE_DIR, "data", "stretchd.desktop.in")) as f:
                text = f.read().replace("@STRETCHD_PATH@", stretchd)
            with open(os.path.join(self.data, "applications", "stretchd.desktop"), "w") as f:
                f.write(text)

    def popen(self, cmd, env, **kw):
        env.pop("KWIN_WAYLAND_NO_PERMISSION_CHECKS", None)
        env["XDG_DATA_DIRS"] = f"{self.data}:/usr/local/share:/usr/share"
        return super().popen(cmd, env, **kw)


class RestrictedKwinFullscreenTest(KwinFullscreenCase):
    """Without KWIN_WAYLAND_NO_PERMISSION_CHECKS, KWin withholds its window
    list from a daemon that no desktop file names: doctor says so and what to
    do."""

    @classmethod
    def make_kwin(cls, tmp):
        return RestrictedKwin(tmp)

    def test_without_a_desktop_file_doctor_says_what_to_do(self):
        self.start_stretchd(self.kwin.env)
        self.wait_until(lambda: "offers org_kde_plasma_window_management only to programs whose desktop file asks"
                        in self.probe(KDE)["detail"], what="doctor's reason for KDE's window list")
        probe = self.probe(KDE)
        stretchd = os.path.realpath(STRETCHD)
        self.assertIn(stretchd, probe["detail"])
        for words in ("stretchd.desktop", f"Exec={stretchd}", "X-KDE-Wayland-Interfaces=org_kde_plasma_window_management",
                      "systemctl --user restart stretchd"):
            self.assertIn(words, probe.get("fix", ""))
        doctor = self.ok("doctor")
        self.assertEqual(doctor["fullscreen"]["source"], "none", doctor["fullscreen"])
        # Among the problems too, with its fix, as the CLI shows it.
        self.assertIn({"problem": f"full-screen windows are not seen: {probe['detail']}", "fix": probe["fix"]},
                      doctor["problems"])
        text = self.cli_ok("doctor").stdout
        self.assertIn(f"full-screen windows are not seen: {probe['detail']}", text)
        self.assertIn(probe["fix"], text)
        self.assertEqual(self.daemon.log().count("offers org_kde_plasma_window_management only to programs"), 1)


@unittest.skipIf(os.environ.get("STRETCHD_WRAPPER"), "KWin looks for the wrapper's path, not stretchd's")
class DesktopFileKwinFullscreenTest(KwinFullscreenCase):
    """KWin with its restriction, and stretchd.desktop naming the daemon:
    KWin offers its window list, and a full-screen window holds a reminder."""

    @classmethod
    def make_kwin(cls, tmp):
        return RestrictedKwin(tmp, stretchd=os.path.realpath(STRETCHD))

    def test_the_desktop_file_opens_kde_window_list(self):
        KwinWindow(self, self.kwin, fullscreen=True)
        self.start_stretchd(self.kwin.env)
        self.wait_answer(True)
        self.assertEqual(self.fullscreen()["source"], KDE)
        sub = self.subscriber()
        self.ok("resume")
        sub.wait_for("reminder")
        self.wait_until(lambda: self.status()["held"] == "fullscreen", what="held for the full-screen window")
        self.assertEqual(self.notify.notify_calls(), [])


class LateWeston(Weston):
    """Weston in a runtime directory made before it starts, so that a daemon
    can watch the directory before the compositor's socket appears."""

    def __init__(self, tmp, name="weston"):
        super().__init__(tmp, name)
        os.makedirs(self.dir, mode=0o700, exist_ok=True)

    def start(self, timeout=READY_TIMEOUT):
        env = clean_env()
        env["XDG_RUNTIME_DIR"] = self.dir
        self.popen(["weston", "--backend=headless-backend.so", f"--socket={self.SOCKET}", "--idle-time=0",
                    "--no-config"], env)
        wait_for(lambda: os.path.exists(os.path.join(self.dir, self.SOCKET)), "weston's socket", timeout, self.proc,
                 self.log)
        return self


class WestonFullscreenTest(FullscreenWaylandCase):
    """weston offers no toplevel list: the check is off and says why."""

    needs = FullscreenWaylandCase.needs + ("weston",)

    def test_without_the_protocol_the_check_is_off_and_reminders_go_out(self):
        weston = self.serve(Weston(self.tmp))
        self.start_stretchd(weston.env)
        why = f"the compositor on {Weston.SOCKET} does not offer zwlr_foreign_toplevel_manager_v1"
        self.wait_until(lambda: why in self.probe("wlr-foreign-toplevel")["detail"], what="doctor's reason")
        fs = self.fullscreen()
        self.assertEqual(fs["source"], "none", fs)
        self.assertEqual(fs["in_use"], [], fs)
        self.assertIn(f"the compositor on {Weston.SOCKET} does not offer org_kde_plasma_window_management (KWin's window list)",
                      self.probe(KDE)["detail"])
        self.assertIn("Full screen: off", self.cli_ok("doctor").stdout)

        sub = self.subscriber()
        self.ok("resume")
        sub.wait_for("reminder")
        self.wait_until(lambda: self.notify.notify_calls(), what="the reminder shown")
        self.assertIsNone(self.status()["held"])
        # Said once, not on every look.
        self.assertEqual(self.daemon.log().count(why), 1, self.daemon.log())

    def test_a_compositor_that_comes_later_or_goes_is_followed(self):
        weston = LateWeston(self.tmp)
        self.servers.append(weston)
        self.start_stretchd(weston.env)
        self.wait_until(lambda: "no Wayland compositor answers" in self.probe("wlr-foreign-toplevel")["detail"],
                        what="no compositor yet")
        # Its socket appearing brings the daemon to it, with no request.
        weston.start()
        why = f"the compositor on {Weston.SOCKET} does not offer zwlr_foreign_toplevel_manager_v1"
        self.wait_until(lambda: why in self.probe("wlr-foreign-toplevel")["detail"], what="the compositor found")
        # It goes: said, and the daemon serves on.
        weston.stop()
        self.wait_until(lambda: self.probe("wlr-foreign-toplevel")["detail"] != "" and
                        why not in self.probe("wlr-foreign-toplevel")["detail"], what="the compositor gone")
        self.assertTrue(self.daemon.alive())
        self.assertIn(f"the Wayland compositor on {Weston.SOCKET} went away", self.daemon.log())



class RefusingSocketTest(FullscreenWaylandCase):
    """A compositor's socket exists a moment before the compositor listens on
    it (bind, then listen), and nothing announces the listen: a refused
    connection is tried again. Here a plain socket, bound and listening only
    once the daemon was refused."""

    def test_a_socket_that_refuses_at_first_is_tried_again(self):
        path = os.path.join(self.tmp, "wayland-refusing")
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.addCleanup(sock.close)
        sock.bind(path)
        self.start_stretchd(lambda env: dict(env, WAYLAND_DISPLAY=path))
        self.wait_until(lambda: "Connection refused" in self.daemon.log(), what="the first connection refused",
                        interval=0.01)
        sock.listen(1)
        self.wait_until(lambda: f"waiting for the compositor on {path} to list its globals" in
                        self.probe("wlr-foreign-toplevel")["detail"], what="connected once the socket listens")

if __name__ == "__main__":
    unittest.main()
