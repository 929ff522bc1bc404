"""Integration tests: reminders as desktop notifications.

The real stretchd and stretch against real D-Bus servers that each test
starts for itself: a private dbus-daemon (no service activation), the
notification_daemon template of python3-dbusmock, dunst under Xvfb, and no
bus at all. Breaks fall due in seconds; the tests wait *up to* generous
bounds and never assert on durations. Run:
STRETCHD=... STRETCH=... /usr/bin/python3 tests/integration/test_notify.py -v
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import json  # noqa: E402
import unittest  # noqa: E402

from harness import EVENT_TIMEOUT, Raw, config, rule  # noqa: E402
from servers import Bus, Dunst, NotifyMock, ServerTestCase, Xvfb, dbus  # noqa: E402

FULL_CAPS = "body body-markup actions persistence"
# How long the daemon may take to find a bus that appears late: its back-off
# starts at 1 s and doubles.
BUS_RETRY_TIMEOUT = 20.0

ACTIONS_WITH_SNOOZE_5M = ["done", "Done", "snooze", "Snooze 5m", "skip", "Skip", "default", "Show all steps"]


def notify_config(methods=("desktop",), remind_every="1m", snooze="5m", notify_extra="", stretches="",
                  tags='["micro"]'):
    """One "micro" break, due 2 s after the start. `remind_every` decides
    whether re-reminders come during a test; a long snooze keeps a snoozed
    break snoozed for the rest of it."""
    # notify_extra is [notify] lines: it follows the table, as the stretches follow it.
    return config(tracking={"natural_break": "30s"}, breaks=[
        rule("micro", "2s", "1s", tags=Raw(tags), snooze=snooze, max_snoozes=2, remind_every=remind_every),
    ], notify={"methods": list(methods)}, extra=f"{notify_extra}\n{stretches}")


# A stretch whose name and steps would break markup if they were not escaped.
ODD_STRETCH = """\
[[stretch]]
id = "odd-one"
name = "Shoulders & <neck>"
steps = ["Roll the shoulders & breathe", "Tilt the head <gently>", "Look left > right", "Relax"]
hold = "10s"
targets = ["neck", "shoulders"]
position = "seated"
tags = ["odd"]
"""
ODD_NAME = "Shoulders & <neck>"


def escape(text):
    """What body-markup escaping should make of `text` (&, < and >)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def toml_string(s):
    return json.dumps(s)  # a JSON string is a valid TOML basic string for these paths


class NotifyTestCase(ServerTestCase):
    """A test that starts its own servers, then stretchd pointed at them."""

    config_text = notify_config()

    # ---- servers ----

    def bus(self, start=True, name="bus"):
        b = Bus(self.tmp, name)
        self.servers.append(b)
        return b.start() if start else b

    def mock(self, bus, capabilities=FULL_CAPS, name="notify-mock"):
        m = NotifyMock(bus, self.tmp, capabilities, name)
        self.servers.append(m)
        return m.start()

    def xvfb(self):
        x = Xvfb(self.tmp)
        self.servers.append(x)
        return x.start()

    def dunst(self, bus, xvfb, name="dunst"):
        d = Dunst(bus, xvfb, self.tmp, name)
        self.servers.append(d)
        return d.start()

    def start_stretchd(self, bus=None, xvfb=None, env=None):
        env = dict(env or self.env)
        if bus is not None:
            env = bus.env(env)
        if xvfb is not None:
            env = xvfb.env(env)
        self.env = env  # the CLI gets the same environment
        self.daemon = self.new_daemon(env=env).start()
        return self.daemon

    # ---- waiting ----

    def wait_notifies(self, mock, count=1, pred=None, timeout=EVENT_TIMEOUT):
        """The Notify calls the mock received (those matching `pred`), once there are `count` of them."""
        def got():
            calls = [c for c in mock.notify_calls() if pred is None or pred(c)]
            return calls if len(calls) >= count else None
        return self.wait_until(got, timeout, what=f"{count} Notify call(s) on {mock.name}")

    def wait_reminder(self, sub, count=None):
        """The `reminder` event (the `count`th). A reminder already up when
        `sub` subscribed counts as its event: a daemon slower to start (under
        valgrind, on a loaded machine) than the break is to fall due has sent
        it before anyone listened."""
        up = sub.initial.get("reminder")
        if up and not getattr(sub, "initial_reminder_taken", False) and count in (None, up["count"]):
            sub.initial_reminder_taken = True
            stretch = json.loads(self.cli_ok("--json", "show", up["stretch"]).stdout)["stretch"]
            ev = {"event": "reminder", "break": up["break"], "count": up["count"], "stretch": stretch}
        else:
            ev = sub.wait_for("reminder", pred=(lambda e: e.get("count") == count) if count else None)
        self.assertEqual(ev["break"], "micro", ev)
        return ev

    def status_json(self):
        r = self.cli_ok("--json", "status")
        st = json.loads(r.stdout)
        self.assertTrue(st["ok"], st)
        return st

    def method(self, status, name):
        for m in status["notify"]["methods"]:
            if m["method"] == name:
                return m
        self.fail(f"no method {name!r} in {status['notify']!r}")

    def log_count(self, text):
        return self.daemon.log().count(text)


