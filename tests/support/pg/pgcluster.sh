#!/usr/bin/env bash
# Create, start and stop a private PostgreSQL 15 cluster with wal_level=logical.
#
#   pgcluster.sh start STATE_DIR [--port N] [--wal-level LEVEL] [--durable]
#                                             creates (first time) and starts; prints the conninfo.
#                                             --wal-level (default logical) lets a test start a
#                                             cluster that is NOT ready for Electric (replica)
#                                             --durable: a cluster that holds someone's data (the
#                                             demo hive): fsync on, and always in STATE_DIR/data
#   pgcluster.sh stop  STATE_DIR              stops it, within about 40 s (the data stays)
#   pgcluster.sh destroy STATE_DIR            stops it and removes its data
#   pgcluster.sh status STATE_DIR
#
# STATE_DIR receives `conninfo` (a libpq conninfo string: host=<socket dir> port=<port>
# user=postgres dbname=postgres) and `env` (PGHOST/PGPORT/PGUSER lines for shells).
#
# The superuser needs no password, so nobody else may reach the server: it listens on no TCP
# address at all, only on a Unix socket in a directory only the server user can enter (a short
# /tmp directory because of the 107-byte socket path limit; made afresh when the recorded one is
# gone or is not private any more). As root the server runs as `postgres`.
#
# The data directory is STATE_DIR/data. As root, without --durable, it goes under /tmp when
# `postgres` cannot enter STATE_DIR (the test fixture: throwaway, fsync off for speed). With
# --durable it stays in STATE_DIR/data and `postgres` gets search-only access (an ACL entry for
# that one user, never a mode bit for everyone) to the directories above it.
set -euo pipefail

cmd=${1:-}; state=${2:-}
[[ -n $cmd && -n $state ]] || { echo "usage: $0 start|stop|destroy|status STATE_DIR [--port N] [--wal-level LEVEL]" >&2; exit 2; }
shift 2
want_port=
wal_level=logical
durable=
while (($#)); do
    case $1 in
        --port) want_port=$2; shift 2 ;;
        --wal-level) wal_level=$2; shift 2 ;;
        --durable) durable=1; shift ;;
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

is_root() { [[ $(id -u) -eq 0 ]]; }

# Lets the server user reach $1 by granting it search (x) on each directory above that it cannot
# enter yet. Only that user gets it: the directories stay closed to everyone else.
open_path_to_server() {
    local dir=$1 path= part
    local -a parts
    IFS=/ read -ra parts <<<"${dir#/}"
    for part in "${parts[@]}"; do
        path+=/$part
        as_server test -x "$path" && continue
        command -v setfacl >/dev/null || {
            echo "pgcluster: the server user postgres cannot enter $path, and setfacl (package acl) is not installed to let it in; install acl or choose a data directory postgres can reach" >&2
            exit 1
        }
        setfacl -m u:postgres:x "$path" || {
            echo "pgcluster: could not let the server user postgres enter $path (setfacl failed)" >&2
            exit 1
        }
    done
}

# A private socket directory: ours, mode 700. A recorded one that vanished (reboot) or that is
# not private any more is replaced, never reused.
socket_dir() {
    local sock owner
    sock=$( [[ -f $state/sockdir ]] && cat "$state/sockdir" || true)
    owner=$(is_root && echo postgres || id -un)
    if [[ -z $sock || -L $sock || ! -d $sock || $(stat -c %U:%a "$sock") != "$owner:700" ]]; then
        sock=$(mktemp -d /tmp/hwpg.XXXXXX)
        is_root && chown postgres:postgres "$sock"
        echo "$sock" >"$state/sockdir"
    fi
    echo "$sock"
}

create() {
    local data
    if is_root && [[ -z $durable ]] && ! as_server test -x "$state"; then
        data=$(mktemp -d /tmp/hivewatch-pgdata.XXXXXX)
    else
        data=$state/data
        is_root && open_path_to_server "$state"
        mkdir -p "$data"
    fi
    is_root && chown postgres:postgres "$data"
    chmod 700 "$data"
    echo "$data" >"$state/datadir"
    as_server "$bindir/initdb" -D "$data" -U postgres --auth-local=trust --auth-host=reject \
        --encoding=UTF8 --locale=C.UTF-8 >"$state/initdb.log" 2>&1 \
        || { cat "$state/initdb.log" >&2; exit 1; }
}

# A durable cluster an older version created under /tmp moves into STATE_DIR/data, where it
# survives a reboot.
adopt_into_state() {
    local old; old=$(datadir_of)
    [[ -n $durable && -n $old && $old != "$state/data" && -f $old/PG_VERSION ]] || return 0
    [[ -e $state/data ]] && { echo "pgcluster: both $old and $state/data exist; move one away" >&2; exit 1; }
    if running; then as_server "$bindir/pg_ctl" -D "$old" -m fast -w stop >/dev/null; fi
    is_root && open_path_to_server "$state"
    mv "$old" "$state/data"
    echo "$state/data" >"$state/datadir"
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
    adopt_into_state
    [[ -n $(datadir_of) && -f $(datadir_of)/PG_VERSION ]] || create
    data=$(datadir_of)
    if running && [[ -f $state/conninfo ]]; then cat "$state/conninfo"; return 0; fi
    sock=$(socket_dir)
    logf=$data/server.log
    # The throwaway test cluster trades crash safety for speed; a durable one keeps the defaults.
    [[ -n $durable ]] || extra+=(-c fsync=off -c full_page_writes=off)
    # wal2json is optional; allow it where this server knows the GUC (Debian 15.19+).
    if "$bindir/postgres" --describe-config 2>/dev/null | grep -q '^output_plugin_libraries'; then
        extra+=(-c "output_plugin_libraries=pgoutput,test_decoding,wal2json")
    fi
    for attempt in 1 2 3 4 5 6 7 8; do
        port=${want_port:-$((20000 + RANDOM % 30000))}
        if as_server "$bindir/pg_ctl" -D "$data" -l "$logf" -w -t 30 start -o \
            "-p $port -k $sock -c listen_addresses='' -c unix_socket_permissions=0700 -c wal_level=$wal_level -c max_replication_slots=20 -c max_wal_senders=20 -c synchronous_commit=on -c max_connections=200 ${extra[*]}" \
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

# Fast shutdown (sessions are ended, not waited for), bounded: a replication client that never
# confirms the shutdown checkpoint (an orphaned shape server) holds a fast shutdown until
# wal_sender_timeout, so after 20 s an immediate one ends it (the next start recovers from WAL).
stop() {
    local data; data=$(datadir_of)
    [[ -n $data && -d $data ]] || return 0
    running || return 0
    as_server "$bindir/pg_ctl" -D "$data" -m fast -w -t 20 stop >/dev/null 2>&1 && return 0
    running || return 0
    echo "pgcluster: $data did not stop within 20 s; stopping it immediately" >&2
    as_server "$bindir/pg_ctl" -D "$data" -m immediate -w -t 20 stop >/dev/null
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
