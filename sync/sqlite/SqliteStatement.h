#pragma once

#include "domain/Result.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace hivewatch {

// A prepared statement, finalized on destruction; move-only. Bound byte views are not copied
// (they must outlive the next step()); a bound QString is copied. Binds chain.
class SqliteStatement
{
public:
    SqliteStatement() = default;
    SqliteStatement(SqliteStatement &&other) noexcept;
    SqliteStatement &operator=(SqliteStatement &&other) noexcept;
    ~SqliteStatement();
    SqliteStatement(const SqliteStatement &) = delete;
    SqliteStatement &operator=(const SqliteStatement &) = delete;

    bool isValid() const { return m_stmt != nullptr; }
    sqlite3_stmt *handle() const { return m_stmt; }

    SqliteStatement &bindInt(int index, qint64 value);
    SqliteStatement &bindText(int index, std::string_view text);
    SqliteStatement &bindText(int index, QByteArrayView text);
    SqliteStatement &bindText(int index, const QByteArray &text)
    {
        return bindText(index, QByteArrayView(text));
    }
    SqliteStatement &bindText(int index, const std::string &text)
    {
        return bindText(index, std::string_view(text));
    }
    SqliteStatement &bindText(int index, const QString &text); // copied
    // Empty = NULL (for keys and timestamps where empty means "none").
    SqliteStatement &bindTextOrNull(int index, QByteArrayView text);
    SqliteStatement &bindBlob(int index, QByteArrayView blob);
    SqliteStatement &bindBlob(int index, const QByteArray &blob)
    {
        return bindBlob(index, QByteArrayView(blob));
    }
    SqliteStatement &bindNull(int index);

    // True when a row is available, false when done; an error names the statement's failure.
    Result<bool> step();
    Result<void> run(); // step to completion and reset
    void reset();

    qint64 columnInt(int column) const;
    bool columnIsNull(int column) const;
    std::string_view columnBytes(int column) const; // TEXT or BLOB bytes as stored, no conversion
    QByteArray columnByteArray(int column) const;
    QString columnText(int column) const;

private:
    friend class SqliteConnection;
    SqliteStatement(sqlite3_stmt *stmt, sqlite3 *db)
        : m_stmt(stmt)
        , m_db(db)
    {
    }

    sqlite3_stmt *m_stmt = nullptr;
    sqlite3 *m_db = nullptr;
};

} // namespace hivewatch
