"""Real servers for the notification tests: a private D-Bus session bus,
python3-dbusmock's notification_daemon template, Xvfb and dunst.

Every server is a direct child of the test process (PID 1 here is not an
init), is stopped by its PID (SIGTERM, then SIGKILL as a last resort) and is
waited for. Nothing is ever looked up or killed by name.

Talking to the bus uses the `dbus` module (python3-dbus, a dependency of
python3-dbusmock) when it is there, and dunst's own `dunstctl`.
"""

import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from harness import StretchTestCase

try:
    import dbus
except ImportError:  # the tests that need it skip
    dbus = None

SYSTEM_PYTHON = "/usr/bin/python3"  # the one python3-dbusmock is installed for
NOTIFY_NAME = "org.freedesktop.Notifications"
NOTIFY_PATH = "/org/freedesktop/Notifications"
NOTIFY_IFACE = "org.freedesktop.Notifications"
MOCK_IFACE = "org.freedesktop.DBus.Mock"

READY_TIMEOUT = 10.0
NOBODY = 65534  # sway refuses to run as root

# A session bus with no service activation: a call to an unowned
# org.freedesktop.Notifications must fail at once, never start the installed
# dunst. `<listen>` is required by the parser; --address overrides it.
BUS_CONFIG = """\
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:tmpdir=/tmp</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""

# Stands in for dmenu: saves the menu, prints the line for the action named
# in ./pick (the menu's order is not the actions' order), else the first.
PICK_SCRIPT = """\
#!/bin/sh
d=$(dirname "$0")
cat > "$d/menu.txt"
w=$(cat "$d/pick" 2>/dev/null)
if [ -n "$w" ]; then grep -F -m1 -- ",$w]" "$d/menu.txt"; else head -n1 "$d/menu.txt"; fi
"""

DUNSTRC = """\
[global]
    font = Monospace 8
    dmenu = {pick}
    browser = /bin/true
    history_length = 20
[urgency_low]
    timeout = 0
    default_icon = ""
[urgency_normal]
    timeout = 0
    default_icon = ""
[urgency_critical]
    timeout = 0
    default_icon = ""
"""


def missing_tools(*tools):
    """The names among `tools` that are not installed ("dbus" and "dbusmock" are Python modules)."""
    out = []
    for t in tools:
        if t == "dbus":
            if dbus is None:
                out.append("python3-dbus")
        elif t == "dbusmock":
            if not os.path.exists(SYSTEM_PYTHON) or subprocess.run(
                    [SYSTEM_PYTHON, "-c", "import dbusmock"], capture_output=True).returncode != 0:
                out.append("python3-dbusmock")
        elif shutil.which(t) is None:
            out.append(t)
    return out


def stop_process(proc, timeout=5.0):
    """SIGTERM by PID and wait; SIGKILL if it does not go. Returns the exit code."""
    if proc is None:
        return None
    if proc.poll() is None:
        try:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return proc.returncode


def read_file(path):
    try:
        with open(path, "rb") as f:
            return f.read().decode("utf-8", "replace")
    except OSError:
        return "(none)"


def unwrap(v):
    """dbus-python values as plain Python ones."""
    if dbus is not None:
        if isinstance(v, (dbus.Boolean,)):
            return bool(v)
        if isinstance(v, (dbus.Byte, dbus.Int16, dbus.Int32, dbus.Int64, dbus.UInt16, dbus.UInt32, dbus.UInt64)):
            return int(v)
        if isinstance(v, dbus.Double):
            return float(v)
        if isinstance(v, (dbus.String, dbus.ObjectPath, dbus.Signature)):
            return str(v)
        if isinstance(v, dbus.ByteArray):
            return bytes(v)
    if isinstance(v, dict):
        return {unwrap(k): unwrap(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [unwrap(x) for x in v]
    return v


class Process:
    """A child process with a log file in the test's temp dir."""

    def __init__(self, tmp, name):
        self.tmp = tmp
        self.name = name
        self.log_path = os.path.join(tmp, f"{name}.log")
        self.proc = None

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def popen(self, cmd, env, **kw):
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, stdout=kw.pop("stdout", log),
                                         stderr=log, close_fds=True, **kw)
        return self.proc

    def stop(self, timeout=5.0):
        return stop_process(self.proc, timeout)

    def log(self):
        return read_file(self.log_path)


