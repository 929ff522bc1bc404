"""Integration tests: calls seen by stretchd's call detectors, in `stretch
doctor` (`calls`) and the log.

PipeWire: a private PipeWire 0.3 + WirePlumber (servers.PipeWire: own
XDG_RUNTIME_DIR, HOME and XDG_CONFIG_HOME, a private session bus), started
once for the class; stretchd finds it through PIPEWIRE_RUNTIME_DIR.
`pw-record --target fake-mic` is a microphone in use; a recording of a sink
(stream.capture.sink) is not; tests/tools/pw_camera_client reading the fake
camera (videotestsrc, media.role = Camera) is a camera in use; PipeWire
killed mid-call ends the call and its return is seen.

Video devices: STRETCHD_VIDEO_DEVICE_DIR points stretchd's video-device
detector at a directory of the test's instead of /dev, where a plain file
"video0" stands in for a camera; a child that holds it open (named
"fake-call" with prctl before it opens it) is a camera in use.

Run: STRETCHD=... STRETCH=... STRETCH_BUILD_DIR=... /usr/bin/python3 tests/integration/test_calls.py -v
"""

import json
import os
import shutil
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import config, make_tempdir, rule  # noqa: E402
from servers import Bus, PipeWire, ServerTestCase, missing_tools, stop_process  # noqa: E402

BUILD_DIR = os.environ.get("STRETCH_BUILD_DIR") or os.path.join(os.path.dirname(__file__), "..", "..", "build")
CAMERA_CLIENT = os.path.join(BUILD_DIR, "tests", "tools", "pw_camera_client")

# Nothing falls due; activity is not tracked: only the calls matter here.
CALLS_CONFIG = config(tracking={"natural_break": "2m", "source": "none"},
                      breaks=[rule("micro", "1h", "30s", snooze="5m", max_snoozes=2, remind_every="5m")])


def capture(device, application, detector, counts=True):
    return {"device": device, "application": application, "detector": detector, "counts": counts}


class CallsTestCase(ServerTestCase):
    config_text = CALLS_CONFIG
    needs = ServerTestCase.needs
    pipewire = None

    def setUp(self):
        super().setUp()
        self.devices = os.path.join(self.tmp, "dev")
        os.makedirs(self.devices)
        self.env["STRETCHD_VIDEO_DEVICE_DIR"] = self.devices
        self.env["PIPEWIRE_RUNTIME_DIR"] = self.pipewire.runtime if self.pipewire else os.path.join(self.tmp, "no-pw")

    def calls(self):
        return json.loads(self.cli_ok("--json", "doctor").stdout)["calls"]

    def detector(self, name):
        for d in self.calls()["detectors"]:
            if d["detector"] == name:
                return d
        self.fail(f"no {name} detector in doctor: {self.calls()}")

    def wait_captures(self, expected, what):
        last = None

        def matches():
            nonlocal last
            last = self.calls()["captures"]
            return last == expected
        try:
            self.wait_until(matches, what=what)
        except AssertionError:
            self.fail(f"{what}: the captures are {last}, not {expected}")

    def log_lines(self, words):
        return [line for line in self.daemon.log().splitlines() if words in line]


class PipeWireCase(CallsTestCase):
    """A real PipeWire and WirePlumber, started once per class; a daemon per test."""

    needs = ServerTestCase.needs + ("pipewire", "wireplumber", "pw-record", "pw-dump", "pw-cli")

    @classmethod
    def setUpClass(cls):
        missing = missing_tools(*cls.needs)
        if missing:
            raise unittest.SkipTest(f"needs {', '.join(missing)} (scripts/deps.sh --test installs them)")
        cls.class_tmp = make_tempdir("stretch-pw-")
        cls.bus = Bus(cls.class_tmp).start()
        try:
            cls.pipewire = PipeWire(cls.bus, cls.class_tmp).start()
        except BaseException:
            cls.bus.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.pipewire.stop()
        cls.bus.stop()
        shutil.rmtree(cls.class_tmp, ignore_errors=True)

    def setUp(self):
        super().setUp()
        if not self.pipewire.alive():  # a test before this one failed half-way through a restart
            self.pipewire.start()
        self.daemon = self.new_daemon().start()
        self.wait_until(lambda: self.detector("pipewire")["working"], what="the PipeWire detector working")
        self.clients = []
        self.addCleanup(lambda: [c.stop() for c in self.clients])

    def record(self, name, *args):
        p = self.pipewire.spawn(name, "pw-record", *args, os.path.join(self.tmp, name + ".wav"))
        self.clients.append(p)
        return p


