"""The real GNOME Shell 43 for the integration tests: headless, on private
buses, driven through org.gnome.Shell.Eval.

GnomeShell starts, in a directory of its own:
- a private system bus with python3-dbusmock's logind (session c1, root's)
  and a GDM stand-in (Main.screenShield exists only with a display manager);
- a private session bus that activates only dconf and GNOME's notification
  helper (org.gnome.Shell.Notifications, the gjs process that owns
  org.freedesktop.Notifications in GNOME 43);
- gnome-shell --wayland --headless with a test-only extension whose enable()
  turns on unsafe mode, so Eval answers (43 has no --unsafe-mode flag).

HOME and XDG_RUNTIME_DIR are set before the session bus starts: the services
it activates inherit its environment and would otherwise write to the real
home. About 1 start in 5 hangs (a forked child deadlocks while the shell
spawns ibus-daemon): start() waits with a timeout, SIGKILLs the shell's
process group and the helper, and tries again.
"""

import json
import os
import shutil
import signal
import subprocess

from servers import (LOGIND_NAME, MOCK_IFACE, NOTIFY_NAME, NOTIFY_PATH, SYSTEM_PYTHON, Bus, LogindMock, Process,
                     clean_env, dbus,
                     missing_tools, read_file, stop_process, wait_for)

SHELL_NAME = "org.gnome.Shell"
SHELL_PATH = "/org/gnome/Shell"
HELPER_NAME = "org.gnome.Shell.Notifications"
GDM_NAME = "org.gnome.DisplayManager"
GDM_PATH = "/org/gnome/DisplayManager/Manager"
EXTENSION_UUID = "stretch-test@stretch.invalid"
START_TIMEOUT = 45.0  # it starts in about 3 s (20 s and more on a loaded machine), or hangs
# The hang: the shell spawns ibus-daemon with a JavaScript child-setup function, and
# the forked child can deadlock before exec. Independent, about 1 start in 5.
START_TRIES = 3

SERVICES = ("ca.desrt.dconf.service", "org.gnome.Shell.Notifications.service")

