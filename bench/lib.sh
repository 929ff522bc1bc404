# Sourced by the bench/ scripts: the Release build they all measure, a
# private environment for the daemon, and the results file bench/run reads.
# Each script also runs on its own: it builds what it needs and prints its
# figures; BENCH_RESULTS names the file its rows go to.

cd "$(dirname "${BASH_SOURCE[0]}")/.."
build=$PWD/build-release
# BENCH_STRETCHD and BENCH_STRETCH measure other binaries (an older build, to
# compare); with BENCH_BUILT=1 nothing is built.
stretchd=${BENCH_STRETCHD:-$build/src/daemon/stretchd}
stretch=${BENCH_STRETCH:-$build/src/cli/stretch}
python=/usr/bin/python3

# Release, in its own directory so that the everyday build keeps its flags.
# One job at a time and niced: the machine may be busy with other work, and
# the build should not make it busier than it must.
build_release() {
  [[ ${BENCH_BUILT:-} == 1 ]] && return
  scripts/deps.sh
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSTRETCH_TESTS=OFF >/dev/null
  nice cmake --build "$build" -j1 --target stretchd stretch stretch_load_client stretch_ready_timer stretch_engine_week \
    >/dev/null
  export BENCH_BUILT=1
}

# Everything the daemon could reach beyond its temp dir is taken away: no
# session or system bus, no display, no systemd, none of the user's config,
# state or runtime dirs. It runs headless, with no activity source.
private_env() {
  local tmp=$1
  unset DBUS_SESSION_BUS_ADDRESS DISPLAY WAYLAND_DISPLAY NOTIFY_SOCKET LISTEN_FDS LISTEN_PID LISTEN_FDNAMES \
    JOURNAL_STREAM WATCHDOG_USEC WATCHDOG_PID STRETCH_SOCKET XDG_DATA_HOME
  mkdir -p -m 0700 "$tmp"/{run,config,state,home}
  export XDG_RUNTIME_DIR=$tmp/run XDG_CONFIG_HOME=$tmp/config XDG_STATE_HOME=$tmp/state HOME=$tmp/home
  export DBUS_SYSTEM_BUS_ADDRESS=unix:path=$tmp/no-system-bus
  export LC_ALL=C.UTF-8
  export STRETCH_SOCKET=$tmp/run/stretchd.sock
}

# Starts stretchd in the background on $STRETCH_SOCKET, as $daemon, and
# waits until it answers.
start_daemon() {
  "$stretchd" --default-config --seed 1 "$@" 2>>"$XDG_RUNTIME_DIR/stretchd.log" &
  daemon=$!
  local tries=0
  until "$stretch" version >/dev/null 2>&1; do
    if ! kill -0 "$daemon" 2>/dev/null || ((++tries > 500)); then
      echo "bench: stretchd did not start:" >&2
      cat "$XDG_RUNTIME_DIR/stretchd.log" >&2
      return 1
    fi
    sleep 0.01
  done
}

stop_daemon() {
  [[ -n ${daemon:-} ]] || return 0
  kill "$daemon" 2>/dev/null || true
  wait "$daemon" 2>/dev/null || true
  daemon=
}

# The load average, and how much of the last 10 s some task waited for a CPU
# or for the disk (pressure stall information), which tells a machine that
# is busy right now from one that was busy a minute ago.
load_average() {
  local load
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  if [[ -r /proc/pressure/cpu && -r /proc/pressure/io ]]; then
    load+=" (stalled: cpu $(sed -n 's/^some avg10=\([0-9.]*\).*/\1/p' /proc/pressure/cpu)%,"
    load+=" io $(sed -n 's/^some avg10=\([0-9.]*\).*/\1/p' /proc/pressure/io)%)"
  fi
  echo "$load"
}

# The rows of one benchmark: a header with when it ran and the load average
# before and after, then "figure<TAB>measured<TAB>target<TAB>verdict" lines
# read from stdin. Without BENCH_RESULTS they are only printed.
write_results() {
  local name=$1 load_before=$2
  local rows
  rows=$(cat)
  printf '%s\n' "$rows" | awk -F'\t' '{ printf "  %-48s %14s  %-10s %s\n", $1, $2, $3, $4 }'
  if [[ -n ${BENCH_RESULTS:-} ]]; then
    mkdir -p "$BENCH_RESULTS"
    {
      printf '# %s\t%s\t%s\t%s\n' "$name" "$(date -u +%FT%TZ)" "$load_before" "$(load_average)"
      printf '%s\n' "$rows"
    } >"$BENCH_RESULTS/$name.tsv"
  fi
}
