#!/usr/bin/python3
"""Soak: one stretchd for STRETCH_SOAK_SECONDS (default 600; the CTest entry
sets 60) under a seeded random mix of what a desktop does to it all day:
commands through the real `stretch` and as raw socket requests (a few of
them malformed), subscribe streams and `stretch watch` opened and closed, the
user going idle and coming back (GNOME's idle monitor, mocked), reloads of a
good and of a broken config, and the notification server killed and started
again, its buttons pressed now and then. Breaks fall due every few seconds,
so reminders, re-reminders and natural breaks happen throughout.

Throughout: stretchd stays up, a broken config is refused and the running one
kept. Afterwards, against the daemon once warmed up (every kind of action done
once, so what it opens or allocates lazily is already there):
- it holds exactly as many file descriptors as then;
- its resident memory has grown by no more than a stated bound (see rss_bound_kib);
- it exits 0 on SIGTERM;
- every command it acknowledged is in the history, in order, and so is every
  event it announced to a subscriber that listened from the start.

STRETCH_SOAK_SEED changes the seed. Run:
STRETCHD=... STRETCH=... STRETCH_SOAK_SECONDS=60 /usr/bin/python3 tests/integration/test_soak.py -v
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import collections  # noqa: E402
import fcntl  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import select  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import sqlite3  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
import unittest  # noqa: E402
import urllib.parse  # noqa: E402

from harness import EVENT_TIMEOUT, ROOT, STRETCH, WRAPPER, LineConn, Raw, Subscriber, config, request, rule  # noqa: E402
from servers import Bus, MutterMock, NotifyMock, ServerTestCase  # noqa: E402

SOAK_SECONDS = float(os.environ.get("STRETCH_SOAK_SECONDS", "600"))
# Set by CTest in a -DSTRETCH_SANITIZE=ON build.
SANITIZED = os.environ.get("STRETCH_SANITIZED") == "1"
SEED = int(os.environ.get("STRETCH_SOAK_SEED", "8"))
# After one of every action: long enough for the allocator and SQLite's page
# cache to reach the sizes they keep, short next to the soak itself.
WARM_UP_SECONDS = min(15.0, SOAK_SECONDS / 4)
# `history` answers with at most its default limit of events (1000); the warm-up
# records more than that first, so its replies are at their largest from then on.
WARM_UP_RECORDS = 1100

# glibc's malloc, left to itself, keeps the memory of a transient peak (its
# mmap threshold rises after the first large block is freed, and freed heap is
# given back only from the top). `history` and `stats` read all of a day's rows
# at once, and the soak's day has thousands of rows where a real day
# has a hundred: RssAnon would then follow the largest day read so far, not
# what stretchd holds. Fixed thresholds hand large blocks back at once, so a
# leak, not a peak, is what shows.
MALLOC_TUNABLES = "glibc.malloc.mmap_threshold=65536:glibc.malloc.trim_threshold=131072"

MUTTER_TEMPLATE = os.path.join(ROOT, "tests", "fixtures", "mutter_idle_template.py")

# micro falls due every 2 s of sitting and is reminded of every 2 s; long
# every 20 s, folding micro in. Idle for 3 s is a natural break for micro.
# Two good configs tell themselves apart by micro's max_snoozes.
CONFIG = config(tracking={"natural_break": "3s", "source": "gnome"}, breaks=[
    rule("micro", "2s", "1s", snooze="1s", max_snoozes=Raw("{max_snoozes}"), remind_every="2s"),
    rule("long", "20s", "5s", tags=["stretch"], snooze="2s", max_snoozes=2, remind_every="3s"),
], notify={"methods": ["desktop"]})
GOOD_MAX_SNOOZES = (3, 5)
BROKEN_CONFIGS = {
    "a wrong type": CONFIG.format(max_snoozes='"lots"'),
    "a bad duration": CONFIG.format(max_snoozes=3).replace('every = "20s"', 'every = "20x"'),
    "a syntax error": CONFIG.format(max_snoozes=3) + "\n[[break]\nname = 1\n",
    "an unknown key": CONFIG.format(max_snoozes=3).replace("[notify]", "[notify]\nloudness = 11"),
    "no file": None,
}

# What an acknowledged command is recorded as (with origin "cli").
RECORDED_AS = {"done": "taken", "snooze": "snoozed", "skip": "skipped", "pause": "paused", "resume": "resumed",
               "stand": "stood", "sit": "sat"}
# The refusals the state can explain; any other (internal, bad_request...) is a bug.
FAIR_REFUSALS = {"snooze": {"snooze_limit"}, "resume": {"not_paused"}, "stand": {"already_standing"},
                 "sit": {"not_standing"}}

# (weight, command, socket args, CLI argv): the state changes, then the reads.
COMMANDS = [
    (3, "done", {}, ["done"]),
    (1, "done", {"break": "long"}, ["done", "--break", "long"]),
    (3, "snooze", {}, ["snooze"]),
    (1, "snooze", {"for": "2s"}, ["snooze", "2s"]),
    (2, "skip", {}, ["skip"]),
    (1, "pause", {"for": "3s"}, ["pause", "3s"]),
    (0.2, "pause", {}, ["pause"]),
    (1.5, "resume", {}, ["resume"]),
    (0.7, "stand", {}, ["stand"]),
    (1.5, "sit", {}, ["sit"]),
    (4, "status", {}, ["status"]),
    (2, "next", {}, ["next", "--format", "short"]),
    (1, "stats", {"days": 7}, ["stats", "--week"]),
    (1, "history", {}, ["history"]),
    (0.5, "list", {"target": "neck"}, ["list", "--target", "neck"]),
    (0.5, "show", {"id": "neck-turn"}, ["show", "neck-turn"]),
    (0.5, "doctor", {}, ["doctor"]),
    (0.5, "version", {}, ["version"]),
]

# Bad lines on the long-lived connection, and the code each must get.
MALFORMED = [
    (b'{"v":1,"cmd":"snoze"}\n', "unknown_command"),
    (b"not json\n", "bad_json"),
    (b'{"v":2,"cmd":"status"}\n', "unsupported_version"),
    (b'{"v":1,"cmd":"snooze","args":{"for":10}}\n', "bad_argument"),
    (b'{"v":1,"cmd":"stats","args":{"days":400}}\n', "bad_argument"),
    (b"[]\n", "bad_request"),
    (b'{"v":1,"cmd":"done","args":{"break":"lunch"}}\n', "unknown_break"),
]

CAPABILITIES = ("body body-markup actions persistence", "body")
# stretchd drops a client that has sent nothing for 10 s; the long-lived
# connection is replaced well before that, as a client that idles would.
RENEW_AFTER_S = 5.0


def ready_lines(conn):
    """The complete JSON lines `conn` has received by now, without waiting."""
    while not conn.eof and select.select([conn.sock], [], [], 0)[0]:
        try:
            chunk = conn.sock.recv(65536)
        except ConnectionResetError:
            chunk = b""
        if not chunk:
            conn.eof = True
        conn.buf += chunk
    lines = []
    while b"\n" in conn.buf:
        line, _, conn.buf = conn.buf.partition(b"\n")
        lines.append(json.loads(line))
    return lines


def proc_status(pid):
    """VmRSS, RssAnon, RssFile and RssShmem of a process, in KiB."""
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            name, _, value = line.partition(":")
            if name in ("VmRSS", "RssAnon", "RssFile", "RssShmem"):
                out[name] = int(value.split()[0])
    return out


def open_fds(pid):
    """{fd: what it is} of a process."""
    out = {}
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            out[int(fd)] = os.readlink(f"/proc/{pid}/fd/{fd}")
        except FileNotFoundError:
            pass  # closed while we looked
    return out


def fd_kinds(fds):
    """How many descriptors of each kind: the same file, or a socket, pipe... whatever its inode."""
    return collections.Counter(re.sub(r":\[\d+\]$", "", target) for target in fds.values())


def same_event(row, event):
    """Whether a history row is the record an announced event carries (absent fields are empty)."""
    fields = ("kind", "origin", "break", "stretch", "amount_s", "count", "time")
    return all((row[f] or None) == (event.get(f) or None) for f in fields)


class Watch:
    """`stretch watch` in a status bar: its output is read as it comes, never left to pile up."""

    def __init__(self, env, fmt):
        self.proc = subprocess.Popen([STRETCH, "watch", "--format", fmt], env=env, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        fd = self.proc.stdout.fileno()
        fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) | os.O_NONBLOCK)
        self.lines = 0

    def pump(self):
        try:
            while chunk := os.read(self.proc.stdout.fileno(), 65536):
                self.lines += chunk.count(b"\n")
        except BlockingIOError:
            pass

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(10)
        self.pump()
        self.proc.stdout.close()


class SoakTest(ServerTestCase):

    def setUp(self):
        super().setUp()
        self.rng = random.Random(SEED)
        self.good_max_snoozes = GOOD_MAX_SNOOZES[0]
        self.write_config(CONFIG.format(max_snoozes=self.good_max_snoozes))
        self.bus = self.serve(Bus(self.tmp))
        self.env = self.bus.env(self.env)
        self.mutter = self.serve(MutterMock(self.bus, self.tmp, MUTTER_TEMPLATE))
        self.notify = None
        self.notify_servers = 0
        self.notify_back_at = None
        self.start_notify()
        self.daemon = self.new_daemon(env=dict(self.env, GLIBC_TUNABLES=MALLOC_TUNABLES)).start()
        self.pid = self.daemon.proc.pid
        self.db_path = os.path.join(self.env["XDG_STATE_HOME"], "stretch", "stretch.db")

        # The witness listens from the start to the end: whatever the daemon
        # announces must be in the history.
        self.witness = self.subscriber()
        self.witnessed = []
        self.conn = self.conn_to_daemon()
        self.conn_used = time.monotonic()
        self.subscribers = []
        self.watches = []
        self.idle = False
        self.peak_memory = {}

        self.sent = collections.Counter()
        self.refused = collections.Counter()
        self.events = collections.Counter()
        self.acked = []  # (command, reply) of every acknowledged state change, in order
        self.reloads = 0  # acknowledged reloads and SIGHUPs, each a config_reloaded record

        self.actions = {
            "command": (20, self.command),
            "malformed": (1, self.malformed),
            "subscribe": (1, self.open_subscriber),
            "unsubscribe": (1, self.close_subscriber),
            "watch": (0.5, self.start_watch),
            "unwatch": (0.5, self.stop_watch),
            "activity edge": (1, self.activity_edge),
            "reload": (0.5, self.reload_good),
            "broken reload": (0.5, self.reload_broken),
            "sighup": (0.2, self.sighup),
            "notify restart": (0.15, self.restart_notify),
            "bubble button": (1, self.bubble_button),
            "quiet spell": (0.6, self.quiet_spell),
        }

    def conn_to_daemon(self):
        c = LineConn(self.sock)
        self.conns.append(c)
        return c

    def raw(self):
        """The long-lived connection: a new one if it has idled long enough to be dropped."""
        if time.monotonic() - self.conn_used > RENEW_AFTER_S:
            self.conn.close()
            self.conn = self.conn_to_daemon()
            self.sent["raw reconnect"] += 1
        self.conn_used = time.monotonic()
        return self.conn

    def test_after_the_mix_descriptors_memory_and_history_are_as_they_were(self):
        for name, (_, action) in self.actions.items():
            self.step(name, action)
        for _ in range(WARM_UP_RECORDS):
            self.check_reply("done", {}, self.raw().request({"v": 1, "cmd": "done"}))
            self.pump()
        self.sent["raw done"] += WARM_UP_RECORDS
        self.run_for(WARM_UP_SECONDS)
        self.quiesce()
        fds_before = self.settled_fds()
        # The most it held while warming up: glibc gives freed memory back only
        # from the top of the heap, so one reading may catch RssAnon low, just
        # after a trim (1.1 to 2.1 MiB here, run to run). What is still held at
        # the end is in the last reading, however the heap was trimmed.
        memory_before = dict(self.peak_memory)
        db_before = self.database_kib()

        began = time.monotonic()
        self.run_for(SOAK_SECONDS)
        soaked = time.monotonic() - began

        self.quiesce()
        fds_after = self.settled_fds(until=len(fds_before))
        memory_after = proc_status(self.pid)
        bound = self.rss_bound_kib(self.database_kib() - db_before)
        self.report(soaked, fds_before, fds_after, memory_before, memory_after, bound)

        self.assertEqual(fd_kinds(fds_after), fd_kinds(fds_before),
                         "stretchd holds other descriptors than once warmed up")
        # Not under valgrind (its own memory would be measured, and it looks for
        # leaks itself), nor in the ASan build, whose quarantine keeps freed
        # memory on purpose (RssAnon +175 MiB in a minute there).
        if not WRAPPER and not SANITIZED:
            self.assertLessEqual(memory_after["RssAnon"] - memory_before["RssAnon"], bound,
                                 f"RssAnon grew from {memory_before} to {memory_after} (KiB)")
            self.assertLessEqual(memory_after["VmRSS"] - memory_before["VmRSS"], bound,
                                 f"VmRSS grew from {memory_before} to {memory_after} (KiB)")

        self.absorb(ready_lines(self.witness))
        self.witness.close()
        self.conn.close()
        self.assertEqual(self.daemon.stop(), 0, "stretchd did not exit 0 on SIGTERM")
        self.check_history()

    # ---- the random mix ----

    def run_for(self, seconds):
        names = list(self.actions)
        weights = [self.actions[n][0] for n in names]
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            name = self.rng.choices(names, weights)[0]
            self.step(name, self.actions[name][1])
            time.sleep(self.rng.uniform(0, 0.04))

    def step(self, name, action):
        action()
        for field, kib in proc_status(self.pid).items():
            self.peak_memory[field] = max(self.peak_memory.get(field, 0), kib)
        if self.notify is None and time.monotonic() >= self.notify_back_at:
            self.start_notify()
        self.pump()
        self.assertTrue(self.daemon.alive(), f"stretchd died after {name!r}:\n{self.daemon.log_excerpt()}")

    def pump(self):
        """Reads every stream, as their clients would: none is dropped for not reading."""
        self.absorb(ready_lines(self.witness))
        self.assertFalse(self.witness.eof, "stretchd closed the witness's subscription")
        for sub in self.subscribers:
            ready_lines(sub)
            self.assertFalse(sub.eof, "stretchd closed a subscription")
        for w in self.watches:
            w.pump()
            self.assertIsNone(w.proc.poll(), "stretch watch exited by itself")

    def absorb(self, lines):
        for line in lines:
            name = line.get("event")
            self.events[name] += 1
            if "kind" in line:  # a recorded event (reminders are recorded, but not announced as such)
                self.witnessed.append(line)

    def command(self):
        weights = [c[0] for c in COMMANDS]
        _, cmd, args, argv = self.rng.choices(COMMANDS, weights)[0]
        via = self.rng.choices(("cli", "raw", "fresh"), (5, 3, 2))[0]
        self.sent[f"{via} {cmd}"] += 1
        if via == "cli":
            state_change = cmd in RECORDED_AS
            r = self.cli(*(["--json"] if state_change else []), *argv)
            self.assertIn(r.returncode, (0, 1) if state_change else (0,),
                          f"stretch {' '.join(argv)} -> {r.returncode}\n{r.stdout}{r.stderr}")
            if not state_change:
                return
            reply = json.loads(r.stdout)
        else:
            obj = {"v": 1, "cmd": cmd, "args": args}
            reply = self.raw().request(obj) if via == "raw" else request(self.sock, obj)
        self.check_reply(cmd, args, reply)

    def check_reply(self, cmd, args, reply):
        where = f"{cmd} {args} -> {reply}"
        if reply.get("ok"):
            if cmd in RECORDED_AS:
                self.acked.append((cmd, reply))
            if cmd in ("done", "skip", "snooze"):
                self.assertEqual(reply["break"], args.get("break", reply["break"]), where)
            return
        code = reply.get("error", {}).get("code")
        self.assertIn(code, FAIR_REFUSALS.get(cmd, set()), where)
        self.refused[code] += 1

    def malformed(self):
        line, code = self.rng.choice(MALFORMED)
        self.sent["raw malformed"] += 1
        conn = self.raw()
        conn.send_raw(line)
        reply = conn.read_line()
        self.assertIsNotNone(reply, f"no reply to {line!r}")
        self.assertEqual(reply.get("error", {}).get("code"), code, f"{line!r} -> {reply}")

    def open_subscriber(self):
        if len(self.subscribers) < 4:
            self.sent["subscribe"] += 1
            self.subscribers.append(Subscriber(self.sock))
            self.conns.append(self.subscribers[-1])  # closed at the end even if the test fails

    def close_subscriber(self):
        if self.subscribers:
            self.sent["unsubscribe"] += 1
            self.subscribers.pop(self.rng.randrange(len(self.subscribers))).close()

    def start_watch(self):
        if len(self.watches) < 2:
            self.sent["watch"] += 1
            self.watches.append(Watch(self.cli_env(), self.rng.choice(("waybar", "plain", "i3blocks"))))
            self.children.append(self.watches[-1].proc)  # killed at the end even if the test fails

    def stop_watch(self):
        if self.watches:
            self.sent["unwatch"] += 1
            self.watches.pop(self.rng.randrange(len(self.watches))).stop()

    def activity_edge(self):
        """Idle, or back. A watch the daemon has not (re-)registered yet fires nothing: no edge, try later."""
        if not self.idle:
            self.idle = self.mutter.go_idle() > 0
            self.sent["idle"] += self.idle
        elif self.mutter.come_back() > 0:
            self.idle = False
            self.sent["back"] += 1

    def reload_good(self):
        self.good_max_snoozes = GOOD_MAX_SNOOZES[self.good_max_snoozes == GOOD_MAX_SNOOZES[0]]
        self.write_config(CONFIG.format(max_snoozes=self.good_max_snoozes))
        if self.rng.random() < 0.5:
            self.sent["cli reload"] += 1
            self.cli_ok("reload")
        else:
            self.sent["raw reload"] += 1
            self.assertTrue(self.raw().request({"v": 1, "cmd": "reload"})["ok"])
        self.reloads += 1
        self.assert_running_config()

    def reload_broken(self):
        what = self.rng.choice(list(BROKEN_CONFIGS))
        if BROKEN_CONFIGS[what] is None:
            os.unlink(self.config_path)
        else:
            self.write_config(BROKEN_CONFIGS[what])
        if self.rng.random() < 0.5:
            self.sent["cli broken reload"] += 1
            r = self.cli("reload")
            self.assertEqual(r.returncode, 1, f"a reload of {what} -> {r.returncode}\n{r.stdout}{r.stderr}")
            self.assertIn("the running config is kept", r.stderr)
        else:
            self.sent["raw broken reload"] += 1
            reply = self.raw().request({"v": 1, "cmd": "reload"})
            self.assertEqual(reply.get("error", {}).get("code"), "config_invalid", f"a reload of {what} -> {reply}")
        self.assert_running_config()

    def sighup(self):
        """A good config by SIGHUP: done once the witness hears of it (the file is rewritten only after)."""
        self.good_max_snoozes = GOOD_MAX_SNOOZES[self.good_max_snoozes == GOOD_MAX_SNOOZES[0]]
        self.write_config(CONFIG.format(max_snoozes=self.good_max_snoozes))
        self.sent["sighup"] += 1
        self.daemon.signal(signal.SIGHUP)
        heard = len([e for e in self.witnessed if e["kind"] == "config_reloaded"])
        deadline = time.monotonic() + EVENT_TIMEOUT
        while len([e for e in self.witnessed if e["kind"] == "config_reloaded"]) == heard:
            self.assertLess(time.monotonic(), deadline, "no config_reloaded after SIGHUP")
            select.select([self.witness.sock], [], [], 0.05)
            self.absorb(ready_lines(self.witness))
        self.reloads += 1
        self.assert_running_config()

    def assert_running_config(self):
        micro = next(b for b in self.raw().request({"v": 1, "cmd": "status"})["breaks"] if b["break"] == "micro")
        self.assertEqual(micro["max_snoozes"], self.good_max_snoozes, "not the last good config")

    def start_notify(self):
        self.notify_servers += 1
        caps = CAPABILITIES[self.notify_servers % len(CAPABILITIES)]
        self.notify = self.serve(NotifyMock(self.bus, self.tmp, caps, name=f"notify{self.notify_servers}"))
        self.notify_back_at = None

    def restart_notify(self):
        """The server goes; a new one comes back within 3 s, while the rest of the mix goes on."""
        if self.notify is not None:
            self.sent["notify restart"] += 1
            self.notify.stop()
            self.notify = None
            self.notify_back_at = time.monotonic() + self.rng.uniform(0, 3)

    def bubble_button(self):
        """A button on the last bubble (perhaps closed by now: the daemon ignores that), or the user closing it."""
        if self.notify is None:
            return
        calls = self.notify.notify_calls()
        if not calls:
            return
        bubble = calls[-1].returned_id
        if self.rng.random() < 0.2:
            self.sent["bubble dismissed"] += 1
            self.notify.emit_closed(bubble, 2)
        else:
            key = self.rng.choice(("done", "snooze", "skip", "default"))
            self.sent[f"bubble {key}"] += 1
            self.notify.emit_action(bubble, key)

    def quiet_spell(self):
        """The user back at the desk, sitting, reminders on, and then nothing but the streams
        read for a few seconds: breaks fall due, reminders and re-reminders go out."""
        self.sent["quiet spell"] += 1
        for cmd in ("resume", "sit"):
            self.sent[f"raw {cmd}"] += 1
            self.check_reply(cmd, {}, self.raw().request({"v": 1, "cmd": cmd}))
        if self.idle and self.mutter.come_back() > 0:
            self.idle = False
            self.sent["back"] += 1
        deadline = time.monotonic() + self.rng.uniform(2, 5)
        while time.monotonic() < deadline:
            select.select([self.witness.sock] + [s.sock for s in self.subscribers], [], [], 0.1)
            self.pump()

    # ---- measuring ----

    def quiesce(self):
        """The same standing start for both measurements: the short-lived streams closed, a
        notification server up, the user back, only the witness and the raw connection open."""
        while self.subscribers:
            self.close_subscriber()
        while self.watches:
            self.stop_watch()
        if self.notify is None:
            self.start_notify()
        self.wait_until(lambda: not self.idle or self.mutter.come_back() > 0, what="the user back")
        self.idle = False
        self.pump()

    def settled_fds(self, until=None):
        """The daemon's descriptors once it has closed what the clients closed: the same
        count three times over 0.4 s, or `until` reached (up to a bound either way)."""
        seen = []
        deadline = time.monotonic() + EVENT_TIMEOUT
        while time.monotonic() < deadline:
            fds = open_fds(self.pid)
            seen = (seen + [len(fds)])[-3:]
            if len(fds) == until or (until is None and len(seen) == 3 and len(set(seen)) == 1):
                break
            time.sleep(0.2)
            self.pump()
        return fds

    def database_kib(self):
        """The history's size as SQLite sees it (pages in the WAL included), read-only beside the daemon."""
        uri = "file:" + urllib.parse.quote(self.db_path) + "?mode=ro"
        db = sqlite3.connect(uri, uri=True, timeout=5)
        try:
            pages = db.execute("PRAGMA page_count").fetchone()[0]
            return pages * db.execute("PRAGMA page_size").fetchone()[0] // 1024
        finally:
            db.close()

    @staticmethod
    def rss_bound_kib(database_growth_kib):
        """How much resident memory may legitimately grow over the soak, in KiB.

        stretchd keeps nothing per event or per client once the client has gone:
        the history lives in SQLite. valgrind's massif over a 90 s soak showed a
        live heap of 410-450 KB at rest (growing with the database only) and peaks
        of 1.0-1.4 MB while `history` builds a 1000-event reply. So:
        - SQLite's page cache keeps the pages `history` and `stats` read, up to its
          default cache_size of 2000 KiB: at most the database's growth;
        - glibc keeps freed heap it cannot hand back because a live block sits
          above it: at most about one such peak. 768 KiB; the heap settled at
          +340 KiB over the warmed-up peak within the first minute and stayed flat
          for the next one.
        A leak of 150 bytes per action (some 7,000 actions in ten minutes) exceeds
        it; smaller ones are valgrind's to find."""
        return 768 + min(database_growth_kib, 2000)

    def report(self, seconds, fds_before, fds_after, before, after, bound):
        acked = collections.Counter(cmd for cmd, _ in self.acked)
        sys.stderr.write(
            f"\nsoak (seed {SEED}): {seconds:.0f} s, {sum(self.sent.values())} actions, "
            f"{self.notify_servers} notification servers\n"
            f"  sent: {dict(sorted(self.sent.items()))}\n"
            f"  acknowledged state changes: {dict(sorted(acked.items()))}; reloads: {self.reloads}; "
            f"refused: {dict(self.refused)}\n"
            f"  the witness heard: {dict(sorted(self.events.items()))}\n"
            f"  descriptors: {len(fds_before)} warmed up, {len(fds_after)} at the end\n"
            f"  memory (KiB), warmed up -> end: " +
            ", ".join(f"{k} {before[k]} -> {after[k]}" for k in before) + f"; bound on growth {bound}\n")

    # ---- the history ----

    def check_history(self):
        rows = self.stopped_history()
        kinds = [r["kind"] for r in rows]
        self.assertEqual((kinds[0], kinds[-1]), ("start", "stop"), "one life: start first, stop last")
        self.assertEqual((kinds.count("start"), kinds.count("stop")), (1, 1))

        cli = [r for r in rows if r["origin"] == "cli"]
        self.assertEqual([r["kind"] for r in cli], [RECORDED_AS[cmd] for cmd, _ in self.acked],
                         "the cli rows are not the acknowledged commands")
        for (cmd, reply), row in zip(self.acked, cli):
            if cmd in ("done", "skip", "snooze"):
                self.assertEqual(row["break"], reply["break"], (cmd, reply, dict(row)))
            if cmd == "snooze":
                self.assertEqual(row["count"], reply["snoozes"], (cmd, reply, dict(row)))
        self.assertEqual(kinds.count("config_reloaded"), self.reloads)

        # Every announced event is a row, in order; rows after the last one heard
        # (timers firing while the daemon was stopped) were announced to nobody.
        announced = [r for r in rows if r["kind"] not in ("start", "stop", "reminded")]
        self.assertGreaterEqual(len(announced), len(self.witnessed))
        for i, (row, event) in enumerate(zip(announced, self.witnessed)):
            self.assertTrue(same_event(row, event), f"event {i}: heard {event}, recorded {dict(row)}")
        for row in announced[len(self.witnessed):]:
            self.assertNotEqual(row["origin"], "cli", f"an acknowledged command was not heard: {dict(row)}")

    def stopped_history(self):
        """Every row, from a copy of the stopped daemon's database (and its WAL, if any is left)."""
        copy = os.path.join(self.tmp, "copy.db")
        for suffix in ("", "-wal"):
            if os.path.exists(self.db_path + suffix):
                shutil.copyfile(self.db_path + suffix, copy + suffix)
        db = sqlite3.connect(copy)
        db.row_factory = sqlite3.Row
        try:
            self.assertEqual(db.execute("PRAGMA integrity_check").fetchone()[0], "ok")
            return db.execute("SELECT * FROM events ORDER BY id").fetchall()
        finally:
            db.close()


if __name__ == "__main__":
    unittest.main()
