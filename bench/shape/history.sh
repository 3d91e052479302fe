#!/usr/bin/env bash
# The cost of recording history (docs/benchmarks.md, "History"): ROWS rows of bench_tasks from
# hive-shape-server, `hivectl shape sync --history` (A: every change recorded; a first snapshot
# is one baseline mark) against `--no-history` (B) into a fresh store each, same server, same run,
# alternating A B A B for PAIRS pairs. Prints each run, the median ratio of rows/s and of
# CPU-seconds, and the store's size with and without the history.
#
#   bench/shape/history.sh BUILD_DIR [ROWS] [PAIRS]      (defaults: 200000 rows, 5 pairs)
set -euo pipefail
build=$(cd "$1" && pwd); rows=${2:-200000}; pairs=${3:-5}
src=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d /tmp/hw-history-bench.XXXXXX)
source "$src/bench/shape/common.sh"
trap bench_cleanup EXIT

bench_start_tasks "$rows"
hivectl=$build/app/hivectl/hivectl

bench_machine
"$hivectl" shape sync --url "$url" --table bench_tasks --follow-ms 0 --db "$work/warm.sqlite" >/dev/null
rm -f "$work"/warm.sqlite*

results=$work/results.jsonl
for pair in $(seq "$pairs"); do
    for mode in history no-history; do
        rm -f "$work"/store.sqlite*
        sync
        load=$(cut -d' ' -f1 /proc/loadavg)
        start=$(date +%s.%N)
        /usr/bin/time -f '%M %U %S' -o "$work/hw.time" "$hivectl" shape sync --url "$url" \
            --table bench_tasks --follow-ms 0 --db "$work/store.sqlite" "--$mode"
        end=$(date +%s.%N)
        stored=$(sqlite3 "$work/store.sqlite" "SELECT row_count FROM shape_state WHERE name='bench_tasks'")
        recorded=$(sqlite3 "$work/store.sqlite" "SELECT count(*) FROM history" 2>/dev/null || echo 0)
        sqlite3 "$work/store.sqlite" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
        bytes=$(stat -c %s "$work/store.sqlite")
        read -r rss user sys < <(tail -1 "$work/hw.time")
        python3 -c 'import json,sys; m,r,h,b,s,e,rss,u,y,l,p=sys.argv[1:]; print(json.dumps({"pair":int(p),"mode":m,"load":float(l),"rows":int(r),"recorded":int(h),"storeBytes":int(b),"seconds":float(e)-float(s),"cpuSeconds":float(u)+float(y),"peakRssMiB":int(rss)/1024}))' \
            "$mode" "$stored" "$recorded" "$bytes" "$start" "$end" "$rss" "$user" "$sys" "$load" "$pair" >>"$results"
        tail -1 "$results"
    done
done
echo "== after"; uptime

python3 - "$results" <<'PY'
import json, statistics, sys
runs = [json.loads(line) for line in open(sys.argv[1])]
for r in runs:
    r["rowsPerSecond"] = r["rows"] / r["seconds"]
a = [r for r in runs if r["mode"] == "history"]
b = [r for r in runs if r["mode"] == "no-history"]
med = statistics.median
rate = [x["rowsPerSecond"] / y["rowsPerSecond"] for x, y in zip(a, b)]
cpu = [x["cpuSeconds"] / y["cpuSeconds"] for x, y in zip(a, b)]
print("pair  load | history s  rows/s  CPU s  MB | no-history s  rows/s  CPU s  MB | rate ratio")
for x, y, q in zip(a, b, rate):
    print(f"{x['pair']:>4} {x['load']:5.2f} | {x['seconds']:9.2f} {x['rowsPerSecond']:7.0f} {x['cpuSeconds']:6.2f} {x['storeBytes']/1e6:5.1f}"
          f" | {y['seconds']:12.2f} {y['rowsPerSecond']:7.0f} {y['cpuSeconds']:6.2f} {y['storeBytes']/1e6:5.1f} | {q:5.2f}")
print(f"median rows/s with history / without: {med(rate):.3f} (spread {min(rate):.3f}-{max(rate):.3f}); "
      f"CPU-seconds with / without: {med(cpu):.3f} (spread {min(cpu):.3f}-{max(cpu):.3f})")
grow = med([x["storeBytes"] - y["storeBytes"] for x, y in zip(a, b)])
per = f" = {grow/1e6/(a[0]['recorded']/1e6):.0f} MB per million changes" if a[0]["recorded"] else " (a first snapshot is one baseline mark)"
print(f"history: {a[0]['recorded']} changes, +{grow/1e6:.1f} MB{per}")
PY
