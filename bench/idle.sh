#!/usr/bin/env bash
# What stretchd costs while nothing is due: started with the built-in config
# (the first break 30 minutes away), left alone from READY=1 for
# $BENCH_IDLE_SECONDS (default 120), its /proc/PID/status read once a second
# from outside (which does not wake it). A wake-up is a voluntary context
# switch: the loop returning from epoll_wait to do something. Targets:
# RssAnon under 1.5 MiB, VmRSS under 8 MiB, at most one wake-up a minute
# over the whole run, and none at all after the first minute (the start-up's
# own work is done by then; after it the loop sleeps until the next deadline,
# 30 minutes away, whether the buses are there or not). A run of 60 s or less
# measures no minute after the first.
#
# Four daemons side by side: one headless (no session or system bus at
# all, no PipeWire); one given a private, empty session bus and system bus
# (dbus-daemon, no services on them), as on a desktop where none of its
# activity sources or a notification server is found; one whose session bus
# sees a client come and go every second, as a desktop's does; and one
# beside a private PipeWire with WirePlumber and a microphone nobody records
# from (its call detector connected, following the registry), whose RssAnon
# against the headless one's is what following PipeWire costs.
#
#   bench/idle.sh [SECONDS]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
seconds=${1:-${BENCH_IDLE_SECONDS:-120}}

build_release
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
private_env "$tmp"
load=$(load_average)

# stretchd watches /tmp/.X11-unix for a display to appear: on a machine
# where other X servers come and go (another session, tests running beside),
# each socket made there wakes it, a wake-up that is not idleness. Where a
# mount namespace can be had, the daemons get a private, empty one.
isolate=()
x11_dir="shared with the machine"
mount_private='mount -t tmpfs -o mode=1777 tmpfs /tmp/.X11-unix'
if [[ -d /tmp/.X11-unix ]] && unshare --mount --propagation private sh -c "$mount_private" 2>/dev/null; then
  isolate=(unshare --mount --propagation private sh -c "$mount_private && exec \"\$@\"" sh)
  x11_dir="private and empty (a mount namespace)"
fi

"${isolate[@]}" "$python" - "$stretchd" "$stretch" "$tmp" "$seconds" "$x11_dir" <<'PY' | write_results idle "$load"
import json, os, select, shutil, signal, socket, subprocess, sys, time
stretchd, stretch, tmp, seconds, x11_dir = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]), sys.argv[5]

# As the integration tests' private buses: anyone may send and own names.
BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
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
children = []

