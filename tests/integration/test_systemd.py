"""stretchd under systemd: sd_notify (READY, STATUS, RELOADING, WATCHDOG),
socket activation, and log lines the journal understands. systemd itself
is not needed: each test plays its part (a notify socket, a passed fd,
JOURNAL_STREAM) the way the service manager does."""

import os
import signal
import socket
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import SLOW_CONFIG, STRETCHD, StretchTestCase, request  # noqa: E402


class SystemdTest(StretchTestCase):
    config_text = SLOW_CONFIG
    start_daemon = False

    def notify_socket(self):
        path = os.path.join(self.tmp, "notify.sock")
        s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        s.bind(path)
        self.addCleanup(s.close)
        self.env["NOTIFY_SOCKET"] = path
        return s

    def wait_message(self, s, wanted, timeout=10.0):
        """Reads notify datagrams until one has a line starting with `wanted`; returns all lines seen."""
        seen = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            s.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                lines = s.recv(4096).decode().splitlines()
            except socket.timeout:
                break
            seen += lines
            if any(line.startswith(wanted) for line in lines):
                return seen
        self.fail(f"no {wanted!r} from stretchd within {timeout} s; got {seen}")

    def test_ready_and_status(self):
        s = self.notify_socket()
        self.new_daemon().start()
        seen = self.wait_message(s, "READY=1")
        if not any(line.startswith("STATUS=") for line in seen):
            seen += self.wait_message(s, "STATUS=")
        status = [line for line in seen if line.startswith("STATUS=")][0]
        self.assertIn("next: micro in", status)

    def test_reload_is_announced(self):
        s = self.notify_socket()
        d = self.new_daemon().start()
        self.wait_message(s, "READY=1")
        d.signal(signal.SIGHUP)
        seen = self.wait_message(s, "RELOADING=1")
        self.assertTrue(any(line.startswith("MONOTONIC_USEC=") for line in seen), seen)
        self.wait_message(s, "READY=1")

    def test_watchdog_keepalives(self):
        s = self.notify_socket()
        self.env["WATCHDOG_USEC"] = "400000"
        self.new_daemon().start()
        self.wait_message(s, "WATCHDOG=1")
        self.wait_message(s, "WATCHDOG=1")

    def test_socket_activation(self):
        path = os.path.join(self.tmp, "run", "activated.sock")
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(path)
        listener.listen(16)
        self.addCleanup(listener.close)
        fd = listener.fileno()
        log = open(os.path.join(self.tmp, "activated.log"), "wb")
        self.addCleanup(log.close)

        def as_systemd_passes_it():
            os.dup2(fd, 3)
            os.set_inheritable(3, True)

        # LISTEN_PID must be the daemon's own pid: set it in the shell that execs it.
        proc = subprocess.Popen(
            ["/bin/sh", "-c", 'LISTEN_PID=$$ LISTEN_FDS=1 exec "$0" "$@"', STRETCHD, "--config", self.config_path,
             "--socket", os.path.join(self.tmp, "unused.sock")],
            env=self.env, stdin=subprocess.DEVNULL, stdout=log, stderr=log, preexec_fn=as_systemd_passes_it,
            pass_fds=(fd, 3))  # 3 kept too: preexec_fn runs before the other fds are closed
        self.addCleanup(lambda: proc.poll() is None and (proc.kill(), proc.wait()))
        listener.close()  # the daemon holds its own copy now
        # The socket listens before the daemon runs, as systemd's does: the
        # first request waits in the backlog until stretchd is up.
        reply = request(path, {"v": 1, "cmd": "version"}, timeout=10.0)
        self.assertTrue(reply["ok"], reply)
        # It did not bind a socket of its own.
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "unused.sock")))
        proc.send_signal(signal.SIGTERM)
        self.assertEqual(proc.wait(10), 0)
        # systemd owns an activated socket: stretchd leaves it in place.
        self.assertTrue(os.path.exists(path))
        with open(os.path.join(self.tmp, "activated.log")) as f:
            self.assertIn("(socket activation)", f.read())

    def test_journal_level_prefixes(self):
        d = self.new_daemon()
        # systemd names the stream it connected stderr to; the daemon must
        # recognise it as its own stderr.
        with open(d.log_path, "ab") as f:
            st = os.fstat(f.fileno())
        self.env["JOURNAL_STREAM"] = f"{st.st_dev}:{st.st_ino}"
        d.start()
        d.stop()
        lines = [line for line in d.log().splitlines() if line]
        self.assertTrue(lines)
        for line in lines:
            self.assertRegex(line, r"^<[0-7]>", line)
        self.assertTrue(any(line.startswith("<6>listening on") for line in lines), lines)

    def test_plain_log_without_the_journal(self):
        d = self.new_daemon().start()
        d.stop()
        self.assertRegex(d.log().splitlines()[0], r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} \w+: ")


if __name__ == "__main__":
    unittest.main()
