#include "sync/sqlite/SqliteTransaction.h"

#include "sync/sqlite/SqliteConnection.h"

#include <atomic>
#include <chrono>
#include <thread>
#include <utility>

namespace hivewatch {

namespace {

// begin() transactions of this process waiting for the write lock or open.
std::atomic<int> g_writers {0};
std::atomic<qint64> g_writerTransactions {0};
std::atomic<qint64> g_writerWaitNs {0};
std::atomic<qint64> g_writerEndNs {0};

qint64 nowNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

} // namespace

Result<SqliteTransaction> SqliteTransaction::start(const SqliteConnection &connection, bool counted)
{
    if (!connection.isAutocommit())
        return Error(QStringLiteral("A transaction is already open on %1").arg(connection.path()));
    if (counted)
        g_writers.fetch_add(1);
    const qint64 asked = counted ? nowNs() : 0;
    auto begun = connection.exec("BEGIN IMMEDIATE");
    if (counted) {
        g_writerTransactions.fetch_add(1, std::memory_order_relaxed);
        g_writerWaitNs.fetch_add(nowNs() - asked, std::memory_order_relaxed);
    }
    if (!begun) {
        if (counted)
            g_writers.fetch_sub(1);
        return connection.error(
            QStringLiteral("Could not start writing to %1").arg(connection.path()));
    }
    return SqliteTransaction(&connection, counted);
}

Result<SqliteTransaction> SqliteTransaction::begin(const SqliteConnection &connection)
{
    return start(connection, true);
}

Result<SqliteTransaction> SqliteTransaction::beginBehindWriters(const SqliteConnection &connection,
                                                                int maxWaitMs)
{
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(maxWaitMs);
    while (g_writers.load() > 0 && std::chrono::steady_clock::now() < until)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    return start(connection, false);
}

SqliteTransaction::WriterWaits SqliteTransaction::writerWaits()
{
    return {g_writerTransactions.load(), g_writerWaitNs.load()};
}

qint64 SqliteTransaction::nanosSinceWriter()
{
    if (g_writers.load() > 0)
        return 0;
    return nowNs() - g_writerEndNs.load();
}

void SqliteTransaction::release()
{
    if (m_connection && m_counted) {
        g_writerEndNs.store(nowNs());
        g_writers.fetch_sub(1);
    }
    m_connection = nullptr;
    m_counted = false;
}

SqliteTransaction::~SqliteTransaction()
{
    rollback();
}

SqliteTransaction::SqliteTransaction(SqliteTransaction &&other) noexcept
    : m_connection(std::exchange(other.m_connection, nullptr))
    , m_counted(std::exchange(other.m_counted, false))
{
}

SqliteTransaction &SqliteTransaction::operator=(SqliteTransaction &&other) noexcept
{
    if (this != &other) {
        rollback();
        m_connection = std::exchange(other.m_connection, nullptr);
        m_counted = std::exchange(other.m_counted, false);
    }
    return *this;
}

Result<void> SqliteTransaction::commit()
{
    if (!m_connection)
        return Error(QStringLiteral("No transaction is open"));
    if (auto committed = m_connection->exec("COMMIT"); !committed) {
        Error error = m_connection->error(
            QStringLiteral("Could not commit to %1").arg(m_connection->path()));
        rollback();
        return error;
    }
    release();
    return {};
}

void SqliteTransaction::rollback()
{
    if (!m_connection)
        return;
    if (!m_connection->isAutocommit())
        (void)m_connection->exec("ROLLBACK");
    release();
}

} // namespace hivewatch
