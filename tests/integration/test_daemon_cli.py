"""Integration tests: the real stretchd and stretch over a real Unix socket.

Lifecycle (start, refuse a second instance, replace a stale socket, stop) and
every CLI command against a live daemon whose breaks fall due in seconds.
Run: STRETCHD=... STRETCH=... /usr/bin/python3 tests/integration/test_daemon_cli.py -v
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import json  # noqa: E402
import pty  # noqa: E402
import re  # noqa: E402
import select  # noqa: E402
import signal  # noqa: E402
import stat  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
import tomllib  # noqa: E402
import unittest  # noqa: E402

import harness  # noqa: E402
from harness import (  # noqa: E402
    EVENT_TIMEOUT, SLOW_CONFIG, START_TIMEOUT, STRETCH, STRETCHD, StretchTestCase, fast_config, request)

KEPT = " (the running config is kept)"


def rule(status, name):
    for b in status["breaks"]:
        if b["break"] == name:
            return b
    raise AssertionError(f"no break {name!r} in {status!r}")


EVERY_2_SECONDS = 'break "micro": every = "2 seconds": expected a duration like "30m" or "1h15m"'


def library_size():
    """The stretches in the built-in library (config/stretch.toml)."""
    with open(os.path.join(harness.ROOT, "config", "stretch.toml"), "rb") as f:
        return len(tomllib.load(f)["stretch"])


def line_col(text, needle):
    """1-based line and column of the first `needle` in `text`."""
    for number, line in enumerate(text.splitlines(), 1):
        col = line.find(needle)
        if col >= 0:
            return number, col + 1
    raise AssertionError(f"{needle!r} not in the config")


class ReadLines:
    """Lines from a child's stdout pipe, with a deadline per line."""

    def __init__(self, proc, fd=None):
        self.proc = proc
        self.fd = fd  # a pseudo-terminal's master instead of the stdout pipe
        self.buf = b""
        self.eof = False

    def line(self, timeout=EVENT_TIMEOUT):
        deadline = time.monotonic() + timeout
        fd = self.proc.stdout.fileno() if self.fd is None else self.fd
        while b"\n" not in self.buf and not self.eof:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            r, _, _ = select.select([fd], [], [], left)
            if not r:
                return None
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # a pseudo-terminal whose other end is closed
                chunk = b""
            if not chunk:
                self.eof = True
            self.buf += chunk
        if b"\n" not in self.buf:
            return None
        line, _, self.buf = self.buf.partition(b"\n")
        return line.decode("utf-8").removesuffix("\r")  # a terminal writes "\r\n"


# ---------------------------------------------------------------------------
# A break falls due, and what the user can do about it.
# ---------------------------------------------------------------------------

class StatusBarTickTest(StretchTestCase):
    """A subscribed status bar is updated when the text it shows changes: on the minute of the countdown,
    then every second in the last minute."""

    config_text = harness.config(tracking={"natural_break": "1h", "grace": None}, breaks=[harness.rule("micro", "64s", "30s")])

    # Once a bug (issue 12): ticks came once a minute, so `🧘 57s` stayed up for 56 s.
    def test_the_last_minute_is_counted_down_second_by_second(self):
        sub = self.subscriber()

        def next_due(e):
            return e["status"]["next"]["due_in_s"]
        seen = [next_due(sub.wait_for("tick", pred=lambda e: next_due(e) < 60, timeout=EVENT_TIMEOUT + 64))]
        # Three more, each a second further on; once a minute, the next would have come at the due time.
        for _ in range(3):
            seen.append(next_due(sub.wait_for("tick", pred=lambda e: next_due(e) < seen[-1])))
        self.assertEqual(seen, sorted(set(seen), reverse=True))


