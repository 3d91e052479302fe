#!/usr/bin/env bash
# Who the GUI thread waits for (docs/benchmarks.md, "Worker threads below the GUI thread" and
# "Retakes at the end of session 9"): bench_ui_stall at full size, alternating for PAIRS rounds
#   as-built     the dashboard as shipped (its workers at nice 10);
#   no-lowering  setpriority() made a no-op by preloading no_setpriority.c: no thread lowered;
#   rig-lowered  as built, with the bench's rig (its Postgres cluster and hive-shape-server,
#                which in production run on other machines) at nice 10.
# Prints one line per run: all live, wall longest / p99, GUI CPU per tick, peak RSS, and every
# stall over 45 ms. rig-lowered needs root (nice values cannot be raised back otherwise); without
# it that mode is skipped. MODES="…" picks the modes and their order. Each run also prints the
# longest stall less the machine's own pauses (bench/machine).
#
#   bench/ui/priorities.sh BUILD_DIR PG_CLUSTER_DIR [PAIRS [bench_ui_stall options…]]
#   (default 3 pairs at full size; e.g. `1 --tasks 20000 --logs 200000` for a quick look)
#   e.g. tests/support/pg/pgcluster.sh start /tmp/hw-bench-pg && bench/ui/priorities.sh build /tmp/hw-bench-pg
set -euo pipefail
build=$(cd "$1" && pwd); cluster=$2; pairs=${3:-3}
shift $(($# < 3 ? $# : 3))
work=$(mktemp -d /tmp/hw-priorities.XXXXXX)
trap 'rm -rf "$work"' EXIT
cc -shared -fPIC -O2 -o "$work/no_setpriority.so" "$(dirname "$0")/no_setpriority.c"
postmaster=$(head -1 "$cluster/data/postmaster.pid")
modes="as-built no-lowering"
[ "$(id -u)" = 0 ] && modes="$modes rig-lowered"
# MODES="as-built rig-lowered" (say) runs only those, in that order.
if [ -n "${MODES:-}" ]; then
    modes=$MODES
    if [[ " $modes " == *" rig-lowered "* ]] && [ "$(id -u)" != 0 ]; then
        echo "priorities.sh: rig-lowered needs root" >&2; exit 2
    fi
fi

rig_nice() { # the cluster's postmaster and every backend; the server is reniced as it starts
    for p in $postmaster $(pgrep -P "$postmaster"); do renice -n "$1" -p "$p" >/dev/null; done
}

for pair in $(seq "$pairs"); do
    for mode in $modes; do
        preload=; watcher=
        if [ "$mode" = no-lowering ]; then preload=$work/no_setpriority.so; fi
        if [ "$mode" = rig-lowered ]; then
            rig_nice 10
            (for _ in $(seq 500); do p=$(pgrep -x hive-shape-serv || true)
                 if [ -n "$p" ]; then renice -n 10 -p $p >/dev/null; break; fi; sleep 0.02; done) &
            watcher=$!
        fi
        load=$(cut -d' ' -f1 /proc/loadavg)
        out=$work/$mode-$pair.txt
        LD_PRELOAD=$preload QT_QPA_PLATFORM=offscreen QT_LOGGING_RULES='hivewatch.*.debug=false' \
            "$build/bench/ui/bench_ui_stall" --dsn "$(cat "$cluster/conninfo")" "$@" >"$out" 2>&1 || true
        [ -n "$watcher" ] && wait "$watcher" || true
        [ "$mode" = rig-lowered ] && rig_nice 0
        printf '%-12s %d  load %-5s  %s | %s | %s | %s\n' "$mode" "$pair" "$load" \
            "$(grep -oE 'in [0-9.]+ s; tasks all shown after [0-9.]+ s' "$out")" \
            "$(grep -oE 'longest [0-9.]+ ms, p99 [0-9.]+ ms' "$out" | head -1)" \
            "GUI CPU per tick $(grep -oE 'longest [0-9.]+ ms, p99 [0-9.]+ ms' "$out" | sed -n 2p)" \
            "$(grep -oE 'process: [0-9]+ MiB' "$out")"
        grep 'stall of' "$out" | awk '$3 > 45' | cut -c1-150 | sed 's/^/    /' || true
        grep -E '^longest stall less machine pauses' "$out" | sed 's/^/    /' || true
    done
done
