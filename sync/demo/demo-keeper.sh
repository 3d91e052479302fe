#!/usr/bin/env bash
# Keeps the demo's PostgreSQL cluster for one Hivewatch: starts it, waits until Hivewatch closes
# our stdin, then stops it (fast, bounded: see pgcluster.sh stop).
#
#   demo-keeper.sh PGCLUSTER_SCRIPT STATE_DIR [pgcluster start options…]
#
# stdout: "waiting" while another keeper holds STATE_DIR/keeper.lock (an earlier Hivewatch still
# stopping the cluster, or another Hivewatch using it), then the cluster's conninfo once it runs.
# A failed start exits 1 with pgcluster's message on stderr.
#
# Why a keeper and not a parent-death signal: pg_ctl daemonises the postmaster (and as root runs
# it through runuser, which clears a parent-death signal), so nothing Hivewatch sets on its own
# children reaches it. The kernel closes Hivewatch's end of our stdin however Hivewatch ends —
# Quit, a signal, a crash or kill -9 — so EOF here is the one event that always comes. The lock
# makes the next start wait for this stop instead of reusing a cluster that is going down.
set -uo pipefail
script=$1
state=$2
shift 2

# Hivewatch's signals must not end us before the cluster is stopped: a terminal's Ctrl-C goes to
# its whole process group, a closed terminal sends SIGHUP (Hivewatch also starts us in a session
# of our own). SIGPIPE: Hivewatch may be gone when pgcluster reports something.
trap '' INT TERM HUP PIPE

mkdir -p "$state"
exec 9>>"$state/keeper.lock"
if ! flock -n 9; then
    echo waiting
    flock -w 120 9 || {
        echo "the demo cluster in $state is still in use by another Hivewatch" >&2
        exit 1
    }
fi

# The postmaster must not inherit the lock, or it would hold it for as long as it runs.
if ! bash "$script" start "$state" "$@" 9>&-; then
    bash "$script" stop "$state" >/dev/null 2>&1 9>&- # whatever half started
    exit 1
fi

cat >/dev/null
# Still holding the lock: the next keeper starts once this stop is over.
exec bash "$script" stop "$state"