class BreakTest(StretchTestCase):
    config_text = fast_config(max_snoozes=2)

    def wait_reminder(self, sub):
        ev = sub.wait_for("reminder")
        self.assertEqual(ev["break"], "micro", ev)
        return ev

    def test_reminder_event_then_status_due_and_next(self):
        sub = self.subscriber()
        self.assertEqual(sub.initial["state"], "active")
        ev = self.wait_reminder(sub)
        self.assertEqual(ev["v"], 1)
        self.assertIsInstance(ev["count"], int)
        self.assertGreaterEqual(ev["count"], 1)
        s = ev["stretch"]
        self.assertIsInstance(s, dict, ev)
        for key in ("id", "name", "steps"):
            self.assertIn(key, s, ev)
        self.assertTrue(s["id"] and s["name"])
        self.assertIsInstance(s["steps"], list)
        self.assertTrue(s["steps"] and all(isinstance(x, str) and x for x in s["steps"]), s)
        self.assertEqual(ev["status"]["state"], "due", ev)

        r = self.cli_ok("status", "--json")
        st = json.loads(r.stdout)
        self.assertTrue(st["ok"])
        self.assertEqual(st["state"], "due", st)
        self.assertIsInstance(st["reminder"], dict, st)
        self.assertEqual(st["reminder"]["break"], "micro")
        self.assertEqual(st["reminder"]["stretch"], s["id"])
        self.assertTrue(rule(st, "micro")["due"])

        r = self.cli_ok("next")
        self.assertEqual(r.stdout.splitlines()[0], "Time for the micro break.", r.stdout)
        self.assertRegex(r.stdout.splitlines()[1], rf"^  {re.escape(s['name'])}  \S", r.stdout)

    def test_snooze_cli_and_raw_then_limit(self):
        sub = self.subscriber()
        self.wait_reminder(sub)

        r = self.cli_ok("snooze", "1s")
        self.assertEqual(r.stdout, "Snoozed the micro break: reminding you in 1s (1 of 2 snoozes used).\n")
        got = sub.wait_for_all("snoozed", "reminder_closed")
        self.assertEqual(got["snoozed"]["break"], "micro")
        self.assertEqual(got["snoozed"].get("amount_s"), 1, got)
        self.assertEqual(got["reminder_closed"]["reason"], "snoozed")

        reply = self.ok("snooze", {"for": "1s"})
        self.assertEqual(reply["break"], "micro")
        self.assertEqual(reply["snoozes"], 2)
        self.assertEqual(reply["max_snoozes"], 2)
        self.assertEqual(rule(self.status(), "micro")["snoozes"], 2)

        r = self.cli("snooze", "1s")
        self.assertEqual(r.returncode, 1, r)
        self.assertIn("stretch done", r.stderr)
        self.assertEqual(r.stdout, "")

        reply = self.request("snooze")
        err = self.assert_error(reply, "snooze_limit")
        self.assertIn("stretch done", err["message"])

        r = self.cli("--json", "snooze")
        self.assertEqual(r.returncode, 1, r)
        self.assertEqual(json.loads(r.stdout)["error"]["code"], "snooze_limit")

        # The refusal changed nothing: still 2 of 2.
        self.assertEqual(rule(self.status(), "micro")["snoozes"], 2)

    def test_skip(self):
        sub = self.subscriber()
        self.wait_reminder(sub)
        reply = self.ok("skip")
        self.assertEqual(reply["break"], "micro")
        got = sub.wait_for_all("skipped", "reminder_closed")
        self.assertEqual(got["skipped"]["break"], "micro")
        closed = got["reminder_closed"]
        self.assertEqual(closed["break"], "micro")
        self.assertEqual(closed["reason"], "skipped")
        self.assertIsNone(closed["status"]["reminder"])
        r = self.cli_ok("skip", "--break", "long")
        self.assertIn("Skipped the long break", r.stdout)
        r = self.cli("skip", "--break", "nope")
        self.assertEqual(r.returncode, 1, r)
        self.assertIn("nope", r.stderr)

    def test_done(self):
        sub = self.subscriber()
        self.wait_reminder(sub)
        r = self.cli_ok("done")
        self.assertIn("micro break is marked as taken", r.stdout)
        got = sub.wait_for_all("done", "reminder_closed")
        ev = got["done"]
        self.assertEqual(ev["break"], "micro")
        self.assertEqual(ev["kind"], "taken")
        self.assertEqual(ev["origin"], "cli")
        closed = got["reminder_closed"]
        self.assertEqual(closed["reason"], "done")
        # The status carried by the event is taken right after the reset.
        self.assertEqual(closed["status"]["sitting_s"], 0, closed)
        self.assertEqual(rule(closed["status"], "micro")["sitting_s"], 0)
        st = self.status()
        self.assertLess(st["sitting_s"], 2, st)
        self.assertLess(rule(st, "micro")["sitting_s"], 2, st)

    def test_pause_silences_reminders_until_resume(self):
        sub = self.subscriber()
        r = self.cli_ok("pause", "1h")
        self.assertIn("paused for 1h", r.stdout)
        sub.wait_for("paused")
        st = self.status()
        self.assertEqual(st["state"], "paused")
        self.assertTrue(3500 <= st["paused_for_s"] <= 3600, st)

        # Let micro fall due while paused: no reminder may arrive.
        # A second past due (2 s): its deadline's timer (50 ms slack) has run.
        self.wait_until(lambda: rule(self.status(), "micro")["sitting_s"] >= 3, what="micro due while paused")
        sub.sync()
        since_paused = sub.seen[[e["event"] for e in sub.seen].index("paused"):]
        self.assertNotIn("reminder", [e["event"] for e in since_paused], since_paused)
        st = self.status()
        self.assertEqual(st["state"], "paused")
        self.assertIsNone(st["reminder"])

        r = self.cli_ok("resume")
        self.assertIn("back on", r.stdout)
        sub.wait_for("resumed")
        # grace = 0s: the overdue break is reminded at once.
        self.wait_reminder(sub)
        self.assertNotEqual(self.status()["state"], "paused")

        r = self.cli("resume")
        self.assertEqual(r.returncode, 1, r)
        self.assertIn("not paused", r.stderr)
        self.assert_error(self.request("resume"), "not_paused")

    def test_pause_closes_a_reminder_that_is_up(self):
        sub = self.subscriber()
        self.wait_reminder(sub)
        self.ok("pause")
        got = sub.wait_for_all("paused", "reminder_closed")
        self.assertEqual(got["reminder_closed"]["reason"], "paused")
        self.assertNotIn("amount_s", got["paused"])  # absent = until resume
        st = self.status()
        self.assertEqual(st["state"], "paused")
        self.assertEqual(st["paused_for_s"], 0)  # 0 = until resume
        self.ok("resume")

    def test_pause_until(self):
        t = time.localtime(time.time() + 90 * 60)
        until = f"{t.tm_hour:02d}:{t.tm_min:02d}"
        r = self.cli_ok("pause", "--until", until)
        self.assertIn("paused for", r.stdout)
        st = self.status()
        self.assertEqual(st["state"], "paused")
        self.assertTrue(85 * 60 <= st["paused_for_s"] <= 91 * 60, (until, st))
        self.cli_ok("resume")

        r = self.cli("pause", "--until", "25:00")
        self.assertEqual(r.returncode, 2, r)
        r = self.cli("pause", "1h", "--until", until)
        self.assertEqual(r.returncode, 2, r)
        r = self.cli("pause", "soon")
        self.assertEqual(r.returncode, 2, r)
        self.assert_error(self.request("pause", {"for": "1h", "until": until}), "bad_argument")
        self.assertNotEqual(self.status()["state"], "paused")

    def test_stand_and_sit(self):
        sub = self.subscriber()
        r = self.cli_ok("stand")
        self.assertIn("Standing", r.stdout)
        sub.wait_for("stand")
        self.assertEqual(self.status()["state"], "standing")

        r = self.cli("stand")
        self.assertEqual(r.returncode, 1, r)
        self.assertIn("already standing", r.stderr)
        self.assert_error(self.request("stand"), "already_standing")

        r = self.cli_ok("sit")
        self.assertIn("Sitting again", r.stdout)
        sub.wait_for("sit")
        self.assertNotEqual(self.status()["state"], "standing")

        r = self.cli("sit")
        self.assertEqual(r.returncode, 1, r)
        self.assertIn("not standing", r.stderr)

    def test_watch_plain_rings_the_bell(self):
        # No desktop here: the last-resort notifier is a bell line for `stretch watch`
        # in a terminal (a pseudo-terminal here; a bar's pipe gets no bell).
        master, slave = pty.openpty()
        p = subprocess.Popen([STRETCH, "watch"], env=self.cli_env(), stdin=subprocess.DEVNULL,
                             stdout=slave, stderr=subprocess.DEVNULL)
        os.close(slave)
        self.children.append(p)
        lines = ReadLines(p, fd=master)
        deadline = time.monotonic() + EVENT_TIMEOUT
        while True:
            line = lines.line(max(0.1, deadline - time.monotonic()))
            self.assertIsNotNone(line, "no bell line from stretch watch")
            if line.startswith("\a"):
                break
        self.assertTrue(line[1:].strip(), "the bell line has no text")
        p.terminate()
        p.wait(EVENT_TIMEOUT)
        os.close(master)

    def test_guide_without_id_takes_the_suggested_stretch(self):
        nxt = self.ok("next")["next"]
        r = self.cli_ok("guide", extra_env={"STRETCH_GUIDE_PACE": "0.01"}, timeout=30)
        self.assertIn(nxt["stretch"]["name"], r.stdout)
        self.assertIn(f"The {nxt['break']} break is marked as taken", r.stdout)

    def test_guide_interrupted_is_not_done(self):
        sub = self.subscriber()
        p = subprocess.Popen([STRETCH, "guide", "childs-pose"], env=self.cli_env({"STRETCH_GUIDE_PACE": "1"}),
                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.children.append(p)
        lines = ReadLines(p)
        self.assertEqual(lines.line(), "Child's Pose")
        self.assertIsNotNone(lines.line())  # the first step: the guide is running
        p.send_signal(signal.SIGINT)
        self.assertEqual(p.wait(EVENT_TIMEOUT), 130)
        rest = []
        while (line := lines.line(5)) is not None:
            rest.append(line)
        rest = "\n".join(rest) + lines.buf.decode()
        p.stdout.close()
        p.stderr.close()
        self.assertIn("not marked as done", rest)
        self.assertNotIn("done", [e["event"] for e in sub.sync()])

    def test_next_short_is_one_line(self):
        r = self.cli_ok("next", "--format", "short")
        lines = r.stdout.splitlines()
        self.assertEqual(len(lines), 1, r.stdout)
        # micro falls due 2 s after the start: a count-down of seconds, or "now".
        self.assertRegex(lines[0], r"^🧘 (1s|2s|now)$")
        r = self.cli("next", "--format", "long")
        self.assertEqual(r.returncode, 2, r)


# ---------------------------------------------------------------------------
# Commands that do not need a break to fall due.
# ---------------------------------------------------------------------------

class CommandsTest(StretchTestCase):
    config_text = SLOW_CONFIG

    def test_list_target(self):
        r = self.cli_ok("--json", "list", "--target", "hamstrings")
        stretches = json.loads(r.stdout)["stretches"]
        self.assertTrue(stretches)
        for s in stretches:
            self.assertIn("hamstrings", s["targets"], s)
        r = self.cli_ok("list", "--target", "hamstrings")
        lines = r.stdout.splitlines()
        self.assertEqual([ln.split()[0] for ln in lines], [s["id"] for s in stretches], r.stdout)
        everything = self.ok("list")["stretches"]
        self.assertGreater(len(everything), len(stretches))

        r = self.cli("list", "--target", "hamstring")
        self.assertEqual(r.returncode, 2, r)  # a usage error, with the name it was near
        self.assertIn("hamstrings", r.stderr)

    def test_list_format_ids(self):
        r = self.cli_ok("list", "--format", "ids")
        ids = r.stdout.splitlines()
        self.assertTrue(ids)
        for i in ids:
            self.assertRegex(i, r"^[a-z0-9-]+$")
        self.assertEqual(ids, [s["id"] for s in self.ok("list")["stretches"]])
        r = self.cli_ok("list", "--format", "ids", "--position", "floor")
        floor = r.stdout.splitlines()
        self.assertTrue(floor)
        self.assertLess(len(floor), len(ids))
        self.assertTrue(set(floor) <= set(ids))

    def test_show(self):
        expected = self.ok("show", {"id": "childs-pose"})["stretch"]
        r = self.cli_ok("show", "childs-pose")
        self.assertIn(expected["name"], r.stdout)
        for n, step in enumerate(expected["steps"], 1):
            self.assertIn(f"{n}. {step}", r.stdout)

    def test_show_unknown(self):
        r = self.cli("show", "childs-pos")
        self.assertEqual(r.returncode, 1, r)
        self.assertIn('did you mean "childs-pose"', r.stderr)
        r = self.cli("show", "zzzzzzzz")
        self.assertEqual(r.returncode, 1, r)
        self.assertIn("stretch list", r.stderr)
        self.assert_error(self.request("show", {"id": "zzzzzzzz"}), "unknown_stretch")
        self.assert_error(self.request("show"), "bad_argument")
        r = self.cli("show")
        self.assertEqual(r.returncode, 2, r)

    def test_guide_marks_done(self):
        sub = self.subscriber()
        expected = self.ok("show", {"id": "neck-turn"})["stretch"]
        r = self.cli_ok("guide", "neck-turn", extra_env={"STRETCH_GUIDE_PACE": "0.01"}, timeout=30)
        for step in expected["steps"]:
            self.assertIn(step, r.stdout)
        self.assertIn("marked as taken", r.stdout)
        ev = sub.wait_for("done")
        self.assertEqual(ev["kind"], "taken")

    def test_version(self):
        v = self.ok("version")
        self.assertEqual(v["protocol"], 1)
        r = self.cli_ok("version")
        self.assertIn(f"stretch {v['version']}", r.stdout)
        self.assertIn(f"stretchd {v['version']} (protocol 1)", r.stdout)
        self.assertEqual(len(r.stdout.splitlines()), 2, r.stdout)
        r = self.cli_ok("--version")
        self.assertIn(v["version"], r.stdout)
        r = subprocess.run([STRETCHD, "--version"], capture_output=True, text=True, timeout=10)
        self.assertEqual(r.returncode, 0)
        self.assertIn(v["version"], r.stdout)

    def test_json_flag_on_subcommands(self):
        commands = [
            ["status"], ["next"], ["list"], ["list", "--target", "neck"], ["show", "chin-tuck"], ["version"],
            ["snooze", "5m"], ["skip"], ["done"], ["pause", "10m"], ["resume"], ["stand"], ["sit"], ["reload"],
        ]
        for args in commands:
            for argv in (["--json", *args], [*args, "--json"]):
                with self.subTest(argv=argv):
                    if argv[0] != "--json" and args[0] in ("snooze", "skip", "done", "pause", "resume", "stand", "sit"):
                        continue  # state-changing: once is enough
                    r = self.cli_ok(*argv)
                    lines = r.stdout.splitlines()
                    self.assertEqual(len(lines), 1, r.stdout)
                    obj = json.loads(lines[0])
                    self.assertIsInstance(obj, dict)
                    self.assertIs(obj["ok"], True, obj)
                    self.assertEqual(obj["v"], 1)
        # A refusal is printed as JSON too, with exit code 1.
        r = self.cli("--json", "resume")
        self.assertEqual(r.returncode, 1, r)
        obj = json.loads(r.stdout)
        self.assertIs(obj["ok"], False)
        self.assertEqual(obj["error"]["code"], "not_paused")

    def test_json_flag_on_config_check(self):
        # No daemon involved, but the same shape as a reply, and the exit codes of the human form.
        for argv in (["--json", "config", "check", self.config_path], ["config", "check", self.config_path, "--json"]):
            with self.subTest(argv=argv):
                r = self.cli_ok(*argv)
                self.assertEqual(json.loads(r.stdout), {"ok": True, "v": 1, "path": self.config_path})
                self.assertEqual(len(r.stdout.splitlines()), 1, r.stdout)
        # Nothing at $XDG_CONFIG_HOME/stretch/config.toml: the built-in default, which has no path.
        r = self.cli_ok("--json", "config", "check")
        self.assertEqual(json.loads(r.stdout), {"ok": True, "v": 1, "path": None})
        text = fast_config().replace('every = "2s"', 'every = "2 seconds"')
        bad = self.write_config(text, os.path.join(self.tmp, "bad.toml"))
        line, col = line_col(text, '"2 seconds"')
        r = self.cli("--json", "config", "check", bad)
        self.assertEqual(r.returncode, 1, r)
        self.assertEqual(r.stderr, "")
        obj = json.loads(r.stdout)
        self.assertEqual(obj["ok"], False)
        self.assertEqual(obj["v"], 1)
        self.assertEqual(obj["error"]["code"], "config_invalid")
        self.assertEqual(obj["error"]["message"], f"{bad}:{line}:{col}: {EVERY_2_SECONDS}", obj)

    def test_no_subcommand_prints_status(self):
        r = self.cli_ok()
        s = self.cli_ok("status")
        for out in (r.stdout, s.stdout):
            self.assertIn("Next: the micro break in", out)
            self.assertIn("Sitting for", out)
            self.assertRegex(out, r"(?m)^\s+micro\s")
            self.assertRegex(out, r"(?m)^\s+long\s")
        self.assertEqual(len(r.stdout.splitlines()), len(s.stdout.splitlines()))

    def test_no_subcommand_json(self):
        r = self.cli_ok("--json")
        obj = json.loads(r.stdout)
        self.assertTrue(obj["ok"])
        self.assertEqual([b["break"] for b in obj["breaks"]], ["micro", "long"], obj)

    def test_unknown_subcommand_is_usage_error(self):
        r = self.cli("frobnicate")
        self.assertEqual((r.returncode, r.stderr), (2, 'stretch: unknown command "frobnicate": stretch help lists them all\n'))
        r = self.cli("--no-such-flag")
        self.assertEqual((r.returncode, r.stderr), (2, "stretch: The following argument was not expected: --no-such-flag "
                                                       "(stretch help lists the commands and options)\n"))
        r = self.cli("snooze", "ten minutes")
        self.assertEqual((r.returncode, r.stderr),
                         (2, 'stretch: snooze: "for" must be a duration like "10m" or "1h30m", got "ten minutes"\n'))
        r = self.cli_ok("--help")
        self.assertRegex(r.stdout, r"(?m)^  snooze +Postpone the current break$")

    def test_socket_option_overrides_env(self):
        r = self.cli_ok("--socket", self.sock, "status", extra_env={"STRETCH_SOCKET": os.path.join(self.tmp, "nope.sock")})
        self.assertIn("Sitting for", r.stdout)


# ---------------------------------------------------------------------------
# Reloading the config: by request and by SIGHUP, good and bad.
# ---------------------------------------------------------------------------

class MeetingTest(StretchTestCase):
    """`stretch meeting start/end` over the real socket: a due reminder waits
    through the meeting and is shown the moment it ends, with the call's
    length; history and stats keep the call. The break is due before the
    meeting starts, so a pause keeps it from being shown first."""

    config_text = fast_config(extra='[meeting]\nsettle = "1s"\n')

    def held_call(self):
        st = self.status()
        return st["state"] == "due" and st["held"] == "call" and st

    def test_meeting_holds_the_reminder_until_it_ends(self):
        self.ok("pause")
        r = self.cli_ok("meeting", "start", "--for", "10m")
        self.assertEqual(r.stdout, "In a meeting for 10m: reminders wait until it is over. Sitting time still counts.\n")
        sub = self.subscriber()
        self.ok("resume")
        st = self.wait_until(self.held_call, what="the due break held for the meeting")
        self.assertTrue(st["call"]["manual"], st)
        self.assertFalse(st["call"]["detected"], st)
        self.assertGreater(st["call"]["manual_left_s"], 500, st)
        self.assertEqual(self.cli_ok("next").stdout.splitlines()[0],
                         "The micro break is due; its reminder waits until your call is over.")
        self.assertIn("In a meeting for", self.cli_ok("status").stdout)

        r = self.cli_ok("meeting", "end")
        self.assertEqual(r.stdout, "The meeting is over.\n")
        ev = sub.wait_for("reminder")
        self.assertEqual(ev["break"], "micro", ev)
        self.assertIsInstance(ev["after_call_s"], int, ev)
        self.assertIsNone(self.status()["call"])

        kinds = [e["kind"] for e in self.ok("history")["events"]]
        self.assertIn("call_started", kinds)
        self.assertIn("call", kinds)
        self.assertEqual(self.ok("stats")["days"][0]["call_s"],
                         [e for e in self.ok("history")["events"] if e["kind"] == "call"][0].get("amount_s", 0))

    def test_meeting_refusals_and_bad_input(self):
        r = self.cli("meeting", "end")
        self.assertEqual(r.returncode, 1, r)
        self.assertEqual(r.stderr, "stretch: no meeting is on: stretch meeting start begins one\n")
        r = self.cli("meeting", "start", "--for", "soon")
        self.assertEqual(r.returncode, 2, r)
        self.assertIn('"soon"', r.stderr)
        r = self.cli("meeting", "start", "--for", "25h")
        self.assertEqual(r.returncode, 2, r)  # bad_duration is a usage error, as for pause
        self.assertIn('meeting for "25h": expected a length from 1s to 24h', r.stderr)
        r = self.cli("meeting")
        self.assertEqual(r.returncode, 2, r)
        self.assertIsNone(self.status()["call"])


class ReloadTest(StretchTestCase):
    config_text = fast_config(max_snoozes=2)

    def bad_config(self):
        text = fast_config(max_snoozes=2).replace("max_snoozes = 2", 'max_snoozes = "lots"')
        line, col = line_col(text, '"lots"')
        return text, f"{self.config_path}:{line}:{col}:"

    def test_reload_good_config(self):
        sub = self.subscriber()
        self.write_config(fast_config(max_snoozes=5))
        reply = self.ok("reload")
        self.assertEqual(reply["config"], self.config_path)
        ev = sub.wait_for("config_reloaded")
        self.assertEqual(rule(ev["status"], "micro")["max_snoozes"], 5)
        self.assertEqual(rule(self.status(), "micro")["max_snoozes"], 5)

        self.write_config(fast_config(max_snoozes=3))
        r = self.cli_ok("reload")
        self.assertEqual(r.stdout, f"Config reloaded from {self.config_path}.\n")
        sub.wait_for("config_reloaded")
        self.assertEqual(rule(self.status(), "micro")["max_snoozes"], 3)

    def test_reload_bad_config_keeps_the_old_one(self):
        sub = self.subscriber()
        text, where = self.bad_config()
        self.write_config(text)
        reply = self.request("reload")
        err = self.assert_error(reply, "config_invalid")
        self.assertEqual(err["message"], f'{where} break "micro": max_snoozes = "lots": expected a whole number from 0 to 100{KEPT}')

        r = self.cli("reload")
        self.assertEqual((r.returncode, r.stderr), (1, f"stretch: {err['message']}\n"))

        # Still serving, with the old config.
        st = self.status()
        self.assertEqual(rule(st, "micro")["max_snoozes"], 2)
        self.assertEqual(st["config"], self.config_path)
        self.assertTrue(self.daemon.alive())
        self.assertNotIn("config_reloaded", [e["event"] for e in sub.sync()])
        # ...and still reminding.
        sub.wait_for("reminder")

        # `stretch config check` says exactly what the daemon said.
        r = self.cli("config", "check", self.config_path)
        self.assertEqual(r.returncode, 1, r)
        self.assertTrue(r.stderr.startswith(where), r.stderr)
        daemon_text = err["message"][:-len(KEPT)] if err["message"].endswith(KEPT) else err["message"]
        self.assertEqual(r.stderr.strip(), daemon_text)

    def test_reload_syntax_error(self):
        text = fast_config() + "\n[[break]\nname = 1\n"
        self.write_config(text)
        # Where the header should have ended; the parser's own words follow.
        line, col = text.splitlines().index("[[break]") + 1, len("[[break]") + 1
        err = self.assert_error(self.request("reload"), "config_invalid")
        self.assertRegex(err["message"], f"^{re.escape(self.config_path)}:{line}:{col}: invalid TOML: .+{re.escape(KEPT)}$")
        r = self.cli("config", "check", self.config_path)
        self.assertEqual(r.returncode, 1, r)
        self.assertEqual(r.stderr.strip(), err["message"].removesuffix(KEPT))
        self.status()

    def test_reload_missing_file(self):
        os.unlink(self.config_path)
        err = self.assert_error(self.request("reload"), "config_invalid")
        self.assertIn(self.config_path, err["message"])
        self.assertEqual(rule(self.status(), "micro")["max_snoozes"], 2)

    def test_sighup_reload(self):
        sub = self.subscriber()
        self.write_config(fast_config(max_snoozes=4))
        self.daemon.signal(signal.SIGHUP)
        ev = sub.wait_for("config_reloaded")
        self.assertEqual(rule(ev["status"], "micro")["max_snoozes"], 4)
        self.assertEqual(rule(self.status(), "micro")["max_snoozes"], 4)
        self.wait_until(lambda: "config reloaded from" in self.daemon.log(), what="reload logged")

        text, where = self.bad_config()
        self.write_config(text)
        self.daemon.signal(signal.SIGHUP)
        self.wait_until(lambda: "config not reloaded" in self.daemon.log(), what="failed reload logged")
        self.assertIn(where, self.daemon.log())
        self.assertTrue(self.daemon.alive())
        self.assertEqual(rule(self.status(), "micro")["max_snoozes"], 4)


# ---------------------------------------------------------------------------
# stretch watch, for status bars.
# ---------------------------------------------------------------------------

class WatchTest(StretchTestCase):
    config_text = SLOW_CONFIG

    def watch(self, fmt):
        p = subprocess.Popen([STRETCH, "watch", "--format", fmt], env=self.cli_env(), stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.children.append(p)
        return p, ReadLines(p)

    def stop_watch(self, p):
        p.send_signal(signal.SIGTERM)
        p.wait(EVENT_TIMEOUT)
        p.stdout.close()
        p.stderr.close()

    def waybar_line(self, lines):
        line = lines.line()
        self.assertIsNotNone(line, "stretch watch printed no line in time")
        obj = json.loads(line)
        for key in ("text", "tooltip", "class", "percentage"):
            self.assertIn(key, obj, line)
        self.assertIsInstance(obj["percentage"], int)
        self.assertTrue(0 <= obj["percentage"] <= 100, obj)
        return obj

    def test_watch_waybar(self):
        p, lines = self.watch("waybar")
        first = self.waybar_line(lines)
        self.assertEqual(first["class"], "active")
        self.assertIn("micro", first["tooltip"])
        self.cli_ok("pause")
        deadline = time.monotonic() + EVENT_TIMEOUT
        while True:
            self.assertLess(time.monotonic(), deadline, "no watch line after pause")
            obj = self.waybar_line(lines)
            if obj["class"] == "paused":
                break
        self.cli_ok("resume")
        while self.waybar_line(lines)["class"] == "paused":
            pass
        self.assertIsNone(p.poll(), "stretch watch exited")
        self.stop_watch(p)

    def test_watch_plain(self):
        p, lines = self.watch("plain")
        first = lines.line()
        self.assertTrue(first and first.strip(), first)
        self.assertIn("🧘", first)
        self.cli_ok("stand")
        line = lines.line()
        self.assertIsNotNone(line)
        self.assertIn("🧍", line)
        self.stop_watch(p)

    def test_watch_i3blocks_and_json(self):
        p, lines = self.watch("i3blocks")
        first = lines.line()
        self.assertTrue(first and first.strip(), first)
        self.stop_watch(p)
        p = subprocess.Popen([STRETCH, "--json", "watch"], env=self.cli_env(), stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.children.append(p)
        lines = ReadLines(p)
        first = json.loads(lines.line())
        self.assertTrue(first["subscribed"])
        self.cli_ok("stand")
        ev = json.loads(lines.line())
        self.assertEqual(ev["event"], "stand")
        self.stop_watch(p)

    def test_watch_survives_daemon_restart(self):
        p, lines = self.watch("waybar")
        self.assertEqual(self.waybar_line(lines)["class"], "active")
        self.assertEqual(self.daemon.stop(), 0)
        off = self.waybar_line(lines)
        self.assertEqual(off["class"], "stopped")
        self.new_daemon().start()
        back = self.waybar_line(lines)
        self.assertEqual(back["class"], "active")
        self.stop_watch(p)


# ---------------------------------------------------------------------------
# Every break rule disabled.
# ---------------------------------------------------------------------------

class NoBreaksTest(StretchTestCase):
    config_text = SLOW_CONFIG.replace('name = "micro"', 'name = "micro"\nenabled = false').replace(
        'name = "long"', 'name = "long"\nenabled = false')

    def test_commands_without_an_enabled_break(self):
        st = self.status()
        self.assertIsNone(st["next"])
        r = self.cli_ok("next")
        self.assertIn("No break rule is enabled", r.stdout)
        r = self.cli("snooze")
        self.assertEqual(r.returncode, 1, r)
        self.assertIn("enabled", r.stderr)
        self.assert_error(self.request("done"), "no_breaks")
        self.assert_error(self.request("skip"), "no_breaks")
        r = self.cli("guide", extra_env={"STRETCH_GUIDE_PACE": "0.01"})
        self.assertEqual(r.returncode, 2, r)
        self.assertIn("no stretch is suggested", r.stderr)
        # A named rule still works, disabled or not.
        self.assertEqual(self.ok("done", {"break": "micro"})["break"], "micro")


# ---------------------------------------------------------------------------
# stretch config check: no daemon involved.
# ---------------------------------------------------------------------------

class ConfigCheckTest(StretchTestCase):
    start_daemon = False

    def test_valid(self):
        r = self.cli_ok("config", "check", self.config_path)
        self.assertEqual(r.stdout, f"{self.config_path}: ok (2 break rules, {library_size()} stretches)\n")

    def test_invalid(self):
        text = fast_config().replace('every = "2s"', 'every = "2 seconds"')
        line, col = line_col(text, '"2 seconds"')
        self.write_config(text)
        r = self.cli("config", "check", self.config_path)
        self.assertEqual(r.returncode, 1, r)
        self.assertEqual(r.stderr, f"{self.config_path}:{line}:{col}: {EVERY_2_SECONDS}\n")

    def test_default_file_and_builtin(self):
        # No file at $XDG_CONFIG_HOME/stretch/config.toml: the built-in default.
        user = os.path.join(self.tmp, "config", "stretch", "config.toml")
        r = self.cli_ok("config", "check")
        self.assertEqual(r.stdout, f"No config file at {user}: the built-in default is in use, and it is valid.\n")
        os.makedirs(os.path.dirname(user))
        self.write_config(SLOW_CONFIG, user)
        r = self.cli_ok("config", "check")
        self.assertEqual(r.stdout, f"{user}: ok (2 break rules, {library_size()} stretches)\n")
        missing = os.path.join(self.tmp, "missing.toml")
        r = self.cli("config", "check", missing)
        self.assertEqual((r.returncode, r.stderr), (1, f"{missing}: cannot read the config: No such file or directory\n"))


# ---------------------------------------------------------------------------
# Starting and stopping the daemon.
# ---------------------------------------------------------------------------

class LifecycleTest(StretchTestCase):
    start_daemon = False

    def test_second_instance_refused(self):
        first = self.new_daemon().start()
        second = self.new_daemon()
        second.spawn()
        try:
            code = second.proc.wait(START_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.fail("a second stretchd on the same socket did not exit")
        self.assertNotEqual(code, 0)
        log = second.log()
        self.assertIn("already running", log)
        self.assertIn(self.sock, log)
        self.assertIn(str(first.proc.pid), log)
        # The first one is untouched and its socket still there.
        self.assertTrue(first.alive())
        self.assertTrue(request(self.sock, {"v": 1, "cmd": "status"})["ok"])
        self.assertEqual(first.stop(), 0)

    def test_stale_socket_replaced(self):
        first = self.new_daemon().start()
        first.proc.kill()
        first.proc.wait()
        self.assertTrue(stat.S_ISSOCK(os.lstat(self.sock).st_mode), "the killed daemon's socket should remain")
        r = self.cli("status")
        self.assertEqual(r.returncode, 3, r)
        second = self.new_daemon().start()
        self.assertTrue(request(self.sock, {"v": 1, "cmd": "status"})["ok"])
        self.assertIn("stale", second.log())
        self.assertEqual(second.stop(), 0)

    def test_sigterm_removes_socket(self):
        d = self.new_daemon().start()
        self.assertTrue(os.path.exists(self.sock))
        self.assertEqual(d.stop(), 0)
        self.assertFalse(os.path.lexists(self.sock))

    def test_sigint_removes_socket(self):
        d = self.new_daemon().start()
        d.signal(signal.SIGINT)
        self.assertEqual(d.proc.wait(EVENT_TIMEOUT), 0)
        self.assertFalse(os.path.lexists(self.sock))

    def test_sigterm_with_clients_connected(self):
        d = self.new_daemon().start()
        sub = self.subscriber()
        idle = self.conn()
        self.assertEqual(d.stop(), 0)
        self.assertTrue(sub.wait_closed())
        self.assertTrue(idle.wait_closed())

    def test_no_daemon_is_exit_3_with_how_to_start_it(self):
        r = self.cli("next")
        self.assertEqual(r.returncode, 3, r)
        self.assertEqual(len(r.stderr.splitlines()), 1, r.stderr)
        self.assertIn("stretchd is not running", r.stderr)
        self.assertIn(self.sock, r.stderr)
        self.assertIn("start it with systemctl --user start stretchd (or scripts/run from a source tree)", r.stderr)
        self.assertEqual(r.stdout, "")

    def test_no_runtime_dir(self):
        env = dict(self.env)
        del env["XDG_RUNTIME_DIR"]
        d = self.new_daemon(socket_flag=False, env=env)
        d.spawn()
        try:
            code = d.proc.wait(START_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.fail("stretchd without XDG_RUNTIME_DIR did not exit")
        self.assertNotEqual(code, 0)
        log = d.log()
        self.assertIn("XDG_RUNTIME_DIR", log)
        self.assertIn("--socket", log)
        r = self.cli("status", env=env)
        self.assertNotEqual(r.returncode, 0, r)
        self.assertIn("XDG_RUNTIME_DIR", r.stderr)

    def test_socket_permissions_default_path(self):
        # A permissive umask must not leak into the socket's mode.
        d = self.new_daemon(socket_flag=False)
        with open(d.log_path, "ab") as log:
            d.proc = subprocess.Popen(d.command(), env=d.env, stdin=subprocess.DEVNULL, stdout=log, stderr=log, umask=0)
        d.wait_ready()
        runtime = self.env["XDG_RUNTIME_DIR"]
        path = os.path.join(runtime, "stretch", "stretchd.sock")
        self.assertEqual(d.socket_path(), path)
        st = os.lstat(path)
        self.assertTrue(stat.S_ISSOCK(st.st_mode))
        self.assertEqual(stat.S_IMODE(st.st_mode), 0o600, oct(st.st_mode))
        self.assertEqual(stat.S_IMODE(os.stat(os.path.dirname(path)).st_mode), 0o700)
        # The CLI finds it the same way, with no STRETCH_SOCKET.
        env = dict(self.env)
        env.pop("STRETCH_SOCKET", None)
        r = self.cli("status", env=env)
        self.assertEqual(r.returncode, 0, r)
        self.assertEqual(d.stop(), 0)
        self.assertFalse(os.path.lexists(path))

    def own_socket_dir(self):
        return os.path.join(self.env["XDG_RUNTIME_DIR"], "stretch")

    def assert_refused_at_start(self, d, *needles):
        d.spawn()
        try:
            code = d.proc.wait(START_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.fail(f"stretchd did not refuse to start:\n{d.log()}")
        self.assertNotEqual(code, 0)
        for needle in needles:
            self.assertIn(needle, d.log())

    def test_a_socket_directory_open_to_others_is_made_0700(self):
        own = self.own_socket_dir()
        os.mkdir(own)
        os.chmod(own, 0o755)
        d = self.new_daemon(socket_flag=False).start()
        self.assertEqual(stat.S_IMODE(os.lstat(own).st_mode), 0o700)
        self.assertIn("0755", d.log())
        env = dict(self.env)
        env.pop("STRETCH_SOCKET", None)
        self.cli_ok("status", env=env)
        self.assertEqual(d.stop(), 0)

    def test_a_symlink_in_place_of_the_socket_directory_is_refused(self):
        elsewhere = os.path.join(self.tmp, "elsewhere")
        os.mkdir(elsewhere, 0o700)
        os.symlink(elsewhere, self.own_socket_dir())
        d = self.new_daemon(socket_flag=False)
        self.assert_refused_at_start(d, f'socket directory "{self.own_socket_dir()}"', "symbolic link", "rm ")
        self.assertEqual(os.listdir(elsewhere), [], "nothing may be created through the link")

    def test_a_file_in_place_of_the_socket_directory_is_refused(self):
        with open(self.own_socket_dir(), "w"):
            pass
        d = self.new_daemon(socket_flag=False)
        self.assert_refused_at_start(d, f'socket directory "{self.own_socket_dir()}"', "not a directory")

    @unittest.skipUnless(os.geteuid() == 0, "needs root to give the directory to another uid")
    def test_a_socket_directory_of_another_uid_is_refused(self):
        own = self.own_socket_dir()
        os.mkdir(own, 0o700)
        os.chown(own, 65534, 65534)
        d = self.new_daemon(socket_flag=False)
        self.assert_refused_at_start(d, f'socket directory "{own}"', "belongs to uid 65534")

    def test_a_socket_directory_named_with_socket_is_used_as_it_is(self):
        # --socket may name a shared directory such as /tmp: not ours to tighten.
        shared = os.path.join(self.tmp, "shared")
        os.mkdir(shared)
        os.chmod(shared, 0o755)
        d = self.new_daemon(socket_path=os.path.join(shared, "stretchd.sock")).start()
        self.assertEqual(stat.S_IMODE(os.lstat(shared).st_mode), 0o755)
        self.assertEqual(d.stop(), 0)

    def test_stretch_socket_env_for_the_daemon(self):
        path = os.path.join(self.tmp, "env.sock")
        env = dict(self.env)
        env["STRETCH_SOCKET"] = path
        d = self.new_daemon(socket_flag=False, env=env)
        d.socket_path = lambda: path
        d.start()
        self.cli_ok("status", socket_path=path)
        self.assertEqual(d.stop(), 0)
        self.assertFalse(os.path.lexists(path))

    def test_bad_config_at_start(self):
        self.write_config("[[break]]\nname = \"micro\"\nevery = \"1s\"\nduration = \"1s\"\n")
        d = self.new_daemon()
        d.spawn()
        code = d.proc.wait(START_TIMEOUT)
        self.assertNotEqual(code, 0)
        self.assertIn(f"{self.config_path}:3:", d.log())
        self.assertIn("stretch config check", d.log())
        self.assertFalse(os.path.lexists(self.sock))

    def test_default_config_flag(self):
        d = self.new_daemon(args=["--default-config"]).start()
        st = request(self.sock, {"v": 1, "cmd": "status"})
        self.assertEqual(st["config"], "built-in default config")
        self.assertEqual([b["break"] for b in st["breaks"]], ["micro", "stretch"])
        self.assertEqual(d.stop(), 0)

    def test_bad_log_level(self):
        d = self.new_daemon(args=["--log-level", "loud"])
        d.spawn()
        self.assertEqual(d.proc.wait(START_TIMEOUT), 2)
        self.assertIn("--log-level", d.log())


# ---------------------------------------------------------------------------
# Issue 12: numbers that agree, a status that does not contradict itself,
# and bar formats that carry only what a bar can show.
# ---------------------------------------------------------------------------

def left_text(seconds):
    """The one rule for time left (core/duration.hpp): seconds under a minute,
    else rounded up to the minute, "1h05m" from an hour."""
    if seconds <= 0:
        return "0s"
    if seconds < 60:
        return f"{seconds}s"
    hours, minutes = divmod(-(-seconds // 60), 60)
    if not hours:
        return f"{minutes}m"
    return f"{hours}h" if not minutes else f"{hours}h{minutes:02d}m"


# micro is due after 90 s: every test here ends well before.
NINETY_SECONDS_CONFIG = SLOW_CONFIG.replace('every = "1h"', 'every = "90s"')


class NumbersThatAgreeTest(StretchTestCase):
    config_text = NINETY_SECONDS_CONFIG

    def test_every_90s_reads_1m30s_beside_the_time_left(self):
        # It read "0s/1m" beside "in 2m".
        r = self.cli_ok("status")
        # The bar may itself hold a "▏" (an eighth filled): match up to the one before the figures.
        m = re.search(r"micro +▕.*?▏ +(\d+)s/1m30s +in (\S+)", r.stdout)
        self.assertIsNotNone(m, r.stdout)
        self.assertEqual(m.group(2), "2m", r.stdout)
        r = self.cli_ok("next")
        self.assertIn("Next: the micro break in 2m.", r.stdout)
        self.assertRegex(r.stdout, r"\d+s of 1m30s sitting")

    def test_waybar_percentage_agrees_with_its_tooltip(self):
        # The tooltip said "26s of 1m" beside percentage 29.
        p = subprocess.Popen([STRETCH, "watch", "--format", "waybar"], env=self.cli_env(), stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.children.append(p)
        line = ReadLines(p).line()
        p.terminate()
        p.wait(EVENT_TIMEOUT)
        p.stdout.close()
        self.assertIsNotNone(line)
        obj = json.loads(line)
        m = re.search(r"micro break: (\d+)s of 1m30s", obj["tooltip"])
        self.assertIsNotNone(m, obj)
        self.assertEqual(obj["percentage"], int(m.group(1)) * 100 // 90, obj)
        self.assertEqual(obj["text"], "🧘 2m", obj)

    def test_snooze_and_pause_replies_agree_with_status(self):
        # snooze replied "in 37m" and status said "38m left"; pause replied "16h26" and status "16h27".
        r = self.cli_ok("snooze", "95s", "--break", "micro")
        m = re.search(r"reminding you in (\S+) \(", r.stdout)
        self.assertIsNotNone(m, r.stdout)
        st = self.status()
        self.assertEqual(m.group(1), left_text(rule(st, "micro")["snoozed_for_s"]), (r.stdout, st))
        r = self.cli_ok("status")
        self.assertIn(f"snoozed, {m.group(1)} left", r.stdout)

        r = self.cli_ok("pause", "1h30s")
        self.assertIn("Reminders paused for 1h01m.", r.stdout)
        self.assertIn("Paused for 1h01m more.", self.cli_ok("status").stdout)
        self.assertEqual(self.cli_ok("next", "--format", "short").stdout, "⏸ 1h01m\n")


class OffHoursTest(StretchTestCase):
    # Reminder hours from two hours from now: the break falls due outside them.
    start = time.localtime(time.time() + 2 * 3600)
    end = time.localtime(time.time() + 3 * 3600)
    FROM = f"{start.tm_hour:02d}:{start.tm_min:02d}"
    TO = f"{end.tm_hour:02d}:{end.tm_min:02d}"
    config_text = fast_config(hours=(FROM, TO))

    def test_off_hours_says_when_reminders_start_again(self):
        # It said "🧘 now" and "Time for the micro break." and never mentioned the hours.
        st = self.wait_until(lambda: (s := self.status())["next"]["due"] and s, what="micro due")
        self.assertEqual(st["state"], "off_hours", st)
        self.assertEqual(st["hours"], {"days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
                                       "from": self.FROM, "to": self.TO}, st)
        self.assertEqual(self.ok("next")["hours"]["from"], self.FROM)

        self.assertEqual(self.cli_ok("next", "--format", "short").stdout, f"🧘 due · reminders from {self.FROM}\n")
        headline = f"outside your reminder hours: no reminders until {self.FROM}."
        for command in ("next", "status"):
            out = self.cli_ok(command).stdout
            self.assertIn(headline, out)
            self.assertNotIn("Time for", out)

        p = subprocess.Popen([STRETCH, "watch", "--format", "i3blocks"], env=self.cli_env(),
                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.children.append(p)
        block = json.loads(ReadLines(p).line())
        p.terminate()
        p.wait(EVENT_TIMEOUT)
        p.stdout.close()
        self.assertEqual(block["full_text"], f"🧘 due · reminders from {self.FROM}", block)
        self.assertEqual(block["short_text"], "🧘 due", block)
        self.assertIs(block["urgent"], False, "no alarm in the bar outside the reminder hours")


class BarFormatsTest(StretchTestCase):
    config_text = fast_config()

    def watch(self, fmt):
        p = subprocess.Popen([STRETCH, "watch", "--format", fmt], env=self.cli_env(), stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.children.append(p)
        return p, ReadLines(p)

    def stop_watch(self, p):
        p.terminate()
        p.wait(EVENT_TIMEOUT)
        p.stdout.close()

    def test_i3blocks_prints_json_blocks_urgent_when_due(self):
        # For a block with format=json: i3bar's keys, urgent once a break is due.
        p, lines = self.watch("i3blocks")
        deadline = time.monotonic() + EVENT_TIMEOUT
        while True:
            self.assertLess(time.monotonic(), deadline, "no urgent block")
            line = lines.line()
            self.assertIsNotNone(line)
            block = json.loads(line)
            self.assertEqual(set(block) - {"color"}, {"full_text", "short_text", "urgent"}, block)
            self.assertIs(block["urgent"], block["full_text"] == "🧘 now", block)
            if block["urgent"]:
                break
        self.stop_watch(p)

    def test_plain_into_a_pipe_carries_no_bell(self):
        # A bar reads `--format plain` through a pipe: the bell and its sentence are for a terminal.
        sub = self.subscriber(bell=True)
        p, lines = self.watch("plain")
        bell = sub.wait_for("bell")
        self.ok("pause")
        sub.wait_for("paused")
        seen = []
        while (line := lines.line()) is not None:
            seen.append(line)
            if line.startswith("⏸"):
                break
        self.stop_watch(p)
        self.assertTrue(seen and seen[-1].startswith("⏸"), seen)
        self.assertFalse([x for x in seen if "\a" in x or x == bell["text"]], seen)

    def test_bars_alone_are_no_way_to_ring(self):
        # Only bars are subscribed: the bell is not available, and no reminder goes to it.
        sub = self.subscriber()
        p, lines = self.watch("plain")
        self.assertIsNotNone(lines.line())
        sub.wait_for("reminder")
        methods = {m["method"]: m for m in self.status()["notify"]["methods"]}
        self.assertIs(methods["bell"]["available"], False, methods)
        self.ok("pause")
        sub.wait_for("paused")
        self.assertNotIn("bell", [e.get("event") for e in sub.seen])
        self.stop_watch(p)
        # A terminal that rings comes: the reminder still up reaches it.
        self.ok("resume")
        ringer = self.subscriber(bell=True)
        self.assertIs({m["method"]: m for m in ringer.initial["notify"]["methods"]}["bell"]["available"], True)
        ringer.wait_for("bell")

    def test_i3blocks_while_the_daemon_is_down(self):
        p, lines = self.watch("i3blocks")
        self.assertIn("full_text", json.loads(lines.line()))
        self.assertEqual(self.daemon.stop(), 0)
        while (block := json.loads(lines.line()))["full_text"] != "🧘 off":
            pass
        self.assertIs(block["urgent"], False, block)
        self.stop_watch(p)


if __name__ == "__main__":
    unittest.main()
