#pragma once

#include "domain/Result.h"

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
