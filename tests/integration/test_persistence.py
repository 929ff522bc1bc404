"""Integration tests: what stretchd keeps in $XDG_STATE_HOME/stretch/stretch.db.

- Crash safety: kill -9 at hundreds of seeded random moments while commands
  run; every acknowledged event must be in the history and the restored state
  must be what was acknowledged.
- Restart semantics: a short downtime still counts as sitting, a long one is
  a natural break; snoozes, pauses and standing survive a restart.
- Migration of a schema-1 database (tests/fixtures/stretch-v1.sql).
- Bad files (corrupt, newer, foreign) are moved aside byte for byte and a
  fresh database is started.
- A read-only state directory or database, or a disk that fills up: the
  daemon serves from memory, says so once in the log, and in status and
  doctor for as long as it lasts; no acknowledged event goes missing from
  `stretch history`. Once the disk takes writes again (tried on a timer, and
  at once on `stretch reload`), what memory kept moves into the file.
- Retention: rows older than [history] keep_days are pruned at start, and a
  file left mostly empty by it is compacted.

While stretchd runs the database is only read, through a read-only SQLite
connection; once it has stopped, from a copy. Files are planted (a fixture, a
bad file, a fault-injection trigger) only while no stretchd is running.
Tests that once found daemon bugs say so in a comment.
Run: STRETCHD=... STRETCH=... /usr/bin/python3 tests/integration/test_persistence.py -v
STRETCH_CRASH_SEED, STRETCH_CRASH_ITERATIONS and STRETCH_CRASH_SECONDS change
the crash test's seed and bounds.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import glob  # noqa: E402
import hashlib  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import resource  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import sqlite3  # noqa: E402
import stat  # noqa: E402
import subprocess  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import unittest  # noqa: E402
import urllib.parse  # noqa: E402

import harness  # noqa: E402
from harness import (  # noqa: E402
    EVENT_TIMEOUT, REPLY_TIMEOUT, ROOT, SLOW_CONFIG, START_TIMEOUT, Daemon, LineConn, StretchTestCase, let_pass, request)

FIXTURE_V1 = os.path.join(ROOT, "tests", "fixtures", "stretch-v1.sql")
APPLICATION_ID = 0x53545254  # "STRT"
SCHEMA_VERSION = 3
DAY = 24 * 3600

# What each command is recorded as, with origin "cli".
RECORDED_AS = {"done": "taken", "snooze": "snoozed", "skip": "skipped", "pause": "paused", "resume": "resumed",
               "stand": "stood", "sit": "sat"}

# Second-scale intervals, so reminders, re-reminders and natural breaks (from
# standing) happen between the kills. One rule: every command acts on it.
CRASH_CONFIG = harness.config(breaks=[harness.rule("micro", "2s", "1s", snooze="1s", max_snoozes=50, remind_every="2s")])

# The fixture's rows are from 2024: keep them from being pruned as too old.
KEEP_ALL = "\n[history]\nkeep_days = 36500\n"

NOBODY = 65534
SETPRIV = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]

# A raw client for a daemon running as nobody: stretchd answers only its own
# uid, so the requests must come from nobody too. One request per stdin line,
# each on a fresh connection; prints the replies as a JSON list.
NOBODY_CLIENT = r"""
import json, socket, sys
replies = []
for line in sys.stdin:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(float(sys.argv[2]))
    try:
        s.connect(sys.argv[1])
        s.sendall(line.encode())
        buf = b""
        while b"\n" not in buf:
            chunk = s.recv(65536)
            if not chunk:
                break
            buf += chunk
        replies.append(json.loads(buf.partition(b"\n")[0]) if b"\n" in buf else None)
    except (OSError, ValueError) as e:
        replies.append({"client_error": repr(e)})
    finally:
        s.close()
print(json.dumps(replies))
"""


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def config_with(natural_break, rules):
    """A config: [tracking] natural_break and grace 0, then (name, every, duration) rules."""
    return harness.config(tracking={"natural_break": natural_break}, breaks=[
        harness.rule(name, every, duration, tags=["micro"], snooze="10m", max_snoozes=3, remind_every="10m")
        for name, every, duration in rules])


class NobodyDaemon(Daemon):
    """stretchd as nobody. setpriv execs, so the PID is still stretchd's and it stays our direct child."""

    def command(self):
        return SETPRIV + super().command()


class Killer:
    """Sends SIGKILL to `proc` after `delay` seconds, from a thread.

    The test never polls or waits for `proc` before join(): until then the
    process cannot have been reaped, so its PID cannot belong to anyone else."""

    def __init__(self, proc, delay):
        self.proc = proc
        self.delay = delay
        self.fired = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        time.sleep(self.delay)
        os.kill(self.proc.pid, signal.SIGKILL)
        self.fired.set()

    def join(self):
        self.thread.join()


class PersistenceCase(StretchTestCase):
    """Starts no daemon by itself; helpers to read the database."""

    start_daemon = False
    config_text = SLOW_CONFIG

    def setUp(self):
        super().setUp()
        self.state_dir = os.path.join(self.env["XDG_STATE_HOME"], "stretch")
        self.db_path = os.path.join(self.state_dir, "stretch.db")
        self.copies = 0

    # ---- reading the database ----

    def live_db(self, path=None):
        """A read-only connection to the database a running daemon has open (WAL: it never blocks the daemon)."""
        uri = "file:" + urllib.parse.quote(path or self.db_path) + "?mode=ro"
        db = sqlite3.connect(uri, uri=True, timeout=5)
        db.row_factory = sqlite3.Row
        return db

    def copied_db(self, path=None):
        """A connection to a copy of the database (and its WAL): for a stopped daemon, leaving its files alone."""
        path = path or self.db_path
        self.copies += 1
        target = os.path.join(self.tmp, f"copy{self.copies}", "copy.db")
        os.makedirs(os.path.dirname(target))
        for suffix in ("", "-wal"):
            if os.path.exists(path + suffix):
                shutil.copyfile(path + suffix, target + suffix)
        db = sqlite3.connect(target, timeout=5)
        db.row_factory = sqlite3.Row
        return db

    def query(self, sql, args=(), live=True, path=None):
        db = self.live_db(path) if live else self.copied_db(path)
        try:
            return [dict(r) for r in db.execute(sql, args).fetchall()]
        finally:
            db.close()

    def scalar(self, sql, live=True, path=None):
        rows = self.query(sql, live=live, path=path)
        return next(iter(rows[0].values())) if rows else None

    def events(self, live=True, since_id=0):
        return self.query("SELECT * FROM events WHERE id > ? ORDER BY id", (since_id,), live=live)

    def assert_fresh_current(self, live=True, path=None):
        """A stretch database at the current schema that passes integrity_check."""
        self.assertEqual(self.scalar("PRAGMA integrity_check", live, path), "ok")
        self.assertEqual(self.scalar("PRAGMA user_version", live, path), SCHEMA_VERSION)
        self.assertEqual(self.scalar("PRAGMA application_id", live, path), APPLICATION_ID)
        columns = [r["name"] for r in self.query("PRAGMA table_info(events)", live=live, path=path)]
        self.assertEqual(columns, ["id", "time", "kind", "break", "stretch", "amount_s", "origin", "count", "detail"])
        tables = {r["name"] for r in
                  self.query("SELECT name FROM sqlite_master WHERE type = 'table'", live=live, path=path)}
        self.assertEqual(tables, {"events", "state"})

    # ---- the daemon ----

    def start(self, **kw):
        d = self.new_daemon(**kw)
        d.start()
        return d

    def restart(self, d):
        self.assertEqual(d.stop(), 0, d.log_excerpt())
        return self.start()

    def rule(self, status, name):
        for r in status["breaks"]:
            if r["break"] == name:
                return r
        self.fail(f"no break {name!r} in status: {status!r}")

    def wait_sitting(self, at_least, timeout=EVENT_TIMEOUT):
        """Status once sitting_s has reached `at_least` (waits up to `timeout`)."""
        return self.wait_until(lambda: (lambda s: s if s["sitting_s"] >= at_least else None)(self.status()),
                               timeout=timeout, what=f"sitting_s >= {at_least}", interval=0.1)

    def error_lines(self, d, pattern):
        """The log's entries matching `pattern`; a message of several lines is one entry."""
        entries = []
        for line in d.log().splitlines():
            if entries and not re.match(r"\d{4}-\d\d-\d\d ", line):
                entries[-1] += "\n" + line
            else:
                entries.append(line)
        return [e for e in entries if re.search(pattern, e)]


