#pragma once

#include <QtGlobal>

class SqliteDatabase;

// For the length of a migration, LogStore's connection is set up for one long bulk write:
// memory-mapped I/O off, because every mapped page of a multi-GB file counts towards the
// process's RSS (193 MiB instead of 80 for a 100 MiB source); and WAL checkpoints every 64 MiB
// instead of every 4 MiB, because each checkpoint waits for an fsync. The destructor restores
// both and folds the WAL back into the database. A null database means nothing to tune.
class SqliteBulkWriteTuning
{
public:
    explicit SqliteBulkWriteTuning(const SqliteDatabase *db);
    ~SqliteBulkWriteTuning();

    SqliteBulkWriteTuning(const SqliteBulkWriteTuning &) = delete;
    SqliteBulkWriteTuning &operator=(const SqliteBulkWriteTuning &) = delete;

private:
    qint64 readPragma(const char *sql, qint64 fallback) const;
    void pragma(const QByteArray &sql) const;

    const SqliteDatabase *m_db;
    qint64 m_mmapSize = 0;
    qint64 m_autoCheckpoint = 1000;
};
