#pragma once

#include "domain/Result.h"
#include "sync/sqlite/SqliteStatement.h"

#include <QString>

#include <cstddef>

#include <string_view>

struct sqlite3;

namespace hivewatch {

// One SQLite connection through the C API: the hot paths (a million synced rows, the legacy
// migration's bulk insert) cannot afford a QVariant per value. Either owned (opened here, closed
// by the destructor) or borrowed from a connection someone else closes (LogStore's, which Qt
// opened). Move-only. A connection is used by one thread at a time; interrupt() is the one call
// another thread may make, to cancel what runs on it.
class SqliteConnection
{
public:
    enum class Mode { ReadOnly, ReadWrite, ReadWriteCreate };

    SqliteConnection() = default;
    // busyTimeoutMs: how long a statement waits for another connection's write lock.
    static Result<SqliteConnection> open(const QString &path, Mode mode, int busyTimeoutMs = 30000);
    static SqliteConnection borrow(sqlite3 *db, const QString &path);
    // First thing in main(), before any connection opens (later it does nothing): SQLite stops
    // counting its memory (sqlite3_memory_used and the soft heap limit, unused here), which took
    // a process-wide mutex on every allocation and free of every connection.
    static void skipMemoryStatistics();
    // Also first thing in main(): SQLite's page caches take their pages from one buffer of about
    // `bytes` on huge pages, instead of a malloc() and 4 KiB page faults per 16 KiB page (~10%
    // of the store writer's time in a 200k-row shape sync). Beyond it, pages come from malloc().
    static void usePageCacheBuffer(std::size_t bytes);
    ~SqliteConnection();
    SqliteConnection(SqliteConnection &&other) noexcept;
    SqliteConnection &operator=(SqliteConnection &&other) noexcept;
    SqliteConnection(const SqliteConnection &) = delete;
    SqliteConnection &operator=(const SqliteConnection &) = delete;

    bool isOpen() const { return m_db != nullptr; }
    sqlite3 *handle() const { return m_db; }
    QString path() const { return m_path; }
    // SQLite's message for the last failure on this connection.
    QString lastError() const;
    // The last failure as an Error: "<what> (<path>)" plus SQLite's message, and a read-only
    // file, a corrupt one and a lock held by another connection each told as such.
    Error error(const QString &what) const;

    // persistent: the statement lives for the connection's lifetime (SQLITE_PREPARE_PERSISTENT).
    Result<SqliteStatement> prepare(std::string_view sql, bool persistent = false) const;
    // Runs one or more statements without parameters or results.
    Result<void> exec(std::string_view sql) const;
    Result<bool> hasTable(std::string_view table) const;
    qint64 lastInsertRowId() const;
    // Rows changed by the last INSERT, UPDATE or DELETE.
    qint64 changes() const;
    // Whether no transaction is open.
    bool isAutocommit() const;
    // Waits for another connection's lock up to timeoutMs, trying again every 0.1 ms for the
    // first 5 ms, then every 1 ms. SQLite's own busy_timeout backs off to 100 ms sleeps: a
    // writer queued behind the index builder's ~20 ms transaction slept on long after the lock
    // was free. Replaces PRAGMA busy_timeout (and is replaced by it).
    void setPollingBusyTimeout(int timeoutMs) const;
    // How many times the polling busy handler of any connection slept, for the benches.
    static qint64 busyPolls();
    // Makes what runs on the connection fail soon with SQLITE_INTERRUPT; any thread may call it.
    void interrupt() const;

private:
    SqliteConnection(sqlite3 *db, QString path, bool owned);

    sqlite3 *m_db = nullptr;
    QString m_path;
    bool m_owned = false;
};

} // namespace hivewatch
