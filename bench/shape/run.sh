#!/usr/bin/env bash
# Shape consumer benchmark (docs/benchmarks.md, "Shape consumer"):
#   1. initial sync of a ROWS-row node_task_output_logs shape from hive-shape-server:
#      hivectl shape sync into the local store vs the official client materializing in memory,
#      same server, same run: rows/s and peak RSS of both;
#   2. live latency from a Postgres COMMIT to the ShapeBatch on the receiving thread.
#
#   bench/shape/run.sh BUILD_DIR [ROWS]        (BUILD_DIR: a configured and built tree)
#   HW_SYNC_ARGS="--index" bench/shape/run.sh …  extra options for the measured hivectl run (with
#                                               --index the full-text index follows the writer)
set -euo pipefail
build=$(cd "$1" && pwd); rows=${2:-1000000}
src=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d /tmp/hw-shape-bench.XXXXXX)
node_dir=$build/tests/conformance/node
source "$src/bench/shape/common.sh"
trap bench_cleanup EXIT

"$src/tests/conformance/npm-ci.sh" "$node_dir" >/dev/null
bench_start_cluster -f "$src/tests/support/sql/hive_seed.sql"
echo "seeding $rows log lines…" >&2
psql "$db" -qc "SELECT hive_seed(2, 4, 200, 8, 100, $rows, 200)" >/dev/null
psql "$db" -qc "VACUUM ANALYZE" >/dev/null
bench_start_server
bench_machine
# Warm the server's shape once so both clients read the same snapshot chunks.
"$build/app/hivectl/hivectl" shape sync --url "$url" --table node_task_output_logs --follow-ms 0 \
    --db "$work/warm.sqlite" >/dev/null

# The setup above leaves hundreds of MB of dirty pages (Postgres, the warm-up store); flush them
# so their writeback does not land on whichever client runs first.
sync
echo "== hivectl (into the local store) ${HW_SYNC_ARGS:-}"
start=$(date +%s.%N)
/usr/bin/time -f '%M %U %S' -o "$work/hw.rss" "$build/app/hivectl/hivectl" shape sync --url "$url" \
    --table node_task_output_logs --follow-ms 0 --db "$work/store.sqlite" ${HW_SYNC_ARGS:-}
end=$(date +%s.%N)
stored=$(sqlite3 "$work/store.sqlite" "SELECT row_count FROM shape_state WHERE name='node_task_output_logs'")
store_bytes=$(cat "$work"/store.sqlite* | wc -c)
python3 - "$stored" "$start" "$end" "$store_bytes" $(tail -1 "$work/hw.rss") <<'PY'
import json, sys
rows, start, end = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
store = int(sys.argv[4])
rss, cpu = int(sys.argv[5]), float(sys.argv[6]) + float(sys.argv[7])
print(json.dumps({"rows": rows, "seconds": round(end - start, 3), "rowsPerSecond": round(rows / (end - start)),
                  "cpuSeconds": round(cpu, 3), "rowsPerCpuSecond": round(rows / cpu),
                  "peakRssMiB": round(rss / 1024, 1), "storeMiB": round(store / 2**20, 1)}))
PY

echo "== official client @electric-sql/client (in memory)"
sync
node "$src/bench/shape/official_initial_sync.mjs" "$node_dir" "$url" node_task_output_logs

echo "== live latency (COMMIT -> batch on the receiving thread)"
"$build/bench/shape/bench_shape_live_latency" "$db" "$url" 100
