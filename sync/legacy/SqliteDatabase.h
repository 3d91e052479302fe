#pragma once

#include "Result.h"

#include <QByteArray>
#include <QString>

#include <memory>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;
class QSqlDatabase;

class SqliteStatement;

// The legacy migration talks to SQLite through its C API: reading multi-GB tables in chunks
// (sqlite3_blob) and inserting several hundred thousand rows per second need it. A database is
// either opened here (source files, dry runs) or borrowed from a QSqlDatabase, so the migration
// shares LogStore's connection and its transactions.
class SqliteDatabase
{
public:
    static Result<std::unique_ptr<SqliteDatabase>> openReadOnly(const QString &path);
    static Result<std::unique_ptr<SqliteDatabase>> openReadWrite(const QString &path);
    // The connection behind a QSQLITE QSqlDatabase. It stays owned by Qt.
    static Result<std::unique_ptr<SqliteDatabase>> borrow(const QSqlDatabase &database);
    ~SqliteDatabase();

    SqliteDatabase(const SqliteDatabase &) = delete;
    SqliteDatabase &operator=(const SqliteDatabase &) = delete;

    sqlite3 *handle() const { return m_db; }
    QString path() const { return m_path; }
    QString lastError() const;

    Result<SqliteStatement> prepare(std::string_view sql) const;
    Result<void> exec(std::string_view sql) const;
    Result<bool> hasTable(std::string_view table) const;
    qint64 lastInsertRowId() const;

private:
    SqliteDatabase(sqlite3 *db, QString path, bool owned);
    static Result<std::unique_ptr<SqliteDatabase>> open(const QString &path, bool writable);

    sqlite3 *m_db = nullptr;
    QString m_path;
    bool m_owned = false;
};

// A prepared statement, finalized on destruction. Bound text and blobs are not copied: they must
// outlive the next step().
class SqliteStatement
{
public:
    SqliteStatement() = default;
    SqliteStatement(SqliteStatement &&other) noexcept;
    SqliteStatement &operator=(SqliteStatement &&other) noexcept;
    ~SqliteStatement();

    void bindInt(int index, qint64 value);
    void bindText(int index, std::string_view text);
    void bindBlob(int index, const QByteArray &blob);
    void bindNull(int index);

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
    friend class SqliteDatabase;
    SqliteStatement(sqlite3_stmt *stmt, sqlite3 *db)
        : m_stmt(stmt)
        , m_db(db)
    {
    }

    sqlite3_stmt *m_stmt = nullptr;
    sqlite3 *m_db = nullptr;
};
