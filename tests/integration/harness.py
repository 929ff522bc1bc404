"""Shared helpers for the integration tests: the real stretchd and stretch
binaries, a real Unix socket, and a private temporary directory per test.

Standard library only. Every daemon is a direct child of the test process
(PID 1 here is not an init), is waited for, and is stopped by its PID.
"""

import json
import os
import select
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
STRETCHD = os.environ.get("STRETCHD") or os.path.join(ROOT, "build", "src", "daemon", "stretchd")
STRETCH = os.environ.get("STRETCH") or os.path.join(ROOT, "build", "src", "cli", "stretch")

# Opt-in: every stretchd runs under this command, e.g. valgrind (the
# *_valgrind tests in tests/CMakeLists.txt). The wrapper reports what it found
# through the exit status WRAPPER_ERROR_EXIT, so it must be told to use it
# (valgrind --error-exitcode=99); Daemon.stop() turns that into a failure.
WRAPPER = shlex.split(os.environ.get("STRETCHD_WRAPPER", ""))
WRAPPER_ERROR_EXIT = 99
# Test ids (or their ends, e.g. "SomeTest.test_x"), comma-separated, skipped
# when wrapped: tests that measure CPU time, or that SIGKILL the daemon (the
# wrapper then reports nothing).
SKIPPED_WHEN_WRAPPED = [t for t in os.environ.get("STRETCH_SKIP_WHEN_WRAPPED", "").split(",") if t and WRAPPER]
# memcheck runs stretchd 10-50x slower: every bound the tests wait up to grows by this factor.
TIME_SCALE = float(os.environ.get("STRETCH_TIME_SCALE") or (10 if WRAPPER else 1))

# Generous upper bounds: the tests wait *up to* these, never assert durations.
START_TIMEOUT = 5.0 * TIME_SCALE
EVENT_TIMEOUT = 10.0 * TIME_SCALE
REPLY_TIMEOUT = 5.0 * TIME_SCALE

# Variables that would connect the daemon to the real desktop or to systemd.
SCRUBBED_ENV = (
    "DBUS_SESSION_BUS_ADDRESS", "DBUS_SYSTEM_BUS_ADDRESS", "DISPLAY", "WAYLAND_DISPLAY", "NOTIFY_SOCKET",
    "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES", "JOURNAL_STREAM", "WATCHDOG_USEC", "WATCHDOG_PID",
    "STRETCH_SOCKET", "XDG_RUNTIME_DIR", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME",
    "STRETCH_GUIDE_PACE", "NO_COLOR", "TERM",
)

class Raw(str):
    """TOML text written as is: a deliberately wrong value, or a format field."""


def toml_value(value):
    """A Python value as TOML: str, int, bool, or a list of those; Raw as is."""
    if isinstance(value, Raw):
        return str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    raise TypeError(f"no TOML for {value!r}")


def toml_table(header, keys):
    return f"{header}\n" + "".join(f"{k} = {toml_value(v)}\n" for k, v in keys.items() if v is not None)


def rule(name, every, duration, tags=None, **keys):
    """One [[break]]: name, every, duration, tags (default [name]), then
    snooze, max_snoozes, remind_every, enabled... in the order given."""
    return {"name": name, "every": every, "duration": duration, "tags": [name] if tags is None else tags, **keys}


def config(tracking=None, breaks=(), notify=None, hours=None, extra=""):
    """A config file's text, for a test. tracking: [tracking] keys on top of
    short defaults (natural_break 2s, grace 0s; None drops a key); breaks:
    rule() dicts, in order; notify: [notify] keys; hours: (from, to) for
    [schedule]; extra: TOML text appended as is (stretches, [history]...)."""
    parts = [toml_table("[tracking]", {"natural_break": "2s", "grace": "0s", **(tracking or {})})]
    parts += [toml_table("[[break]]", b) for b in breaks]
    if notify is not None:
        parts.append(toml_table("[notify]", notify))
    if hours is not None:
        parts.append(toml_table("[schedule]", {"from": hours[0], "to": hours[1]}))
    text = "\n".join(parts)
    return text + ("\n" + extra.lstrip("\n") if extra else "")


