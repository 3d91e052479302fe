#pragma once

#include "sync/sqlite/SqliteConnection.h"

#include <functional>

namespace hivewatch {

// While alive, statements on `connection` ask `isStale()` every `ops` virtual machine steps and
// fail with SQLITE_INTERRUPT once it answers true (sqlite3_progress_handler). Unlike
// SqliteConnection::interrupt(), which SQLite forgets while no statement runs, the answer is the
// caller's lasting "this read is stale", so a cancel that arrives between two statements of one
// read is not lost. Create and destroy it on the thread that uses the connection; `isStale` is
// called there.
class SqliteCancelCheck
{
public:
    SqliteCancelCheck(const SqliteConnection &connection, std::function<bool()> isStale,
                      int ops = 10000);
    ~SqliteCancelCheck();
    SqliteCancelCheck(const SqliteCancelCheck &) = delete;
    SqliteCancelCheck &operator=(const SqliteCancelCheck &) = delete;

private:
    const SqliteConnection &m_connection;
    std::function<bool()> m_isStale; // the handler's context: it must not move
};

} // namespace hivewatch
