#!/usr/bin/env bash
# The engine on its own, in process (stretch_engine_week): simulated days of
# desk life, in processes of 1, 7, 28 and 365 days of history. It shows what
# one event costs, and that memory stays flat as history grows: the peak
# resident size of the processes, and the heap in use at the end of each day
# of the longest. Neither flatness bound is in the issue; they are ours.
#
#   bench/engine_week.sh [SEED]      (default 1)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
seed=${1:-1}

build_release
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
load=$(load_average)

# Five processes of each length: a process's peak RSS varies by about a
# hundred KiB from one start to the next (where the loader and malloc happen
# to put things), more than the engine could grow, so each length is judged
# by its largest. The shorter runs take well under a millisecond, too little
# to time; the cost per event is the median of the five longest.
for days in 1 7 28 365; do
  for _ in 1 2 3 4 5; do
    "$build/bench/stretch_engine_week" "$days" "$seed" >>"$tmp/results.jsonl"
  done
done

"$python" - "$tmp/results.jsonl" <<'PY' | write_results engine_week "$load"
import json, statistics, sys
by_days = {}
for line in open(sys.argv[1]):
    r = json.loads(line)
    by_days.setdefault(r["days"], []).append(r)
peak = {d: max(r["peak_rss_kib"] for r in runs) for d, runs in by_days.items()}
for d, runs in by_days.items():
    r, rss = runs[0], sorted(x["peak_rss_kib"] for x in runs)
    print(f"{d} d: events (reminders shown)\t{r['events']} ({r['reminders']})\t\t")
    print(f"{d} d: peak RSS, largest of {len(runs)} (smallest)\t{rss[-1]} KiB ({rss[0]})\t\t")
longest = max(by_days)
costs = sorted(r["us_per_event"] for r in by_days[longest])
print(f"cost per event ({len(costs)} x {longest} d: median, range)\t"
      f"{statistics.median(costs):.2f} us ({costs[0]:.2f}-{costs[-1]:.2f})\tnone set\t")

# The picker's memory (recently shown stretches, when each body area was
# last worked) is the one part of the engine that fills with use; it is
# bounded and full within the first days. So flat means: no heap growth
# from the first week on, and no more resident memory for a year than for a day.
r = by_days[longest][0]
heap = r["heap_by_day"]
days = [1, 7, 28, len(heap)]
print(f"picker memory after {longest} d\t{r['picker_recent']} recent, {r['picker_areas']} areas\t\t")
print(f"heap in use after day {' / '.join(map(str, days))}\t{' / '.join(str(heap[d - 1]) for d in days)} B\t\t")
heap_growth = max(heap[6:]) - heap[6]
rss_growth = peak[longest] - peak[1]
print(f"heap growth after the first week\t{heap_growth} B\t<= 1 KiB\t{'PASS' if heap_growth <= 1024 else 'MISS'}")
print(f"peak RSS, {longest} d minus 1 d\t{rss_growth:+d} KiB\t<= 64 KiB\t{'PASS' if rss_growth <= 64 else 'MISS'}")
PY