# Intervals of seconds. "micro" falls due after 2 s of sitting; "long" never
# does during a test, so it cannot take over the current break.
def fast_config(max_snoozes=2, **kw):
    return config(breaks=[
        rule("micro", "2s", "1s", snooze="1s", max_snoozes=max_snoozes, remind_every="2s"),
        rule("long", "1h", "2s", tags=["stretch"], snooze="2s", max_snoozes=1, remind_every="2s"),
    ], **kw)


def fullscreen_config(every):
    """One break that falls due `every` into sitting, shown as a desktop
    notification. Activity is not tracked: for the full-screen checks, which
    work whatever the activity source."""
    return config(tracking={"natural_break": "30s", "source": "none"},
                  breaks=[rule("micro", every, "1s", snooze="5m", max_snoozes=2, remind_every="1m")],
                  notify={"methods": ["desktop"]})


# As before the builder: a template with one field, {max_snoozes}.
FAST_CONFIG = fast_config(max_snoozes=Raw("{max_snoozes}"))

# Nothing falls due during a test: for tests that must not be disturbed by reminders.
SLOW_CONFIG = config(tracking={"natural_break": "2m"}, breaks=[
    rule("micro", "1h", "30s", snooze="5m", max_snoozes=3, remind_every="5m"),
    rule("long", "2h", "5m", tags=["stretch"], snooze="10m", max_snoozes=2, remind_every="10m"),
])


def let_pass(seconds, since):
    """Waits until `seconds` have passed since the time.monotonic() `since`.
    The one wait on the clock a test may make: for a threshold that must pass
    while the daemon cannot see time go by (it is down, or told the machine
    sleeps). Keep such thresholds short in the test's config."""
    left = since + seconds - time.monotonic()
    if left > 0:
        time.sleep(left)


def make_tempdir(prefix="stretch-it-"):
    d = tempfile.mkdtemp(prefix=prefix)
    os.chmod(d, 0o700)
    return d


def base_env(tmp, runtime_dir=None):
    """A clean environment rooted in `tmp`: never the real user's dirs."""
    env = {k: v for k, v in os.environ.items() if k not in SCRUBBED_ENV}
    runtime = runtime_dir or os.path.join(tmp, "run")
    for sub in (runtime, os.path.join(tmp, "config"), os.path.join(tmp, "state"), os.path.join(tmp, "home")):
        os.makedirs(sub, mode=0o700, exist_ok=True)
        os.chmod(sub, 0o700)
    env["XDG_RUNTIME_DIR"] = runtime
    env["XDG_CONFIG_HOME"] = os.path.join(tmp, "config")
    env["XDG_STATE_HOME"] = os.path.join(tmp, "state")
    env["HOME"] = os.path.join(tmp, "home")
    env["LC_ALL"] = "C.UTF-8"
    # Never the machine's system bus (logind): a test that wants one starts its own.
    env["DBUS_SYSTEM_BUS_ADDRESS"] = "unix:path=" + os.path.join(tmp, "no-system-bus")
    return env


