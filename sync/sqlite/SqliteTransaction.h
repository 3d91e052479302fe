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
    ~SqliteTransaction();
    SqliteTransaction(SqliteTransaction &&other) noexcept;
    SqliteTransaction &operator=(SqliteTransaction &&other) noexcept;
    SqliteTransaction(const SqliteTransaction &) = delete;
    SqliteTransaction &operator=(const SqliteTransaction &) = delete;

    Result<void> commit();
    void rollback();
    bool isOpen() const { return m_connection != nullptr; }

private:
    explicit SqliteTransaction(const SqliteConnection *connection)
        : m_connection(connection)
    {
    }

    const SqliteConnection *m_connection = nullptr;
};

} // namespace hivewatch