# --------------------------------------------------------------------------------------------
# 1. Crash safety
# --------------------------------------------------------------------------------------------


class Model:
    """What the acknowledged replies say the state is."""

    def __init__(self):
        self.paused = False
        self.standing = False
        self.snoozes = 0  # of "micro"
        # Row id after which a natural break (or an unacknowledged done/skip)
        # may have reset the snooze count behind our back.
        self.snooze_anchor = 0

    def copy(self):
        m = Model()
        m.__dict__.update(self.__dict__)
        return m

    def apply(self, cmd, reply):
        if cmd == "pause":
            self.paused = True
        elif cmd == "resume":
            self.paused = False
        elif cmd == "stand":
            self.standing = True
        elif cmd == "sit":
            self.standing = False
        elif cmd == "snooze":
            self.snoozes = reply["snoozes"]
        elif cmd in ("done", "skip"):
            self.snoozes = 0


class Life:
    """One run of stretchd between two kills."""

    def __init__(self, number):
        self.number = number
        self.start_id = None  # its "start" row, once it has answered
        self.acked = []       # (command, reply) for every accepted command, in order
        self.inflight = None  # the command sent when it died, if no reply came


class CrashSafetyTest(PersistenceCase):
    config_text = CRASH_CONFIG

    MAX_ITERATIONS = int(os.environ.get("STRETCH_CRASH_ITERATIONS", "300"))
    MAX_SECONDS = float(os.environ.get("STRETCH_CRASH_SECONDS", "80"))
    # Share of the kills aimed at start-up (opening, checking, migrating the file).
    STARTUP_KILLS = 0.15
    # Lives come in runs of two kinds. Busy: commands back to back, killed within 0.25 s (most kills
    # land in a command's commits). Quiet: mostly status polls and now and then a command, killed
    # within 0.45 s; over a run of them sitting and standing add up, so the timers' own events
    # (reminders, re-reminders, natural breaks from standing) are written between the kills too.
    SWITCH = {False: 0.15, True: 0.06}  # chance of switching kind after a busy / quiet life

    def test_kill_9_at_random_moments_loses_nothing_acknowledged(self):
        """Lives of stretchd on one state directory, each ended by SIGKILL at a seeded random moment:
        mostly while commands run back to back on one connection, sometimes during start-up.

        After each restart: integrity_check is ok; the cli rows of the last life are exactly its
        acknowledged commands in order, plus perhaps the one that was in flight (committed, but the
        reply never came: allowed); the restored state (paused, standing, micro's snooze count) is the
        acknowledged one, or includes the in-flight command if that was recorded, and a snooze count
        may be 0 if a natural break was recorded since. Within a life every refusal (not_paused,
        already_standing, not_standing) must agree with the acknowledged state too."""
        seed = int(os.environ.get("STRETCH_CRASH_SEED", "1407"))
        rng = random.Random(seed)
        self.seed = seed
        d = self.new_daemon()
        self.model = Model()
        self.prev = None  # the last life whose start row we know
        self.quiet = False
        self.stats = {"iterations": 0, "quiet": 0, "startup_kills": 0, "acked": 0, "refused": {}, "inflight": 0,
                      "inflight_recorded": 0, "recorded_not_restored": 0}
        began = time.monotonic()
        for i in range(self.MAX_ITERATIONS):
            if time.monotonic() - began > self.MAX_SECONDS:
                break
            self.iteration = i
            if rng.random() < self.SWITCH[self.quiet]:
                self.quiet = not self.quiet
            self.stats["quiet"] += self.quiet
            self.one_life(d, rng, Life(i))
            self.stats["iterations"] += 1
        self.assertGreaterEqual(self.stats["iterations"], min(20, self.MAX_ITERATIONS),
                                "too few iterations to mean anything")

        # A last life, stopped cleanly: its events are all acknowledged, and "stop" comes last.
        self.iteration = "final"
        life = Life("final")
        d.start()
        self.check_restart(life)
        conn = self.conn()
        for cmd in ("snooze", "pause", "stand", "done", "resume", "sit", "skip"):
            self.handle_reply(life, cmd, conn.request({"v": 1, "cmd": cmd}))
        self.assertEqual(d.stop(), 0, "stretchd did not exit 0 on SIGTERM")
        rows = self.events(live=False, since_id=life.start_id - 1)
        self.assertEqual(rows[0]["kind"], "start")
        self.match_life(life, [r for r in rows if r["origin"] == "cli"], allow_inflight=False)
        self.assertEqual(rows[-1]["kind"], "stop", rows[-1])
        self.assertEqual(self.scalar("PRAGMA integrity_check", live=False), "ok")
        self.assertEqual(self.scalar("PRAGMA user_version", live=False), SCHEMA_VERSION)
        self.stats["seconds"] = round(time.monotonic() - began, 1)
        kinds = {r["kind"]: r["n"]
                 for r in self.query("SELECT kind, count(*) AS n FROM events GROUP BY kind", live=False)}
        sys.stderr.write(f"\ncrash test (seed {seed}): {self.stats}\nrecorded: {kinds}\n")

    def where(self):
        return f"[seed {self.seed}, iteration {self.iteration}]"

    def one_life(self, d, rng, life):
        proc = d.spawn()
        killer = None
        try:
            if rng.random() < self.STARTUP_KILLS:
                self.stats["startup_kills"] += 1
                killer = Killer(proc, rng.uniform(0, 0.08))
            ready = self.wait_ready_while(killer)
            if not ready:
                self.assertIsNotNone(killer, f"{self.where()} stretchd did not answer within {START_TIMEOUT} s")
                return
            if killer is None:
                killer = Killer(proc, rng.uniform(0.05, 0.45) if self.quiet else rng.uniform(0.005, 0.25))
            try:
                status = request(self.sock, {"v": 1, "cmd": "status"})
            except (OSError, AssertionError, ValueError):
                return  # killed before it could tell us: nothing was sent, nothing to check
            if not status.get("ok"):
                self.fail(f"{self.where()} status refused: {status!r}")
            self.check_restart(life, status)
            self.drive(life, rng)
        finally:
            if killer is None:
                killer = Killer(proc, 0)
            killer.join()
            proc.wait()
        self.assertEqual(proc.returncode, -signal.SIGKILL,
                         f"{self.where()} stretchd ended by itself (exit {proc.returncode}), not by our SIGKILL")

    def wait_ready_while(self, killer):
        """True once the daemon answers; False if our killer fired first. Never polls the process."""
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if killer is not None and killer.fired.is_set():
                return False
            try:
                if request(self.sock, {"v": 1, "cmd": "version"}, timeout=1.0).get("ok"):
                    return True
            except (OSError, AssertionError, ValueError):
                pass
            time.sleep(0.003)
        return False

    def pick(self, rng):
        m = self.model
        if self.quiet:
            weights = {"status": 10, "done": 0.05, "snooze": 0.2, "skip": 0.03,
                       "pause": 0.02 if m.paused else 0.05, "resume": 0.5 if m.paused else 0.01,
                       "stand": 0.01 if m.standing else 0.08, "sit": 0.15 if m.standing else 0.01}
        else:
            weights = {"done": 2, "snooze": 3, "skip": 1,
                       "pause": 0.3 if m.paused else 1, "resume": 1.5 if m.paused else 0.2,
                       "stand": 0.2 if m.standing else 1, "sit": 1.5 if m.standing else 0.2, "status": 0.5}
        return rng.choices(list(weights), list(weights.values()))[0]

    def drive(self, life, rng):
        """Commands (back to back, or paced when quiet) until the kill cuts the connection."""
        try:
            conn = LineConn(self.sock)
        except OSError:
            return
        try:
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                cmd = self.pick(rng)
                try:
                    conn.send({"v": 1, "cmd": cmd})
                    reply = conn.read_line(REPLY_TIMEOUT)
                except OSError:
                    reply = None
                if reply is None:
                    if cmd in RECORDED_AS:
                        life.inflight = cmd
                        self.stats["inflight"] += 1
                    return
                self.handle_reply(life, cmd, reply)
                if self.quiet:
                    time.sleep(rng.uniform(0.02, 0.08))
            self.fail(f"{self.where()} stretchd was not killed within 10 s")
        finally:
            conn.close()

    def handle_reply(self, life, cmd, reply):
        """Notes an acknowledged command; a refusal must agree with the state acknowledged so far."""
        m = self.model
        where = f"{self.where()} {cmd} -> {reply!r}"
        if cmd == "status":
            self.assertTrue(reply.get("ok"), where)
            return
        expected_refusal = {"resume": None if m.paused else "not_paused",
                            "stand": "already_standing" if m.standing else None,
                            "sit": None if m.standing else "not_standing"}.get(cmd)
        if reply.get("ok"):
            self.assertIsNone(expected_refusal,
                              f"{where}: accepted, but the acknowledged state says it would be refused")
            if cmd in ("done", "skip", "snooze"):
                self.assertEqual(reply.get("break"), "micro", where)
            life.acked.append((cmd, reply))
            m.apply(cmd, reply)
            self.stats["acked"] += 1
            return
        code = reply.get("error", {}).get("code")
        self.stats["refused"][code] = self.stats["refused"].get(code, 0) + 1
        if cmd == "snooze":
            self.assertEqual(code, "snooze_limit", where)
        else:
            self.assertEqual(code, expected_refusal, f"{where}: the acknowledged state says paused={m.paused}, "
                                                     f"standing={m.standing}")

    def match_life(self, life, cli_rows, allow_inflight=True):
        """The cli rows of one life are its acknowledged commands, in order, plus perhaps the one in flight."""
        acked = life.acked
        summary = (f"acknowledged {[c for c, _ in acked]} + in flight {life.inflight!r}; "
                   f"recorded {[r['kind'] for r in cli_rows]}")
        extra = len(cli_rows) - len(acked)
        self.assertIn(extra, (0, 1) if (allow_inflight and life.inflight) else (0,),
                      f"{self.where()} life {life.number}: {summary}")
        for (cmd, reply), row in zip(acked, cli_rows):
            self.assertEqual(row["kind"], RECORDED_AS[cmd], f"{self.where()} life {life.number}: {summary}")
            if cmd in ("done", "skip", "snooze"):
                self.assertEqual(row["break"], reply["break"], f"{self.where()} {row}; {summary}")
            if cmd == "snooze":
                self.assertEqual(row["count"], reply["snoozes"], f"{self.where()} {row}; {summary}")
                self.model_anchor(row)
            elif cmd in ("done", "skip"):
                self.model_anchor(row)
        if extra == 1:
            self.assertEqual(cli_rows[-1]["kind"], RECORDED_AS[life.inflight], f"{self.where()}: {summary}")
            return cli_rows[-1]
        return None

    def model_anchor(self, row):
        self.model.snooze_anchor = max(self.model.snooze_anchor, row["id"])

    def check_restart(self, life, status=None):
        """After a restart: the file is sound, the last life's acknowledged events are all there, and the
        restored state is the acknowledged one (or includes the command in flight, if that was recorded)."""
        if status is None:
            status = self.status()
        self.assertEqual(self.scalar("PRAGMA integrity_check"), "ok", self.where())
        life.start_id = self.scalar("SELECT max(id) FROM events WHERE kind = 'start'")
        self.assertIsNotNone(life.start_id, f"{self.where()} no start row")
        m = self.model
        paused, standing, snoozes = {m.paused}, {m.standing}, {m.snoozes}
        prev = self.prev
        self.prev = life
        if prev is None:
            return self.adopt(status)
        self.assertGreater(life.start_id, prev.start_id, self.where())
        rows = self.events(since_id=prev.start_id)
        cli_rows = [r for r in rows if r["origin"] == "cli" and r["id"] < life.start_id]
        inflight_row = self.match_life(prev, cli_rows)
        after = m.copy()
        if inflight_row is not None:
            # Recorded, so it may or may not have reached the saved state before the kill.
            self.stats["inflight_recorded"] += 1
            after.apply(prev.inflight, {"snoozes": inflight_row["count"]})
            paused.add(after.paused)
            standing.add(after.standing)
            snoozes.add(after.snoozes)
        naturals = self.scalar(f"SELECT count(*) FROM events WHERE id > {m.snooze_anchor} AND kind = 'natural' "
                               f"AND break = 'micro'")
        if naturals:
            snoozes.add(0)
        got_paused = status["state"] == "paused"
        got_standing = status["away"]
        got_snoozes = self.rule(status, "micro")["snoozes"]
        state = f"paused={got_paused} standing={got_standing} snoozes={got_snoozes}"
        self.assertIn(got_paused, paused, f"{self.where()} restored {state}; acknowledged paused={m.paused}, "
                                          f"in flight {prev.inflight!r} (recorded: {inflight_row is not None})")
        self.assertIn(got_standing, standing, f"{self.where()} restored {state}; acknowledged standing={m.standing}, "
                                              f"in flight {prev.inflight!r} (recorded: {inflight_row is not None})")
        self.assertIn(got_snoozes, snoozes, f"{self.where()} restored {state}; acknowledged snoozes={m.snoozes}, "
                                            f"in flight {prev.inflight!r} (recorded: {inflight_row is not None}), "
                                            f"{naturals} natural breaks since")
        if inflight_row is not None:
            # The event's row was committed but the state after it was not (they are two transactions).
            field = {"pause": "paused", "resume": "paused", "stand": "standing", "sit": "standing",
                     "snooze": "snoozes"}.get(prev.inflight)
            got = {"paused": got_paused, "standing": got_standing, "snoozes": got_snoozes}
            if field and getattr(m, field) != getattr(after, field) and got[field] == getattr(m, field) and \
                    not (field == "snoozes" and naturals):
                self.stats["recorded_not_restored"] += 1
        self.adopt(status)

    def adopt(self, status):
        """From now on the model starts from the state the daemon restored."""
        m = self.model
        m.paused = status["state"] == "paused"
        m.standing = status["away"]
        m.snoozes = self.rule(status, "micro")["snoozes"]
        m.snooze_anchor = self.scalar("SELECT max(id) FROM events") or 0


