"""`stretch stats` and `stretch history` over a history written before the
daemon starts.

The fixture database is made with Python's sqlite3 exactly as
Store::migrate() makes schema version 2, holding events at known local
times; every expected figure is worked out by hand below from the
definitions in src/core/stats.hpp.

Both programs run in a fixed-offset time zone chosen so that the local time
is about noon: days are 24 hours and a test never straddles midnight.
"""

import calendar
import csv
import io
import json
import os
import pty
import re
import select
import sqlite3
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

DAY = 24 * 3600
MIN = 60

# Day A (three days ago), in local time:
#   09:00 start                      present from 09:00
#   09:50 reminded micro #1          counted
#   09:55 reminded micro #2          a re-reminder: not counted
#   09:56 snoozed micro 5m
#   10:01 reminded micro #1          counted
#   10:02 taken micro neck-turn *
#   10:30 away                       run 09:00-10:30 = 90m
#   10:33 natural micro *            natural 1
#   10:35 natural long *             the same absence: not counted again
#   11:00 back (away 30m)            present from 11:00
#   11:50 reminded long #1           counted
#   11:52 skipped long
#   12:00 stood *, away              run 11:00-12:00 = 60m
#   12:20 sat, back (away 20m)       present from 12:20
#   12:30 taken long downward-dog *
#   13:00 stop *                     run 12:20-13:00 = 40m
# sitting 90 + 60 + 40 = 190m = 11400 s. Between break points (*):
# 09:00-10:02 62m, 10:02-10:33 28m, 10:33-10:35 0, 10:35-12:00 60m,
# 12:00-12:30 10m, 12:30-13:00 30m: longest 62m = 3720 s.
# reminded 3, taken 2, natural 1, snoozed 1, skipped 1, share 2/3.
# areas: neck-turn (neck) + downward-dog (hamstrings, calves, shoulders,
# lower-back), in the library's order of areas. Top: one each, by id.
DAY_A = [
    ("09:00", "start", "", "", 0, 0, "daemon"),
    ("09:50", "reminded", "micro", "neck-turn", 3000, 1, "timer"),
    ("09:55", "reminded", "micro", "neck-turn", 3300, 2, "timer"),
    ("09:56", "snoozed", "micro", "neck-turn", 300, 1, "cli"),
    ("10:01", "reminded", "micro", "neck-turn", 3660, 1, "timer"),
    ("10:02", "taken", "micro", "neck-turn", 3720, 0, "cli"),
    ("10:30", "away", "", "", 0, 0, "activity"),
    ("10:33", "natural", "micro", "chin-tuck", 180, 0, "activity"),
    ("10:35", "natural", "long", "childs-pose", 300, 0, "activity"),
    ("11:00", "back", "", "", 1800, 0, "activity"),
    ("11:50", "reminded", "long", "childs-pose", 7200, 1, "timer"),
    ("11:52", "skipped", "long", "childs-pose", 7320, 0, "action"),
    ("12:00", "stood", "", "", 0, 0, "cli"),
    ("12:00", "away", "", "", 0, 0, "activity"),
    ("12:20", "sat", "", "", 0, 0, "cli"),
    ("12:20", "back", "", "", 1200, 0, "activity"),
    ("12:30", "taken", "long", "downward-dog", 600, 0, "cli"),
    ("13:00", "stop", "", "", 0, 0, "daemon"),
]
DAY_A_FIGURES = {
    "sitting_s": 11400, "longest_sitting_s": 3720, "reminded": 3, "taken": 2, "natural": 1, "snoozed": 1,
    "skipped": 1, "share_taken": 2 / 3, "call_s": 0, "areas": ["neck", "shoulders", "lower-back", "hamstrings", "calves"],
    "top_stretches": [{"id": "downward-dog", "name": "Downward-Facing Dog", "count": 1},
                      {"id": "neck-turn", "name": "Neck Turn", "count": 1}],
}

