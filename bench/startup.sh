#!/usr/bin/env bash
# stretchd start-up: from exec to READY=1 on a notify socket of our own, as
# systemd times a Type=notify service (stretch_ready_timer). Two kinds of
# start: "warm", where the history database and saved state exist (every
# start but the first), and "fresh", where the database is created. Each
# run ends with SIGTERM and waits for the exit before the next begins.
# Target: under 20 ms.
#
#   bench/startup.sh [RUNS]      (default 50, or $BENCH_STARTUP_RUNS)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
runs=${1:-${BENCH_STARTUP_RUNS:-50}}

build_release
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
private_env "$tmp"
load=$(load_average)

# Logging at info, the default: the daemon's start-up lines are part of its start.
daemon_cmd=("$stretchd" --default-config --seed 1 --socket "$STRETCH_SOCKET")
timer=$build/bench/stretch_ready_timer
# What one sync costs on the state's disk right now, for reading the figures.
"$python" - "$tmp/sync-probe" >"$tmp/sync.txt" <<'PY'
import os, statistics, sys, time
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT, 0o600)
times = []
for _ in range(20):
    os.pwrite(fd, b"x" * 512, 0)
    start = time.perf_counter()
    os.fdatasync(fd)
    times.append((time.perf_counter() - start) * 1e3)
    time.sleep(0.02)
print(f"{statistics.median(times):.2f} ms (max {max(times):.2f})")
PY

# Not timed: brings the binary and libraries into the page cache and leaves
# the warm runs a database to open.
"$timer" 3 warm "$tmp/state" "$tmp/stretchd.log" -- "${daemon_cmd[@]}" >/dev/null
# A run without READY=1 makes the timer exit non-zero; its report counts them.
"$timer" "$runs" warm "$tmp/state" "$tmp/stretchd.log" -- "${daemon_cmd[@]}" >"$tmp/warm.json" || true
"$timer" "$runs" fresh "$tmp/state" "$tmp/stretchd.log" -- "${daemon_cmd[@]}" >"$tmp/fresh.json" || true
# The history database is synced to disk at start-up, so a busy disk shows
# in the figures above. The same warm start with the state on tmpfs, where a
# sync costs nothing, tells that part from the rest.
if [[ -d /dev/shm && -w /dev/shm ]]; then
  shm=$(mktemp -d -p /dev/shm)
  trap 'rm -rf "$tmp" "$shm"' EXIT
  "$timer" 3 warm "$shm/state" "$tmp/stretchd.log" -- "${daemon_cmd[@]}" >/dev/null
  "$timer" "$runs" warm "$shm/state" "$tmp/stretchd.log" -- "${daemon_cmd[@]}" >"$tmp/tmpfs.json" || true
fi

"$python" - "$(cat "$tmp/sync.txt")" "$tmp"/{warm,fresh,tmpfs}.json <<'PY' | write_results startup "$load"
import json, os, statistics, sys
print(f"one fdatasync on the state's disk, median of 20\t{sys.argv[1]}\t\t")
def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]
verdict = lambda ok: "PASS" if ok else "MISS"
for path in sys.argv[2:]:
    if not os.path.exists(path):
        continue
    kind = os.path.basename(path)[:-5]
    r = json.load(open(path))
    ms = r["ms"]
    med, p99 = statistics.median(ms), pct(ms, 99)
    if kind == "tmpfs":
        print(f"exec to READY=1, warm, state on tmpfs: median\t{med:.2f} ms\t\t")
        print(f"exec to READY=1, warm, state on tmpfs: p99\t{p99:.2f} ms\t\t")
        continue
    print(f"exec to READY=1, {kind}: median ({r['runs']} runs)\t{med:.2f} ms\t< 20 ms\t{verdict(med < 20)}")
    print(f"exec to READY=1, {kind}: p99\t{p99:.2f} ms\t< 20 ms\t{verdict(p99 < 20)}")
    if r["failed"]:
        print(f"exec to READY=1, {kind}: runs without READY=1\t{r['failed']}\t0\tMISS")
PY
