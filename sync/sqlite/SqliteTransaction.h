#pragma once

#include "domain/Result.h"

#include <QtGlobal>

namespace hivewatch {

class SqliteConnection;

// BEGIN IMMEDIATE on construction (through begin()), ROLLBACK on destruction unless commit()
// succeeded: an early return or an error never leaves a transaction open.
class SqliteTransaction
{
public:
    // Fails when a transaction is already open or the write lock cannot be taken.
    static Result<SqliteTransaction> begin(const SqliteConnection &connection);
    // The same for background work (the log index builder): first waits, up to maxWaitMs, until
    // no begin() transaction of this process is waiting for the lock or open. SQLite's busy
    // handler sleeps up to 100 ms between tries, so a writer queued behind a background
    // transaction would otherwise lose the lock to the next one again and again.
    static Result<SqliteTransaction> beginBehindWriters(const SqliteConnection &connection,
                                                        int maxWaitMs);
    // What begin() transactions of this process waited for the write lock (BEGIN IMMEDIATE's
    // wall time), so a bench can tell lock waits from work.
    struct WriterWaits
    {
        qint64 transactions = 0;
        qint64 waitNs = 0;
    };
    static WriterWaits writerWaits();
    // Nanoseconds since the last begin() transaction of this process ended; 0 while one is
    // waiting or open. Background work yields to a writer that is active by this measure.
    static qint64 nanosSinceWriter();
    ~SqliteTransaction();
    SqliteTransaction(SqliteTransaction &&other) noexcept;
    SqliteTransaction &operator=(SqliteTransaction &&other) noexcept;
    SqliteTransaction(const SqliteTransaction &) = delete;
    SqliteTransaction &operator=(const SqliteTransaction &) = delete;

    Result<void> commit();
    void rollback();
    bool isOpen() const { return m_connection != nullptr; }

private:
    SqliteTransaction(const SqliteConnection *connection, bool counted)
        : m_connection(connection)
        , m_counted(counted)
    {
    }
    static Result<SqliteTransaction> start(const SqliteConnection &connection, bool counted);
    void release();

    const SqliteConnection *m_connection = nullptr;
    bool m_counted = false; // one of the writers beginBehindWriters() waits for
};

} // namespace hivewatch