class Bus(Process):
    """A private session bus: dbus-daemon --nofork on a socket in the temp dir.

    The address is known before the bus runs, so a daemon can be pointed at a
    bus that appears only later."""

    def __init__(self, tmp, name="bus"):
        super().__init__(tmp, name)
        self.socket = os.path.join(tmp, name)
        self.address = f"unix:path={self.socket}"
        self.config_path = os.path.join(tmp, f"{name}.conf")
        self._conn = None

    def env(self, base):
        env = dict(base)
        env["DBUS_SESSION_BUS_ADDRESS"] = self.address
        return env

    def start(self, timeout=READY_TIMEOUT, config=BUS_CONFIG, env=None):
        """`config` and `env` (the one the services it activates inherit) for a bus with service activation."""
        with open(self.config_path, "w") as f:
            f.write(config)
        env = {k: v for k, v in (os.environ if env is None else env).items() if not k.startswith("DBUS_")}
        self.popen(["dbus-daemon", f"--config-file={self.config_path}", "--nofork",
                    f"--address={self.address}", "--print-address=1"], env, stdout=subprocess.PIPE)
        # The address is printed once the bus listens.
        fd = self.proc.stdout.fileno()
        deadline = time.monotonic() + timeout
        out = b""
        while b"\n" not in out:
            left = deadline - time.monotonic()
            if left <= 0 or self.proc.poll() is not None:
                raise AssertionError(f"dbus-daemon did not start within {timeout} s:\n{self.log()}")
            r, _, _ = select.select([fd], [], [], left)
            if r:
                chunk = os.read(fd, 4096)
                if not chunk:
                    raise AssertionError(f"dbus-daemon exited during start-up:\n{self.log()}")
                out += chunk
        self.proc.stdout.close()
        return self

    def connection(self):
        """One dbus-python connection from the test to this bus."""
        if self._conn is None:
            self._conn = dbus.bus.BusConnection(self.address)
        return self._conn

    def owner_pid(self, name):
        """The PID of the process that owns `name` on this bus, or None."""
        bus = self.connection()
        try:
            owner = bus.get_name_owner(name)
            return int(bus.call_blocking("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                         "GetConnectionUnixProcessID", "s", (owner,)))
        except dbus.exceptions.DBusException:
            return None

    def wait_owner(self, name, pid, timeout=READY_TIMEOUT, proc=None):
        """Waits until `name` is owned by the process `pid` (not by a server that is leaving)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.owner_pid(name) == pid:
                return
            if proc is not None and proc.poll() is not None:
                raise AssertionError(f"{proc.args[0]} exited with {proc.returncode} before owning {name}")
            time.sleep(0.02)
        raise AssertionError(f"{name} not owned by pid {pid} within {timeout} s (owner pid: {self.owner_pid(name)})")

    def stop(self, timeout=5.0):
        if self._conn is not None:
            try:
                self._conn.close()
            except Exception:
                pass
            self._conn = None
        return super().stop(timeout)


class NotifyCall:
    """One Notify call as the mock recorded it."""

    FIELDS = ("app_name", "replaces_id", "app_icon", "summary", "body", "actions", "hints", "expire_timeout")

    def __init__(self, args, returned_id):
        if len(args) != 8:
            raise AssertionError(f"Notify with {len(args)} arguments: {args!r}")
        self.raw = args
        for name, value in zip(self.FIELDS, args):
            setattr(self, name, unwrap(value))
        self.raw_hints = args[6]
        self.returned_id = returned_id

    def action_pairs(self):
        a = self.actions
        return [(a[i], a[i + 1]) for i in range(0, len(a) - 1, 2)]

    def action_keys(self):
        return [k for k, _ in self.action_pairs()]

    def __repr__(self):
        return "Notify(" + ", ".join(f"{f}={getattr(self, f)!r}" for f in self.FIELDS) + f") -> {self.returned_id}"


class NotifyMock(Process):
    """python3-dbusmock's notification_daemon template on a Bus."""

    def __init__(self, bus, tmp, capabilities="body body-markup actions persistence", name="notify-mock"):
        super().__init__(tmp, name)
        self.bus = bus
        self.capabilities = capabilities
        self.call_log_path = os.path.join(tmp, f"{name}.calls")

    def start(self, timeout=READY_TIMEOUT):
        env = self.bus.env({k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")})
        params = json.dumps({"capabilities": self.capabilities})
        self.popen([SYSTEM_PYTHON, "-m", "dbusmock", "--session", "-t", "notification_daemon", "-p", params,
                    "-l", self.call_log_path], env)
        self.bus.wait_owner(NOTIFY_NAME, self.proc.pid, timeout, self.proc)
        return self

    def _mock(self):
        return dbus.Interface(self.bus.connection().get_object(NOTIFY_NAME, NOTIFY_PATH, introspect=False), MOCK_IFACE)

    def method_calls(self, method):
        """[(timestamp, [args...])] of every call of `method` so far (dbus-python values)."""
        return [(float(t), list(args)) for t, args in self._mock().GetMethodCalls(method)]

    def notify_calls(self):
        """Every Notify so far, with the id the template returned for it: a
        non-zero replaces_id comes back unchanged, else the next id from 1."""
        out = []
        next_id = 1
        for _, args in self.method_calls("Notify"):
            rid = int(args[1])
            if rid == 0:
                rid = next_id
                next_id += 1
            out.append(NotifyCall(args, rid))
        return out

    def close_calls(self):
        return [int(args[0]) for _, args in self.method_calls("CloseNotification")]

    def hold_notify_replies(self, release_path):
        """From now on Notify answers only once `release_path` exists, as a
        server slow to draw its first bubble: the mock waits inside the call,
        so the calls after it queue on the bus (and so does GetMethodCalls)."""
        self._mock().AddMethod(NOTIFY_IFACE, "Notify", "susssasa{sv}i", "u", f"""import os, time
while not os.path.exists({release_path!r}):
    time.sleep(0.01)
if args[1]:
    ret = args[1]
else:
    ret = self.next_id
    self.next_id += 1
""")

    def emit_action(self, notification_id, key):
        self._mock().EmitSignal(NOTIFY_IFACE, "ActionInvoked", "us", [dbus.UInt32(notification_id), dbus.String(key)],
                                signature="sssav")

    def set_inhibited(self, value):
        """KDE Plasma's do-not-disturb: the `Inhibited` property of the
        notification interface; a change is announced with PropertiesChanged."""
        mock = self._mock()
        if not getattr(self, "_has_inhibited", False):
            mock.AddProperty(NOTIFY_IFACE, "Inhibited", dbus.Boolean(value))
            self._has_inhibited = True
        else:
            mock.UpdateProperties(NOTIFY_IFACE, {"Inhibited": dbus.Boolean(value)})

    def emit_closed(self, notification_id, reason):
        self._mock().EmitSignal(NOTIFY_IFACE, "NotificationClosed", "uu",
                                [dbus.UInt32(notification_id), dbus.UInt32(reason)], signature="sssav")


class Xvfb(Process):
    """A headless X server; its display number is picked by Xvfb (-displayfd)."""

    def __init__(self, tmp, name="xvfb"):
        super().__init__(tmp, name)
        self.display = None

    def start(self, timeout=READY_TIMEOUT):
        r, w = os.pipe()
        try:
            env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
            # -noreset: the properties the test sets on the root window survive
            # the moment when no client is connected.
            self.popen(["Xvfb", "-displayfd", str(w), "-noreset", "-nolisten", "tcp", "-screen", "0", "1280x800x24"], env,
                       pass_fds=(w,))
            os.close(w)
            w = None
            out = b""
            deadline = time.monotonic() + timeout
            while b"\n" not in out:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"Xvfb gave no display within {timeout} s:\n{self.log()}")
                ready, _, _ = select.select([r], [], [], left)
                if ready:
                    chunk = os.read(r, 64)
                    if not chunk:
                        raise AssertionError(f"Xvfb exited during start-up:\n{self.log()}")
                    out += chunk
            self.display = ":" + out.decode().strip()
        finally:
            os.close(r)
            if w is not None:
                os.close(w)
        return self

    def env(self, base):
        env = dict(base)
        env["DISPLAY"] = self.display
        return env

    def run(self, *cmd, check=True):
        """A client such as xprop or xwininfo against this display."""
        env = self.env({k: v for k, v in os.environ.items() if k != "DISPLAY"})
        r = subprocess.run(list(cmd), env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=20)
        if check and r.returncode != 0:
            raise AssertionError(f"{' '.join(cmd)} -> {r.returncode}\n{r.stdout}{r.stderr}")
        return r.stdout

    def root_window(self):
        out = self.run("xwininfo", "-root")
        for line in out.splitlines():
            if "Window id:" in line:
                return line.split("Window id:")[1].split()[0]
        raise AssertionError(f"no root window id in:\n{out}")

    def set_root_fullscreen(self):
        """EWMH as a window manager would set it, with the root window as the
        focused full-screen window (there is no window manager).

        _NET_ACTIVE_WINDOW must have the type WINDOW, as EWMH says and window
        managers do; `xprop -f _NET_ACTIVE_WINDOW 32x -set` would make it a
        CARDINAL, so it is set through libX11 here."""
        root = int(self.root_window(), 16)
        set_window_property(self.display, root, "_NET_ACTIVE_WINDOW", root)
        self.run("xprop", "-root", "-f", "_NET_WM_STATE", "32a", "-set", "_NET_WM_STATE", "_NET_WM_STATE_FULLSCREEN")
        out = self.run("xprop", "-root", "_NET_ACTIVE_WINDOW", "_NET_WM_STATE")
        if "_NET_ACTIVE_WINDOW(WINDOW)" not in out or "_NET_WM_STATE(ATOM) = _NET_WM_STATE_FULLSCREEN" not in out:
            raise AssertionError(f"the root window's properties were not set:\n{out}")


def set_window_property(display, window, name, value):
    """Sets the property `name` of `window` to one WINDOW (XChangeProperty through ctypes)."""
    import ctypes
    import ctypes.util
    path = ctypes.util.find_library("X11") or "libX11.so.6"
    x11 = ctypes.CDLL(path)
    x11.XOpenDisplay.restype = ctypes.c_void_p
    x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
    x11.XInternAtom.restype = ctypes.c_ulong
    x11.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
    x11.XChangeProperty.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_int,
                                    ctypes.c_int, ctypes.c_void_p, ctypes.c_int]
    x11.XSync.argtypes = [ctypes.c_void_p, ctypes.c_int]
    x11.XCloseDisplay.argtypes = [ctypes.c_void_p]
    dpy = x11.XOpenDisplay(display.encode())
    if not dpy:
        raise AssertionError(f"cannot open display {display}")
    try:
        xa_window = 33  # XA_WINDOW, a predefined atom
        data = (ctypes.c_long * 1)(value)  # format 32 data is passed as longs
        x11.XChangeProperty(dpy, window, x11.XInternAtom(dpy, name.encode(), 0), xa_window, 32, 0,
                            ctypes.cast(data, ctypes.c_void_p), 1)
        x11.XSync(dpy, 0)
    finally:
        x11.XCloseDisplay(dpy)


class Dunst(Process):
    """dunst under an Xvfb, on a Bus, with a dunstrc whose dmenu is a script
    that picks the action named in `pick` (see choose())."""

    def __init__(self, bus, xvfb, tmp, name="dunst"):
        super().__init__(tmp, name)
        self.bus = bus
        self.xvfb = xvfb
        self.dir = os.path.join(tmp, name + ".d")
        self.pick_script = os.path.join(self.dir, "pick.sh")
        self.pick_file = os.path.join(self.dir, "pick")
        self.menu_file = os.path.join(self.dir, "menu.txt")
        self.rc = os.path.join(self.dir, "dunstrc")

    def ctl_env(self):
        env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
        env = self.bus.env(env)
        env["HOME"] = self.dir
        env["XDG_CONFIG_HOME"] = os.path.join(self.dir, "config")
        return env

    def start(self, timeout=READY_TIMEOUT):
        os.makedirs(self.dir, mode=0o700, exist_ok=True)
        with open(self.pick_script, "w") as f:
            f.write(PICK_SCRIPT)
        os.chmod(self.pick_script, 0o755)
        with open(self.rc, "w") as f:
            f.write(DUNSTRC.format(pick=self.pick_script))
        self.popen(["stdbuf", "-oL", "dunst", "-print", "-config", self.rc], self.xvfb.env(self.ctl_env()))
        self.bus.wait_owner(NOTIFY_NAME, self.proc.pid, timeout, self.proc)
        return self

    def ctl(self, *args):
        r = subprocess.run(["dunstctl", *args], env=self.ctl_env(), stdin=subprocess.DEVNULL, capture_output=True,
                           text=True, timeout=20)
        if r.returncode != 0:
            raise AssertionError(f"dunstctl {' '.join(args)} -> {r.returncode}\n{r.stdout}{r.stderr}")
        return r.stdout.strip()

    def count(self, which):
        """dunstctl count displayed|waiting|history."""
        return int(self.ctl("count", which))

    def set_paused(self, paused):
        self.ctl("set-paused", "true" if paused else "false")

    def history(self):
        """The notifications dunst has shown and closed, newest first (a list of dicts of plain values)."""
        data = json.loads(self.ctl("history"))
        out = []
        for group in data.get("data", []):
            for entry in group:
                out.append({k: v.get("data") for k, v in entry.items()})
        return out

    def choose(self, action):
        """Picks `action` (its key, e.g. "snooze") in dunst's context menu,
        as a user would with dmenu. Returns the menu dunst offered."""
        with open(self.pick_file, "w") as f:
            f.write(action + "\n")
        try:
            os.unlink(self.menu_file)
        except FileNotFoundError:
            pass
        self.ctl("context")
        return read_file(self.menu_file)

    def printed(self):
        """The notifications dunst received, in order, from its -print output:
        [{"appname", "summary", "body", "urgency", "id", "category", "desktop_entry", ...}].
        Quoted values may span lines (a body with newlines)."""
        out = []
        current = None
        key = None  # of a quoted value still open
        for line in self.log().splitlines():
            if key is not None:
                if line.endswith("'"):
                    current[key] += "\n" + line[:-1]
                    key = None
                else:
                    current[key] += "\n" + line
            elif line == "{":
                current = {}
            elif line == "}" and current is not None:
                out.append(current)
                current = None
            elif current is not None and line.startswith("\t") and ": " in line:
                name, _, value = line[1:].partition(": ")
                if name in current:
                    continue  # a nested block (actions) repeats no top-level key we use
                if value.startswith("'"):
                    if len(value) >= 2 and value.endswith("'"):
                        value = value[1:-1]
                    else:
                        key = name
                        value = value[1:]
                current[name] = value
        return out


LOGIND_NAME = "org.freedesktop.login1"
LOGIND_PATH = "/org/freedesktop/login1"
MUTTER_NAME = "org.gnome.Mutter.IdleMonitor"
MUTTER_PATH = "/org/gnome/Mutter/IdleMonitor/Core"
SYSTEMD_NAME = "org.freedesktop.systemd1"
SYSTEMD_PATH = "/org/freedesktop/systemd1"
SYSTEMD_IFACE = "org.freedesktop.systemd1.Manager"


class LogindMock(Process):
    """python3-dbusmock's logind template on a private Bus that stands in for
    the system bus (DBUS_SYSTEM_BUS_ADDRESS)."""

    def __init__(self, bus, tmp, name="logind-mock"):
        super().__init__(tmp, name)
        self.bus = bus

    def start(self, timeout=READY_TIMEOUT):
        env = {k: v for k, v in os.environ.items() if not k.startswith("DBUS_") and k != "DISPLAY"}
        env["DBUS_SYSTEM_BUS_ADDRESS"] = self.bus.address
        self.popen([SYSTEM_PYTHON, "-m", "dbusmock", "--system", "-t", "logind"], env)
        self.bus.wait_owner(LOGIND_NAME, self.proc.pid, timeout, self.proc)
        # The template's GetUser adds a str and a dbus.UInt32, and fails.
        self._mock().AddMethod("org.freedesktop.login1.Manager", "GetUser", "u", "o",
                               'ret = dbus.ObjectPath("/org/freedesktop/login1/user/%d" % args[0])')
        return self

    def _mock(self, path=LOGIND_PATH):
        return dbus.Interface(self.bus.connection().get_object(LOGIND_NAME, path, introspect=False), MOCK_IFACE)

    def add_session(self, session_id="c1", uid=None, display=True):
        """A session for `uid` (default: ours); with display=True it is also the
        user's Display session, as logind makes a graphical one."""
        uid = os.getuid() if uid is None else uid
        path = str(self._mock().AddSession(session_id, "seat0", dbus.UInt32(uid), "tester", True))
        if display:
            # Set, not UpdateProperties: dbusmock cannot wrap a struct in a variant there.
            user = self.bus.connection().get_object(LOGIND_NAME, f"{LOGIND_PATH}/user/{uid}", introspect=False)
            dbus.Interface(user, "org.freedesktop.DBus.Properties").Set(
                "org.freedesktop.login1.User", "Display",
                dbus.Struct((session_id, dbus.ObjectPath(path)), signature="so", variant_level=1))
        return path

    def prepare_for_sleep(self, start):
        self._mock().EmitSignal("org.freedesktop.login1.Manager", "PrepareForSleep", "b", [dbus.Boolean(start)],
                                signature="sssav")

    def session_signal(self, path, member):
        """Lock or Unlock, as logind sends them on the session's own path."""
        self._mock(path).EmitSignal("org.freedesktop.login1.Session", member, "", [], signature="sssav")

    def set_session(self, path, **props):
        """Changes session properties (emits PropertiesChanged), e.g. LockedHint=True.
        Give one property per call: with a bool and a uint64 in one call, the
        mock sent both as booleans."""
        values = {k: dbus.UInt64(v) if k.startswith("IdleSince") else dbus.Boolean(v) for k, v in props.items()}
        self._mock(path).UpdateProperties("org.freedesktop.login1.Session", values)


class MutterMock(Process):
    """GNOME's idle monitor, from the template in tests/fixtures."""

    def __init__(self, bus, tmp, template, name="mutter-mock"):
        super().__init__(tmp, name)
        self.bus = bus
        self.template = template

    def start(self, timeout=READY_TIMEOUT):
        env = self.bus.env({k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")})
        self.popen([SYSTEM_PYTHON, "-m", "dbusmock", "--session", "-t", self.template], env)
        self.bus.wait_owner(MUTTER_NAME, self.proc.pid, timeout, self.proc)
        return self

    def _mock(self):
        return dbus.Interface(self.bus.connection().get_object(MUTTER_NAME, MUTTER_PATH, introspect=False), MOCK_IFACE)

    def idle_watches(self):
        """{watch id: interval in ms} of the idle watches registered now."""
        return {int(k): int(v) for k, v in self._mock().IdleWatches().items()}

    def go_idle(self):
        return int(self._mock().GoIdle())

    def come_back(self):
        return int(self._mock().ComeBack())


class UserManagerMock(Process):
    """The systemd user manager's Environment property, which
    `systemctl --user import-environment` changes, on the session Bus."""

    def __init__(self, bus, tmp, name="systemd-mock"):
        super().__init__(tmp, name)
        self.bus = bus

    def start(self, environment=(), timeout=READY_TIMEOUT):
        env = self.bus.env({k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")})
        self.popen([SYSTEM_PYTHON, "-m", "dbusmock", "--session", SYSTEMD_NAME, SYSTEMD_PATH, SYSTEMD_IFACE], env)
        self.bus.wait_owner(SYSTEMD_NAME, self.proc.pid, timeout, self.proc)
        self._mock().AddProperty(SYSTEMD_IFACE, "Environment", dbus.Array(list(environment), signature="s"))
        return self

    def _mock(self):
        return dbus.Interface(self.bus.connection().get_object(SYSTEMD_NAME, SYSTEMD_PATH, introspect=False), MOCK_IFACE)

    def import_environment(self, *assignments):
        """As `systemctl --user import-environment`: the property changes and PropertiesChanged is sent."""
        self._mock().UpdateProperties(SYSTEMD_IFACE, {"Environment": dbus.Array(list(assignments), signature="s")})


class ServerTestCase(StretchTestCase):
    """A test that starts its own servers (in self.servers), then stretchd
    pointed at them; stretchd is stopped first, then the servers, newest first."""

    start_daemon = False
    needs = ("dbus-daemon", "dbus", "dbusmock")

    def setUp(self):
        missing = missing_tools(*self.needs)
        if missing:
            self.skipTest(f"needs {', '.join(missing)} (scripts/deps.sh --test installs them)")
        super().setUp()
        self.servers = []
        # Runs before the harness's own clean-up (LIFO): stretchd first, then the servers.
        self.addCleanup(self._stop_servers)

    def serve(self, server, *args, **kw):
        """Starts `server` and stops it at the end of the test."""
        self.servers.append(server)
        return server.start(*args, **kw)

    def _stop_servers(self):
        for d in self.daemons:
            try:
                d.stop()
            except AssertionError as e:
                sys.stderr.write(f"\n{e}\n")
        failed = self._failed()
        for s in reversed(self.servers):
            s.stop()
            if failed:
                sys.stderr.write(f"\n----- {s.log_path} -----\n{s.log()[-6000:]}----- end -----\n")
                calls = getattr(s, "call_log_path", None)
                if calls:
                    sys.stderr.write(f"\n----- {calls} -----\n{read_file(calls)[-6000:]}----- end -----\n")


def clean_env():
    """The test's environment without any display or bus of the machine."""
    return {k: v for k, v in os.environ.items()
            if k not in ("DISPLAY", "WAYLAND_DISPLAY", "WAYLAND_SOCKET", "DBUS_SESSION_BUS_ADDRESS", "SWAYSOCK")}


def wayland_sockets(directory):
    return sorted(n for n in os.listdir(directory) if n.startswith("wayland-") and not n.endswith(".lock"))


def wait_for(pred, what, timeout=READY_TIMEOUT, proc=None, log=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"{what}: the server exited with {proc.returncode}:\n{log() if log else ''}")
        time.sleep(0.02)
    raise AssertionError(f"{what}: not within {timeout} s:\n{log() if log else ''}")


class Sway(Process):
    """sway 1.7 headless as nobody (it refuses root), offering org_kde_kwin_idle;
    input by `swaymsg seat - cursor move` and `wtype`. Its runtime directory is
    outside the test's temp dir, which is root's (0700) and so out of nobody's reach."""

    def __init__(self, tmp, name="sway"):
        super().__init__(tmp, name)
        self.dir = None
        self.ipc = None

    def start(self, timeout=READY_TIMEOUT):
        self.dir = tempfile.mkdtemp(prefix="stretch-sway-")
        os.chmod(self.dir, 0o700)
        conf = os.path.join(self.dir, "sway.conf")
        with open(conf, "w") as f:
            f.write("xwayland disable\noutput HEADLESS-1 resolution 1280x720\n")
        for path in (self.dir, conf):
            os.chown(path, NOBODY, NOBODY)
        env = clean_env()
        env.update(HOME=self.dir, XDG_RUNTIME_DIR=self.dir, WLR_BACKENDS="headless", WLR_LIBINPUT_NO_DEVICES="1",
                   WLR_RENDERER="pixman")
        # setpriv execs sway: the PID is sway's.
        self.popen(["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", "sway", "-c", conf], env)

        def ipc_answers():
            socks = [n for n in os.listdir(self.dir) if n.startswith("sway-ipc.") and n.endswith(".sock")]
            if not socks or not wayland_sockets(self.dir):
                return False
            self.ipc = os.path.join(self.dir, socks[0])
            return self.swaymsg("-t", "get_version", check=False).returncode == 0
        wait_for(ipc_answers, "sway's IPC", timeout, self.proc, self.log)
        return self

    @property
    def display(self):
        return wayland_sockets(self.dir)[0]

    def env(self, base):
        """A session's environment: the socket named relative to XDG_RUNTIME_DIR."""
        env = dict(base)
        env["XDG_RUNTIME_DIR"] = self.dir
        env["WAYLAND_DISPLAY"] = self.display
        return env

    def swaymsg(self, *args, check=True):
        env = clean_env()
        env["SWAYSOCK"] = self.ipc
        r = subprocess.run(["swaymsg", *args], env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                           timeout=20)
        if check and r.returncode != 0:
            raise AssertionError(f"swaymsg {' '.join(args)} -> {r.returncode}\n{r.stdout}{r.stderr}")
        return r

    def wtype(self, *args):
        r = subprocess.run(["wtype", *args], env=self.env(clean_env()), stdin=subprocess.DEVNULL,
                           capture_output=True, text=True, timeout=20)
        if r.returncode != 0:
            raise AssertionError(f"wtype {' '.join(args)} -> {r.returncode}\n{r.stdout}{r.stderr}")

    def stop(self, timeout=5.0):
        try:
            return super().stop(timeout)
        finally:
            if self.dir:
                shutil.rmtree(self.dir, ignore_errors=True)


class DconfService(Process):
    """The real dconf-service on a private session bus, started directly (the
    test bus has no activation). Its database lives under the HOME and
    XDG_CONFIG_HOME/XDG_RUNTIME_DIR of `env`, which stretchd and `dconf write`
    must share."""

    def __init__(self, bus, tmp, env, name="dconf"):
        super().__init__(tmp, name)
        self.bus = bus
        self.env = bus.env(env)

    def start(self, timeout=READY_TIMEOUT):
        for k in ("HOME", "XDG_CONFIG_HOME", "XDG_RUNTIME_DIR"):
            os.makedirs(self.env[k], mode=0o700, exist_ok=True)
        self.popen(["/usr/libexec/dconf-service"], self.env)
        self.bus.wait_owner("ca.desrt.dconf", self.proc.pid, timeout, self.proc)
        return self

    def run(self, *args):
        r = subprocess.run(["dconf", *args], env=self.env, stdin=subprocess.DEVNULL, capture_output=True,
                           text=True, timeout=20)
        if r.returncode != 0:
            raise AssertionError(f"dconf {' '.join(args)} -> {r.returncode}\n{r.stdout}{r.stderr}")
        return r.stdout.strip()

    def write(self, key, value):
        self.run("write", key, value)


class Mako(Process):
    """mako 1.7 under a headless sway, on a private session bus, with a
    "do-not-disturb" mode; it owns org.freedesktop.Notifications and serves
    fr.emersion.Mako at /fr/emersion/Mako on that name."""

    def __init__(self, bus, sway, tmp, name="mako"):
        super().__init__(tmp, name)
        self.bus = bus
        self.sway = sway
        self.conf = os.path.join(tmp, f"{name}.conf")

    def ctl_env(self):
        env = self.sway.env(self.bus.env(clean_env()))
        env["HOME"] = os.path.join(self.sway.dir)
        return env

    def start(self, timeout=READY_TIMEOUT):
        with open(self.conf, "w") as f:
            f.write("default-timeout=0\n[mode=do-not-disturb]\ninvisible=1\n")
        self.popen(["mako", "-c", self.conf], self.ctl_env())
        self.bus.wait_owner("org.freedesktop.Notifications", self.proc.pid, timeout, self.proc)
        return self

    def ctl(self, *args):
        r = subprocess.run(["makoctl", *args], env=self.ctl_env(), stdin=subprocess.DEVNULL, capture_output=True,
                           text=True, timeout=20)
        if r.returncode != 0:
            raise AssertionError(f"makoctl {' '.join(args)} -> {r.returncode}\n{r.stdout}{r.stderr}")
        return r.stdout

    def notifications(self):
        return json.loads(self.ctl("list")).get("data", [[]])[0]


class Swaync(Process):
    """swaync 0.7 (GTK 3 + gtk-layer-shell) under a headless sway, on a
    private session bus; it owns org.freedesktop.Notifications and
    org.erikreider.swaync.cc. It keeps do-not-disturb in GSettings
    (org.erikreider.swaync dnd-state): without a dconf-service on the bus the
    write fails ("failed to commit changes to dconf") and the state flips
    straight back to false, so start a DconfService with client_env() first."""

    def __init__(self, bus, sway, tmp, name="swaync"):
        super().__init__(tmp, name)
        self.bus = bus
        self.sway = sway

    def client_env(self):
        env = self.sway.env(self.bus.env(clean_env()))
        env["HOME"] = self.sway.dir
        env["XDG_CONFIG_HOME"] = os.path.join(self.tmp, "swaync-config")
        return env

    def start(self, timeout=READY_TIMEOUT):
        self.popen(["swaync"], self.client_env())
        self.bus.wait_owner("org.erikreider.swaync.cc", self.proc.pid, timeout, self.proc)
        self.bus.wait_owner("org.freedesktop.Notifications", self.proc.pid, timeout, self.proc)
        return self

    def client(self, *args):
        r = subprocess.run(["swaync-client", *args], env=self.client_env(), stdin=subprocess.DEVNULL,
                           capture_output=True, text=True, timeout=20)
        if r.returncode != 0:
            raise AssertionError(f"swaync-client {' '.join(args)} -> {r.returncode}\n{r.stdout}{r.stderr}")
        return r.stdout.strip()

    def count(self):
        return int(self.client("--count"))

    def set_dnd(self, on):
        """Sets do-not-disturb and checks it held."""
        want = "true" if on else "false"
        if self.client("--get-dnd") != want:
            self.client("--toggle-dnd")
        got = self.client("--get-dnd")
        if got != want:
            raise AssertionError(f"swaync do-not-disturb is {got}, wanted {want}")


# The private PipeWire's objects: a null audio source (the microphone), a
# null sink (for a desktop-audio recording) and a camera (videotestsrc with
# media.role = Camera, as WirePlumber marks a real one).
PIPEWIRE_OBJECTS = """\
context.spa-libs = {
    videotestsrc = videotestsrc/libspa-videotestsrc
}
context.objects = [
    { factory = adapter
      args = { factory.name = support.null-audio-sink node.name = fake-mic node.description = "Fake microphone"
               media.class = Audio/Source/Virtual audio.position = FL,FR } }
    { factory = adapter
      args = { factory.name = support.null-audio-sink node.name = fake-speaker node.description = "Fake speaker"
               media.class = Audio/Sink audio.position = FL,FR } }
    { factory = spa-node-factory
      args = { factory.name = videotestsrc node.name = fake-cam node.description = "Fake camera"
               media.class = Video/Source media.role = Camera } }
]
"""


class PipeWire(Process):
    """A private PipeWire 0.3 with WirePlumber, in a directory of its own
    (XDG_RUNTIME_DIR, HOME, XDG_CONFIG_HOME), on a private Bus (WirePlumber
    wants a session bus). Objects: PIPEWIRE_OBJECTS. Ready when pw-dump
    lists fake-mic and WirePlumber's default-nodes metadata, so a
    `pw-record --target fake-mic` is linked at once. kill() and start()
    again make a restart; stop() stops both, by PID."""

    def __init__(self, bus, tmp, name="pipewire"):
        super().__init__(tmp, name)
        self.bus = bus
        self.dir = os.path.join(tmp, name + ".d")
        self.runtime = os.path.join(self.dir, "run")
        self.wireplumber = Process(tmp, name + "-wireplumber")

    @property
    def socket(self):
        return os.path.join(self.runtime, "pipewire-0")

    def client_env(self, base=None):
        env = self.bus.env(clean_env() if base is None else base)
        env.update(XDG_RUNTIME_DIR=self.runtime, HOME=os.path.join(self.dir, "home"),
                   XDG_CONFIG_HOME=os.path.join(self.dir, "config"))
        env.pop("PIPEWIRE_RUNTIME_DIR", None)
        env.pop("PIPEWIRE_REMOTE", None)
        return env

    def start(self, timeout=READY_TIMEOUT):
        conf_d = os.path.join(self.dir, "config", "pipewire", "pipewire.conf.d")
        for d in (self.runtime, os.path.join(self.dir, "home"), conf_d):
            os.makedirs(d, mode=0o700, exist_ok=True)
        with open(os.path.join(conf_d, "10-stretch-test.conf"), "w") as f:
            f.write(PIPEWIRE_OBJECTS)
        env = self.client_env()
        self.popen(["pipewire"], env)
        wait_for(lambda: os.path.exists(self.socket) and self.run("pw-cli", "info", "0", check=False).returncode == 0,
                 "pipewire's socket", timeout, self.proc, self.log)
        self.wireplumber.popen(["wireplumber"], env)

        def ready():
            objects = self.dump()
            names = {o.get("info", {}).get("props", {}).get("node.name") for o in objects}
            metadata = {o.get("props", {}).get("metadata.name") for o in objects}
            return "fake-mic" in names and "default" in metadata
        wait_for(ready, "wireplumber", timeout, self.wireplumber.proc, self.wireplumber.log)
        return self

    def run(self, *cmd, check=True, timeout=20):
        r = subprocess.run(list(cmd), env=self.client_env(), stdin=subprocess.DEVNULL, capture_output=True, text=True,
                           timeout=timeout)
        if check and r.returncode != 0:
            raise AssertionError(f"{' '.join(cmd)} -> {r.returncode}\n{r.stdout}{r.stderr}")
        return r

    def dump(self):
        r = self.run("pw-dump", check=False)
        try:
            return json.loads(r.stdout) if r.returncode == 0 else []
        except ValueError:
            return []

    def node_states(self):
        """{node.name or application.name: state} of every node now."""
        out = {}
        for o in self.dump():
            if o.get("type") == "PipeWire:Interface:Node":
                props = o["info"].get("props", {})
                out[props.get("application.name") or props.get("node.name")] = o["info"].get("state")
        return out

    def spawn(self, name, *cmd):
        """A client of this PipeWire (pw-record...), logged in the temp dir; stop it with stop_process()."""
        p = Process(self.tmp, name)
        p.popen(list(cmd), self.client_env())
        return p

    def kill(self):
        """As a crash: SIGKILL, the socket left behind. WirePlumber is stopped too."""
        if self.alive():
            self.proc.kill()
            self.proc.wait()
        self.wireplumber.stop()

    def stop(self, timeout=5.0):
        self.wireplumber.stop(timeout)
        return super().stop(timeout)