def connect(path, timeout=REPLY_TIMEOUT):
    """A connected Unix stream socket. A full listen backlog (EAGAIN, since a
    socket with a timeout does not block in connect) is waited out up to `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.settimeout(timeout)
            sock.connect(path)
            return sock
        except BlockingIOError:
            sock.close()
            if time.monotonic() > deadline:
                raise
            time.sleep(0.01)
        except BaseException:
            sock.close()
            raise


class LineConn:
    """One raw client connection, reading newline-terminated JSON lines with deadlines."""

    def __init__(self, path, timeout=REPLY_TIMEOUT):
        self.path = path
        self.sock = connect(path, timeout)
        self.buf = b""
        self.eof = False

    def fileno(self):
        return self.sock.fileno()

    def send_raw(self, data):
        self.sock.sendall(data)

    def send(self, obj):
        self.sock.sendall(json.dumps(obj).encode() + b"\n")

    def read_raw_line(self, timeout=REPLY_TIMEOUT):
        """The next line as bytes (without the newline), or None at EOF/timeout."""
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buf:
            if self.eof or not self._receive(deadline):
                return None
        line, _, self.buf = self.buf.partition(b"\n")
        return line

    def _receive(self, deadline):
        """Reads one chunk into buf (or notes EOF); False if nothing came before `deadline`."""
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([self.sock], [], [], left)[0]:
            return False
        try:
            chunk = self.sock.recv(65536)
        except ConnectionResetError:
            chunk = b""
        if chunk:
            self.buf += chunk
        else:
            self.eof = True
        return True

    def read_line(self, timeout=REPLY_TIMEOUT):
        line = self.read_raw_line(timeout)
        return None if line is None else json.loads(line)

    def request(self, obj, timeout=REPLY_TIMEOUT):
        self.send(obj)
        reply = self.read_line(timeout)
        if reply is None:
            raise AssertionError(f"no reply to {obj!r} within {timeout} s")
        return reply

    def wait_closed(self, timeout=REPLY_TIMEOUT):
        """True if the daemon closes the connection within `timeout` (data before EOF is discarded)."""
        deadline = time.monotonic() + timeout
        while not self.eof:
            if not self._receive(deadline):
                return False
        return True

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


class Subscriber(LineConn):
    """A raw subscriber: {"v":1,"cmd":"subscribe"}, then event lines. bell=True: it
    says it rings a terminal bell, as `stretch watch` in a terminal does."""

    def __init__(self, path, bell=False):
        super().__init__(path)
        self.initial = self.request({"v": 1, "cmd": "subscribe", **({"args": {"bell": True}} if bell else {})})
        if not self.initial.get("ok") or not self.initial.get("subscribed"):
            raise AssertionError(f"subscribe failed: {self.initial!r}")
        self.seen = []

    def next_event(self, timeout=EVENT_TIMEOUT):
        event = self.read_line(timeout)
        if event is not None:
            self.seen.append(event)
        return event

    def wait_for(self, name, timeout=EVENT_TIMEOUT, pred=None):
        """The first event called `name` (matching `pred`) within `timeout`, or fails."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            event = self.next_event(left)
            if event is None:
                break
            if event.get("event") == name and (pred is None or pred(event)):
                return event
        names = [e.get("event") for e in self.seen]
        raise AssertionError(f"no {name!r} event within {timeout} s; events seen so far: {names}")

    def wait_for_all(self, *names, timeout=EVENT_TIMEOUT):
        """The first event of each name, in whatever order they come; fails if one is missing."""
        found = {}
        deadline = time.monotonic() + timeout
        while len(found) < len(names):
            left = deadline - time.monotonic()
            event = self.next_event(left) if left > 0 else None
            if event is None:
                missing = [n for n in names if n not in found]
                seen = [e.get("event") for e in self.seen]
                raise AssertionError(f"no {missing} event within {timeout} s; events seen so far: {seen}")
            if event.get("event") in names and event["event"] not in found:
                found[event["event"]] = event
        return found

    def sync(self, timeout=REPLY_TIMEOUT):
        """The events the daemon sent before it answered a request made now on
        this connection (the rest of them: those not yet read). Events are
        written as they happen, in order, so this is the barrier for checking
        that something did not happen, without waiting on the clock."""
        self.send({"v": 1, "cmd": "version"})
        events = []
        deadline = time.monotonic() + timeout
        while True:
            line = self.read_line(max(0.0, deadline - time.monotonic()))
            if line is None:
                raise AssertionError(f"no reply to version within {timeout} s; events seen: {events}")
            if "event" not in line:
                if not line.get("ok"):
                    raise AssertionError(f"version refused on a subscribed connection: {line!r}")
                return events
            self.seen.append(line)
            events.append(line)

    def drain(self, timeout):
        """Every event that arrives within `timeout`."""
        out = []
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return out
            event = self.next_event(left)
            if event is None:
                return out
            out.append(event)


def request(path, obj, timeout=REPLY_TIMEOUT):
    """One request on a fresh connection: write one JSON line, read one reply line."""
    conn = LineConn(path, timeout)
    try:
        return conn.request(obj, timeout)
    finally:
        conn.close()


