# Shared by the scripts in bench/shape (sourced, not run): a private PostgreSQL
# cluster with a `shapebench` database holding the hive schema and the Electric setup, and
# hive-shape-server on it. The caller sets `build` (a built tree), `src` (the repository root)
# and `work` (a fresh temporary directory it owns); bench_cleanup removes all three's leftovers.

bench_cleanup() {
    [[ -n ${server_pid:-} ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
    "$src/tests/support/pg/pgcluster.sh" destroy "$work/pg" >/dev/null 2>&1 || true
    rm -rf "$work"
}

# Starts the cluster and creates the database: sets `db` (its conninfo). Extra psql -f files (the
# seed of the caller's table) run after the schema and the Electric setup.
bench_start_cluster() {
    "$src/tests/support/pg/pgcluster.sh" start "$work/pg" >/dev/null
    local conninfo
    conninfo=$(cat "$work/pg/conninfo")
    psql "$conninfo" -qc "CREATE DATABASE shapebench" >/dev/null
    db="${conninfo/dbname=postgres/dbname=shapebench}"
    psql "$db" -q -v ON_ERROR_STOP=1 -f "$src/tests/support/sql/hive_schema.sql" \
        -f "$src/tests/support/sql/electric_setup.sql" "$@" >/dev/null 2>&1
}

# Starts hive-shape-server on `db`: sets `server_pid` and `url` (its /v1/shape).
bench_start_server() {
    "$build/tools/shape-server/hive-shape-server" --dsn "$db" --port 0 \
        >"$work/server.out" 2>"$work/server.err" &
    server_pid=$!
    for _ in $(seq 100); do grep -q '^listening on' "$work/server.out" && break; sleep 0.1; done
    url="$(sed -n 's/^listening on //p' "$work/server.out")/v1/shape"
}

# bench_tasks (bench_tasks.sql: the task-shaped table of tasks.sh) with ROWS rows, and the server
# on it.
bench_start_tasks() {
    echo "seeding $1 task rows…" >&2
    bench_start_cluster -v rows="$1" -f "$src/bench/shape/bench_tasks.sql"
    bench_start_server
}

bench_machine() {
    echo "== machine"; nproc; lscpu | grep -E "Model name|^CPU\(s\)"; date -u; uptime
    echo "== commit $(git -C "$src" rev-parse --short HEAD)$(git -C "$src" diff --quiet HEAD || echo ' (+ uncommitted changes)')"
}