# ---------------------------------------------------------------------------
# Against python3-dbusmock's notification_daemon.
# ---------------------------------------------------------------------------

class MockServerTest(NotifyTestCase):
    config_text = notify_config()
    capabilities = FULL_CAPS

    def setUp(self):
        super().setUp()
        self.b = self.bus()
        self.m = self.mock(self.b, self.capabilities)
        self.start_stretchd(self.b)
        self.sub = self.subscriber()

    def first_notify(self):
        ev = self.wait_reminder(self.sub)
        call = self.wait_notifies(self.m)[0]
        return ev, call


class NotifyContentTest(MockServerTest):

    def test_reminder_sends_notify(self):
        ev, c = self.first_notify()
        st = self.status_json()
        name = ev["stretch"]["name"]
        self.assertEqual(st["next"]["stretch"]["name"], name, st)
        self.assertEqual(st["reminder"]["stretch"], ev["stretch"]["id"], st)

        self.assertEqual(c.app_name, "stretch", c)
        self.assertEqual(c.replaces_id, 0, c)
        self.assertEqual(c.app_icon, "stretch", c)  # data/stretch.svg, installed
        # The title names the break and its length (duration = "1s"), not the same words for every break.
        self.assertEqual(c.summary, "Micro break — 1s", c)
        # The body names the suggested stretch, in bold (the server has body-markup).
        self.assertIn(f"<b>{escape(name)}</b>", c.body, c)
        self.assertIn(escape(ev["stretch"]["steps"][0]), c.body, c)
        self.assertEqual(c.actions, ACTIONS_WITH_SNOOZE_5M, c)
        self.assertEqual(c.expire_timeout, 0, c)
        self.assertEqual(set(c.hints), {"urgency", "category", "desktop-entry", "transient"}, c)
        self.assertIsInstance(c.raw_hints["urgency"], dbus.Byte, "urgency must be a byte (y)")
        self.assertEqual(c.hints["urgency"], 1, c)
        self.assertEqual(c.hints["category"], "x-stretch.break", c)
        self.assertEqual(c.hints["desktop-entry"], "stretch", c)
        self.assertIsInstance(c.raw_hints["transient"], dbus.Boolean, c)
        self.assertIs(c.hints["transient"], False, c)

        st = self.status_json()
        desktop = self.method(st, "desktop")
        self.assertTrue(desktop["available"], st)
        self.assertIn("mock-notify", desktop["detail"], st)
        self.assertIn("mock-notify", st["notify"]["shown_by"], st)
        self.assertEqual(self.m.close_calls(), [])


class ReRemindTest(MockServerTest):
    config_text = notify_config(remind_every="3s")

    def test_re_reminder_replaces_the_bubble(self):
        ev, first = self.first_notify()
        self.assertEqual(ev["count"], 1)
        self.wait_reminder(self.sub, count=2)
        calls = self.wait_notifies(self.m, 2)
        second = calls[1]
        self.assertEqual(first.replaces_id, 0)
        self.assertEqual(second.replaces_id, first.returned_id, calls)
        self.assertEqual(second.body, first.body, calls)
        # critical_after defaults to 3: still normal.
        self.assertEqual(second.hints["urgency"], 1, calls)


class SlowServerTest(NotifyTestCase):
    config_text = notify_config(remind_every="3s")

    # Once a bug (issue 13): a re-reminder before the server had answered the
    # first Notify went out with no id to replace, and opened a second bubble
    # beside the first, which nothing closed.
    def test_a_reminder_shown_again_before_the_server_answered_replaces_the_bubble(self):
        b = self.bus()
        m = self.mock(b)
        release = os.path.join(self.tmp, "release-notify")
        self.addCleanup(lambda: open(release, "w").close())
        m.hold_notify_replies(release)
        self.start_stretchd(b)
        sub = self.subscriber()
        self.wait_reminder(sub, count=1)
        self.wait_reminder(sub, count=2)
        open(release, "w").close()
        calls = self.wait_notifies(m, 2)
        self.assertEqual(calls[0].replaces_id, 0, calls)
        self.assertEqual({c.returned_id for c in calls}, {calls[0].returned_id}, calls)
        self.assertEqual(calls[-1].replaces_id, calls[0].returned_id, calls)
        self.cli_ok("done")
        self.wait_until(lambda: m.close_calls(), what="the bubble closed by done")
        self.assertEqual(m.close_calls(), [calls[0].returned_id])