# Day B (two days ago): one run 08:30-12:00 = 210m = 12600 s; a pause is not
# a break. Between break points: 08:30-09:31 61m, 09:31-11:31 120m,
# 11:31-12:00 29m: longest 7200 s. reminded 2, taken 2, share 2/2. A call
# from 09:40 of 52m (its row written at 10:33, after the settle): 3120 s.
DAY_B = [
    ("08:30", "start", "", "", 0, 0, "daemon"),
    ("09:30", "reminded", "micro", "chin-tuck", 3600, 1, "timer"),
    ("09:31", "taken", "micro", "chin-tuck", 3660, 0, "cli"),
    ("09:40", "call_started", "", "", 0, 0, "call"),
    ("10:00", "paused", "", "", 3600, 0, "cli"),
    ("10:33", "call", "", "", 3120, 0, "call"),
    ("11:00", "resumed", "", "", 0, 0, "timer"),
    ("11:30", "reminded", "micro", "chin-tuck", 3540, 1, "timer"),
    ("11:31", "taken", "micro", "chin-tuck", 3600, 0, "cli"),
    ("12:00", "stop", "", "", 0, 0, "daemon"),
]
DAY_B_FIGURES = {
    "sitting_s": 12600, "longest_sitting_s": 7200, "reminded": 2, "taken": 2, "natural": 0, "snoozed": 0,
    "skipped": 0, "share_taken": 1.0, "call_s": 3120, "areas": ["neck", "upper-back"],
    "top_stretches": [{"id": "chin-tuck", "name": "Chin Tuck", "count": 2}],
}

# Today, before stretchd starts (local time is about noon): a run 09:00-11:00
# = 7200 s; between break points 09:00-10:31 91m = 5460 s, 10:31-11:00 29m.
# stretchd then records its own start, and the user is present from then on
# for the few seconds the test takes: today's sitting is 7200 s and a little.
TODAY = [
    ("09:00", "start", "", "", 0, 0, "daemon"),
    ("09:50", "reminded", "micro", "neck-turn", 3000, 1, "timer"),
    ("09:52", "skipped", "micro", "neck-turn", 3120, 0, "cli"),
    ("10:30", "reminded", "micro", "shoulder-rolls", 2280, 1, "timer"),
    ("10:31", "taken", "micro", "shoulder-rolls", 2340, 0, "cli"),
    ("11:00", "stop", "", "", 0, 0, "daemon"),
]
TODAY_FIGURES = {
    "longest_sitting_s": 5460, "reminded": 2, "taken": 1, "natural": 0, "snoozed": 0, "skipped": 1,
    "share_taken": 0.5, "call_s": 0, "areas": ["neck", "shoulders", "upper-back"],
    "top_stretches": [{"id": "shoulder-rolls", "name": "Shoulder Rolls", "count": 1}],
}
# Seconds the daemon may have been up when asked.
SLACK = 60

# Five days, today included: A, B and today. share 5 ÷ (5 + 2).
TOTAL_FIGURES = {
    "longest_sitting_s": 7200, "reminded": 7, "taken": 5, "natural": 1, "snoozed": 1, "skipped": 2, "call_s": 3120,
    "share_taken": 5 / 7, "areas": ["neck", "shoulders", "upper-back", "lower-back", "hamstrings", "calves"],
    "top_stretches": [{"id": "chin-tuck", "name": "Chin Tuck", "count": 2},
                      {"id": "downward-dog", "name": "Downward-Facing Dog", "count": 1},
                      {"id": "neck-turn", "name": "Neck Turn", "count": 1}],
}
FIXTURE_SITTING = 11400 + 12600 + 7200


def make_database(path, rows):
    """Schema version 2, statement for statement as Store::migrate() makes it."""
    os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
    db = sqlite3.connect(path)
    db.execute("PRAGMA application_id = 1398035028")
    db.execute("""CREATE TABLE events (
                      id INTEGER PRIMARY KEY,
                      time INTEGER NOT NULL,
                      kind TEXT NOT NULL,
                      break TEXT NOT NULL DEFAULT '',
                      stretch TEXT NOT NULL DEFAULT '',
                      amount_s INTEGER NOT NULL DEFAULT 0,
                      origin TEXT NOT NULL DEFAULT '')""")
    db.execute("CREATE INDEX events_time ON events(time)")
    db.execute("ALTER TABLE events ADD COLUMN count INTEGER NOT NULL DEFAULT 0")
    db.execute("CREATE TABLE state (id INTEGER PRIMARY KEY CHECK (id = 1), saved INTEGER NOT NULL, json TEXT NOT NULL)")
    db.execute("PRAGMA user_version = 2")
    db.executemany("INSERT INTO events (time, kind, break, stretch, amount_s, count, origin) VALUES (?, ?, ?, ?, ?, ?, ?)",
                   rows)
    db.commit()
    db.close()


