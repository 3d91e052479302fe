#include "sync/sqlite/SqliteStatement.h"

#include <sqlite3.h>

#include <utility>

namespace hivewatch {

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

SqliteStatement &SqliteStatement::bindInt(int index, qint64 value)
{
    sqlite3_bind_int64(m_stmt, index, value);
    return *this;
}

SqliteStatement &SqliteStatement::bindText(int index, std::string_view text)
{
    // A null pointer would bind NULL; an empty view is an empty string.
    sqlite3_bind_text64(m_stmt, index, text.data() ? text.data() : "", sqlite3_uint64(text.size()),
                        SQLITE_STATIC, SQLITE_UTF8);
    return *this;
}

SqliteStatement &SqliteStatement::bindText(int index, QByteArrayView text)
{
    return bindText(index, std::string_view(text.data(), size_t(text.size())));
}

SqliteStatement &SqliteStatement::bindText(int index, const QString &text)
{
    const QByteArray utf8 = text.toUtf8();
    sqlite3_bind_text64(m_stmt, index, utf8.constData(), sqlite3_uint64(utf8.size()),
                        SQLITE_TRANSIENT, SQLITE_UTF8);
    return *this;
}

SqliteStatement &SqliteStatement::bindTextOrNull(int index, QByteArrayView text)
{
    return text.isEmpty() ? bindNull(index) : bindText(index, text);
}

SqliteStatement &SqliteStatement::bindBlob(int index, QByteArrayView blob)
{
    sqlite3_bind_blob64(m_stmt, index, blob.data() ? blob.data() : "", sqlite3_uint64(blob.size()),
                        SQLITE_STATIC);
    return *this;
}

SqliteStatement &SqliteStatement::bindNull(int index)
{
    sqlite3_bind_null(m_stmt, index);
    return *this;
}

Result<bool> SqliteStatement::step()
{
    const int rc = sqlite3_step(m_stmt);
    if (rc == SQLITE_ROW)
        return true;
    if (rc == SQLITE_DONE)
        return false;
    const QString sql = QString::fromUtf8(sqlite3_sql(m_stmt));
    const QString detail = m_db ? QString::fromUtf8(sqlite3_errmsg(m_db)) : QString();
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

} // namespace hivewatch