class RestartWithReminderUpTest(MockServerTest):
    config_text = notify_config(remind_every="1h")

    # Once a bug (issue 12): the bubble (timeout 0) outlived a restart with dead buttons, and `stretch done`
    # afterwards said "Well done" while it stayed up.
    def test_a_restart_closes_the_bubble_and_the_new_daemon_shows_it_again_once(self):
        _, first = self.first_notify()
        self.assertEqual(self.daemon.stop(), 0, self.daemon.log())
        self.assertEqual(self.m.close_calls(), [first.returned_id], "the bubble outlived stretchd")

        self.start_stretchd(self.b)
        calls = self.wait_notifies(self.m, 2)
        self.assertEqual(calls[1].replaces_id, 0, "the closed bubble cannot be replaced: a new one is sent")
        self.cli_ok("done")
        self.wait_until(lambda: len(self.m.close_calls()) == 2, what="the new bubble closed by done")
        self.assertEqual(self.m.close_calls()[1], calls[1].returned_id)
        self.assertEqual(len(self.m.notify_calls()), 2, "shown again more than once")
        history = json.loads(self.cli_ok("history", "--json").stdout)["events"]
        reminded = [e.get("count") for e in history if e["kind"] == "reminded"]
        self.assertEqual(reminded, [1, 2], "the bubble shown again is a repeat of the same reminder")


class CriticalTest(MockServerTest):
    config_text = notify_config(remind_every="3s", notify_extra="critical_after = 1")

    def test_urgency_turns_critical(self):
        _, first = self.first_notify()
        self.assertEqual(first.hints["urgency"], 1, first)
        self.wait_reminder(self.sub, count=2)
        second = self.wait_notifies(self.m, 2)[1]
        self.assertIsInstance(second.raw_hints["urgency"], dbus.Byte)
        self.assertEqual(second.hints["urgency"], 2, second)
        self.assertEqual(second.replaces_id, first.returned_id)


class SoundTest(MockServerTest):
    config_text = notify_config(notify_extra='sound = "bell"')

    def test_sound_name_hint(self):
        _, c = self.first_notify()
        self.assertEqual(c.hints.get("sound-name"), "bell", c)
        self.assertIsInstance(c.raw_hints["sound-name"], dbus.String, c)


class ActionTest(MockServerTest):
    """ActionInvoked from the server takes the same path as the CLI, with origin "action"."""

    def test_snooze_button(self):
        _, c = self.first_notify()
        # An action on somebody else's bubble is not ours: ignored. Signals
        # arrive in order, so the snooze below is seen after it.
        self.m.emit_action(c.returned_id + 100, "done")
        self.m.emit_action(c.returned_id, "snooze")
        ev = self.sub.wait_for("snoozed")
        self.assertNotIn("done", [e.get("event") for e in self.sub.seen], self.sub.seen)
        self.assertEqual(ev["origin"], "action", ev)
        self.assertEqual(ev["break"], "micro", ev)
        self.assertEqual(ev.get("amount_s"), 300, ev)
        closed = self.sub.wait_for("reminder_closed")
        self.assertEqual(closed["reason"], "snoozed", closed)
        st = self.status_json()
        self.assertEqual(st["state"], "snoozed", st)
        self.assertIsNone(st["reminder"], st)
        self.wait_until(lambda: c.returned_id in self.m.close_calls(), what="CloseNotification(id)")

    def test_skip_button(self):
        _, c = self.first_notify()
        self.m.emit_action(c.returned_id, "skip")
        ev = self.sub.wait_for("skipped")
        self.assertEqual(ev["origin"], "action", ev)
        self.assertEqual(ev["break"], "micro", ev)
        st = self.status_json()
        self.assertIsNone(st["reminder"], st)
        self.assertNotEqual(st["state"], "due", st)
        self.wait_until(lambda: c.returned_id in self.m.close_calls(), what="CloseNotification(id)")

    def test_done_button(self):
        _, c = self.first_notify()
        self.m.emit_action(c.returned_id, "done")
        ev = self.sub.wait_for("done")
        self.assertEqual(ev["origin"], "action", ev)
        self.assertEqual(ev["kind"], "taken", ev)
        self.assertEqual(ev["break"], "micro", ev)
        st = self.status_json()
        self.assertIsNone(st["reminder"], st)
        self.assertLess(st["sitting_s"], 2, st)
        self.wait_until(lambda: c.returned_id in self.m.close_calls(), what="CloseNotification(id)")

    def test_default_shows_all_steps(self):
        ev, c = self.first_notify()
        sid = ev["stretch"]["id"]
        shown = json.loads(self.cli_ok("--json", "show", sid).stdout)["stretch"]
        steps = shown["steps"]
        self.assertGreater(len(steps), 2, "the test needs a stretch with more steps than the bubble shows at first")
        self.assertNotIn(escape(steps[-1]), c.body, c)
        self.assertIn("more steps", c.body, c)

        self.m.emit_action(c.returned_id, "default")
        # The bubble with every step; a re-reminder may come first on a slow machine (valgrind).
        full = self.wait_notifies(self.m, 1, pred=lambda n: n.replaces_id and escape(steps[-1]) in n.body)[0]
        self.assertEqual(full.replaces_id, c.returned_id, full)
        for i, step in enumerate(steps, 1):
            self.assertIn(f"{i}. {escape(step)}", full.body, full)
        self.assertNotIn("more steps", full.body, full)
        if shown["caution"]:
            self.assertIn(escape(shown["caution"]), full.body, full)
        self.assertEqual(full.actions, c.actions, full)
        # Only the bubble changed: the break is still up.
        st = self.status_json()
        self.assertEqual(st["state"], "due", st)
        self.assertIsNotNone(st["reminder"], st)
        self.assertEqual(self.m.close_calls(), [])

    def test_no_snooze_button_after_the_last_snooze(self):
        self.first_notify()
        for _ in range(2):  # max_snoozes = 2
            self.cli_ok("snooze", "1s")
            self.sub.wait_for("snoozed")
            self.wait_reminder(self.sub)
        calls = self.wait_notifies(self.m, 3)
        self.assertIn("snooze", calls[1].action_keys(), calls)
        self.assertEqual(calls[2].action_keys(), ["done", "skip", "default"], calls)
        # A snoozed break's bubble was closed: the one after it is a new bubble.
        self.assertEqual(calls[2].replaces_id, 0, calls)

    def test_cli_done_closes_the_bubble(self):
        _, c = self.first_notify()
        r = self.cli_ok("done")
        self.assertIn("micro", r.stdout)
        ev = self.sub.wait_for("done")
        self.assertEqual(ev["origin"], "cli", ev)
        self.wait_until(lambda: self.m.close_calls(), what="CloseNotification")
        self.assertEqual(self.m.close_calls(), [c.returned_id])


