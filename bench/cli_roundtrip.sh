#!/usr/bin/env bash
# How long `stretch next` takes in a shell prompt, against /bin/true.
# Builds a Release binary, starts stretchd on a private socket, and times
# each command with hyperfine (no shell in between), then prints the median
# and p99 and their ratio to /bin/true.
#
#   bench/cli_roundtrip.sh [RUNS]      (default 500)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-500}

scripts/deps.sh
if ! command -v hyperfine >/dev/null; then
  sudo=(); [[ $(id -u) -ne 0 ]] && sudo=(sudo)
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends hyperfine >/dev/null
fi
cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release -DSTRETCH_TESTS=OFF >/dev/null
cmake --build build-release -j2 >/dev/null

tmp=$(mktemp -d)
trap 'kill "$daemon" 2>/dev/null; wait "$daemon" 2>/dev/null; rm -rf "$tmp"' EXIT
export STRETCH_SOCKET=$tmp/stretchd.sock
export XDG_STATE_HOME=$tmp/state   # not the user's own history
build-release/src/daemon/stretchd --default-config --log-level warning &
daemon=$!
until build-release/src/cli/stretch version >/dev/null 2>&1; do sleep 0.01; done

cli=$PWD/build-release/src/cli/stretch
hyperfine -N --warmup 20 --runs "$runs" --export-json "$tmp/times.json" \
  /bin/true "$cli next --format short" "$cli next" "$cli status --json" >/dev/null 2>&1

/usr/bin/python3 - "$tmp/times.json" "$runs" <<'PY'
import json, statistics, sys
results = json.load(open(sys.argv[1]))["results"]
def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]
base = None
print(f"{'command':<28} {'median':>9} {'p99':>9} {'x /bin/true':>12}   ({sys.argv[2]} runs each)")
for r in results:
    times = r["times"]
    med, p99 = statistics.median(times) * 1e3, pct(times, 99) * 1e3
    name = r["command"].split("/")[-1]
    if base is None:
        base = med
    print(f"{name:<28} {med:>7.3f}ms {p99:>7.3f}ms {med / base:>11.2f}x")
PY