class StatsTest(harness.StretchTestCase):
    config_text = harness.SLOW_CONFIG
    start_daemon = False

    def setUp(self):
        super().setUp()
        # local = UTC - offset hours, chosen so that it is about noon locally.
        utc_hour = time.gmtime().tm_hour
        self.offset_h = utc_hour - 12
        self.env["TZ"] = f"TST{self.offset_h:+d}"
        local_now = time.time() - self.offset_h * 3600
        today = time.gmtime(local_now)
        self.today_midnight = calendar.timegm((today.tm_year, today.tm_mon, today.tm_mday, 0, 0, 0)) + self.offset_h * 3600
        self.day_a, self.day_b, self.today = self.date(-3), self.date(-2), self.date(0)

        rows = []
        for days_back, events in ((-3, DAY_A), (-2, DAY_B), (0, TODAY)):
            for hm, kind, rule, stretch, amount, count, origin in events:
                rows.append((self.at(days_back, hm), kind, rule, stretch, amount, count, origin))
        self.fixture_rows = rows
        make_database(os.path.join(self.env["XDG_STATE_HOME"], "stretch", "stretch.db"), rows)
        self.daemon = self.new_daemon().start()

    def at(self, days_back, hm):
        h, m = map(int, hm.split(":"))
        return self.today_midnight + days_back * DAY + h * 3600 + m * MIN

    def date(self, days_back):
        t = time.gmtime(self.today_midnight - self.offset_h * 3600 + days_back * DAY)
        return f"{t.tm_year:04}-{t.tm_mon:02}-{t.tm_mday:02}"

    def stats_json(self, *args):
        r = self.cli_ok("stats", *args, "--json")
        reply = json.loads(r.stdout)
        self.assertTrue(reply["ok"], reply)
        return reply

    def assert_figures(self, got, expected, where):
        for key, value in expected.items():
            self.assertEqual(got[key], value, f"{where}: {key}")

    def test_json_gives_the_figures_worked_out_by_hand(self):
        reply = self.stats_json("--days", "5")
        self.assertEqual(reply["from"], self.date(-4))
        self.assertEqual(reply["to"], self.today)
        days = {d["date"]: d for d in reply["days"]}
        self.assertEqual(list(days), [self.date(n) for n in (-4, -3, -2, -1, 0)])
        self.assert_figures(days[self.day_a], DAY_A_FIGURES, "day A")
        self.assert_figures(days[self.day_b], DAY_B_FIGURES, "day B")
        for empty in (self.date(-4), self.date(-1)):
            self.assert_figures(days[empty], {"sitting_s": 0, "longest_sitting_s": 0, "reminded": 0, "taken": 0,
                                              "share_taken": None, "areas": [], "top_stretches": []}, empty)
        today = days[self.today]
        self.assert_figures(today, TODAY_FIGURES, "today")
        # 7200 s from the fixture, then stretchd's own run since it started.
        self.assertGreaterEqual(today["sitting_s"], 7200)
        self.assertLessEqual(today["sitting_s"], 7200 + SLACK)

        total = reply["total"]
        self.assertNotIn("date", total)
        self.assert_figures(total, TOTAL_FIGURES, "total")
        self.assertGreaterEqual(total["sitting_s"], FIXTURE_SITTING)
        self.assertLessEqual(total["sitting_s"], FIXTURE_SITTING + SLACK)

    def test_today_is_the_default(self):
        reply = self.stats_json()
        self.assertEqual([d["date"] for d in reply["days"]], [self.today])
        self.assert_figures(reply["days"][0], TODAY_FIGURES, "today")

    def test_csv_has_a_header_and_a_row_per_day(self):
        r = self.cli_ok("stats", "--days", "5", "--csv")
        rows = list(csv.reader(io.StringIO(r.stdout)))
        self.assertEqual(rows[0], ["date", "sitting_s", "longest_sitting_s", "reminded", "taken", "natural", "snoozed",
                                   "skipped", "share_taken", "areas", "top_stretches", "call_s"])
        self.assertEqual(len(rows), 6, r.stdout)
        by_date = {row[0]: row for row in rows[1:]}
        # share_taken as in the JSON: 2/3 to the last digit.
        self.assertEqual(by_date[self.day_a], [self.day_a, "11400", "3720", "3", "2", "1", "1", "1", repr(2 / 3),
                                               "neck shoulders lower-back hamstrings calves", "downward-dog:1 neck-turn:1", "0"])
        self.assertEqual(by_date[self.day_b],
                         [self.day_b, "12600", "7200", "2", "2", "0", "0", "0", "1.0", "neck upper-back", "chin-tuck:2",
                          "3120"])
        self.assertEqual(by_date[self.date(-1)], [self.date(-1), "0", "0", "0", "0", "0", "0", "0", "", "", "", "0"])
        today = by_date[self.today]
        self.assertLessEqual(7200, int(today[1]))
        self.assertLessEqual(int(today[1]), 7200 + SLACK)
        self.assertEqual(today[2:], ["5460", "2", "1", "0", "0", "1", "0.5", "neck shoulders upper-back", "shoulder-rolls:1", "0"])
        self.assertNotIn("\033", r.stdout)

    def test_the_table_shows_one_bar_per_day_and_the_totals(self):
        r = self.cli_ok("stats", "--days", "5")
        out = r.stdout
        self.assertNotIn("\033", out, "no colour when not on a terminal")
        self.assertIn(f"{self.date(-4)} to {self.today}", out)
        lines = {line.split()[1]: line for line in out.splitlines() if re.match(r"  \w{3} \d{4}-\d\d-\d\d ", line)}
        self.assertEqual(len(lines), 5, out)
        # sitting as "3h10m", time in calls, then taken/reminded.
        self.assertRegex(lines[self.day_a], r"▕[█▏▎▍▌▋▊▉ ]+▏\s+3h10m\s+0s  2/3$")
        self.assertRegex(lines[self.day_b], r"▕[█▏▎▍▌▋▊▉ ]+▏\s+3h30m\s+52m  2/2$")
        self.assertRegex(lines[self.date(-1)], r"▕ +▏\s+0s\s+0s  0/0$")
        self.assertRegex(lines[self.today], r"\s+2h\s+0s  1/2$")
        # The longest day fills the bar; day B is 210 of 210 minutes.
        self.assertIn("█" * 20, lines[self.day_b])
        self.assertIn("sitting 8h40m · in calls 52m · longest run 2h · share taken 71%", out)
        self.assertIn("reminded 7 · taken 5 · natural 1 · snoozed 1 · skipped 2", out)
        self.assertIn("areas        neck, shoulders, upper-back, lower-back, hamstrings, calves", out)
        self.assertIn("most done    Chin Tuck ×2, Downward-Facing Dog ×1, Neck Turn ×1", out)

    def test_the_table_for_one_day(self):
        out = self.cli_ok("stats").stdout
        self.assertIn(self.today, out.splitlines()[0])
        self.assertRegex(out, r"sitting +2h  ▕█{5}[▏▎▍▌▋▊▉]? +▏")  # 2h of an 8h bar: 5 of 20 cells
        self.assertRegex(out, r"longest run +1h31m  ▕")
        self.assertRegex(out, r"in calls +0s  ▕")
        self.assertRegex(out, r"share taken +50%  ▕█{10} {10}▏  1 taken, 1 skipped")
        self.assertIn("reminded 2 · taken 1 · natural 0 · snoozed 0 · skipped 1", out)
        self.assertIn("areas        neck, shoulders, upper-back", out)
        self.assertIn("most done    Shoulder Rolls ×1", out)

    def run_on_terminal(self, extra_env):
        """stretch stats with its output on a pseudo-terminal."""
        main, sub = pty.openpty()
        try:
            proc = subprocess.run([harness.STRETCH, "stats"], env=self.cli_env(extra_env), stdin=subprocess.DEVNULL,
                                  stdout=sub, stderr=subprocess.PIPE, timeout=20)
            os.close(sub)
            sub = None
            out = b""
            while select.select([main], [], [], 0.5)[0]:
                try:
                    chunk = os.read(main, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                out += chunk
        finally:
            if sub is not None:
                os.close(sub)
            os.close(main)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        return out.decode()

    def test_colour_only_on_a_terminal_and_never_with_no_color(self):
        self.assertIn("\033[", self.run_on_terminal({"TERM": "xterm"}))
        self.assertNotIn("\033", self.run_on_terminal({"TERM": "xterm", "NO_COLOR": "1"}))

    def test_history_lists_the_events_since_a_date(self):
        r = self.cli_ok("history", "--since", self.day_b)
        lines = r.stdout.splitlines()
        # Day B, today's fixture, and stretchd's own start.
        self.assertEqual(len(lines), len(DAY_B) + len(TODAY) + 1, r.stdout)
        self.assertEqual(lines[0].split(), [self.day_b, "08:30:00", "start"])
        self.assertEqual(lines[2].split(), [self.day_b, "09:31:00", "taken", "micro", "chin-tuck", "after", "1h01m",
                                            "sitting,", "via", "stretch"])
        self.assertEqual(lines[3].split(), [self.day_b, "09:40:00", "call_started"])
        self.assertEqual(lines[4].split(), [self.day_b, "10:00:00", "paused", "for", "1h,", "via", "stretch"])
        self.assertEqual(lines[5].split(), [self.day_b, "10:33:00", "call", "lasted", "52m"])
        self.assertEqual(lines[len(DAY_B) + 2].split(), [self.today, "09:52:00", "skipped", "micro", "neck-turn", "after",
                                                         "52m", "sitting,", "via", "stretch"])
        self.assertIn("start", lines[-1].split())

        lines = self.cli_ok("history", "--since", self.day_a).stdout.splitlines()
        self.assertEqual(len(lines), len(self.fixture_rows) + 1)
        self.assertEqual(lines[3].split(), [self.day_a, "09:56:00", "snoozed", "micro", "neck-turn", "for", "5m",
                                            "(snooze", "1),", "via", "stretch"])
        self.assertEqual(lines[9].split(), [self.day_a, "11:00:00", "back", "away", "30m"])
        self.assertEqual(lines[11].split(), [self.day_a, "11:52:00", "skipped", "long", "childs-pose", "after", "2h02m",
                                             "sitting,", "via", "the", "notification"])

    def test_history_json_and_refusals(self):
        reply = json.loads(self.cli_ok("history", "--since", self.day_a, "--json").stdout)
        self.assertEqual(reply["since"], self.day_a)
        self.assertFalse(reply["truncated"])
        events = reply["events"]
        self.assertEqual([(e["time"], e["kind"]) for e in events[:-1]], [(r[0], r[1]) for r in self.fixture_rows])
        self.assertEqual(events[1], {"id": 2, "time": self.at(-3, "09:50"), "kind": "reminded", "break": "micro",
                                     "stretch": "neck-turn", "amount_s": 3000, "count": 1, "origin": "timer"})
        self.assertEqual(events[-1]["kind"], "start")

        limited = self.ok("history", {"since": self.day_a, "limit": 2})
        self.assertTrue(limited["truncated"])
        self.assertEqual([e["kind"] for e in limited["events"]], ["stop", "start"])

        # A malformed argument is a usage error, in the words of the daemon's one table of arguments.
        r = self.cli("history", "--since", "2025-02-30")
        self.assertEqual(r.returncode, 2, r)
        self.assertEqual('stretch: history: "since" must be a day of the calendar like "2025-11-24", got "2025-02-30"\n', r.stderr)
        self.assert_error(self.request("history", {"since": "yesterday"}), "bad_argument")
        self.assert_error(self.request("history", {"limit": 0}), "bad_argument")
        self.assert_error(self.request("stats", {"days": 367}), "bad_argument")
        self.assert_error(self.request("stats", {"days": "7"}), "bad_argument")
        self.assertEqual(self.cli("stats", "--days", "0").returncode, 2)
        self.assertEqual(self.cli("stats", "--week", "--month").returncode, 2)
        self.assertEqual(self.cli("stats", "--csv", "--json").returncode, 2)

    def test_week_and_month(self):
        self.assertEqual(len(self.stats_json("--week")["days"]), 7)
        month = self.stats_json("--month")
        self.assertEqual(len(month["days"]), 30)
        self.assert_figures(month["total"], TOTAL_FIGURES, "month")


if __name__ == "__main__":
    unittest.main()