class NoActionsTest(MockServerTest):
    capabilities = "body"

    def test_no_buttons_no_markup(self):
        ev, c = self.first_notify()
        self.assertEqual(c.actions, [], c)
        self.assertIn("stretch done", c.body, c)
        self.assertIn("stretch snooze", c.body, c)
        self.assertIn("stretch skip", c.body, c)
        self.assertNotIn("<b>", c.body, c)
        self.assertIn(ev["stretch"]["name"], c.body, c)
        self.assertIn(ev["stretch"]["steps"][0], c.body, c)
        # No buttons, no click back: the hint for the rest names a command instead.
        self.assertNotIn("click", c.body, c)
        if len(ev["stretch"]["steps"]) > 2:
            self.assertIn(f"more steps: stretch show {ev['stretch']['id']}", c.body, c)
        st = self.status_json()
        self.assertIn("no buttons", self.method(st, "desktop")["detail"], st)


class MarkupEscapeTest(MockServerTest):
    config_text = notify_config(tags='["odd"]', stretches=ODD_STRETCH)

    def test_user_text_is_escaped(self):
        ev, c = self.first_notify()
        self.assertEqual(ev["stretch"]["name"], ODD_NAME, ev)
        self.assertIn("<b>Shoulders &amp; &lt;neck&gt;</b>", c.body, c)
        self.assertIn("Roll the shoulders &amp; breathe", c.body, c)
        self.assertIn("Tilt the head &lt;gently&gt;", c.body, c)
        self.assertNotIn(ODD_NAME, c.body, c)
        # The only tags left are the bold ones the daemon wrote.
        self.assertEqual(c.body.replace("<b>", "").replace("</b>", "").count("<"), 0, c)


class PlainTextTest(MockServerTest):
    config_text = notify_config(tags='["odd"]', stretches=ODD_STRETCH)
    capabilities = "body actions"

    def test_plain_text_is_left_alone(self):
        _, c = self.first_notify()
        self.assertIn(ODD_NAME, c.body, c)
        self.assertIn("Roll the shoulders & breathe", c.body, c)
        self.assertIn("Tilt the head <gently>", c.body, c)
        self.assertNotIn("&amp;", c.body, c)
        self.assertNotIn("&lt;", c.body, c)
        self.assertNotIn("<b>", c.body, c)
        self.assertEqual(len(c.actions), 8, c)