class CommitTogetherTest(PersistenceCase):
    """The row of a command's event and the state after it should be committed together."""

    config_text = SLOW_CONFIG

    # Once a bug (now fixed): src/daemon/daemon.cpp Daemon::apply() writes each Record with Store::record() (one autocommit
    # INSERT, one transaction each) and only then the state with Store::save_state() (another
    # transaction). A crash between the two leaves the history saying "paused" (or "taken", "snoozed",
    # "stood"...) while the restored state is from before the command: the history and the state
    # disagree (a "taken" break is reminded again, a snooze count is recorded twice). The crash test sees
    # it at random ("recorded_not_restored" in its summary); here a slow trigger on the state table
    # holds the window open so that the kill lands in it every time. Fix: one transaction per apply().
    def test_a_recorded_command_is_also_in_the_restored_state(self):
        d = self.start()
        self.assertEqual(d.stop(), 0)
        # Fault injection: saving the state now takes a while (a BEFORE INSERT trigger that counts a
        # cross join), so "paused" is committed well before the state after it.
        db = sqlite3.connect(self.db_path)
        db.execute("CREATE TABLE pad (x INTEGER)")
        db.executemany("INSERT INTO pad VALUES (?)", [(i,) for i in range(200)])
        db.execute("CREATE TRIGGER slow_state BEFORE INSERT ON state BEGIN "
                   "SELECT count(*) FROM pad a, pad b, pad c WHERE a.x + b.x + c.x >= 0; END")
        db.commit()
        db.close()
        d = self.start()
        conn = self.conn()
        conn.send({"v": 1, "cmd": "pause"})
        self.wait_until(lambda: self.scalar("SELECT count(*) FROM events WHERE kind = 'paused'"),
                        what="the paused row committed", interval=0.002)
        d.kill()
        # Now that the row and the state commit together, the row becomes
        # visible only with the state, so whether the reply got out before
        # the kill no longer matters: the restored state must agree.
        # Undo the fault injection; the test reads the state as stretchd restores it.
        db = sqlite3.connect(self.db_path)
        db.execute("DROP TRIGGER slow_state")
        db.execute("DROP TABLE pad")
        db.commit()
        db.close()
        self.start()
        self.assertEqual(self.status()["state"], "paused",
                         "the history says \"paused\" but the restored state is not paused")


