#include "sync/sqlite/SqliteTransaction.h"

#include "sync/sqlite/SqliteConnection.h"

#include <utility>

namespace hivewatch {

Result<SqliteTransaction> SqliteTransaction::begin(const SqliteConnection &connection)
{
    if (!connection.isAutocommit())
        return Error(QStringLiteral("A transaction is already open on %1").arg(connection.path()));
    if (auto begun = connection.exec("BEGIN IMMEDIATE"); !begun)
        return connection.error(
            QStringLiteral("Could not start writing to %1").arg(connection.path()));
    return SqliteTransaction(&connection);
}

SqliteTransaction::~SqliteTransaction()
{
    rollback();
}

SqliteTransaction::SqliteTransaction(SqliteTransaction &&other) noexcept
    : m_connection(std::exchange(other.m_connection, nullptr))
{
}

SqliteTransaction &SqliteTransaction::operator=(SqliteTransaction &&other) noexcept
{
    if (this != &other) {
        rollback();
        m_connection = std::exchange(other.m_connection, nullptr);
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
    m_connection = nullptr;
    return {};
}

void SqliteTransaction::rollback()
{
    if (!m_connection)
        return;
    if (!m_connection->isAutocommit())
        (void)m_connection->exec("ROLLBACK");
    m_connection = nullptr;
}

} // namespace hivewatch
