#!/usr/bin/env bash
# run_fuzzer.sh FUZZER CORPUS_DIR SECONDS [DICT]
# A bounded libFuzzer run on a scratch copy of the seed corpus, so new inputs never land in the
# source tree. Exits non-zero on any finding (crash, leak, timeout, out of memory); the crashing
# input is kept in the scratch dir's artifacts/ and its path printed.
set -euo pipefail
fuzzer=$1 corpus=$2 seconds=$3 dict=${4:-}
work=$(mktemp -d "${TMPDIR:-/tmp}/hivewatch-fuzz.XXXXXX")
trap 'status=$?; if ((status == 0)); then rm -rf "$work"; else echo "inputs kept in $work" >&2; fi' EXIT
mkdir -p "$work/corpus" "$work/artifacts"
cp -R "$corpus/." "$work/corpus/"
args=(-max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -max_len=65536
      -print_final_stats=1 -artifact_prefix="$work/artifacts/")
[[ -n $dict ]] && args+=(-dict="$dict")
"$fuzzer" "${args[@]}" "$work/corpus"