# --------------------------------------------------------------------------------------------
# 2. Restart semantics
# --------------------------------------------------------------------------------------------


class RestartTest(PersistenceCase):

    def naturals(self, since_id=0):
        return [r for r in self.events(since_id=since_id) if r["kind"] == "natural"]

    def test_short_downtime_still_counts_as_sitting(self):
        # natural_break far longer than any downtime here.
        self.write_config(config_with("1h", [("micro", "2h", "30s")]))
        self.start()
        before = self.wait_sitting(2)
        micro_before = self.rule(before, "micro")["sitting_s"]
        t = self.restart(self.daemons[-1])
        after = self.status()
        self.assertGreaterEqual(after["sitting_s"], before["sitting_s"], "sitting time was reset by a restart")
        self.assertGreaterEqual(self.rule(after, "micro")["sitting_s"], micro_before)

        # Down for a second and a half: the downtime is replayed, and still counts as sitting.
        before = self.status()
        self.assertEqual(t.stop(), 0)
        let_pass(1.5, since=time.monotonic())  # down, stretchd cannot time it: the one wait on the clock
        t = self.start()
        after = self.status()
        self.assertGreaterEqual(after["sitting_s"], before["sitting_s"] + 1, "the downtime did not count as sitting")
        self.assertGreaterEqual(self.rule(after, "micro")["sitting_s"], self.rule(before, "micro")["sitting_s"] + 1)
        self.assertIn("resuming the saved state after", t.log())
        self.assertEqual(self.naturals(), [], "a short downtime was recorded as a natural break")
        self.assertEqual(after["state"], "active", after)

    # Once a bug (now fixed): src/daemon/daemon.cpp, the SIGTERM (and SIGINT) handler in Daemon::Daemon only record("stop")s:
    # it does not save the state, so the saved state is from the last apply() (a command, a deadline),
    # which can be long before the stop. state_codec.cpp decode_state() then measures the downtime from
    # that state's `last` (now.mono - s.last), so the time stretchd ran idle before the stop counts as
    # time away: a restart within a second after 3 s of quiet sitting becomes a 3 s absence, a natural
    # break (with the default config: a logout after 10 quiet minutes and a login a minute later is a
    # "natural break" of 11 minutes that resets both rules). Fix: save the state (after a tick) on
    # SIGTERM/SIGINT before exiting, or measure the downtime from the "stop" row / saved_mono of a
    # state saved at stop.
    def test_quiet_running_before_a_stop_is_not_downtime(self):
        # Nothing falls due for an hour, so after start-up nothing makes stretchd save its state again.
        self.write_config(config_with("2s", [("micro", "1h", "1s")]))
        d = self.start()
        before = self.wait_sitting(4)  # sitting, with the daemon running, longer than a natural break
        stopped = time.monotonic()
        self.assertEqual(d.stop(), 0)
        self.start()
        if time.monotonic() - stopped >= 1.5:
            self.skipTest("the restart took too long to tell downtime from running time")
        after = self.status()
        self.assertEqual(self.naturals(), [], "a restart at once was recorded as a natural break")
        self.assertGreaterEqual(after["sitting_s"], before["sitting_s"], "sitting time was reset by a restart")

    def test_long_downtime_is_a_natural_break(self):
        # Both rules' natural-break length is 1 s (the larger of natural_break and their duration).
        self.write_config(config_with("1s", [("micro", "1h", "1s"), ("long", "2h", "1s")]))
        d = self.start()
        self.wait_sitting(2)
        self.assertEqual(d.stop(), 0)
        let_pass(1.5, since=time.monotonic())  # down, stretchd cannot time it: the one wait on the clock
        spawned = time.monotonic()
        d = self.start()
        status = self.status()
        bound = time.monotonic() - spawned + 1  # a reset rule cannot have sat longer than stretchd has run
        start_id = self.scalar("SELECT max(id) FROM events WHERE kind = 'start'")
        naturals = self.naturals(since_id=start_id)
        self.assertEqual(sorted(r["break"] for r in naturals), ["long", "micro"], self.events())
        for r in naturals:
            self.assertGreaterEqual(r["amount_s"], 1, r)
            self.assertEqual(r["origin"], "activity", r)
        self.assertLessEqual(status["sitting_s"], bound, status)
        for name in ("micro", "long"):
            self.assertLessEqual(self.rule(status, name)["sitting_s"], bound, status)
        self.assertIn("resuming the saved state after", d.log())

    def test_snooze_pause_and_standing_survive_a_restart(self):
        d = self.start()
        snoozed = self.ok("snooze", {"break": "micro"})
        self.assertEqual(snoozed["snoozes"], 1, snoozed)
        paused = self.ok("pause", {"for": "1h"})
        paused_at = time.monotonic()
        self.ok("stand")
        d = self.restart(d)
        status = self.status()
        self.assertEqual(status["state"], "paused", status)
        self.assertTrue(status["away"], "standing was lost")
        left = status["paused_for_s"]
        self.assertLessEqual(left, paused["paused_for_s"], status)
        self.assertGreaterEqual(left, paused["paused_for_s"] - (time.monotonic() - paused_at) - 1, status)
        micro = self.rule(status, "micro")
        self.assertEqual(micro["snoozes"], 1, micro)
        self.assertIn("snoozed_for_s", micro, micro)
        self.assertGreater(micro["snoozed_for_s"], 0, micro)
        self.assertLessEqual(micro["snoozed_for_s"], snoozed["snoozed_for_s"], micro)
        # The engine itself is paused and standing, not only the view.
        self.ok("resume")
        self.ok("sit")
        self.assertEqual(self.status()["state"], "snoozed")
        self.assertEqual(self.ok("snooze", {"break": "micro"})["snoozes"], 2, "the snooze count did not carry over")
        self.assertEqual(self.restart(d).stop(), 0)
        kinds = [r["kind"] for r in self.events(live=False) if r["origin"] == "cli"]
        self.assertEqual(kinds, ["snoozed", "paused", "stood", "resumed", "sat", "snoozed"])


# --------------------------------------------------------------------------------------------
# 3. Migration
# --------------------------------------------------------------------------------------------


