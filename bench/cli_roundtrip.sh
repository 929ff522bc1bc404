#!/usr/bin/env bash
# How long `stretch next` takes in a shell prompt, against /bin/true.
# Starts stretchd on a private socket and times each command with hyperfine
# (no shell in between), then prints the median and p99 and the ratio of the
# medians to /bin/true's. Target: `next` and `status --json` within 2x.
#
#   bench/cli_roundtrip.sh [RUNS]      (default 500, or $BENCH_CLI_RUNS)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
runs=${1:-${BENCH_CLI_RUNS:-500}}

if ! command -v hyperfine >/dev/null; then
  sudo=(); [[ $(id -u) -ne 0 ]] && sudo=(sudo)
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends hyperfine >/dev/null
fi
build_release

tmp=$(mktemp -d)
trap 'stop_daemon; rm -rf "$tmp"' EXIT
private_env "$tmp"
start_daemon --log-level warning
load=$(load_average)

hyperfine -N --warmup 20 --runs "$runs" --export-json "$tmp/times.json" \
  /bin/true "$stretch next" "$stretch status --json" "$stretch next --format short" >/dev/null 2>&1

"$python" - "$tmp/times.json" "$runs" <<'PY' | write_results cli_roundtrip "$load"
import json, statistics, sys
results = json.load(open(sys.argv[1]))["results"]
runs = sys.argv[2]
def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]
base = statistics.median(results[0]["times"])
for r in results:
    times = r["times"]
    med, p99 = statistics.median(times), pct(times, 99)
    name = r["command"].split("/")[-1]
    print(f"{name}: median ({runs} runs)\t{med * 1e3:.2f} ms\t\t")
    print(f"{name}: p99\t{p99 * 1e3:.2f} ms\t\t")
    if name != "true":
        ratio = med / base
        judged = name in ("stretch next", "stretch status --json")
        print(f"{name}: median / true's\t{ratio:.2f}x\t{'<= 2x' if judged else ''}\t"
              f"{('PASS' if ratio <= 2 else 'MISS') if judged else ''}")
PY
