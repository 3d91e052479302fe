#!/usr/bin/env bash
# Task-shaped shape benchmark (docs/benchmarks.md, "Shape consumer: a task-shaped shape"):
# ROWS rows of bench_tasks (uuid, text, an enum, int8, timestamptz; ~356 bytes of Electric JSON a
# row) from hive-shape-server, `hivectl shape sync` into a fresh local store (A) against the
# official client materialising in memory (B), same server, same run, alternating A B A B for
# PAIRS pairs. Prints each run, then the median ratio of rows/s with its spread and the peak RSS
# of both. Rows/s is rows over the whole hivectl process (start to exit: opening the store, the
# final COMMIT and checkpoint included) and over the official client's Shape from construction
# to its first up-to-date (Node's start-up not counted), as in run.sh.
#
#   bench/shape/tasks.sh BUILD_DIR [ROWS] [PAIRS]      (defaults: 200000 rows, 5 pairs)
set -euo pipefail
build=$(cd "$1" && pwd); rows=${2:-200000}; pairs=${3:-5}
src=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d /tmp/hw-tasks-bench.XXXXXX)
node_dir=$build/tests/conformance/node
source "$src/bench/shape/common.sh"
trap bench_cleanup EXIT

"$src/tests/conformance/npm-ci.sh" "$node_dir" >/dev/null
bench_start_tasks "$rows"
hivectl=$build/app/hivectl/hivectl

bench_machine
# Warm the server's snapshot chunks (and the page cache) once with each client.
"$hivectl" shape sync --url "$url" --table bench_tasks --follow-ms 0 --db "$work/warm.sqlite" >/dev/null
node "$src/bench/shape/official_initial_sync.mjs" "$node_dir" "$url" bench_tasks >/dev/null
rm -f "$work"/warm.sqlite*

results=$work/results.jsonl
for pair in $(seq "$pairs"); do
    rm -f "$work"/store.sqlite*
    sync # the previous run's store must not be written back during this one
    load=$(cut -d' ' -f1 /proc/loadavg)
    start=$(date +%s.%N)
    /usr/bin/time -f '%M %U %S' -o "$work/hw.time" "$hivectl" shape sync --url "$url" \
        --table bench_tasks --follow-ms 0 --db "$work/store.sqlite"
    end=$(date +%s.%N)
    stored=$(sqlite3 "$work/store.sqlite" "SELECT row_count FROM shape_state WHERE name='bench_tasks'")
    read -r rss user sys < <(tail -1 "$work/hw.time")
    python3 -c 'import json,sys; r,s,e,rss,u,y,l,p=sys.argv[1:]; print(json.dumps({"pair":int(p),"client":"hivectl","load":float(l),"rows":int(r),"seconds":float(e)-float(s),"cpuSeconds":float(u)+float(y),"peakRssMiB":int(rss)/1024}))' \
        "$stored" "$start" "$end" "$rss" "$user" "$sys" "$load" "$pair" >>"$results"
    sync
    load=$(cut -d' ' -f1 /proc/loadavg)
    node "$src/bench/shape/official_initial_sync.mjs" "$node_dir" "$url" bench_tasks \
        | python3 -c 'import json,sys; d=json.loads(sys.stdin.read()); d.update(pair=int(sys.argv[1]),client="official",load=float(sys.argv[2])); print(json.dumps(d))' "$pair" "$load" >>"$results"
    tail -2 "$results"
done
echo "== after"; uptime

python3 - "$results" <<'PY'
import json, statistics, sys
runs = [json.loads(line) for line in open(sys.argv[1])]
by = lambda c: [r for r in runs if r["client"] == c]
hw, off = by("hivectl"), by("official")
for r in runs:
    r["rowsPerSecond"] = r["rows"] / r["seconds"]
ratios = [a["rowsPerSecond"] / b["rowsPerSecond"] for a, b in zip(hw, off)]
print("pair  load  hivectl s  rows/s   CPU s  RSS MiB | official s  rows/s   CPU s  RSS MiB | ratio")
for a, b, q in zip(hw, off, ratios):
    print(f"{a['pair']:>4} {a['load']:5.2f} {a['seconds']:9.2f} {a['rowsPerSecond']:8.0f} {a['cpuSeconds']:6.2f} {a['peakRssMiB']:7.1f}"
          f" | {b['seconds']:9.2f} {b['rowsPerSecond']:8.0f} {b['cpuSeconds']:6.2f} {b['peakRssMiB']:7.1f} | {q:5.2f}x")
med = lambda xs: statistics.median(xs)
print(f"median ratio of rows/s {med(ratios):.2f}x (spread {min(ratios):.2f}-{max(ratios):.2f}x over {len(ratios)} pairs); "
      f"CPU-seconds ratio {med([b['cpuSeconds'] for b in off]) / med([a['cpuSeconds'] for a in hw]):.2f}x")
print(f"median wall: hivectl {med([r['seconds'] for r in hw]):.2f} s, official {med([r['seconds'] for r in off]):.2f} s")
print(f"peak RSS (median/max): hivectl {med([r['peakRssMiB'] for r in hw]):.1f}/{max(r['peakRssMiB'] for r in hw):.1f} MiB, "
      f"official {med([r['peakRssMiB'] for r in off]):.1f}/{max(r['peakRssMiB'] for r in off):.1f} MiB")
PY