class MigrationTest(PersistenceCase):
    config_text = SLOW_CONFIG + KEEP_ALL

    def load_fixture(self, path):
        with open(FIXTURE_V1) as f:
            sql = f.read()
        db = sqlite3.connect(path)
        db.executescript(sql)
        db.close()

    def test_schema_1_is_upgraded_keeping_every_row(self):
        os.makedirs(self.state_dir, mode=0o700)
        self.load_fixture(self.db_path)
        fixture = self.query("SELECT * FROM events ORDER BY id")
        self.assertEqual(len(fixture), 13)
        self.assertEqual(self.scalar("PRAGMA user_version"), 1)
        self.assertEqual(self.scalar("PRAGMA application_id"), APPLICATION_ID)

        d = self.start()
        self.ok("done")
        self.assert_fresh_current()
        rows = self.events()
        old, new = rows[:len(fixture)], rows[len(fixture):]
        for want, got in zip(fixture, old):
            # Each of the fixture's reminders is a new one (count 1); nothing else has a count.
            self.assertEqual(got, dict(want, count=1 if want["kind"] == "reminded" else 0, detail=""))
        self.assertEqual([(r["kind"], r["origin"]) for r in new], [("start", "daemon"), ("taken", "cli")], new)
        self.assertGreater(new[0]["id"], fixture[-1]["id"])
        self.assertEqual(len(self.error_lines(d, r"history database upgraded from schema 1 to 3")), 1, d.log())
        self.assertEqual(glob.glob(self.db_path + ".broken-*"), [])

        # Once is enough: the next start finds version 3 and says nothing.
        d2 = self.restart(d)
        self.assertEqual(self.error_lines(d2, r"upgraded"), [], d2.log())
        self.assertEqual(self.query("SELECT * FROM events ORDER BY id")[:len(fixture)], old)

    # Once a bug (now fixed): src/daemon/store.cpp Store::migrate() added the count column with 0 for every old row, and
    # stats counts only reminders with count 1 (a re-reminder has 2, 3...), so every reminder from before the upgrade
    # vanished from `stretch stats`. Fix: the upgrade numbers the old reminders as the engine would have.
    def test_stats_count_the_reminders_from_before_the_upgrade(self):
        os.makedirs(self.state_dir, mode=0o700)
        self.load_fixture(self.db_path)
        db = sqlite3.connect(self.db_path)
        # The fixture's morning (three reminders: micro, micro again after a snooze, stretch) moved to two days
        # ago, within `stats --days 5`, and an afternoon after it with a re-reminder: shown again with nothing
        # answered in between, it is not a reminder of its own.
        last = db.execute("SELECT max(time) FROM events").fetchone()[0]
        shift = int(time.time()) - 2 * DAY - last
        db.execute("UPDATE events SET time = time + ?", (shift,))
        t = last + shift
        db.executemany("INSERT INTO events (time, kind, break, stretch, amount_s, origin) VALUES (?, ?, ?, ?, ?, ?)", [
            (t + 600, "start", "", "", 0, "daemon"),
            (t + 2400, "reminded", "micro", "chin-tuck", 1800, "timer"),
            (t + 3000, "reminded", "micro", "chin-tuck", 2400, "timer"),
            (t + 3060, "taken", "micro", "chin-tuck", 2460, "cli"),
            (t + 3600, "stop", "", "", 0, "daemon"),
        ])
        db.commit()
        db.close()

        self.start()
        counts = [r["count"] for r in self.query("SELECT count FROM events WHERE kind = 'reminded' ORDER BY id")]
        self.assertEqual(counts, [1, 1, 1, 1, 2])
        stats = json.loads(self.cli_ok("stats", "--days", "5", "--json").stdout)
        self.assertEqual(stats["total"]["reminded"], 4, stats)
        self.assertEqual(sum(day["reminded"] for day in stats["days"]), 4, stats)


# --------------------------------------------------------------------------------------------
# 4. Bad files
# --------------------------------------------------------------------------------------------


class BadFileTest(PersistenceCase):

    def stretch_db(self):
        """A real stretch database with some history, made by stretchd and stopped cleanly."""
        d = self.start(log_name="stretchd-maker.log")
        self.ok("done")
        self.ok("snooze")
        self.assertEqual(d.stop(), 0)
        self.assertFalse(os.path.exists(self.db_path + "-wal"))

    def write_bad(self, data):
        os.makedirs(self.state_dir, mode=0o700, exist_ok=True)
        with open(self.db_path, "wb") as f:
            f.write(data)

    def assert_moved_aside(self, why):
        """Start stretchd on the bad file: moved aside byte for byte, a fresh database, status served, logged."""
        original = sha256(self.db_path)
        d = self.start()
        self.assertTrue(self.status()["ok"])
        aside = [p for p in glob.glob(self.db_path + ".broken-*") if not p.endswith(("-wal", "-shm"))]
        self.assertEqual(len(aside), 1, os.listdir(self.state_dir))
        self.assertRegex(os.path.basename(aside[0]), r"^stretch\.db\.broken-\d{8}T\d{6}$")
        self.assertEqual(sha256(aside[0]), original, "the moved-aside file is not the original")
        self.assert_fresh_current()
        self.assertEqual([r["kind"] for r in self.events()], ["start"])
        errors = self.error_lines(d, r" error: ")
        self.assertEqual(len(errors), 1, d.log())
        self.assertIn(f'history database "{self.db_path}"', errors[0])
        self.assertRegex(errors[0], why)
        self.assertIn(f'moved it to "{aside[0]}"', errors[0])
        # And it keeps working on the new one.
        self.ok("done")
        self.assertEqual([r["kind"] for r in self.events()], ["start", "taken"])
        return aside[0]

    def test_random_bytes(self):
        self.write_bad(random.Random(4096).randbytes(4096))
        self.assert_moved_aside(r"it is damaged")

    def test_damaged_pages(self):
        self.stretch_db()
        with open(self.db_path, "r+b") as f:
            header = f.read(100)
            page_size = int.from_bytes(header[16:18], "big")
            page_size = 65536 if page_size == 1 else page_size
            pages = os.path.getsize(self.db_path) // page_size
            self.assertGreaterEqual(pages, 3)
            rng = random.Random(7)
            for page in range(1, pages):  # every page but the first (the header and the schema)
                f.seek(page * page_size)
                f.write(rng.randbytes(page_size))
        self.assert_moved_aside(r"it is damaged")

    def test_newer_schema(self):
        self.stretch_db()
        db = sqlite3.connect(self.db_path)
        db.execute("PRAGMA user_version = 99")
        db.close()
        self.assert_moved_aside(rf"it is from a newer stretch \(schema 99, this one knows {SCHEMA_VERSION}\)")

    def test_foreign_database(self):
        self.write_bad(b"")
        db = sqlite3.connect(self.db_path)
        db.executescript("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT);"
                         "INSERT INTO notes (text) VALUES ('buy milk'), ('call mum');")
        db.close()
        self.assertEqual(self.scalar("PRAGMA application_id"), 0)
        self.assert_moved_aside(r"it is not a stretch database")

    def test_foreign_database_with_an_events_table(self):
        # Another application's file that happens to look like ours: never migrated.
        self.write_bad(b"")
        db = sqlite3.connect(self.db_path)
        db.executescript("PRAGMA application_id = 305419896;"
                         "CREATE TABLE events (id INTEGER PRIMARY KEY, time INTEGER, kind TEXT);"
                         "INSERT INTO events (time, kind) VALUES (1, 'meeting');"
                         "PRAGMA user_version = 1;")
        db.close()
        self.assert_moved_aside(r"it is not a stretch database")

    def test_empty_file_is_simply_used(self):
        # A 0-byte file is an empty SQLite database: nothing to move aside.
        self.write_bad(b"")
        d = self.start()
        self.assert_fresh_current()
        self.assertEqual(glob.glob(self.db_path + ".broken-*"), [])
        self.assertEqual(self.error_lines(d, r" (error|critical): "), [], d.log())

    # Once a bug (now fixed): src/daemon/store.cpp Store::move_aside() names the file stretch.db.broken-<local time to the
    # second> and std::filesystem::rename()s onto that name without checking for an existing one:
    # rename(2) replaces it, so a second bad file moved aside within the same second (a crash loop under
    # Restart=, or two versions of stretch taking turns) destroys the first one, the very file it was
    # meant to keep. Fix: pick a free name (add -1, -2... or use link(2)/RENAME_NOREPLACE and retry).
    def test_moving_aside_never_replaces_an_earlier_file(self):
        self.write_bad(random.Random(1).randbytes(4096))
        # Earlier moved-aside files under every name the next few seconds can give (same clock and time
        # zone as stretchd: localtime).
        earlier = {}
        now = time.time()
        for dt in range(-2, 30):
            name = self.db_path + ".broken-" + time.strftime("%Y%m%dT%H%M%S", time.localtime(now + dt))
            with open(name, "wb") as f:
                f.write(f"earlier file {dt}".encode())
            earlier[name] = sha256(name)
        original = sha256(self.db_path)
        self.start()
        self.assertTrue(self.status()["ok"])
        hashes = {sha256(p) for p in glob.glob(self.db_path + ".broken-*") if not p.endswith(("-wal", "-shm"))}
        self.assertIn(original, hashes, "the bad file was not kept")
        lost = [os.path.basename(p) for p, h in earlier.items() if h not in hashes]
        self.assertEqual(lost, [], "earlier moved-aside files were overwritten")