# Stretches whose repetitions, sides and caution the bubble must put in words.
WORDS_STRETCHES = """\
[[stretch]]
id = "two-sides"
name = "Two Sides"
steps = ["Sit tall", "Turn to the left", "Turn to the right", "Come back to the middle"]
hold = "10s"
reps = 2
per_side = true
caution = "Stop if your back hurts."
targets = ["lower-back"]
position = "seated"
tags = ["words"]
"""
ONCE_STRETCH = """\
[[stretch]]
id = "one-side-each"
name = "One Side Each"
steps = ["Stand up", "Reach over to one side", "Then the other", "Stand tall again"]
hold = "10s"
per_side = true
targets = ["hips"]
position = "standing"
tags = ["words"]
"""


class BubbleWordsTest(MockServerTest):
    """Issue 12: the bubble in words a person reads, and only hints that hold."""
    config_text = notify_config(tags='["words"]', snooze="15s", stretches=WORDS_STRETCHES)

    def test_words_of_the_bubble(self):
        _, c = self.first_notify()
        self.assertTrue(c.summary.startswith("Micro break"), c)
        self.assertNotIn("sitting", c.summary, "the title names the break, the body the sitting time")
        self.assertIn("Hold 10s, twice each side", c.body, c)
        self.assertNotIn("2 times", c.body, c)
        # The caution is in the first bubble, not only after a click.
        self.assertIn("Caution: Stop if your back hurts.", c.body, c)
        # The server has buttons, so a click does show the rest.
        self.assertIn("… 2 more steps: click for all", c.body, c)
        # The snooze length in the one duration style, not "under a minute".
        self.assertIn("Snooze 15s", c.actions, c)

    def test_no_click_hint_when_every_step_is_shown(self):
        _, c = self.first_notify()
        self.m.emit_action(c.returned_id, "default")
        full = self.wait_notifies(self.m, 2)[1]
        self.assertIn("4. Come back to the middle", full.body, full)
        self.assertNotIn("click", full.body, full)
        self.assertIn("Caution: Stop if your back hurts.", full.body, full)


class BubbleWordsWithoutButtonsTest(MockServerTest):
    config_text = notify_config(tags='["words"]', stretches=ONCE_STRETCH)
    capabilities = "body"

    def test_once_and_no_click_hint_without_buttons(self):
        _, c = self.first_notify()
        self.assertIn("Hold 10s, once each side", c.body, c)
        self.assertNotIn("1 time", c.body, c)
        self.assertNotIn("click", c.body, c)
        self.assertIn("… 2 more steps: stretch show one-side-each", c.body, c)
        self.assertNotIn("Caution", c.body, "no caution to show for this stretch")


class ServerComesAndGoesTest(NotifyTestCase):

    def test_new_server_gets_the_reminder(self):
        b = self.bus()
        first = self.mock(b, FULL_CAPS, name="mock1")
        self.start_stretchd(b)
        sub = self.subscriber()
        self.wait_reminder(sub)
        c = self.wait_notifies(first)[0]

        first.stop()
        st = self.wait_until(lambda: (s := self.status_json()) and not self.method(s, "desktop")["available"] and s,
                             what="desktop unavailable")
        self.assertIn("no notification server", self.method(st, "desktop")["detail"], st)
        # The daemon answers the CLI all the while.
        self.cli_ok("next")
        self.assertEqual(self.status_json()["state"], "due")

        second = self.mock(b, "body", name="mock2")
        # No new break and no re-reminder is due (remind_every 1m): the reminder up moves over.
        calls = self.wait_notifies(second)
        n = calls[0]
        self.assertEqual(n.replaces_id, 0, "ids of the old server mean nothing to the new one")
        self.assertEqual(n.actions, [], "the new server's capabilities were asked again")
        self.assertIn("stretch done", n.body, n)
        self.assertNotIn("<b>", n.body, n)
        self.assertEqual(n.summary, c.summary, n)
        st = self.status_json()
        self.assertTrue(self.method(st, "desktop")["available"], st)
        self.assertIn("no buttons", st["notify"]["shown_by"], st)

    def test_bus_restarts(self):
        b = self.bus()
        first = self.mock(b, FULL_CAPS, name="mock1")
        self.start_stretchd(b)
        sub = self.subscriber()
        self.wait_reminder(sub)
        self.wait_notifies(first)
        first.stop()
        b.stop()
        self.wait_until(lambda: "lost the session bus" in self.daemon.log(), what="the lost bus noticed")
        self.assertEqual(self.status_json()["state"], "due")
        again = self.bus(name="bus")  # the same address
        second = self.mock(again, FULL_CAPS, name="mock2")
        n = self.wait_notifies(second, timeout=BUS_RETRY_TIMEOUT)[0]
        self.assertEqual(n.replaces_id, 0, n)
        self.assertTrue(self.daemon.alive())


# ---------------------------------------------------------------------------
# Against real dunst under Xvfb.
# ---------------------------------------------------------------------------

