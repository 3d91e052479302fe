#!/usr/bin/env bash
# How long `hivectl shape sync` waits for its WAL sync at close, on the task-shaped shape
# (docs/benchmarks.md, "The task shape: the writer kept busy, the WAL written as it grows"):
# ROWS rows of bench_tasks (as tasks.sh), RUNS rounds each syncing once with every HIVECTL given,
# in turn, into a fresh store under `strace -f -T -e trace=fdatasync`. Prints per run the wall
# time and the longest fdatasync (the one at close; the others are the fresh store's
# migrations), then each binary's medians. strace slows the run itself; the sync's own wait
# is the kernel's writeback, which strace does not change.
#
#   bench/shape/close-sync.sh BUILD_DIR ROWS RUNS HIVECTL…
#   e.g. bench/shape/close-sync.sh build 200000 5 /tmp/base/hivectl build/app/hivectl/hivectl
set -euo pipefail
build=$(cd "$1" && pwd); rows=$2; runs=$3; shift 3
src=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d /tmp/hw-close-sync.XXXXXX)
source "$src/bench/shape/common.sh"
trap bench_cleanup EXIT

bench_start_tasks "$rows"
bench_machine
"$build/app/hivectl/hivectl" shape sync --url "$url" --table bench_tasks --follow-ms 0 \
    --db "$work/warm.sqlite" >/dev/null
rm -f "$work"/warm.sqlite*

results=$work/results.txt
for round in $(seq "$runs"); do
    for hivectl in "$@"; do
        rm -f "$work"/store.sqlite*
        sync # the previous run's store must not be written back during this one
        start=$(date +%s.%N)
        strace -f -T -e trace=fdatasync -o "$work/strace.txt" "$hivectl" shape sync --url "$url" \
            --table bench_tasks --follow-ms 0 --db "$work/store.sqlite" >/dev/null
        end=$(date +%s.%N)
        longest=$(grep -o '<[0-9.]*>$' "$work/strace.txt" | tr -d '<>' | sort -g | tail -1)
        echo "$hivectl $(echo "$end - $start" | bc) ${longest:-0}" | tee -a "$results"
    done
done
python3 - "$results" <<'PY'
import collections, statistics, sys
runs = collections.defaultdict(list)
for line in open(sys.argv[1]):
    name, wall, sync = line.split()
    runs[name].append((float(wall), float(sync)))
for name, values in runs.items():
    print(f"{name}: median wall {statistics.median(v[0] for v in values):.2f} s (under strace), "
          f"longest fdatasync median {1000 * statistics.median(v[1] for v in values):.0f} ms, "
          f"range {1000 * min(v[1] for v in values):.0f}-{1000 * max(v[1] for v in values):.0f} ms")
PY