def start_bus(name):
    """A dbus-daemon on a socket in tmp; returns its address once it listens."""
    conf = os.path.join(tmp, name + ".conf")
    with open(conf, "w") as f:
        f.write(BUS_CONFIG)
    address = "unix:path=" + os.path.join(tmp, name)
    bus = subprocess.Popen(["dbus-daemon", "--config-file=" + conf, "--nofork", "--address=" + address,
                            "--print-address=1"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                           stdin=subprocess.DEVNULL)
    children.append(bus)
    if not select.select([bus.stdout], [], [], 10)[0] or not bus.stdout.readline():
        sys.exit(f"bench: dbus-daemon for the {name} did not start")
    return address

class Watched:
    """One stretchd in a directory of its own, started and waited for until READY=1."""

    def __init__(self, name, env):
        self.name = name
        home = os.path.join(tmp, name)
        for sub in ("run", "config", "state"):
            os.makedirs(os.path.join(home, sub), mode=0o700)
        notify_path = os.path.join(home, "notify.sock")
        self.notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.notify.bind(notify_path)
        self.env = dict(env, NOTIFY_SOCKET=notify_path, XDG_RUNTIME_DIR=os.path.join(home, "run"),
                        XDG_CONFIG_HOME=os.path.join(home, "config"), XDG_STATE_HOME=os.path.join(home, "state"),
                        STRETCH_SOCKET=os.path.join(home, "run", "stretchd.sock"))
        self.log = open(os.path.join(home, "stretchd.log"), "wb")
        self.proc = subprocess.Popen([stretchd, "--default-config", "--seed", "1"], env=self.env,
                                     stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log)
        children.append(self.proc)
        self.notify.settimeout(10)
        while b"READY=1" not in self.notify.recv(4096).split(b"\n"):
            pass
        self.notify.setblocking(False)
        self.first = self.last = self.status()
        self.wakeups = []  # (seconds since READY=1, how many)

    def status(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            fields = dict(line.split(":", 1) for line in f)
        return {k: int(v.split()[0]) for k, v in fields.items()
                if k in ("VmRSS", "RssAnon", "RssFile", "VmHWM", "voluntary_ctxt_switches",
                         "nonvoluntary_ctxt_switches")}

    def sample(self, at):
        now = self.status()
        woke = now["voluntary_ctxt_switches"] - self.last["voluntary_ctxt_switches"]
        if woke:
            self.wakeups.append((at, woke))
        self.last = now
        # Its STATUS= lines, read so that they never fill the socket's queue.
        try:
            while self.notify.recv(4096):
                pass
        except BlockingIOError:
            pass

    def finish(self):
        if self.proc.poll() is not None:
            sys.exit(f"bench: stretchd ({self.name}) exited during the idle run, code {self.proc.returncode}")
        reply = subprocess.run([stretch, "status", "--json"], env=self.env, capture_output=True, text=True)
        try:
            due = json.loads(reply.stdout)["next"]
            self.due = f"{due['due_in_s']} s ({due['break']})"
        except (ValueError, KeyError, TypeError):
            self.due = "unknown: " + (reply.stdout.strip() or reply.stderr.strip())
        doctor = subprocess.run([stretch, "doctor", "--json"], env=self.env, capture_output=True, text=True)
        try:
            pw = [d for d in json.loads(doctor.stdout)["calls"]["detectors"] if d["detector"] == "pipewire"][0]
            self.pipewire = ("working: " if pw["working"] else "not working: ") + pw["detail"]
        except (ValueError, KeyError, TypeError, IndexError):
            self.pipewire = "unknown: " + (doctor.stdout.strip() or doctor.stderr.strip())

try:
    daemons = [Watched("headless", dict(os.environ))]
    if shutil.which("dbus-daemon"):
        bus_env = dict(os.environ, DBUS_SESSION_BUS_ADDRESS=start_bus("session-bus"),
                       DBUS_SYSTEM_BUS_ADDRESS=start_bus("system-bus"))
        daemons.append(Watched("empty buses", bus_env))
        # A desktop's session bus is not empty: programs connect and leave
        # all the time, and the bus announces each with NameOwnerChanged.
        # Here a client connects and leaves once a second.
        busy_session = start_bus("busy-session-bus")
        busy_env = dict(os.environ, DBUS_SESSION_BUS_ADDRESS=busy_session,
                        DBUS_SYSTEM_BUS_ADDRESS=start_bus("busy-system-bus"))
        daemons.append(Watched("busy bus", busy_env))
    else:
        busy_session = None
        print("empty buses: not run\tno dbus-daemon (scripts/deps.sh --test installs it)\t\t")
    if shutil.which("dbus-daemon") and shutil.which("pipewire") and shutil.which("wireplumber"):
        pw_dir = os.path.join(tmp, "pipewire-server")
        conf_d = os.path.join(pw_dir, "config", "pipewire", "pipewire.conf.d")
        for d in ("run", "home"):
            os.makedirs(os.path.join(pw_dir, d), mode=0o700)
        os.makedirs(conf_d)
        with open(os.path.join(conf_d, "10-bench.conf"), "w") as f:
            f.write("context.objects = [ { factory = adapter args = { factory.name = support.null-audio-sink "
                    "node.name = fake-mic media.class = Audio/Source/Virtual audio.position = FL,FR } } ]\n")
        pw_env = dict(os.environ, DBUS_SESSION_BUS_ADDRESS=start_bus("pipewire-bus"),
                      XDG_RUNTIME_DIR=os.path.join(pw_dir, "run"), HOME=os.path.join(pw_dir, "home"),
                      XDG_CONFIG_HOME=os.path.join(pw_dir, "config"))
        for server in ("pipewire", "wireplumber"):
            children.append(subprocess.Popen([server], env=pw_env, stdin=subprocess.DEVNULL,
                                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            deadline = time.monotonic() + 10
            while True:  # pipewire answers, then wireplumber has made its default-nodes metadata
                dump = subprocess.run(["pw-dump"], env=pw_env, capture_output=True, text=True).stdout
                if (server == "pipewire" and "fake-mic" in dump) or '"metadata.name": "default"' in dump:
                    break
                if time.monotonic() > deadline:
                    sys.exit(f"bench: {server} did not start")
                time.sleep(0.05)
        daemons.append(Watched("pipewire", dict(os.environ, PIPEWIRE_RUNTIME_DIR=os.path.join(pw_dir, "run"))))
    else:
        print("pipewire: not run\tno pipewire or wireplumber (scripts/deps.sh --test installs them)\t\t")
    start = time.monotonic()
    while (elapsed := time.monotonic() - start) < seconds:
        time.sleep(min(1.0, seconds - elapsed))
        if busy_session:
            subprocess.run(["dbus-send", "--bus=" + busy_session, "--print-reply", "--dest=org.freedesktop.DBus",
                            "/org/freedesktop/DBus", "org.freedesktop.DBus.GetId"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for d in daemons:
            d.sample(time.monotonic() - start)
    for d in daemons:
        d.finish()
finally:
    for child in reversed(children):
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
            child.wait(10)

mib = lambda kib: f"{kib / 1024:.2f} MiB"
print(f"/tmp/.X11-unix\t{x11_dir}\t\t")
verdict = lambda ok: "PASS" if ok else "MISS"
for d in daemons:
    last, name = d.last, d.name
    total = sum(n for _, n in d.wakeups)
    per_minute = total / (seconds / 60)
    print(f"{name}: RssAnon after {seconds:.0f} s\t{mib(last['RssAnon'])}\t< 1.5 MiB\t"
          f"{verdict(last['RssAnon'] < 1.5 * 1024)}")
    print(f"{name}: VmRSS after {seconds:.0f} s\t{mib(last['VmRSS'])}\t< 8 MiB\t{verdict(last['VmRSS'] < 8 * 1024)}")
    print(f"{name}: RssFile / VmHWM\t{mib(last['RssFile'])} / {mib(last['VmHWM'])}\t\t")
    print(f"{name}: wake-ups in {seconds:.0f} s\t{total}\t\t")
    print(f"{name}: wake-ups per minute\t{per_minute:.1f}\t<= 1\t{verdict(per_minute <= 1)}")
    if seconds > 60:
        later = sum(n for t, n in d.wakeups if t > 60)
        rate = later / ((seconds - 60) / 60)
        print(f"{name}: wake-ups per minute after the first\t{rate:.1f}\t0\t{verdict(later == 0)}")
    else:
        print(f"{name}: wake-ups per minute after the first\tnot measured: run for more than 60 s\t0\t")
    shown = [f"{t:.0f}" + (f" (x{n})" if n > 1 else "") for t, n in d.wakeups]
    if len(shown) > 12:
        shown = shown[:12] + [f"... {len(shown) - 12} more seconds"]
    print(f"{name}: seconds with wake-ups\t{', '.join(shown) or 'none'}\t\t")
    print(f"{name}: involuntary switches\t"
          f"{last['nonvoluntary_ctxt_switches'] - d.first['nonvoluntary_ctxt_switches']}\t\t")
    print(f"{name}: afterwards, next break due in\t{d.due}\t\t")
    print(f"{name}: PipeWire call detector\t{d.pipewire}\t\t")
PY
