#!/usr/bin/env bash
# bench_ui_stall builds (or allocator settings) side by side: ROUNDS rounds, each running every
# variant once in the order given, so load drifts hit all of them alike (docs/benchmarks.md,
# "Start-up and Qt's parallel fills"). A variant is NAME=BENCH_BINARY, optionally
# NAME=BENCH_BINARY@MALLOC_CONF (jemalloc settings for that variant's runs only).
# Prints one line per run (all live, wall longest / p99, GUI CPU per tick, peak RSS) and every
# stall over 40 ms, and the longest stall less the machine's own pauses (bench/machine); each
# run's whole output is kept in OUT_DIR/NAME-ROUND.txt.
#
#   bench/ui/alternate.sh PG_CLUSTER_DIR OUT_DIR ROUNDS VARIANT… [-- bench_ui_stall options…]
#   e.g. bench/ui/alternate.sh /tmp/hw-bench-pg /tmp/ab 5 \
#            main=../main/build/bench/ui/bench_ui_stall new=build/bench/ui/bench_ui_stall
set -euo pipefail
cluster=$1 out=$2 rounds=$3
shift 3
variants=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do variants+=("$1"); shift; done
[ "${1:-}" = -- ] && shift
mkdir -p "$out"
for round in $(seq "$rounds"); do
    for spec in "${variants[@]}"; do
        name=${spec%%=*} rest=${spec#*=}
        binary=${rest%%@*} conf=
        [[ $rest == *@* ]] && conf=${rest#*@}
        load=$(cut -d' ' -f1 /proc/loadavg)
        file=$out/$name-$round.txt
        MALLOC_CONF=$conf QT_LOGGING_RULES='hivewatch.*.debug=false' \
            "$binary" --dsn "$(cat "$cluster/conninfo")" "$@" >"$file" 2>&1 || true
        printf '%-6s %d  load %-5s  %s | %s | %s | %s\n' "$name" "$round" "$load" \
            "$(grep -oE 'in [0-9.]+ s; tasks all shown after [0-9.]+ s' "$file")" \
            "$(grep -oE 'longest [0-9.]+ ms, p99 [0-9.]+ ms' "$file" | head -1)" \
            "GUI CPU per tick $(grep -oE 'longest [0-9.]+ ms, p99 [0-9.]+ ms' "$file" | sed -n 2p)" \
            "$(grep -oE 'process: [0-9]+ MiB' "$file")"
        grep 'stall of' "$file" | awk '$3 > 40' | cut -c1-170 | sed 's/^/    /' || true
        grep -E '^longest stall less machine pauses|^machine pauses not' "$file" | sed 's/^/    /' || true
    done
done
