#pragma once

#include <QDateTime>
#include <QMetaType>
#include <QString>

namespace hivewatch {

// The state of one shape as a value, for status bars, the CLI and tests. Emitted by ShapeWorker /
// ShapeClient::statusChanged whenever any field changes meaningfully.
struct ShapeStatus
{
    enum class State {
        Idle, // not started, stopped or paused
        Syncing, // catching up (initial snapshot or resuming): data is not yet up to date
        Live, // up to date, long-polling for changes
        BackingOff, // a retryable error (network, 5xx, 429); retrying at retryAt
        Failed // a fatal error (400/401/403, stripped headers, store failure); errorText says
               // what; the shape stays stopped until it is started again
    };

    // Why a shape is not syncing, when a user can do something specific about it. Failed shapes
    // with SignInNeeded or NotServed concern one shape only: nothing app-wide turns red.
    enum class Problem {
        None,
        SignInNeeded, // 401/403 and no token command could renew the token
        NotServed, // the source does not serve this table (404)
        Other
    };

    QString shapeName;
    Problem problem = Problem::None;
    State state = State::Idle;
    qint64 rowCount = 0; // rows currently materialized (in the local store)
    QDateTime lastSyncedAt; // last up-to-date received (UTC); invalid before the first one
    QString errorText; // last error in words a user can act on; empty when none
    QDateTime retryAt; // BackingOff: when the next attempt starts (UTC)
    int retryAttempt = 0; // BackingOff: consecutive failed attempts so far
    QString handle; // Electric's shape handle, for diagnostics
    QString offset; // last applied offset, for diagnostics
    // Non-fatal problems in the shape's data (a value that fails typing, a NULL in a NOT NULL
    // column) or in its stream (a resync): the rows still sync, but an operator should know.
    qint64 warningCount = 0; // since the shape was added to this worker
    QString lastWarning; // the latest one's text; empty when none
    QDateTime lastWarningAt; // when it came (UTC)

    static QString stateName(State state); // "idle", "syncing", "live", "backing-off", "failed"
};

} // namespace hivewatch

Q_DECLARE_METATYPE(hivewatch::ShapeStatus)