class Daemon:
    """A stretchd child process with its own log file."""

    def __init__(self, tmp, env, socket_path=None, config_path=None, args=(), log_name="stretchd.log"):
        self.tmp = tmp
        self.env = env
        self.socket = socket_path
        self.config = config_path
        self.args = list(args)
        self.log_path = os.path.join(tmp, log_name)
        self.proc = None
        self.returncode = None

    def command(self):
        cmd = WRAPPER + [STRETCHD, "--seed", "1"]
        if "--log-level" not in self.args:
            cmd += ["--log-level", "debug"]
        if self.socket:
            cmd += ["--socket", self.socket]
        if self.config:
            cmd += ["--config", self.config]
        return cmd + self.args

    def spawn(self):
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(self.command(), env=self.env, stdin=subprocess.DEVNULL,
                                         stdout=log, stderr=log, close_fds=True)
        return self.proc

    def start(self, timeout=START_TIMEOUT):
        self.spawn()
        self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout=START_TIMEOUT):
        path = self.socket_path()
        deadline = time.monotonic() + timeout
        last_error = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"stretchd exited with {self.proc.returncode} during start-up:\n{self.log()}")
            try:
                reply = request(path, {"v": 1, "cmd": "version"}, timeout=TIME_SCALE)
                if reply.get("ok"):
                    return
                last_error = reply
            except (OSError, AssertionError, ValueError) as e:
                last_error = e
            time.sleep(0.02)
        raise AssertionError(f"stretchd did not answer on {path} within {timeout} s ({last_error!r}):\n{self.log()}")

    def socket_path(self):
        return self.socket or os.path.join(self.env["XDG_RUNTIME_DIR"], "stretch", "stretchd.sock")

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def signal(self, sig):
        self.proc.send_signal(sig)

    def stop(self, timeout=10.0 * TIME_SCALE):
        """SIGTERM and wait; returns the exit code. SIGKILL only as a last resort.
        Fails, showing the log, if the wrapper (valgrind) found errors, however
        the daemon came to exit."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError(f"stretchd ignored SIGTERM for {timeout} s and was killed:\n{self.log()}")
        self.returncode = self.proc.returncode
        if WRAPPER and self.returncode == WRAPPER_ERROR_EXIT:
            # valgrind prefixes its lines with ==PID==; they may be far from the log's end.
            report = "".join(line for line in self.log().splitlines(True) if line.startswith("=="))
            raise AssertionError(f"{WRAPPER[0]} found errors in stretchd (exit {self.returncode}):\n"
                                 f"{report or self.log_excerpt()}")
        return self.returncode

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def log_excerpt(self, head=40, tail=160):
        """The log, or its start and end if it is long (for failure reports)."""
        lines = self.log().splitlines(True)
        if len(lines) <= head + tail:
            return "".join(lines)
        return "".join(lines[:head]) + f"[... {len(lines) - head - tail} lines ...]\n" + "".join(lines[-tail:])

    def log(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return "(no log)"


class StretchTestCase(unittest.TestCase):
    """Each test: a fresh temp dir, config, daemon (unless start_daemon is False)."""

    config_text = fast_config()
    daemon_args = ()
    start_daemon = True

    def setUp(self):
        for skipped in SKIPPED_WHEN_WRAPPED:
            if self.id().endswith(skipped):
                self.skipTest(f"not run under {WRAPPER[0]} (STRETCH_SKIP_WHEN_WRAPPED in tests/CMakeLists.txt)")
        self.tmp = make_tempdir()
        self.daemons = []
        self.conns = []
        self.children = []
        # A cleanup, not tearDown: it runs even when setUp fails half-way.
        self.addCleanup(self._clean_up)
        self.env = base_env(self.tmp)
        self.config_path = os.path.join(self.tmp, "config.toml")
        self.write_config(self.config_text)
        self.sock = os.path.join(self.tmp, "run", "stretchd.sock")
        self.daemon = None
        if self.start_daemon:
            self.daemon = self.new_daemon().start()

    def new_daemon(self, socket_path=None, socket_flag=True, args=None, env=None, config=True, log_name=None):
        """A Daemon object (not started). socket_flag=False: no --socket, the default path."""
        d = Daemon(self.tmp, env or self.env,
                   socket_path=(socket_path or self.sock) if socket_flag else None,
                   config_path=self.config_path if config else None,
                   args=self.daemon_args if args is None else args,
                   log_name=log_name or f"stretchd{len(self.daemons) or ''}.log")
        self.daemons.append(d)
        return d

    def write_config(self, text, path=None):
        path = path or self.config_path
        tmp_path = path + ".new"
        with open(tmp_path, "w") as f:
            f.write(text)
        os.replace(tmp_path, path)
        return path

    def _clean_up(self):
        for c in self.conns:
            c.close()
        for p in self.children:
            if p.poll() is None:
                p.kill()
            p.wait()
        wrapper_errors = []
        for d in self.daemons:
            try:
                d.stop()
            except AssertionError as e:
                if WRAPPER and d.returncode == WRAPPER_ERROR_EXIT:
                    wrapper_errors.append(str(e))  # a failure of the test, not only a note
                else:
                    sys.stderr.write(f"\n{e}\n")
            finally:
                d.kill()
        if self._failed():
            for d in self.daemons:
                sys.stderr.write(f"\n----- {d.log_path} -----\n{d.log_excerpt()}----- end of log -----\n")
        shutil.rmtree(self.tmp, ignore_errors=True)
        if wrapper_errors:
            raise AssertionError("\n".join(wrapper_errors))

    def _failed(self):
        """Whether this test (or one of its subtests) has failed so far."""
        result = getattr(getattr(self, "_outcome", None), "result", None)
        if result is None:
            return False
        for test, _ in list(getattr(result, "failures", [])) + list(getattr(result, "errors", [])):
            if getattr(test, "test_case", test) is self:
                return True
        return False

    # ---- talking to the daemon ----

    def conn(self, path=None):
        c = LineConn(path or self.sock)
        self.conns.append(c)
        return c

    def subscriber(self, path=None, bell=False):
        s = Subscriber(path or self.sock, bell)
        self.conns.append(s)
        return s

    def request(self, cmd, args=None, path=None):
        obj = {"v": 1, "cmd": cmd}
        if args is not None:
            obj["args"] = args
        return request(path or self.sock, obj)

    def ok(self, cmd, args=None, path=None):
        reply = self.request(cmd, args, path)
        self.assertTrue(reply.get("ok"), f"{cmd} {args!r} was refused: {reply!r}")
        return reply

    def status(self, path=None):
        return self.ok("status", path=path)

    def cli_env(self, extra=None, socket_path=None):
        env = dict(self.env)
        env["STRETCH_SOCKET"] = socket_path or self.sock
        if extra:
            env.update(extra)
        return env

    def cli(self, *args, env=None, timeout=20, socket_path=None, extra_env=None):
        e = env if env is not None else self.cli_env(extra_env, socket_path)
        return subprocess.run([STRETCH, *args], env=e, stdin=subprocess.DEVNULL, capture_output=True,
                              timeout=timeout, text=True, encoding="utf-8", errors="replace")

    def cli_ok(self, *args, **kw):
        r = self.cli(*args, **kw)
        self.assertEqual(r.returncode, 0, f"stretch {' '.join(args)} -> {r.returncode}\nstdout: {r.stdout}\nstderr: {r.stderr}")
        return r

    def wait_until(self, pred, timeout=EVENT_TIMEOUT, what="condition", interval=0.05):
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            last = pred()
            if last:
                return last
            time.sleep(interval)
        self.fail(f"{what} not reached within {timeout} s (last value {last!r})")

    def assert_error(self, reply, code=None):
        self.assertIsInstance(reply, dict, reply)
        self.assertIs(reply.get("ok"), False, reply)
        self.assertEqual(reply.get("v"), 1, reply)
        error = reply.get("error")
        self.assertIsInstance(error, dict, reply)
        self.assertIsInstance(error.get("code"), str, reply)
        self.assertIsInstance(error.get("message"), str, reply)
        self.assertTrue(error["message"], reply)
        if code is not None:
            codes = (code,) if isinstance(code, str) else tuple(code)
            self.assertIn(error["code"], codes, reply)
        return error