class DunstTest(NotifyTestCase):
    needs = ("dbus-daemon", "dbus", "Xvfb", "dunst", "dunstctl", "stdbuf")
    paused_at_start = False

    def setUp(self):
        super().setUp()
        self.b = self.bus()
        self.x = self.xvfb()
        self.d = self.dunst(self.b, self.x)
        if self.paused_at_start:
            self.d.set_paused(True)
            self.assertEqual(self.d.ctl("is-paused"), "true")

    def start(self):
        self.start_stretchd(self.b)
        self.sub = self.subscriber()
        return self.daemon

    def ours(self, dunst):
        return [n for n in dunst.printed() if n.get("appname") == "stretch"]

    def wait_displayed(self, dunst, count=1):
        self.wait_until(lambda: dunst.count("displayed") >= count, what=f"{dunst.name}: {count} displayed")
        got = self.ours(dunst)
        self.assertTrue(got, dunst.log())
        return got


class DunstShowTest(DunstTest):

    def test_reminder_is_displayed(self):
        self.start()
        ev = self.wait_reminder(self.sub)
        shown = self.wait_displayed(self.d)
        n = shown[-1]
        self.assertTrue(n["summary"].startswith("Micro break"), n)
        self.assertIn(ev["stretch"]["name"], n["body"], n)
        self.assertEqual(n["category"], "x-stretch.break", n)
        self.assertEqual(n["desktop_entry"], "stretch", n)
        self.assertEqual(n["urgency"], "NORMAL", n)
        st = self.status_json()
        self.assertIn("dunst", st["notify"]["shown_by"], st)
        self.assertIsNone(st["held"], st)

    def test_snooze_chosen_in_dunst(self):
        self.start()
        self.wait_reminder(self.sub)
        self.wait_displayed(self.d)
        self.d.choose("snooze")
        ev = self.sub.wait_for("snoozed")
        self.assertEqual(ev["origin"], "action", ev)
        self.assertEqual(self.status_json()["state"], "snoozed")
        self.wait_until(lambda: self.d.count("displayed") == 0, what="the bubble closed")

    def test_done_chosen_in_dunst(self):
        self.start()
        self.wait_reminder(self.sub)
        self.wait_displayed(self.d)
        self.d.choose("done")
        ev = self.sub.wait_for("done")
        self.assertEqual(ev["origin"], "action", ev)
        self.assertEqual(ev["kind"], "taken", ev)
        st = self.status_json()
        self.assertIsNone(st["reminder"], st)

    def test_default_chosen_in_dunst_shows_all_steps(self):
        self.start()
        ev = self.wait_reminder(self.sub)
        first = self.wait_displayed(self.d)[-1]
        steps = ev["stretch"]["steps"]
        self.assertGreater(len(steps), 2, ev)
        self.assertNotIn(steps[-1], first["body"], first)
        self.d.choose("default")
        self.wait_until(lambda: len(self.ours(self.d)) >= 2, what="the bubble shown again, in full")
        full = self.ours(self.d)[-1]
        for i, step in enumerate(steps, 1):
            self.assertIn(f"{i}. {step}", full["body"], full)
        self.wait_until(lambda: self.d.count("displayed") >= 1, what="the full bubble on screen")
        self.assertEqual(self.status_json()["state"], "due")
        # The bubble's id is still known: done takes it down.
        self.cli_ok("done")
        self.wait_until(lambda: self.d.count("displayed") == 0, what="the bubble closed by stretch done")

    def test_dunst_restart_loses_no_reminder(self):
        # remind_every 1m: nothing new is sent unless the daemon re-sends what is up.
        self.start()
        self.wait_reminder(self.sub)
        first = self.wait_displayed(self.d)
        self.d.stop()
        again = self.dunst(self.b, self.x, name="dunst2")
        shown = self.wait_displayed(again)
        self.assertEqual(shown[-1]["summary"], first[-1]["summary"])
        st = self.status_json()
        self.assertEqual(st["reminder"]["count"], 1, "no new reminder was needed")


class DunstPausedTest(DunstTest):
    paused_at_start = True

    def test_paused_holds_the_reminder(self):
        self.start()
        self.wait_reminder(self.sub)
        st = self.wait_until(lambda: (s := self.status_json())["held"] == "do_not_disturb" and s, what="held")
        self.assertEqual(st["state"], "due", st)
        self.assertIn("do not disturb", self.method(st, "desktop")["detail"], st)
        self.assertEqual(self.d.count("displayed"), 0)
        self.assertEqual(self.d.count("waiting"), 0, "nothing was sent to dunst")
        self.assertEqual(self.ours(self.d), [])

        self.d.set_paused(False)
        shown = self.wait_displayed(self.d)
        self.assertTrue(shown[-1]["summary"].startswith("Micro break"), shown)
        st = self.wait_until(lambda: (s := self.status_json())["held"] is None and s, what="held cleared")
        self.assertEqual(st["state"], "due", st)


