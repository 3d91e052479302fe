#include "sync/legacy/NodeLogTableReader.h"

#include "sync/legacy/LegacyLineSplitter.h"
#include "sync/legacy/LegacyTimestamp.h"
#include "sync/sqlite/SqliteConnection.h"

#include <QDateTime>

#include <sqlite3.h>

#include <memory>

namespace hivewatch {

namespace {

constexpr qint64 kInlineRowBytes = 1024 * 1024;
constexpr int kChunkBytes = 1024 * 1024;

struct BlobCloser
{
    void operator()(sqlite3_blob *blob) const { sqlite3_blob_close(blob); }
};

} // namespace

QString legacyExecutionName(const QByteArray &key)
{
    if (key.size() == 16)
        return QUuid::fromRfc4122(key).toString(QUuid::WithoutBraces);
    return QStringLiteral("x'%1'").arg(QString::fromLatin1(key.toHex()));
}

NodeLogTableReader::NodeLogTableReader(const SqliteConnection &db, QUuid onlyExecution,
                                       qint64 maxLineBytes)
    : m_db(db)
    , m_onlyExecution(onlyExecution)
    , m_maxLineBytes(maxLineBytes)
    , m_runTimestamp(QDateTime::currentDateTimeUtc()
                         .toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz"))
                         .toStdString())
{
}

QString NodeLogTableReader::sourceName() const
{
    return QStringLiteral("execution_process_logs");
}

Result<QList<LegacyExecutionInfo>> NodeLogTableReader::listExecutions()
{
    auto present = m_db.hasTable("execution_process_logs");
    if (!present)
        return present.error();
    if (!*present)
        return Error(QStringLiteral("%1 has no execution_process_logs table: it is not a node "
                                    "database, or its legacy logs were already dropped")
                         .arg(m_db.path()));

    // Oldest execution first, as the node produced them; the (execution_id, inserted_at) index of
    // the later eras covers this query.
    const bool filtered = !m_onlyExecution.isNull();
    auto stmt = m_db.prepare(
        filtered ? "SELECT execution_id, count(*), max(inserted_at), min(inserted_at)"
                   " FROM execution_process_logs WHERE execution_id IN (?1, ?2)"
                   " GROUP BY execution_id ORDER BY 4, 1"
                 : "SELECT execution_id, count(*), max(inserted_at), min(inserted_at)"
                   " FROM execution_process_logs GROUP BY execution_id ORDER BY 4, 1");
    if (!stmt)
        return stmt.error();
    const QByteArray blobKey = m_onlyExecution.toRfc4122();
    const QByteArray textKey = m_onlyExecution.toString(QUuid::WithoutBraces).toUtf8();
    if (filtered) {
        stmt->bindBlob(1, blobKey);
        stmt->bindText(2, std::string_view(textKey.constData(), size_t(textKey.size())));
    }
    QList<LegacyExecutionInfo> executions;
    for (;;) {
        auto row = stmt->step();
        if (!row)
            return row.error();
        if (!*row)
            break;
        LegacyExecutionInfo info;
        info.key = stmt->columnByteArray(0);
        info.name = legacyExecutionName(info.key);
        info.rows = stmt->columnInt(1);
        info.lastInsertedAt = stmt->columnText(2);
        executions.append(info);
    }
    return executions;
}

Result<LegacyExecutionInfo> NodeLogTableReader::currentState(const QByteArray &key)
{
    auto stmt = m_db.prepare("SELECT count(*), max(inserted_at) FROM execution_process_logs"
                             " WHERE execution_id = ?1");
    if (!stmt)
        return stmt.error();
    stmt->bindBlob(1, key);
    auto row = stmt->step();
    if (!row)
        return row.error();
    LegacyExecutionInfo info;
    info.key = key;
    info.name = legacyExecutionName(key);
    info.rows = stmt->columnInt(0);
    info.lastInsertedAt = stmt->columnText(1);
    return info;
}

Result<LegacyReadStats> NodeLogTableReader::readExecution(const LegacyExecutionInfo &execution,
                                                          LegacyLineSink &sink)
{
    // byte_size only decides how a row is read; the bytes actually read are what count. The CASE
    // keeps SQLite from loading a huge row into memory: those come back NULL and are streamed.
    auto stmt = m_db.prepare("SELECT rowid, inserted_at,"
                             " CASE WHEN byte_size BETWEEN 0 AND ?2 THEN logs END"
                             " FROM execution_process_logs WHERE execution_id = ?1"
                             " ORDER BY inserted_at, rowid");
    if (!stmt)
        return stmt.error();
    stmt->bindBlob(1, execution.key);
    stmt->bindInt(2, kInlineRowBytes);

    LegacyReadStats stats;
    LegacyLineSplitter splitter(sink, m_maxLineBytes);
    std::string lastRawTimestamp, timestamp, note;
    for (;;) {
        auto row = stmt->step();
        if (!row)
            return row.error();
        if (!*row)
            break;
        const qint64 rowId = stmt->columnInt(0);
        const std::string_view rawTimestamp = stmt->columnBytes(1);
        if (stats.rows == 0 || rawTimestamp != lastRawTimestamp) {
            lastRawTimestamp.assign(rawTimestamp);
            // A row without a readable time still holds good lines: they are migrated with the
            // migration's time, and the note reports it, rather than being left behind.
            const bool timestampOk = normalizeLegacyTimestamp(rawTimestamp, timestamp);
            if (!timestampOk)
                timestamp = m_runTimestamp;
            note = timestampOk ? std::string()
                               : "row's inserted_at '" + lastRawTimestamp.substr(0, 40)
                    + "' is not a time; its lines get the migration's time " + m_runTimestamp;
        }
        ++stats.rows;
        splitter.beginRow(rowId, timestamp, {}, note);

        qint64 rowBytes = 0;
        bool go = true;
        if (!stmt->columnIsNull(2)) {
            const std::string_view logs = stmt->columnBytes(2);
            rowBytes = qint64(logs.size());
            go = splitter.feed(logs);
        } else {
            auto streamed = streamRow(rowId, splitter, rowBytes);
            if (!streamed)
                return streamed.error();
            go = *streamed;
        }
        go = go && splitter.endRow();
        stats.bytes += rowBytes;
        sink.rowRead(rowBytes);
        if (!go) {
            stats.stopped = true;
            break;
        }
    }
    stats.lines = splitter.lineCount();
    return stats;
}

Result<bool> NodeLogTableReader::streamRow(qint64 rowId, LegacyLineSplitter &splitter,
                                           qint64 &bytes)
{
    sqlite3_blob *raw = nullptr;
    if (sqlite3_blob_open(m_db.handle(), "main", "execution_process_logs", "logs", rowId, 0, &raw)
        != SQLITE_OK) {
        // A NULL or unreadable logs value: report it in place of the row's lines.
        const std::string problem
            = "the row's logs value cannot be read: " + m_db.lastError().toStdString();
        sqlite3_blob_close(raw);
        splitter.beginRow(rowId, {}, problem);
        return splitter.feed("\n");
    }
    std::unique_ptr<sqlite3_blob, BlobCloser> blob(raw);
    const int size = sqlite3_blob_bytes(raw);
    std::string chunk(size_t(std::min(size, kChunkBytes)), '\0');
    for (int offset = 0; offset < size; offset += kChunkBytes) {
        const int n = std::min(kChunkBytes, size - offset);
        if (sqlite3_blob_read(raw, chunk.data(), n, offset) != SQLITE_OK)
            return Error(QStringLiteral("Cannot read row %1 of execution_process_logs in %2")
                             .arg(rowId)
                             .arg(m_db.path()),
                         m_db.lastError());
        bytes += n;
        if (!splitter.feed(std::string_view(chunk.data(), size_t(n))))
            return false;
    }
    return true;
}

} // namespace hivewatch