class PipeWireCallsTest(PipeWireCase):
    """The PipeWire detector against a real PipeWire and WirePlumber."""

    def test_a_recording_is_a_microphone_in_use_until_it_stops(self):
        self.assertEqual(self.calls()["captures"], [])
        rec = self.record("pw-record", "--target", "fake-mic")
        self.wait_captures([capture("microphone", "pw-record", "pipewire")], "the recording seen")
        self.assertEqual(len(self.log_lines("call: microphone in use by pw-record (pipewire)")), 1,
                         self.daemon.log())
        text = self.cli_ok("doctor").stdout
        self.assertIn("Calls: microphone in use by pw-record (pipewire)", text)
        # libpipewire runs on stretchd's loop: no thread of its own.
        self.assertEqual(os.listdir(f"/proc/{self.daemon.proc.pid}/task"), [str(self.daemon.proc.pid)])

        rec.stop()
        self.wait_captures([], "the recording's end seen")
        self.wait_until(lambda: self.log_lines("call: ended"), what="the end logged")

    def test_a_recording_of_desktop_audio_is_not_a_call(self):
        self.record("desktop-audio", "-P", "{ stream.capture.sink = true application.name = desktop-audio }",
                    "--target", "fake-speaker")
        self.wait_until(lambda: self.pipewire.node_states().get("desktop-audio") == "running",
                        what="the sink recording running in PipeWire")
        # A recording started after it: once stretchd sees this one, it has
        # seen the first one's state too (PipeWire tells a client in order).
        self.record("pw-record", "--target", "fake-mic")
        self.wait_captures([capture("microphone", "pw-record", "pipewire")], "only the microphone recording")

    def test_a_camera_read_through_pipewire_is_a_camera_in_use(self):
        if not os.access(CAMERA_CLIENT, os.X_OK):
            self.skipTest(f"{CAMERA_CLIENT} is not built")
        cam = self.pipewire.spawn("camera-client", CAMERA_CLIENT, "call-client", "fake-cam")
        self.clients.append(cam)
        self.wait_captures([capture("camera", "call-client", "pipewire")], "the camera reader seen")
        self.assertTrue(self.log_lines("call: camera in use by call-client (pipewire)"), self.daemon.log())
        cam.stop()
        self.wait_captures([], "the camera given back")

    def test_pipewire_killed_mid_call_ends_the_call_and_its_return_is_seen(self):
        self.record("pw-record", "--target", "fake-mic")
        self.wait_captures([capture("microphone", "pw-record", "pipewire")], "the recording seen")

        self.pipewire.kill()
        self.wait_until(lambda: not self.detector("pipewire")["working"], what="PipeWire lost")
        self.assertEqual(self.calls()["captures"], [])
        self.assertIn("lost PipeWire at", self.detector("pipewire")["detail"])
        self.wait_until(lambda: self.log_lines("call: ended"), what="the call ended in the log")
        self.assertEqual(len(self.log_lines("lost PipeWire")), 1, self.daemon.log())

        self.pipewire.start()
        self.wait_until(lambda: self.detector("pipewire")["working"], what="PipeWire back")
        self.record("pw-record-again", "--target", "fake-mic")
        self.wait_captures([capture("microphone", "pw-record", "pipewire")], "a recording on the new PipeWire")


# "micro" is due 2 s into sitting; a call settles 1 s after the devices are free.
HOLD_CONFIG = config(tracking={"natural_break": "2m", "source": "none"},
                     breaks=[rule("micro", "2s", "1s", snooze="5m", max_snoozes=2, remind_every="5m")],
                     extra='[meeting]\nsettle = "1s"\n')


def report(what, seconds):
    sys.stderr.write(f"\n  [{what}: {seconds * 1000:.0f} ms] ")