class InhibitedTest(NotifyTestCase):
    """A server whose `Inhibited` property is true (KDE Plasma's do not
    disturb) holds reminders like a paused dunst."""

    # Due after 5 s: time to set the property before the break falls due.
    config_text = notify_config().replace('every = "2s"', 'every = "5s"')

    def test_inhibited_at_start_holds_the_reminder_until_it_is_lifted(self):
        b = self.bus()
        m = self.mock(b, FULL_CAPS)
        m.set_inhibited(True)  # seen through Get when the daemon finds the server
        self.start_stretchd(b)
        sub = self.subscriber()
        self.wait_reminder(sub)
        st = self.wait_until(lambda: (s := self.status_json())["held"] == "do_not_disturb" and s, what="held")
        self.assertIn("do not disturb", self.method(st, "desktop")["detail"], st)
        self.assertEqual(m.notify_calls(), [])
        # Issue 12: it said both that the reminder waits and that it was showing.
        text = self.cli_ok("status").stdout
        self.assertIn("its reminder waits while notifications are paused", text)
        self.assertNotIn("Reminder showing", text)

        m.set_inhibited(False)  # seen through PropertiesChanged
        self.wait_notifies(m)
        self.wait_until(lambda: self.status_json()["held"] is None, what="held cleared")

    def test_inhibited_later_holds_the_next_reminder(self):
        b = self.bus()
        m = self.mock(b, FULL_CAPS)
        self.start_stretchd(b)
        m.set_inhibited(False)
        m.set_inhibited(True)
        self.wait_until(lambda: "do not disturb" in self.method(self.status_json(), "desktop")["detail"],
                        what="do not disturb seen")
        sub = self.subscriber()
        self.wait_reminder(sub)
        self.wait_until(lambda: self.status_json()["held"] == "do_not_disturb", what="held")
        self.assertEqual(m.notify_calls(), [])


class DunstHoldMaxTest(DunstTest):
    paused_at_start = True
    config_text = notify_config(notify_extra='hold_max = "2s"')

    # After hold_max the reminder goes out although dunst is still paused (it
    # once started a fresh hold instead, every hold_max, for ever).
    def test_hold_max_shows_it_anyway(self):
        self.start()
        self.wait_reminder(self.sub)
        self.wait_until(lambda: self.status_json()["held"] == "do_not_disturb", what="held")
        # Still paused: dunst queues what it gets, so it is counted as waiting.
        self.wait_until(lambda: self.d.count("waiting") >= 1, what="the reminder sent after hold_max")
        self.assertEqual(self.d.ctl("is-paused"), "true")
        self.assertIsNone(self.status_json()["held"])


# ---------------------------------------------------------------------------
# No bus at all, and a bus that appears later.
# ---------------------------------------------------------------------------

COMMAND_SCRIPT = """\
#!/bin/sh
# Records the reminder's variables (the rename makes the file appear whole).
env | grep '^STRETCH_' > "$0.out.tmp" && mv "$0.out.tmp" "$0.out"
{tail}
"""


class NoBusTest(NotifyTestCase):
    needs = ()

    def write_command(self, tail=""):
        path = os.path.join(self.tmp, "on-reminder.sh")
        with open(path, "w") as f:
            f.write(COMMAND_SCRIPT.format(tail=tail))
        os.chmod(path, 0o755)
        return path

    def start_without_bus(self, command, timeout="10s"):
        self.write_config(notify_config(
            methods=("desktop", "command"),
            notify_extra=f'command = [{toml_string(command)}]\ncommand_timeout = "{timeout}"'))
        env = dict(self.env)
        # A socket that does not exist, and a runtime dir of our own: no real bus can be found.
        env["DBUS_SESSION_BUS_ADDRESS"] = f"unix:path={os.path.join(self.tmp, 'no-bus')}"
        self.start_stretchd(env=env)
        self.sub = self.subscriber()

    def read_vars(self, path):
        out = {}
        with open(path) as f:
            for line in f:
                key, sep, value = line.rstrip("\n").partition("=")
                if sep:
                    out[key] = value
        return out

    def test_command_runs_without_a_bus(self):
        script = self.write_command()
        self.start_without_bus(script)
        st = self.status_json()
        desktop = self.method(st, "desktop")
        self.assertIs(desktop["available"], False, st)
        self.assertIn("bus", desktop["detail"], st)
        command = self.method(st, "command")
        self.assertIs(command["available"], True, st)
        self.assertEqual([m["method"] for m in st["notify"]["methods"]], ["desktop", "command"], st)

        ev = self.wait_reminder(self.sub)
        out = script + ".out"
        self.wait_until(lambda: os.path.exists(out), what="the command's output")
        env = self.read_vars(out)
        self.assertEqual(env.get("STRETCH_EVENT"), "reminder", env)
        self.assertEqual(env.get("STRETCH_BREAK"), "micro", env)
        self.assertEqual(env.get("STRETCH_STRETCH_NAME"), ev["stretch"]["name"], env)
        self.assertEqual(env.get("STRETCH_STRETCH_ID"), ev["stretch"]["id"], env)
        self.assertEqual(env.get("STRETCH_COUNT"), "1", env)
        self.assertTrue(env.get("STRETCH_TEXT", "").startswith("Micro break"), env)
        self.assertNotIn("STRETCH_SOCKET", env)

        st = self.status_json()
        self.assertIn("command", st["notify"]["shown_by"], st)
        self.cli_ok("next")
        # Missing bus, told once (the daemon has retried in the background since).
        self.wait_until(lambda: "exited with status 0" in self.daemon.log(), what="the command reaped")
        self.assertEqual(self.log_count("cannot connect to the session bus"), 1, self.daemon.log())
        self.assertTrue(self.daemon.alive())

    def test_slow_command_is_killed(self):
        script = self.write_command(tail="exec sleep 30")
        self.start_without_bus(script, timeout="1s")
        self.wait_reminder(self.sub)
        self.wait_until(lambda: "killing" in self.daemon.log(), what="the command killed")
        self.wait_until(lambda: "killed by signal 9" in self.daemon.log(), what="the command reaped")
        self.assertTrue(os.path.exists(script + ".out"))
        self.status_json()


