#pragma once

// LogStore's internals, shared by its .cpp files (LogStore.cpp: open, write, paging;
// LogStoreSearch.cpp: filtered paging and export). Not for use outside sync/store.

#include "sync/sqlite/SqliteConnection.h"
#include "sync/store/LogRowWriter.h"
#include "sync/store/LogSearchCountCache.h"
#include "sync/store/LogStore.h"

#include <QHash>
#include <QSqlError>
#include <QSqlQuery>

struct sqlite3;

namespace hivewatch {

struct LogStore::Private
{
    QString path;
    QString connectionName;
    QSqlDatabase db;
    sqlite3 *handle = nullptr;
    SqliteConnection connection; // borrowed: the Qt driver owns the handle
    bool readOnly = true;
    bool nodeDatabase = false;
    bool hasSourceId = false;
    std::unique_ptr<LogRowWriter> writer;

    Result<LogRowWriter *> rowWriter();
    std::unique_ptr<QSqlQuery> forwardQuery;
    std::unique_ptr<QSqlQuery> backwardQuery;
    std::unique_ptr<QSqlQuery> countQuery;
    QHash<QString, qint64> countCache; // filtered counts, see filteredCount()
    qint64 countCacheVersion = -1;
    LogSearchCountCache searchCounts;

    Result<qint64> filteredCount(const QUuid &executionId, const LogFilter &filter,
                                 const QString &where, const QVariantList &values);

    static Error sqlError(const QString &what, const QSqlError &e) { return Error(what, e.text()); }
    static LogEntry rowFrom(const QSqlQuery &q)
    {
        LogEntry e;
        e.id = q.value(0).toLongLong();
        e.executionId = QUuid::fromRfc4122(q.value(1).toByteArray());
        e.outputType = q.value(2).toString();
        e.content = q.value(3).toString();
        e.timestamp = q.value(4).toString();
        if (!q.isNull(5))
            e.sourceId = q.value(5).toLongLong();
        return e;
    }
    // The columns rowFrom() reads; a node's database has no source_id.
    QString selectColumns() const
    {
        return QStringLiteral("id, execution_id, output_type, content, timestamp, ")
            + (hasSourceId ? QStringLiteral("source_id") : QStringLiteral("NULL"));
    }
    Result<QSqlQuery *> prepared(std::unique_ptr<QSqlQuery> &slot, const QString &sql)
    {
        if (!slot) {
            auto q = std::make_unique<QSqlQuery>(db);
            q->setForwardOnly(true);
            if (!q->prepare(sql))
                return sqlError(QStringLiteral("Could not read %1").arg(path), q->lastError());
            slot = std::move(q);
        }
        return slot.get();
    }
    Error readError(const QSqlQuery &q) const
    {
        return sqlError(QStringLiteral("Could not read %1 (is it corrupted?)").arg(path),
                        q.lastError());
    }
};

} // namespace hivewatch
