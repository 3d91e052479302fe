#include "SqliteDatabase.h"

#include <QSqlDatabase>
#include <QSqlDriver>
#include <QVariant>

#include <sqlite3.h>

#include <utility>

namespace {

QString errorText(sqlite3 *db)
{
    return db ? QString::fromUtf8(sqlite3_errmsg(db)) : QStringLiteral("out of memory");
}

} // namespace

SqliteDatabase::SqliteDatabase(sqlite3 *db, QString path, bool owned)
    : m_db(db)
    , m_path(std::move(path))
    , m_owned(owned)
{
}

SqliteDatabase::~SqliteDatabase()
{
    if (m_owned)
        sqlite3_close_v2(m_db);
}

Result<std::unique_ptr<SqliteDatabase>> SqliteDatabase::open(const QString &path, bool writable)
{
    sqlite3 *db = nullptr;
    const int flags = writable ? SQLITE_OPEN_READWRITE : SQLITE_OPEN_READONLY;
    const int rc = sqlite3_open_v2(path.toUtf8().constData(), &db, flags, nullptr);
    if (rc != SQLITE_OK) {
        const QString detail = errorText(db);
        sqlite3_close_v2(db);
        return Error(
            QStringLiteral("Cannot open the SQLite database %1 for %2")
                .arg(path, writable ? QStringLiteral("writing") : QStringLiteral("reading")),
            detail);
    }
    // A node keeps writing to its database while we read it; wait for its short transactions.
    sqlite3_busy_timeout(db, 30000);
    // sqlite3_open_v2 reads nothing yet: look at the schema now so a file that is not a
    // database is named as such rather than failing in the first query.
    if (sqlite3_exec(db, "SELECT count(*) FROM sqlite_master", nullptr, nullptr, nullptr)
        == SQLITE_NOTADB) {
        sqlite3_close_v2(db);
        return Error(QStringLiteral("%1 is not an SQLite database").arg(path));
    }
    return std::unique_ptr<SqliteDatabase>(new SqliteDatabase(db, path, true));
}

Result<std::unique_ptr<SqliteDatabase>> SqliteDatabase::openReadOnly(const QString &path)
{
    return open(path, false);
}

Result<std::unique_ptr<SqliteDatabase>> SqliteDatabase::openReadWrite(const QString &path)
{
    return open(path, true);
}

Result<std::unique_ptr<SqliteDatabase>> SqliteDatabase::borrow(const QSqlDatabase &database)
{
    const QVariant handle = database.driver() ? database.driver()->handle() : QVariant();
    if (!handle.isValid() || qstrcmp(handle.typeName(), "sqlite3*") != 0)
        return Error(QStringLiteral("The log store connection is not a SQLite connection"));
    sqlite3 *db = *static_cast<sqlite3 *const *>(handle.constData());
    if (!db)
        return Error(QStringLiteral("The log store connection is closed"));
    return std::unique_ptr<SqliteDatabase>(new SqliteDatabase(db, database.databaseName(), false));
}

QString SqliteDatabase::lastError() const
{
    return errorText(m_db);
}

Result<SqliteStatement> SqliteDatabase::prepare(std::string_view sql) const
{
    sqlite3_stmt *stmt = nullptr;
    const int rc = sqlite3_prepare_v2(m_db, sql.data(), int(sql.size()), &stmt, nullptr);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(stmt);
        return Error(QStringLiteral("Cannot prepare a query on %1").arg(m_path),
                     lastError() + QStringLiteral(" in: ")
                         + QString::fromUtf8(sql.data(), qsizetype(sql.size())));
    }
    return SqliteStatement(stmt, m_db);
}

Result<void> SqliteDatabase::exec(std::string_view sql) const
{
    auto stmt = prepare(sql);
    if (!stmt)
        return stmt.error();
    return stmt->run();
}

Result<bool> SqliteDatabase::hasTable(std::string_view table) const
{
    auto stmt = prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1");
    if (!stmt)
        return stmt.error();
    stmt->bindText(1, table);
    return stmt->step();
}

qint64 SqliteDatabase::lastInsertRowId() const
{
    return sqlite3_last_insert_rowid(m_db);
}

SqliteStatement::SqliteStatement(SqliteStatement &&other) noexcept
    : m_stmt(std::exchange(other.m_stmt, nullptr))
    , m_db(other.m_db)
{
}

SqliteStatement &SqliteStatement::operator=(SqliteStatement &&other) noexcept
{
    if (this != &other) {
        sqlite3_finalize(m_stmt);
        m_stmt = std::exchange(other.m_stmt, nullptr);
        m_db = other.m_db;
    }
    return *this;
}

SqliteStatement::~SqliteStatement()
{
    sqlite3_finalize(m_stmt);
}

void SqliteStatement::bindInt(int index, qint64 value)
{
    sqlite3_bind_int64(m_stmt, index, value);
}

void SqliteStatement::bindText(int index, std::string_view text)
{
    // A null pointer would bind NULL; an empty view is an empty string.
    sqlite3_bind_text(m_stmt, index, text.data() ? text.data() : "", int(text.size()),
                      SQLITE_STATIC);
}

void SqliteStatement::bindBlob(int index, const QByteArray &blob)
{
    sqlite3_bind_blob(m_stmt, index, blob.constData(), int(blob.size()), SQLITE_STATIC);
}

void SqliteStatement::bindNull(int index)
{
    sqlite3_bind_null(m_stmt, index);
}

Result<bool> SqliteStatement::step()
{
    const int rc = sqlite3_step(m_stmt);
    if (rc == SQLITE_ROW)
        return true;
    if (rc == SQLITE_DONE)
        return false;
    const QString sql = QString::fromUtf8(sqlite3_sql(m_stmt));
    const QString detail = errorText(m_db);
    sqlite3_reset(m_stmt);
    return Error(QStringLiteral("SQLite statement failed: %1").arg(detail), sql);
}

Result<void> SqliteStatement::run()
{
    for (;;) {
        auto row = step();
        if (!row)
            return row.error();
        if (!*row)
            break;
    }
    reset();
    return {};
}

void SqliteStatement::reset()
{
    sqlite3_reset(m_stmt);
}

qint64 SqliteStatement::columnInt(int column) const
{
    return sqlite3_column_int64(m_stmt, column);
}

bool SqliteStatement::columnIsNull(int column) const
{
    return sqlite3_column_type(m_stmt, column) == SQLITE_NULL;
}

std::string_view SqliteStatement::columnBytes(int column) const
{
    // column_blob returns TEXT values as stored (UTF-8), without a conversion or a terminator.
    const auto *data = static_cast<const char *>(sqlite3_column_blob(m_stmt, column));
    const int size = sqlite3_column_bytes(m_stmt, column);
    return data ? std::string_view(data, size_t(size)) : std::string_view();
}

QByteArray SqliteStatement::columnByteArray(int column) const
{
    const std::string_view bytes = columnBytes(column);
    return QByteArray(bytes.data(), qsizetype(bytes.size()));
}

QString SqliteStatement::columnText(int column) const
{
    const std::string_view bytes = columnBytes(column);
    return QString::fromUtf8(bytes.data(), qsizetype(bytes.size()));
}