class LateBusTest(NotifyTestCase):

    def test_bus_appears_later(self):
        b = self.bus(start=False)
        self.start_stretchd(b)
        sub = self.subscriber()
        st = self.status_json()
        self.assertIs(self.method(st, "desktop")["available"], False, st)
        b.start()
        m = self.mock(b)
        self.wait_reminder(sub)
        c = self.wait_notifies(m, timeout=BUS_RETRY_TIMEOUT)[0]
        self.assertTrue(c.summary.startswith("Micro break"), c)
        self.assertIn("connected to the session bus", self.daemon.log())
        st = self.status_json()
        self.assertTrue(self.method(st, "desktop")["available"], st)

    def test_bus_whose_directory_is_made_later(self):
        """Neither the socket nor its directory is there at start: stretchd watches the nearest directory that
        is, follows the path down as it is made, and connects when the bus listens."""
        where = os.path.join(self.tmp, "later", "runtime")
        b = Bus(where, "bus")
        self.servers.append(b)
        self.start_stretchd(b)
        sub = self.subscriber()
        st = self.status_json()
        self.assertIs(self.method(st, "desktop")["available"], False, st)
        self.wait_until(lambda: "cannot connect to the session bus" in self.daemon.log(), what="the missing bus noticed")
        os.makedirs(where)
        b.start()
        m = self.mock(b)
        self.wait_reminder(sub)
        c = self.wait_notifies(m, timeout=BUS_RETRY_TIMEOUT)[0]
        self.assertTrue(c.summary.startswith("Micro break"), c)
        self.assertIn("connected to the session bus", self.daemon.log())


# ---------------------------------------------------------------------------
# A full-screen window (X11) holds the reminder back.
# ---------------------------------------------------------------------------

class FullscreenCase(NotifyTestCase):
    needs = ("dbus-daemon", "dbus", "dbusmock", "Xvfb", "xprop", "xwininfo")

    def setUp(self):
        super().setUp()
        self.b = self.bus()
        self.m = self.mock(self.b)
        self.x = self.xvfb()
        self.x.set_root_fullscreen()
        self.start_stretchd(self.b, self.x)
        self.sub = self.subscriber()


class FullscreenTest(FullscreenCase):
    config_text = notify_config(remind_every="3s")

    def test_fullscreen_holds_the_reminder(self):
        self.wait_reminder(self.sub)
        st = self.wait_until(lambda: (s := self.status_json())["held"] == "fullscreen" and s, what="held")
        self.assertEqual(st["state"], "due", st)
        # A re-reminder is held too.
        self.wait_reminder(self.sub, count=2)
        self.assertEqual(self.status_json()["held"], "fullscreen")
        self.assertEqual(self.m.notify_calls(), [])


class FullscreenHoldMaxTest(FullscreenCase):
    config_text = notify_config(notify_extra='hold_max = "2s"')

    # The same as DunstHoldMaxTest, for a full-screen window.
    def test_hold_max_shows_it_anyway(self):
        self.wait_reminder(self.sub)
        self.wait_until(lambda: self.status_json()["held"] == "fullscreen", what="held")
        self.wait_notifies(self.m)
        self.assertIsNone(self.status_json()["held"])


if __name__ == "__main__":
    unittest.main()
