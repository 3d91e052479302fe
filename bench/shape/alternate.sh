#!/usr/bin/env bash
# hivectl builds side by side on one shape: ROUNDS rounds, each syncing TABLE from scratch into a
# fresh store once with every variant, in the order given, so load drifts hit all alike. Prints
# per run the wall time, user+system CPU and peak RSS (/usr/bin/time), and rows/s.
# The database is the one bench_ui_stall seeds (hivewatch_bench_ui: 100k tasks, 1M log lines).
#
#   bench/shape/alternate.sh BUILD_DIR PG_CLUSTER_DIR ROUNDS TABLE NAME=HIVECTL…
#   e.g. bench/shape/alternate.sh build /tmp/hw-bench-pg 5 node_task_output_logs \
#            main=../main/build/app/hivectl/hivectl new=build/app/hivectl/hivectl
set -euo pipefail
build=$(cd "$1" && pwd) cluster=$2 rounds=$3 table=$4
shift 4
src=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d /tmp/hw-shape-alt.XXXXXX)
source "$src/bench/shape/common.sh"
trap bench_cleanup EXIT
db="$(cat "$cluster/conninfo") dbname=hivewatch_bench_ui"
bench_start_server
# Warm the server's shape once so every run reads the same snapshot chunks.
"$build/app/hivectl/hivectl" shape sync --url "$url" --table "$table" --follow-ms 0 \
    --db "$work/warm.sqlite" >/dev/null
rm -f "$work"/warm.sqlite*
bench_machine
for round in $(seq "$rounds"); do
    for spec in "$@"; do
        name=${spec%%=*} binary=${spec#*=}
        sync
        load=$(cut -d' ' -f1 /proc/loadavg)
        start=$(date +%s.%N)
        /usr/bin/time -f '%M %U %S' -o "$work/time" "$binary" shape sync --url "$url" \
            --table "$table" --follow-ms 0 --db "$work/store.sqlite" >/dev/null
        end=$(date +%s.%N)
        rows=$(sqlite3 "$work/store.sqlite" "SELECT row_count FROM shape_state WHERE name='$table'")
        read -r rss user sys <"$work/time"
        python3 -c "import sys; n,s,e,r,u,y=sys.argv[1:]; w=float(e)-float(s); print(f'%-6s %d  load %-5s  wall %.2f s, CPU %.2f s, peak %d MiB, %d rows, %.0f rows/s' % ('$name', $round, '$load', w, float(u)+float(y), int(r)//1024, int(n), int(n)/w))" \
            "$rows" "$start" "$end" "$rss" "$user" "$sys"
        rm -f "$work"/store.sqlite*
    done
done