class PipeWireCallHoldTest(PipeWireCase):
    """A due reminder held through a real recording on the real PipeWire,
    and shown once the call has ended and settled. The break falls due while
    a pause keeps it from being shown, so the call is on before it matters."""

    config_text = HOLD_CONFIG

    def call_detected(self):
        st = self.ok("status")
        return st["call"] is not None and st["call"]["detected"] and st

    def held_for_the_call(self):
        st = self.ok("status")
        return st["state"] == "due" and st["held"] == "call" and st

    def test_a_recording_holds_the_due_reminder_and_its_end_shows_it(self):
        self.ok("pause")
        sub = self.subscriber()
        started = time.monotonic()
        rec = self.record("pw-record", "--target", "fake-mic")
        self.wait_until(self.call_detected, what="the call seen by the engine")
        report("a call on the microphone seen", time.monotonic() - started)
        self.ok("resume")
        st = self.wait_until(self.held_for_the_call, what="the due reminder held for the call")
        self.assertEqual(st["call"]["devices"], [{"device": "microphone", "application": "pw-record"}], st)
        self.assertIn("In a call for", self.cli_ok("status").stdout)
        self.assertEqual(self.cli_ok("next").stdout.splitlines()[0],
                         "The micro break is due; its reminder waits until your call is over.")

        rec.stop()
        stopped = time.monotonic()
        ev = sub.wait_for("reminder")
        report("the reminder after the recording stopped (settle 1 s)", time.monotonic() - stopped)
        self.assertEqual(ev["break"], "micro", ev)
        self.assertIsInstance(ev["after_call_s"], int, ev)
        self.assertIsNone(self.ok("status")["call"])
        kinds = [e["kind"] for e in self.ok("history")["events"]]
        self.assertIn("call_started", kinds)
        self.assertIn("call", kinds)

    def test_an_ignored_application_is_no_call(self):
        self.ok("pause")
        self.record("pw-record", "--target", "fake-mic")
        self.wait_until(self.call_detected, what="the call seen by the engine")
        # The user says pw-record is no call (the case does not matter); a reload applies it.
        self.write_config(HOLD_CONFIG + 'ignore = ["PW-Record"]\n')
        self.cli_ok("reload")
        self.wait_until(lambda: self.ok("status")["call"] is None, what="the call over once the recording is ignored")
        self.assertEqual(self.calls()["captures"], [capture("microphone", "pw-record", "pipewire", counts=False)])
        sub = self.subscriber()
        self.ok("resume")
        ev = sub.wait_for("reminder")
        self.assertIsNone(ev["after_call_s"], ev)


class VideoDeviceCallsTest(CallsTestCase):
    """The video-device detector on a plain file standing in for /dev/video0."""

    needs = ()

    def setUp(self):
        super().setUp()
        self.device = os.path.join(self.devices, "video0")
        open(self.device, "w").close()
        self.daemon = self.new_daemon().start()
        self.wait_until(lambda: "video0" in self.detector("video-device")["detail"], what="video0 watched")

    def hold(self, comm):
        """A child named `comm` (prctl, before it opens anything) holding the device open until it is stopped."""
        code = ("import ctypes, sys, time; ctypes.CDLL(None).prctl(15, sys.argv[1].encode(), 0, 0, 0); "
                "f = open(sys.argv[2]); time.sleep(1000)")
        p = subprocess.Popen([sys.executable, "-c", code, comm, self.device], stdin=subprocess.DEVNULL)
        self.children.append(p)
        return p

    def test_a_child_holding_the_device_is_a_camera_in_use_until_it_exits(self):
        self.assertEqual(self.calls()["captures"], [])
        child = self.hold("fake-call")
        self.wait_captures([capture("camera", "fake-call", "video-device")], "the child seen")
        self.assertTrue(self.log_lines("call: camera in use by fake-call (video-device)"), self.daemon.log())
        stop_process(child)
        self.wait_captures([], "the device closed")
        self.wait_until(lambda: self.log_lines("call: ended"), what="the end logged")

    def test_without_pipewire_doctor_says_so(self):
        d = self.detector("pipewire")
        self.assertFalse(d["working"])
        self.assertIn("no PipeWire at", d["detail"])
        self.assertIn("Calls: no camera or microphone in use now", self.cli_ok("doctor").stdout)


if __name__ == "__main__":
    unittest.main()