SESSION_BUS_CONFIG = """\
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:tmpdir=/tmp</listen>
  <auth>EXTERNAL</auth>
  <servicedir>{servicedir}</servicedir>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""

EXTENSION_METADATA = {
    "uuid": EXTENSION_UUID,
    "name": "stretch test: unsafe mode",
    "description": "Lets the stretch integration tests use org.gnome.Shell.Eval",
    "shell-version": ["43"],
    "session-modes": ["user", "unlock-dialog"],
}
EXTENSION_JS = """\
function init() {}
function enable() { global.context.unsafe_mode = true; }
function disable() {}
"""

# The notifications in the message tray and the banner on screen.
LIST_JS = """\
(() => {
  const Main = imports.ui.main;
  const tray = Main.messageTray;
  const out = [];
  for (const s of tray.getSources())
    for (const n of s.notifications)
      out.push({source: s.title, title: n.title, body: n.bannerBodyText, urgency: n.urgency,
                resident: n.resident, actions: n.actions.map(a => a.label),
                fresh: n._stretchUpdates === undefined || n._stretchUpdates > 0});
  let banner = null;
  const b = tray._banner;
  if (b && b.notification && tray._notificationState !== 0 /* HIDDEN */) {
    const box = b._buttonBox;
    banner = {title: b.notification.title, state: tray._notificationState,
              hide_timer: tray._notificationTimeoutId !== 0,
              buttons: box ? box.get_children().map(c => c.label) : []};
  }
  return {notifications: out, banner};
})()
"""

PRESS_JS = """\
(() => {
  const tray = imports.ui.main.messageTray;
  const b = tray._banner;
  if (!b || !b.notification) return 'no banner';
  const label = %s;
  if (label === null) { b.notification.activate(); return 'ok'; }
  const box = b._buttonBox;
  const button = box ? box.get_children().find(c => c.label === label) : null;
  if (!button) return 'no button ' + label;
  button.emit('clicked', 1);
  return 'ok';
})()
"""

# Marks the notifications there are now, and counts their updates from here on.
MARK_JS = """\
(() => {
  for (const s of imports.ui.main.messageTray.getSources())
    for (const n of s.notifications)
      if (n._stretchUpdates === undefined) {
        n._stretchUpdates = 0;
        n.connect('updated', () => { n._stretchUpdates++; });
      }
  return 'ok';
})()
"""

CLEAR_JS = """\
(() => {
  const keep = %s;
  for (const s of imports.ui.main.messageTray.getSources()) if (s.title !== keep) s.destroy();
  return 'ok';
})()
"""

MOVE_JS = """\
(() => {
  const {Clutter, GLib} = imports.gi;
  if (!global._stretchPointer)
    global._stretchPointer = Clutter.get_default_backend().get_default_seat()
      .create_virtual_device(Clutter.InputDeviceType.POINTER_DEVICE);
  global._stretchPointer.notify_relative_motion(GLib.get_monotonic_time(), 5, 5);
  return 'ok';
})()
"""


def gnome_missing():
    """What this machine lacks to run the real shell (empty when nothing)."""
    return missing_tools("gnome-shell", "gjs", "dbus-daemon", "dbus", "dbusmock", "/usr/libexec/dconf-service")


class GnomeShell:
    """The shell, its buses and its mocks; start() once per test file."""

    def __init__(self, tmp):
        self.tmp = tmp
        self.home = os.path.join(tmp, "gnome-home")
        self.runtime = os.path.join(tmp, "gnome-run")
        self.servicedir = os.path.join(tmp, "gnome-services")
        self.system = Bus(tmp, "system-bus")
        self.session = Bus(tmp, "session-bus")
        self.logind = LogindMock(self.system, tmp)
        self.gdm = Process(tmp, "gdm-mock")
        self.shell = Process(tmp, "gnome-shell")
        self.session_path = None
        self.starts = 0

    # ---- start and stop ----

    def env(self, base=None):
        """A session's environment: both buses, the private HOME and runtime dir."""
        env = dict(base if base is not None else clean_env())
        env.update(DBUS_SESSION_BUS_ADDRESS=self.session.address, DBUS_SYSTEM_BUS_ADDRESS=self.system.address,
                   XDG_RUNTIME_DIR=self.runtime)
        return env

    def _prepare(self):
        for d in (self.home, self.runtime, self.servicedir):
            os.makedirs(d, mode=0o700, exist_ok=True)
            os.chmod(d, 0o700)
        for name in SERVICES:
            shutil.copy(os.path.join("/usr/share/dbus-1/services", name), self.servicedir)
        ext = os.path.join(self.home, ".local/share/gnome-shell/extensions", EXTENSION_UUID)
        os.makedirs(ext, exist_ok=True)
        with open(os.path.join(ext, "metadata.json"), "w") as f:
            json.dump(EXTENSION_METADATA, f)
        with open(os.path.join(ext, "extension.js"), "w") as f:
            f.write(EXTENSION_JS)

    def _shell_env(self):
        env = clean_env()
        for k in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
            env.pop(k, None)
        env.update(HOME=self.home, XDG_RUNTIME_DIR=self.runtime, XDG_SESSION_ID="c1", XDG_SESSION_TYPE="wayland",
                   XDG_CURRENT_DESKTOP="GNOME", LC_ALL="C.UTF-8")
        return env

    def start(self):
        self._prepare()
        # The session bus activates dconf and the helper with its own environment.
        self.session.start(config=SESSION_BUS_CONFIG.format(servicedir=self.servicedir), env=self._shell_env())
        self.system.start()
        self.logind.start()
        self.session_path = self.logind.add_session("c1", uid=os.getuid())
        env = {k: v for k, v in os.environ.items() if not k.startswith("DBUS_")}
        env["DBUS_SYSTEM_BUS_ADDRESS"] = self.system.address
        self.gdm.popen([SYSTEM_PYTHON, "-m", "dbusmock", "--system", GDM_NAME, GDM_PATH,
                        "org.gnome.DisplayManager.Manager"], env)
        self.system.wait_owner(GDM_NAME, self.gdm.pid, proc=self.gdm.proc)
        gdm = dbus.Interface(self.system.connection().get_object(GDM_NAME, GDM_PATH, introspect=False), MOCK_IFACE)
        gdm.AddProperty("org.gnome.DisplayManager.Manager", "Version", "43.0")
        gdm.AddMethod("org.gnome.DisplayManager.Manager", "RegisterSession", "a{sv}", "", "")
        r = subprocess.run(["gsettings", "set", "org.gnome.shell", "enabled-extensions", f"['{EXTENSION_UUID}']"],
                           env=self.env(self._shell_env()), capture_output=True, text=True, timeout=20)
        if r.returncode != 0:
            raise AssertionError(f"gsettings: {r.stdout}{r.stderr}")
        self.start_shell()
        return self

    def start_shell(self):
        """Starts gnome-shell (again): waits for Eval, retries once after a hang."""
        for attempt in range(1, START_TRIES + 1):
            self.starts += 1
            self.shell.popen(["gnome-shell", "--wayland", "--headless", "--no-x11", "--virtual-monitor", "1280x800"],
                             self.env(self._shell_env()), start_new_session=True)
            try:
                wait_for(self._ready, "GNOME Shell's Eval and notification server", START_TIMEOUT, self.shell.proc,
                         lambda: read_file(self.shell.log_path)[-4000:])
                return
            except AssertionError:
                if attempt == START_TRIES:
                    raise
                self._kill_hung()

    def _ready(self):
        if self.session.owner_pid(SHELL_NAME) != self.shell.pid:
            return False
        ok, _ = self._eval_raw("1")
        if not ok:
            return False
        try:
            self.session.connection().call_blocking(NOTIFY_NAME, "/org/freedesktop/Notifications", NOTIFY_NAME,
                                                    "GetCapabilities", "", (), timeout=2)
            return True
        except dbus.exceptions.DBusException:
            return False

    def replace_helper(self):
        """A new notification helper, as a new shell starts one: the test takes the old one's name
        (org.gnome.Shell.Notifications, on whose loss it quits), lets it go, and has the bus activate the
        helper again. Like every helper, it owns org.freedesktop.Notifications a moment before its object
        is there."""
        conn = dbus.bus.BusConnection(self.session.address)
        try:
            conn.request_name(HELPER_NAME, dbus.bus.NAME_FLAG_REPLACE_EXISTING)
            wait_for(lambda: self.session.owner_pid(NOTIFY_NAME) is None, "the old helper leaving")
            conn.release_name(HELPER_NAME)
        finally:
            conn.close()
        self.session.connection().call_blocking("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                                "StartServiceByName", "su", (HELPER_NAME, 0), timeout=20)
        wait_for(lambda: self.session.owner_pid(NOTIFY_NAME) is not None, "the new helper owning " + NOTIFY_NAME)

    def helper_pid(self):
        return self.session.owner_pid(HELPER_NAME) or self.session.owner_pid(NOTIFY_NAME)

    def _kill_hung(self):
        """The shell's process group (its forked child holds the shell's bus connection) and the helper."""
        helper = self.helper_pid()
        if helper:
            try:
                os.kill(helper, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self._kill_group()
        wait_for(lambda: self.session.owner_pid(SHELL_NAME) is None, "the hung shell leaving the bus")

    def _kill_group(self):
        # start_new_session: the group's id is the shell's PID, and only the shell and its children are in it.
        try:
            os.killpg(self.shell.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.shell.proc.wait()

    def stop_shell(self):
        """Stops gnome-shell (its notification helper quits when it sees the shell go)."""
        stop_process(self.shell.proc, timeout=10)
        self._kill_group()

    def restart_shell(self):
        self.stop_shell()
        wait_for(lambda: self.session.owner_pid(SHELL_NAME) is None, "the old shell leaving the bus")
        self.start_shell()

    def stop(self):
        helper = None
        try:
            helper = self.helper_pid() if self.session.alive() else None
        except Exception:
            pass
        self.stop_shell()
        if helper:
            try:
                os.kill(helper, signal.SIGTERM)
            except ProcessLookupError:
                pass
        for p in (self.gdm, self.logind, self.system, self.session):
            p.stop()

    def logs(self):
        return "\n".join(f"----- {p.log_path} -----\n{p.log()[-5000:]}"
                         for p in (self.shell, self.session, self.logind, self.gdm))

    # ---- driving ----

    def _eval_raw(self, code):
        try:
            ok, out = self.session.connection().call_blocking(SHELL_NAME, SHELL_PATH, SHELL_NAME, "Eval", "s", (code,),
                                                              timeout=10)
            return bool(ok), str(out)
        except dbus.exceptions.DBusException as e:
            return False, str(e)

    def eval(self, code):
        ok, out = self._eval_raw(code)
        if not ok:
            raise AssertionError(f"Eval failed: {out}\n{code}")
        return json.loads(out) if out else None

    def tray(self):
        """{"notifications": [{source, title, body, urgency, resident, actions, fresh}],
        "banner": {title, buttons, state, hide_timer} or None}. Urgency is GNOME's own scale: LOW 0, NORMAL 1,
        HIGH 2, CRITICAL 3; hide_timer: the tray will hide the banner when it runs out."""
        return self.eval(LIST_JS)

    def press(self, label=None):
        """Clicks the banner's button `label` (a real St.Button), or with None its body (the default action)."""
        result = self.eval(PRESS_JS % json.dumps(label))
        if result != "ok":
            raise AssertionError(f"pressing {label or 'the banner'}: {result}; tray: {self.tray()}")

    def mark(self):
        """From now on a notification is "fresh" in tray() when it is new or has been updated since."""
        self.eval(MARK_JS)

    def clear(self, keep=None):
        """Every notification gone but those of the source `keep`: a banner waits while another is up
        (the shell posts its own when it starts), and a normal one stays up while the user is idle."""
        self.eval(CLEAR_JS % json.dumps(keep))

    def notification_ids(self):
        """The ids the shell gave the notifications it keeps (as in Notify's answer)."""
        return sorted(int(k) for k in self.eval(
            "Object.keys(imports.ui.main.notificationDaemon._fdoNotificationDaemon._notifications)"))

    def forge_signal(self, member, signature, *args):
        """`member` of org.freedesktop.Notifications, sent by the test's own connection: not the server's."""
        msg = dbus.lowlevel.SignalMessage(NOTIFY_PATH, NOTIFY_NAME, member)
        msg.append(*args, signature=signature)
        self.session.connection().send_message(msg)
        self.session.connection().flush()

    def move_pointer(self):
        """A virtual pointer moves: Mutter's idle monitor sees a user."""
        self.eval(MOVE_JS)

    def lock(self):
        self.eval("imports.ui.main.screenShield.lock(true)")

    def unlock(self):
        self.eval("imports.ui.main.screenShield.deactivate(false)")

    def locked_hint(self):
        props = dbus.Interface(self.system.connection().get_object(LOGIND_NAME, self.session_path, introspect=False),
                               "org.freedesktop.DBus.Properties")
        return bool(props.Get("org.freedesktop.login1.Session", "LockedHint"))