# --------------------------------------------------------------------------------------------
# 5. Read-only state
# --------------------------------------------------------------------------------------------


class ReadOnlyTest(PersistenceCase):
    """The disk refuses writes: stretchd serves from memory and says so once.

    File modes do not stop root (CAP_DAC_OVERRIDE), so when the tests run as root, stretchd and its
    clients run as nobody (setpriv; the daemon only answers its own uid) over a temp tree chowned to
    nobody. As any other user, plain chmod does it."""

    as_nobody = os.geteuid() == 0

    def setUp(self):
        super().setUp()
        if self.as_nobody:
            if shutil.which("setpriv") is None:
                self.skipTest("running as root and setpriv is missing")
            for dirpath, dirnames, filenames in os.walk(self.tmp):
                for name in [dirpath] + [os.path.join(dirpath, n) for n in dirnames + filenames]:
                    os.chown(name, NOBODY, NOBODY)
        self.addCleanup(self.writable_again)

    def writable_again(self):
        """Write permission back, so that the temp tree can be removed."""
        if os.path.isdir(self.state_dir):
            os.chmod(self.state_dir, 0o700)

    def new_daemon(self, log_name=None):
        kind = NobodyDaemon if self.as_nobody else Daemon
        d = kind(self.tmp, self.env, socket_path=self.sock, config_path=self.config_path, args=self.daemon_args,
                 log_name=log_name or f"stretchd{len(self.daemons) or ''}.log")
        self.daemons.append(d)
        return d

    def requests(self, *reqs):
        """Replies to `reqs` ({"cmd":..., "args":...}), each on a fresh connection, from stretchd's own uid."""
        lines = "".join(json.dumps(dict({"v": 1}, **r)) + "\n" for r in reqs)
        argv = ["/usr/bin/python3", "-c", NOBODY_CLIENT, self.sock, str(REPLY_TIMEOUT)]
        if self.as_nobody:
            argv = SETPRIV + argv
        out = subprocess.run(argv, input=lines, capture_output=True, text=True, timeout=60, env=self.env)
        self.assertEqual(out.returncode, 0, out.stderr)
        return json.loads(out.stdout)

    def ok(self, cmd, args=None, path=None):
        reply = self.requests({"cmd": cmd, "args": args or {}})[0]
        self.assertTrue(reply and reply.get("ok"), f"{cmd} {args!r} was refused: {reply!r}")
        return reply

    def start(self, **kw):
        d = self.new_daemon(**kw)
        d.spawn()
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            self.assertIsNone(d.proc.poll(), f"stretchd exited with {d.proc.returncode}:\n{d.log()}")
            reply = self.requests({"cmd": "version"})[0]
            if reply and reply.get("ok"):
                return d
            self.assertLess(time.monotonic(), deadline, f"stretchd did not answer: {reply!r}\n{d.log()}")
            time.sleep(0.05)

    def stretch_output(self, *args):
        """What `stretch ARGS` prints, run as stretchd's own uid."""
        argv = [harness.STRETCH, *args]
        if self.as_nobody:
            argv = SETPRIV + argv
        r = subprocess.run(argv, env=self.cli_env(), stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, f"stretch {' '.join(args)} -> {r.returncode}\n{r.stdout}{r.stderr}")
        return r.stdout

    def serves(self, d, earlier=()):
        """Status and commands work, more than once, and the problem is logged exactly once. The history
        lists every event acknowledged, `earlier` (recorded by an earlier run) first; status, `stretch
        status` and doctor say the history is in memory only."""
        self.assertIn(self.ok("status")["state"], ("active", "snoozed"))
        self.ok("done")
        self.ok("pause")
        self.assertEqual(self.ok("status")["state"], "paused")
        self.ok("resume")
        self.ok("stand")
        self.ok("sit")
        self.ok("done")
        history = json.loads(self.stretch_output("history", "--json"))["events"]
        self.assertEqual([e["kind"] for e in history if e.get("origin") == "cli"],
                         list(earlier) + ["taken", "paused", "resumed", "stood", "sat", "taken"], history)
        assert_in_memory_only(self, self.ok("status"), self.stretch_output("status"), self.ok("doctor"), self.db_path)
        problems = self.error_lines(d, r"history database")
        self.assertEqual(len(problems), 1, d.log())
        self.assertIn(f'"{self.db_path}"', problems[0])
        self.assertIn("keeping history in memory", problems[0])
        self.assertEqual(d.stop(), 0, d.log())
        self.assertEqual(len(self.error_lines(d, r"history database")), 1, d.log())

    def test_state_directory_read_only_from_the_start(self):
        os.makedirs(self.state_dir, exist_ok=True)
        if self.as_nobody:
            os.chown(self.state_dir, NOBODY, NOBODY)
        os.chmod(self.state_dir, 0o500)
        d = self.start()
        self.serves(d)
        self.assertEqual(os.listdir(self.state_dir), [])

    def test_database_file_read_only_after_a_first_run(self):
        d = self.start(log_name="stretchd-first.log")
        self.ok("done")
        self.assertEqual(self.ok("snooze", {"break": "micro"})["snoozes"], 1)
        self.assertEqual(d.stop(), 0, d.log())
        self.assertEqual(self.error_lines(d, r" (error|critical): "), [], d.log())
        os.chmod(self.db_path, 0o400)
        before = sha256(self.db_path)
        d = self.start()
        # What could still be read was: the state saved by the first run, and its events.
        self.assertEqual(self.rule(self.ok("status"), "micro")["snoozes"], 1)
        self.serves(d, earlier=["taken", "snoozed"])
        self.assertEqual(sha256(self.db_path), before, "the read-only database was changed")
        self.assertEqual(glob.glob(self.db_path + ".broken-*"), [], "a read-only database is not a broken one")


