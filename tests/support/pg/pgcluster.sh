#!/usr/bin/env bash
# Create, start and stop a private PostgreSQL 15 cluster with wal_level=logical.
#
#   pgcluster.sh start STATE_DIR [--port N] [--wal-level LEVEL]
#                                             creates (first time) and starts; prints the conninfo.
#                                             --wal-level (default logical) lets a test start a
#                                             cluster that is NOT ready for Electric (replica)
#   pgcluster.sh stop  STATE_DIR              stops it (the data stays for the next start)
#   pgcluster.sh destroy STATE_DIR            stops it and removes its data
#   pgcluster.sh status STATE_DIR
#
# STATE_DIR receives `conninfo` (a libpq conninfo string: host=<socket dir> port=<port>
# user=postgres dbname=postgres) and `env` (PGHOST/PGPORT/PGUSER lines for shells). The data
# directory lives in STATE_DIR/data unless STATE_DIR's path is not usable by the server user
# (as root the server runs as `postgres`, which cannot enter /root): then under /tmp, recorded in
# STATE_DIR/datadir. The socket lives in a short /tmp directory because of the 107-byte limit.
set -euo pipefail

cmd=${1:-}; state=${2:-}
[[ -n $cmd && -n $state ]] || { echo "usage: $0 start|stop|destroy|status STATE_DIR [--port N] [--wal-level LEVEL]" >&2; exit 2; }
shift 2
want_port=
wal_level=logical
while (($#)); do
    case $1 in
        --port) want_port=$2; shift 2 ;;
        --wal-level) wal_level=$2; shift 2 ;;
        *) echo "pgcluster: unknown option $1" >&2; exit 2 ;;
    esac
done

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
[[ -x $bindir/postgres ]] || { echo "pgcluster: PostgreSQL server binaries not found under /usr/lib/postgresql (apt-get install postgresql)" >&2; exit 1; }

mkdir -p "$state"
state=$(cd "$state" && pwd)

as_server() {
    if [[ $(id -u) -eq 0 ]]; then (cd /tmp && runuser -u postgres -- "$@"); else (cd /tmp && "$@"); fi
}

datadir_of() { if [[ -f $state/datadir ]]; then cat "$state/datadir"; else echo ""; fi; }

create() {
    local data sock
    if [[ $(id -u) -eq 0 ]]; then
        data=$(mktemp -d /tmp/hivewatch-pgdata.XXXXXX)
        chown postgres:postgres "$data"
    else
        data=$state/data; mkdir -p "$data"
    fi
    chmod 700 "$data"
    sock=$(mktemp -d /tmp/hwpg.XXXXXX)
    [[ $(id -u) -eq 0 ]] && chown postgres:postgres "$sock"
    echo "$data" >"$state/datadir"
    echo "$sock" >"$state/sockdir"
    as_server "$bindir/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$state/initdb.log" 2>&1 \
        || { cat "$state/initdb.log" >&2; exit 1; }
}

running() {
    local data; data=$(datadir_of)
    [[ -n $data ]] && as_server "$bindir/pg_ctl" -D "$data" status >/dev/null 2>&1
}

write_conninfo() {
    local sock=$1 port=$2
    echo "host=$sock port=$port user=postgres dbname=postgres" >"$state/conninfo"
    printf 'PGHOST=%s\nPGPORT=%s\nPGUSER=postgres\nPGDATABASE=postgres\n' "$sock" "$port" >"$state/env"
}

start() {
    local data sock port logf extra=()
    [[ -n $(datadir_of) && -f $(datadir_of)/PG_VERSION ]] || create
    data=$(datadir_of); sock=$(cat "$state/sockdir")
    if [[ ! -d $sock ]]; then mkdir -p "$sock"; [[ $(id -u) -eq 0 ]] && chown postgres:postgres "$sock"; fi
    if running; then cat "$state/conninfo"; return 0; fi
    logf=$data/server.log
    # wal2json is optional; allow it where this server knows the GUC (Debian 15.19+).
    if "$bindir/postgres" --describe-config 2>/dev/null | grep -q '^output_plugin_libraries'; then
        extra+=(-c "output_plugin_libraries=pgoutput,test_decoding,wal2json")
    fi
    for attempt in 1 2 3 4 5 6 7 8; do
        port=${want_port:-$((20000 + RANDOM % 30000))}
        if as_server "$bindir/pg_ctl" -D "$data" -l "$logf" -w -t 30 start -o \
            "-p $port -k $sock -c listen_addresses=127.0.0.1 -c wal_level=$wal_level -c max_replication_slots=20 -c max_wal_senders=20 -c fsync=off -c full_page_writes=off -c synchronous_commit=on -c max_connections=200 ${extra[*]}" \
            >/dev/null 2>&1; then
            write_conninfo "$sock" "$port"
            cat "$state/conninfo"
            return 0
        fi
        [[ -n $want_port ]] && break
    done
    echo "pgcluster: could not start PostgreSQL; last log lines:" >&2
    tail -n 20 "$logf" >&2 || true
    exit 1
}

stop() {
    local data; data=$(datadir_of)
    [[ -n $data && -d $data ]] || return 0
    if running; then as_server "$bindir/pg_ctl" -D "$data" -m fast -w stop >/dev/null; fi
}

case $cmd in
    start) start ;;
    stop) stop ;;
    destroy)
        stop
        data=$(datadir_of); sock=$( [[ -f $state/sockdir ]] && cat "$state/sockdir" || true)
        [[ -n $data ]] && rm -rf "$data"
        [[ -n $sock ]] && rm -rf "$sock"
        rm -f "$state/datadir" "$state/sockdir" "$state/conninfo" "$state/env" "$state/initdb.log"
        ;;
    status) if running; then echo "running: $(cat "$state/conninfo")"; else echo "stopped"; exit 3; fi ;;
    *) echo "usage: $0 start|stop|destroy|status STATE_DIR" >&2; exit 2 ;;
esac
