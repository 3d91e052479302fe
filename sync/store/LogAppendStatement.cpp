#include "LogAppendStatement.h"

#include <sqlite3.h>

#include <array>

namespace {

const char *const kOutputTypes[]
    = {"stdout", "stderr", "system", "json_patch", "session_id", "finished", "refresh_required"};

// The canonical (static) spelling of a valid output type, or nullptr. Matches the CHECK in the
// schema, so a bad value gets a readable error instead of "CHECK constraint failed".
const char *outputTypeName(const QString &type)
{
    for (const char *name : kOutputTypes) {
        if (type == QLatin1String(name))
            return name;
    }
    return nullptr;
}

// QUuid::toRfc4122() allocates a QByteArray per row; the bytes are the same.
std::array<unsigned char, 16> uuidBytes(const QUuid &u)
{
    std::array<unsigned char, 16> b;
    for (int i = 0; i < 4; ++i)
        b[i] = uchar(u.data1 >> (24 - 8 * i));
    b[4] = uchar(u.data2 >> 8);
    b[5] = uchar(u.data2);
    b[6] = uchar(u.data3 >> 8);
    b[7] = uchar(u.data3);
    for (int i = 0; i < 8; ++i)
        b[8 + i] = u.data4[i];
    return b;
}

const char kInsertWithSource[]
    = "INSERT INTO log_entries (execution_id, output_type, content, timestamp, source_id) "
      "VALUES (?1, ?2, ?3, coalesce(?4, strftime('%Y-%m-%d %H:%M:%f', 'now')), ?5) "
      "ON CONFLICT (source_id) DO UPDATE SET execution_id = excluded.execution_id, "
      "output_type = excluded.output_type, content = excluded.content, "
      "timestamp = excluded.timestamp";
const char kInsertNode[]
    = "INSERT INTO log_entries (execution_id, output_type, content, timestamp) "
      "VALUES (?1, ?2, ?3, coalesce(?4, strftime('%Y-%m-%d %H:%M:%f', 'now')))";

} // namespace

Result<std::unique_ptr<LogAppendStatement>> LogAppendStatement::prepare(sqlite3 *db,
                                                                        bool withSourceId)
{
    sqlite3_stmt *stmt = nullptr;
    const char *sql = withSourceId ? kInsertWithSource : kInsertNode;
    if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK) {
        const QString detail = QString::fromUtf8(sqlite3_errmsg(db));
        sqlite3_finalize(stmt);
        return Error(QStringLiteral("Could not prepare the log append statement"), detail);
    }
    return std::unique_ptr<LogAppendStatement>(new LogAppendStatement(db, stmt, withSourceId));
}

LogAppendStatement::LogAppendStatement(sqlite3 *db, sqlite3_stmt *stmt, bool withSourceId)
    : m_db(db)
    , m_stmt(stmt)
    , m_withSourceId(withSourceId)
{
}

LogAppendStatement::~LogAppendStatement()
{
    sqlite3_finalize(m_stmt);
}

Result<void> LogAppendStatement::write(const NewLogEntry &row, qsizetype index)
{
    const char *type = outputTypeName(row.outputType);
    if (!type) {
        return Error(QStringLiteral("Invalid log output type \"%1\" in row %2 of the batch: "
                                    "expected one of stdout, stderr, system, json_patch, "
                                    "session_id, finished, refresh_required")
                         .arg(row.outputType)
                         .arg(index));
    }
    if (row.sourceId && !m_withSourceId) {
        return Error(QStringLiteral("Row %1 of the batch has a source id, but this database "
                                    "(a node's db.sqlite) has no source_id column")
                         .arg(index));
    }
    const auto id = uuidBytes(row.executionId);
    const QByteArray content = row.content.toUtf8();
    const QByteArray timestamp = row.timestamp.toUtf8();

    sqlite3_bind_blob(m_stmt, 1, id.data(), int(id.size()), SQLITE_STATIC);
    sqlite3_bind_text(m_stmt, 2, type, -1, SQLITE_STATIC);
    int rc = sqlite3_bind_text64(m_stmt, 3, content.constData(), sqlite3_uint64(content.size()),
                                 SQLITE_STATIC, SQLITE_UTF8);
    if (timestamp.isEmpty())
        sqlite3_bind_null(m_stmt, 4);
    else
        sqlite3_bind_text(m_stmt, 4, timestamp.constData(), int(timestamp.size()), SQLITE_STATIC);
    if (m_withSourceId) {
        if (row.sourceId)
            sqlite3_bind_int64(m_stmt, 5, *row.sourceId);
        else
            sqlite3_bind_null(m_stmt, 5);
    }
    if (rc == SQLITE_OK)
        rc = sqlite3_step(m_stmt);
    const QString detail
        = (rc == SQLITE_DONE) ? QString() : QString::fromUtf8(sqlite3_errmsg(m_db));
    sqlite3_reset(m_stmt);
    if (rc != SQLITE_DONE) {
        return Error(QStringLiteral("Could not store row %1 of the batch (%2 bytes of content)")
                         .arg(index)
                         .arg(content.size()),
                     detail);
    }
    return {};
}