def assert_in_memory_only(test, status, status_text, doctor, db_path):
    """What status (as JSON and as `stretch status` prints it) and doctor say while the history is in memory only."""
    history = status["history"]
    test.assertIs(history["durable"], False, history)
    test.assertEqual(history["path"], db_path)
    test.assertTrue(history["problem"], history)
    test.assertIn(os.path.dirname(db_path), history["fix"])
    lines = [line for line in status_text.splitlines() if line.startswith("History is kept in memory only")]
    test.assertEqual(lines, [f'History is kept in memory only ({history["problem"]}): {history["fix"]}.'], status_text)
    test.assertEqual(doctor["history"], history)
    test.assertIn({"problem": f'history database "{db_path}": {history["problem"]}: history is kept in memory only, '
                              f'and lost if stretchd stops before the file takes it', "fix": history["fix"]}, doctor["problems"])


class FileSizeLimitedDaemon(Daemon):
    """stretchd with SIGXFSZ ignored: under a file size limit (RLIMIT_FSIZE), a write past it then fails with EFBIG,
    as a write to a full disk fails, rather than killing the process. The shell sets it: Popen resets SIGXFSZ to
    its default, and a signal ignored stays ignored across exec (and the PID stays the shell's)."""

    def command(self):
        return ["/bin/sh", "-c", 'trap "" XFSZ; exec "$@"', "sh"] + super().command()


class FullDiskTest(PersistenceCase):
    """The disk fills up while stretchd runs."""

    def new_daemon(self, log_name=None):
        # Warnings and errors only: the log is a file the limit applies to, and must keep room for them.
        d = FileSizeLimitedDaemon(self.tmp, self.env, socket_path=self.sock, config_path=self.config_path,
                                  args=["--log-level", "warning"], log_name=log_name or "stretchd.log")
        self.daemons.append(d)
        return d

    def fill_the_disk(self, d):
        """From now on no file of stretchd's can grow: SQLite's next append to the WAL fails. Only the soft limit is
        lowered, so that free_the_disk() can raise it again without privileges."""
        limit = max(os.path.getsize(p) for p in (self.db_path, self.db_path + "-wal") if os.path.exists(p))
        self.assertLess(os.path.getsize(d.log_path) + 4096, limit, "no room left for the log's error line")
        _, hard = resource.prlimit(d.proc.pid, resource.RLIMIT_FSIZE)
        resource.prlimit(d.proc.pid, resource.RLIMIT_FSIZE, (limit, hard))

    def free_the_disk(self, d):
        _, hard = resource.prlimit(d.proc.pid, resource.RLIMIT_FSIZE)
        resource.prlimit(d.proc.pid, resource.RLIMIT_FSIZE, (hard, hard))

    # Once a bug (now fixed): src/daemon/store.cpp Store::fail() rolled the failed transaction back and closed the
    # database: the events of that write were neither in the file nor in memory, and the events already in the file
    # were no longer listed either, though acknowledged. Fix: the open transaction's rows go to memory when it
    # fails, and the file stays open for reading.
    def test_no_acknowledged_event_is_lost_when_a_write_fails(self):
        d = self.start()
        self.ok("done")
        self.ok("snooze", {"break": "micro"})
        self.assertIs(self.status()["history"]["durable"], True)
        self.fill_the_disk(d)
        for cmd in ("pause", "resume", "stand", "sit", "done"):
            self.ok(cmd)

        events = json.loads(self.cli_ok("history", "--json").stdout)["events"]
        self.assertEqual([e["kind"] for e in events if e.get("origin") == "cli"],
                         ["taken", "snoozed", "paused", "resumed", "stood", "sat", "taken"], events)
        ids = [e["id"] for e in events]
        self.assertEqual(ids, sorted(set(ids)), "event ids repeat or go back")
        assert_in_memory_only(self, self.status(), self.cli_ok("status").stdout, self.ok("doctor"), self.db_path)
        self.assertEqual(len(self.error_lines(d, r"history database")), 1, d.log())

        self.assertEqual(d.stop(), 0, d.log())
        # The file has what was written before, intact.
        self.assertEqual(self.scalar("PRAGMA integrity_check", live=False), "ok")
        self.assertEqual([r["kind"] for r in self.events(live=False) if r["origin"] == "cli"], ["taken", "snoozed"])

    # Once a limit (now lifted): after a failed write the store kept the history in memory until stretchd restarted,
    # though the disk had room again. Now it tries the file again (on a timer, and at once on reload) and moves the
    # events kept in memory into it.
    def test_history_kept_in_memory_moves_to_the_file_once_the_disk_takes_writes(self):
        d = self.start()
        self.ok("done")
        self.fill_the_disk(d)
        for cmd in ("pause", "resume", "stand"):
            self.ok(cmd)
        self.assertIs(self.status()["history"]["durable"], False)
        self.assertEqual([r["kind"] for r in self.events() if r["origin"] == "cli"], ["taken"])

        self.free_the_disk(d)
        self.cli_ok("reload")
        status = self.status()
        self.assertEqual(status["history"], {"durable": True, "path": self.db_path}, status["history"])
        doctor = self.ok("doctor")
        self.assertEqual(doctor["history"], status["history"])
        self.assertFalse([p for p in doctor.get("problems", []) if "history" in p["problem"]], doctor)
        # In the file, in order, each once; and the history lists each once, from the file.
        want = ["taken", "paused", "resumed", "stood"]
        self.assertEqual([r["kind"] for r in self.events() if r["origin"] == "cli"], want)
        self.ok("sit")
        want.append("sat")
        self.assertEqual([r["kind"] for r in self.events() if r["origin"] == "cli"], want)
        events = json.loads(self.cli_ok("history", "--json").stdout)["events"]
        self.assertEqual([e["kind"] for e in events if e.get("origin") == "cli"], want, events)
        ids = [e["id"] for e in events]
        self.assertEqual(ids, sorted(set(ids)), "event ids repeat or go back")

        # A restart reads them all back from the file.
        d = self.restart(d)
        self.assertIs(self.status()["history"]["durable"], True)
        events = json.loads(self.cli_ok("history", "--json").stdout)["events"]
        self.assertEqual([e["kind"] for e in events if e.get("origin") == "cli"], want, events)
        self.assertEqual(self.scalar("PRAGMA integrity_check"), "ok")


# --------------------------------------------------------------------------------------------
# 6. Retention
# --------------------------------------------------------------------------------------------


class RetentionTest(PersistenceCase):
    config_text = SLOW_CONFIG + "\n[history]\nkeep_days = 1\n"

    # Once a bug (now fixed): src/daemon/store.cpp Store::prune() vacuumed on every 30th prune counted in memory; prunes
    # are daily and the count starts again at every start, so on a desktop rebooted daily the file never shrank. Fix:
    # compact when a quarter of the file is free pages.
    def test_events_older_than_keep_days_are_pruned_at_start_and_the_file_compacted(self):
        d = self.start(log_name="stretchd-maker.log")
        self.assertEqual(d.stop(), 0, d.log())
        now = int(time.time())
        recent = [(now - 23 * 3600, "taken"), (now - 3600, "skipped")]
        old = [(now - 2 * DAY - i, "taken") for i in range(20000)]  # a few MB: worth compacting once they are gone
        db = sqlite3.connect(self.db_path)
        db.executemany("INSERT INTO events (time, kind, break, stretch, origin) VALUES (?, ?, 'micro', ?, 'cli')",
                       [(t, kind, "neck-side-tilt " + "x" * 100) for t, kind in old + recent])
        db.commit()
        db.close()
        pages = self.scalar("PRAGMA page_count")

        d = self.start()
        self.wait_until(lambda: self.scalar("PRAGMA freelist_count") == 0
                        and self.scalar(f"SELECT count(*) FROM events WHERE time < {now - DAY}") == 0,
                        what="old events deleted and the file compacted")
        self.assertEqual([(r["time"], r["kind"]) for r in self.events() if r["origin"] == "cli"], recent)
        self.assertLess(self.scalar("PRAGMA page_count"), pages / 10)
        self.assertEqual(self.scalar("PRAGMA integrity_check"), "ok")
        self.assertEqual(len(self.error_lines(d, r"compacting: \d+ of its \d+ pages are free")), 1, d.log())


