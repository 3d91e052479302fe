#pragma once

#include <QtGlobal>

#include <memory>

namespace hivewatch {

class SqliteConnection;
class WalCheckpointer;

// For the length of a migration, LogStore's connection is set up for one long bulk write:
// - memory-mapped I/O off, because every mapped page of a multi-GB file counts towards the
//   process's RSS (193 MiB instead of 80 for a 100 MiB source);
// - the WAL is checkpointed on a second connection and thread (WalCheckpointer), or, if that
//   cannot start, every 64 MiB instead of every 4 MiB, because each checkpoint waits for fsyncs;
// - CHECK constraints are not evaluated: SQLite 3.40 rebuilds a temporary table for the
//   `output_type IN (…)` check of log_entries for every row (a fifth of the CPU time),
//   and the writer only ever binds output types from LogMsgParser's fixed list.
// The destructor restores all of it and folds the WAL back into the database. A null database
// means nothing to tune.
class SqliteBulkWriteTuning
{
public:
    // The WAL is checkpointed in the background every `checkpointStepBytes`; the writer waits
    // for it at `checkpointWaitBytes`.
    SqliteBulkWriteTuning(const SqliteConnection *db, qint64 checkpointStepBytes,
                          qint64 checkpointWaitBytes);
    ~SqliteBulkWriteTuning();

    SqliteBulkWriteTuning(const SqliteBulkWriteTuning &) = delete;
    SqliteBulkWriteTuning &operator=(const SqliteBulkWriteTuning &) = delete;

private:
    bool inWalMode() const;
    qint64 readPragma(const char *sql, qint64 fallback) const;
    void pragma(const QByteArray &sql) const;

    const SqliteConnection *m_db;
    qint64 m_mmapSize = 0;
    qint64 m_autoCheckpoint = 1000;
    qint64 m_ignoreChecks = 0;
    std::unique_ptr<WalCheckpointer> m_checkpointer;
};

} // namespace hivewatch
