#!/usr/bin/env bash
# Where the GUI thread waits on Qt's thread pool (docs/benchmarks.md, "Retakes of session 14"):
# Qt 6.4's raster engine hands a large fill to QThreadPool::globalInstance() and waits on a
# QSemaphore until the pool's threads ran it. A uprobe on QSemaphore::acquire during one run of
# bench_ui_stall counts those waits on the GUI thread, by the paint event (or qDrawBorderPixmap)
# they came from. Needs root (perf probe); the probe is removed at the end.
#
#   bench/ui/pool-waits.sh BENCH_UI_STALL PG_CLUSTER_DIR [bench_ui_stall options…]
#   e.g. bench/ui/pool-waits.sh build/bench/ui/bench_ui_stall /tmp/hw-bench-pg
set -euo pipefail
bench=$(realpath "$1"); cluster=$2; shift 2
core=$(ldd "$bench" | awk '/libQt6Core\.so/ {print $3}')
core=$(realpath "$core")
address=$(nm -D "$core" | awk '$3 ~ /^_ZN10QSemaphore7acquireEi/ {print "0x" $1}')
work=$(mktemp -d /tmp/hw-pool-waits.XXXXXX)
trap 'perf probe -q -d "probe_libQt6Core:semacq" 2>/dev/null || true; rm -rf "$work"' EXIT
perf probe -q -x "$core" -a "semacq=$address"
QT_QPA_PLATFORM=offscreen QT_LOGGING_RULES='hivewatch.*.debug=false' \
    perf record -q -o "$work/perf.data" -e probe_libQt6Core:semacq --call-graph dwarf,8192 -- \
    "$bench" --dsn "$(cat "$cluster/conninfo")" "$@" >"$work/run.txt" 2>&1 \
    || { tail -3 "$work/run.txt" >&2; exit 1; }
grep -E '^GUI event loop stall' "$work/run.txt" || true
perf script -i "$work/perf.data" -F pid,tid,ip,sym 2>/dev/null | python3 -c '
import collections, sys
waits, gui = collections.Counter(), 0
for block in sys.stdin.read().strip().split("\n\n"):
    lines = block.strip().split("\n")
    pid, _, tid = lines[0].split()[0].partition("/")
    if pid != tid:
        continue  # another thread: not the GUI thread
    gui += 1
    frames = [l.split(None, 1)[1] for l in lines[1:] if len(l.split(None, 1)) > 1]
    caller = next((f for f in frames if "paintEvent" in f or "qDrawBorderPixmap" in f), "no named caller")
    waits[caller] += 1
print(f"{gui} waits on the GUI thread")
for caller, n in waits.most_common():
    print(f"{n:6d}  {caller}")
'
