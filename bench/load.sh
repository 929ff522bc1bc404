#!/usr/bin/env bash
# stretchd under load: 64 clients on persistent connections, each sending
# 1,000 requests one after another, from one epoll-driven C++ client
# (stretch_load_client). Once with `next` (what shell prompts send) and once
# with `status` (the largest reply), in three rounds, each against a new
# daemon, each figure judged on its worst round. The first and last client's
# finishing times show whether the daemon shares itself fairly (it once
# served one connection until it fell silent). Targets: at least 20,000
# requests/s on two cores, p99 latency under 5 ms, no errors.
#
#   bench/load.sh [CLIENTS [REQUESTS [ROUNDS]]]      (default 64 1000 3)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
clients=${1:-64}
requests=${2:-1000}
rounds=${3:-3}

build_release
tmp=$(mktemp -d)
trap 'stop_daemon; rm -rf "$tmp"' EXIT
private_env "$tmp"
load=$(load_average)

# A daemon of its own for each round, so that the rounds are independent.
for ((round = 1; round <= rounds; round++)); do
  rm -rf "$XDG_STATE_HOME"/*
  start_daemon --log-level warning
  for cmd in next status; do
    # A short run first, so the figures are not those of a cold cache.
    "$build/bench/stretch_load_client" "$STRETCH_SOCKET" "$clients" 50 "$cmd" >/dev/null || true
    # It exits non-zero when a request failed, and still reports; only a
    # missing report means the run itself went wrong.
    out=$("$build/bench/stretch_load_client" "$STRETCH_SOCKET" "$clients" "$requests" "$cmd") || true
    [[ $out == "{"* ]] || { echo "bench: the load client failed for $cmd" >&2; exit 1; }
    printf '%s\n' "$out" >>"$tmp/results.jsonl"
  done
  if ! kill -0 "$daemon" 2>/dev/null; then
    echo "bench: stretchd died under load:" >&2
    cat "$XDG_RUNTIME_DIR/stretchd.log" >&2
    exit 1
  fi
  stop_daemon
done

"$python" - "$tmp/results.jsonl" <<'PY' | write_results load "$load"
import json, sys
by_cmd = {}
for line in open(sys.argv[1]):
    r = json.loads(line)
    by_cmd.setdefault(r["cmd"], []).append(r)
verdict = lambda ok: "PASS" if ok else "MISS"
def each(rounds, key, fmt):
    return " / ".join(format(r[key], fmt) for r in rounds)
for cmd, rounds in by_cmd.items():
    what = f"{cmd} ({rounds[0]['clients']}x{rounds[0]['requests_each']}, {len(rounds)} rounds)"
    rps = min(r["requests_per_s"] for r in rounds)
    p99 = max(r["p99_ms"] for r in rounds)
    errors = sum(r["errors"] for r in rounds)
    print(f"{what}: requests/s, worst\t{rps:.0f}\t>= 20000\t{verdict(rps >= 20000)}")
    print(f"{what}: requests/s, each round\t{each(rounds, 'requests_per_s', '.0f')}\t\t")
    print(f"{what}: p50 latency, each round\t{each(rounds, 'p50_ms', '.3f')} ms\t\t")
    print(f"{what}: p99 latency, worst\t{p99:.3f} ms\t< 5 ms\t{verdict(p99 < 5)}")
    print(f"{what}: p99 latency, each round\t{each(rounds, 'p99_ms', '.3f')} ms\t\t")
    print(f"{what}: max latency, each round\t{each(rounds, 'max_ms', '.1f')} ms\t\t")
    print(f"{what}: errors, all rounds\t{errors}\t0\t{verdict(errors == 0)}")
    # Far apart when the daemon serves some connections while others wait.
    print(f"{what}: first client done, each round\t{each(rounds, 'first_done_s', '.2f')} s\t\t")
    print(f"{what}: last client done, each round\t{each(rounds, 'last_done_s', '.2f')} s\t\t")
PY