# --------------------------------------------------------------------------------------------
# 8. Privacy: the history is its user's alone
# --------------------------------------------------------------------------------------------


class UmaskDaemon(Daemon):
    """stretchd started under a given umask, as a login shell or a desktop would start it."""

    umask = 0o022

    def spawn(self):
        old = os.umask(self.umask)
        try:
            return super().spawn()
        finally:
            os.umask(old)


def modes_under(top):
    """{path: mode} for `top` and everything below it, links not followed."""
    out = {top: stat.S_IMODE(os.lstat(top).st_mode)}
    for dirpath, dirnames, filenames in os.walk(top):
        for name in dirnames + filenames:
            path = os.path.join(dirpath, name)
            out[path] = stat.S_IMODE(os.lstat(path).st_mode)
    return out


class PrivacyTest(PersistenceCase):
    """The state directory is 0700 and every file in it 0600 under any umask; an open one is tightened and
    said once; a symbolic link or another user's directory is refused and left as it was."""

    def start_with_umask(self, mask, **kw):
        d = UmaskDaemon(self.tmp, self.env, socket_path=self.sock, config_path=self.config_path,
                        args=self.daemon_args, log_name=kw.get("log_name", f"stretchd{len(self.daemons) or ''}.log"))
        d.umask = mask
        self.daemons.append(d)
        d.start()
        return d

    def assert_private(self):
        modes = modes_under(self.state_dir)
        wrong = {p: f"{m:04o}" for p, m in modes.items() if m != (0o700 if os.path.isdir(p) else 0o600)}
        self.assertEqual(wrong, {}, "open to others")

    def some_events(self):
        for cmd in ("done", "pause", "resume", "stand", "sit"):
            self.ok(cmd)

    def assert_refused(self, d, problem, untouched):
        """The daemon serves from memory, says why with a fix, and `untouched` ({path: (mode, uid)}) is as it was."""
        self.some_events()
        history = self.status()["history"]
        self.assertIs(history["durable"], False, history)
        self.assertIn(problem, history["problem"])
        self.assertTrue(history["fix"], history)
        doctor = self.ok("doctor")
        self.assertTrue(any(problem in p["problem"] for p in doctor["problems"]), doctor["problems"])
        self.assertEqual(len(self.error_lines(d, re.escape(problem))), 1, d.log())
        self.assertEqual(d.stop(), 0, d.log())
        for path, (mode, uid) in untouched.items():
            st = os.lstat(path)
            self.assertEqual((stat.S_IMODE(st.st_mode), st.st_uid), (mode, uid), path)

    def test_a_fresh_start_is_private_under_umask_022_and_000(self):
        for mask in (0o022, 0o000):
            with self.subTest(umask=f"{mask:03o}"):
                shutil.rmtree(self.env["XDG_STATE_HOME"], ignore_errors=True)
                d = self.start_with_umask(mask)
                self.some_events()
                # The WAL and its index exist while the daemon runs: check them too.
                self.wait_until(lambda: os.path.exists(self.db_path + "-wal") and os.path.exists(self.db_path + "-shm"),
                                what="the WAL and SHM files")
                self.assert_private()
                self.assertEqual(stat.S_IMODE(os.stat(self.env["XDG_STATE_HOME"]).st_mode), 0o700,
                                 "a missing XDG_STATE_HOME is created 0700, as the XDG spec asks")
                self.assertEqual(d.stop(), 0, d.log())
                self.assertEqual(self.error_lines(d, r"open to other users"), [], d.log())

    def test_a_damaged_file_moved_aside_stays_private(self):
        os.makedirs(self.state_dir, mode=0o755)
        os.chmod(self.state_dir, 0o755)
        with open(self.db_path, "wb") as f:
            f.write(b"this is not a database" * 100)
        os.chmod(self.db_path, 0o644)
        d = self.start_with_umask(0o000)
        self.some_events()
        self.assertEqual(len(glob.glob(self.db_path + ".broken-*")), 1)
        self.assert_private()
        self.assertEqual(d.stop(), 0, d.log())

    def test_an_open_layout_is_tightened_and_said_once(self):
        d = self.start_with_umask(0o022, log_name="stretchd-first.log")
        self.some_events()
        self.assertEqual(d.stop(), 0, d.log())
        os.chmod(self.state_dir, 0o755)
        os.chmod(self.db_path, 0o644)
        planted = os.path.join(self.state_dir, "stretch.db.broken-20250101T000000")
        with open(planted, "w") as f:
            f.write("an old file moved aside by an older stretchd")
        os.chmod(planted, 0o664)

        d = self.start_with_umask(0o022)
        self.assert_private()
        said = self.error_lines(d, r"open to other users")
        self.assertEqual(len(said), 3, d.log())
        self.assertTrue(any(f'state directory "{self.state_dir}" was mode 0755' in line and "now 0700" in line
                            for line in said), said)
        self.assertTrue(any(f'history database "{self.db_path}" was mode 0644' in line and "now 0600" in line
                            for line in said), said)
        self.assertTrue(any(f'"{planted}" was mode 0664' in line for line in said), said)
        tightened = self.ok("doctor")["history"]["tightened"]
        self.assertEqual(len(tightened), 3, tightened)
        doctor_text = self.cli_ok("doctor").stdout
        self.assertIn(f'state directory "{self.state_dir}" was mode 0755', doctor_text)
        self.assertIs(self.status()["history"]["durable"], True)
        self.assertEqual(d.stop(), 0, d.log())

        # Once: the next start finds nothing to say.
        d = self.start_with_umask(0o022, log_name="stretchd-third.log")
        self.assertNotIn("tightened", self.ok("doctor")["history"])
        self.assertEqual(self.error_lines(d, r"open to other users"), [], d.log())
        self.assertEqual(d.stop(), 0, d.log())

    def test_a_symbolic_link_for_the_state_directory_is_refused_and_its_target_untouched(self):
        target = os.path.join(self.tmp, "elsewhere")
        os.makedirs(target)
        os.chmod(target, 0o755)
        kept = os.path.join(target, "notes.txt")
        with open(kept, "w") as f:
            f.write("someone else's")
        os.chmod(kept, 0o644)
        os.makedirs(os.path.dirname(self.state_dir), exist_ok=True)
        os.symlink(target, self.state_dir)
        d = self.start_with_umask(0o022)
        self.assert_refused(d, f'state directory "{self.state_dir}": is a symbolic link',
                            {target: (0o755, os.getuid()), kept: (0o644, os.getuid())})
        self.assertEqual(sorted(os.listdir(target)), ["notes.txt"])

    def test_a_symbolic_link_for_the_database_is_refused_and_its_target_untouched(self):
        target = os.path.join(self.tmp, "elsewhere.db")
        with open(target, "w") as f:
            f.write("")
        os.chmod(target, 0o644)
        os.makedirs(self.state_dir, mode=0o700)
        os.symlink(target, self.db_path)
        d = self.start_with_umask(0o022)
        self.assert_refused(d, f'history database "{self.db_path}": is a symbolic link', {target: (0o644, os.getuid())})
        self.assertEqual(os.path.getsize(target), 0)

    def test_a_state_directory_of_another_user_is_refused_and_left_alone(self):
        if os.geteuid() != 0:
            self.skipTest("needs root, to give a directory to another user (nobody)")
        os.makedirs(self.state_dir)
        os.chmod(self.state_dir, 0o755)
        os.chown(self.state_dir, NOBODY, NOBODY)
        d = self.start_with_umask(0o022)
        self.assert_refused(d, f'state directory "{self.state_dir}": belongs to uid {NOBODY}',
                            {self.state_dir: (0o755, NOBODY)})
        self.assertEqual(os.listdir(self.state_dir), [])


if __name__ == "__main__":
    unittest.main()
